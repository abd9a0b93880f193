"""Builders of the R21 item 2 fixtures: a scoring task for a unit and year, leaves with a data
source, and the records the suggestions are computed from (meetings and attendance, follow-up
tasks, pledges, project claims, dedication days, in-service members, share plans and payments).
Writes go through the apps' services where these accept past dates; otherwise through the
apps' factories or the ORM with the fields the services would set."""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from assessment.models import Indicator, Round, Scheme, ScoringTask, Sheet
from cobuilding import services as cobuilding
from cobuilding.models import DedicationDay, DedicationParticipation, InServiceMember, Project, ProjectClaim
from funding import services as funding
from meetings.models import Attendee, FollowUpTask, Meeting, Resolution
from meetings.services import followup
from tests.funding.factories import decide
from tests.meetings.factories import AttendeeFactory, MeetingFactory

YEAR = 2025
_seq = itertools.count(1)


def day(month: int, dom: int, year: int = YEAR) -> datetime.date:
    return datetime.date(year, month, dom)


def task_for(unit, *, year: int = YEAR) -> ScoringTask:
    """A scoring task of ``unit`` in a round of ``year`` (one round per county and year)."""
    county = unit.community.township.county
    round_ = Round.objects.filter(county=county, year=year).select_related("scheme").first()
    if round_ is None:
        scheme = Scheme.objects.create(county=county, year=year, title="双百分考核")
        Sheet.objects.create(scheme=scheme, kind=Sheet.Kind.UNITS)
        round_ = Round.objects.create(
            scheme=scheme, county=county, year=year, title="年度考核", self_report_deadline=day(12, 31, year)
        )
    sheet = round_.scheme.sheets.get(kind=Sheet.Kind.UNITS)
    return ScoringTask.objects.create(round=round_, unit=unit, sheet=sheet)


def leaf(task: ScoringTask, source: str, max_points="10", *, kind=Indicator.Kind.LEAF) -> Indicator:
    return Indicator.objects.create(
        sheet=task.sheet,
        order=next(_seq),
        title=f"指标{source}",
        kind=kind,
        max_points=Decimal(max_points),
        limit=Decimal("5") if kind in (Indicator.Kind.BONUS, Indicator.Kind.DEDUCTION) else None,
        evidence_source=source,
    )


# --- meetings (R10) ----------------------------------------------------------------------------


def held_meeting(committee, on: datetime.date, *, status=Meeting.Status.HELD) -> Meeting:
    starts_at = timezone.make_aware(datetime.datetime(on.year, on.month, on.day, 9, 0))
    held_on = on if status in (Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED) else None
    return MeetingFactory(committee=committee, starts_at=starts_at, status=status, held_on=held_on)


def invite(meeting, unit=None, attendance=Attendee.Attendance.PRESENT, *, post=None, role=Attendee.Role.UNIT_REP):
    note = "" if attendance in (Attendee.Attendance.PRESENT, Attendee.Attendance.UNKNOWN) else "事由"
    return AttendeeFactory(
        meeting=meeting, unit=unit, post=post, role=role, attendance=attendance, attendance_note=note
    )


# --- follow-up tasks (R13) -----------------------------------------------------------------------


def followup_task(actor, committee, unit, *, due_on, closed_on=None) -> FollowUpTask:
    """A task of ``unit`` due ``due_on`` (closed on ``closed_on``), through meetings.services."""
    meeting = held_meeting(committee, day(1, 5, due_on.year))
    resolution = Resolution.objects.create(meeting=meeting, text="落实社区环境整治")
    task = followup.task_create(
        actor=actor, resolution=resolution, title="环境整治", responsible_unit=unit, owner_name="张三", due_on=due_on
    )
    if closed_on is not None:
        task = followup.task_close(actor=actor, task=task, closed_on=closed_on)
    return task


# --- pledges (R17), through cobuilding.services ----------------------------------------------------


def pledge(liaison, secretary, *, year=YEAR, status="accepted", value=Decimal("1000.00")):
    """A pledge of the liaison's unit: ``draft``, ``accepted`` or ``fulfilled`` (a confirmed
    final fulfilment report)."""
    p = cobuilding.pledge_create(
        actor=liaison,
        unit=liaison.unit,
        year=year,
        kind="funds",
        title=f"承诺{next(_seq)}",
        description="慰问困难党员",
        quantity="",
        value=value,
        period_start=day(1, 1, year),
        period_end=day(12, 31, year),
        contact_name="张联络",
        contact_phone="13800000000",
    )
    if status == "draft":
        return p
    p = cobuilding.pledge_submit(actor=liaison, pledge=p)
    p = cobuilding.pledge_accept(actor=secretary, pledge=p)
    if status == "fulfilled":
        report = cobuilding.fulfilment_report(
            actor=liaison, pledge=p, delivered_on=day(6, 1, year), text="已送达", amount=value, is_final=True
        )
        cobuilding.fulfilment_confirm(actor=secretary, fulfilment=report)
        p.refresh_from_db()
    return p


# --- projects (R17) ------------------------------------------------------------------------------


def claim(committee, unit, user, *, claim_by, deadline, completed=False, project_status=Project.Status.CLOSED):
    """A claim of a (past) project; rows written as project_claim / claim_confirm_completion would
    (those services refuse a claim after the project's claim date, which a past year's is)."""
    project = Project.objects.create(
        committee=committee,
        title=f"项目{next(_seq)}",
        need="更换路灯",
        place="小区",
        claim_by=claim_by,
        deadline=deadline,
        status=project_status,
        created_by=user,
    )
    c = ProjectClaim.objects.create(project=project, unit=unit, place_no=1, claimed_by=user)
    if completed:
        c.status, c.completed_on, c.confirmed_by = ProjectClaim.Status.COMPLETED, deadline, user
        c.save(update_fields=["status", "completed_on", "confirmed_by"])
    return c


# --- dedication days (R18) and in-service members (R20) ------------------------------------------


def dedication_day(committee, held_on, sequence) -> DedicationDay:
    return DedicationDay.objects.create(
        committee=committee, year=held_on.year, sequence=sequence, held_on=held_on, theme="党员奉献日"
    )


def took_part(day_, unit, user, names="李四\n王五") -> DedicationParticipation:
    return DedicationParticipation.objects.create(
        day=day_, unit=unit, count=len(names.splitlines()), names=names, recorded_by=user
    )


def members(unit, n, *, reported_on=None, is_active=True) -> list[InServiceMember]:
    return [
        InServiceMember.objects.create(
            unit=unit, name=f"党员{next(_seq)}", reported_on=reported_on or day(3, 1), is_active=is_active
        )
        for _ in range(n)
    ]


# --- dues (R23), through funding.services ---------------------------------------------------------


def active_plan(actor, committee, shares: dict, *, year=YEAR, due_on=None):
    """An active share plan of ``year`` with fixed amounts {unit: amount}, due ``due_on``."""
    fiscal_year = funding.fiscal_year_open(actor=actor, committee=committee, year=year)
    lines = [funding.ShareInput(unit=u, kind="fixed", value=Decimal(a)) for u, a in shares.items()]
    plan = funding.share_plan_create(
        actor=actor,
        fiscal_year=fiscal_year,
        total=sum((Decimal(a) for a in shares.values()), Decimal("0")),
        due_on=due_on or day(3, 31, year),
        lines=lines,
    )
    decide(plan, actor)  # the motion is made from the plan (issue #11 item 12)
    return funding.share_plan_activate(actor=actor, plan=plan)


def pay(actor, plan, unit, amount, paid_on):
    return funding.payment_record(
        actor=actor, fiscal_year=plan.fiscal_year, unit=unit, amount=Decimal(amount), paid_on=paid_on
    )
