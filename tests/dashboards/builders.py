"""Rows the dashboards read, made directly with the ORM and the fields the apps' services set
(the dashboards only read them)."""

import datetime
from decimal import Decimal as D

from django.utils import timezone

from assessment.models import Round, Scheme, ScoringTask, Sheet
from cobuilding.models import Pledge
from committees.models import Vacancy
from funding.models import FiscalYear, Payment, ShareLine, SharePlan
from meetings.models import FollowUpTask, Meeting, Motion, Resolution

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def meeting(committee, *, when=None, status=Meeting.Status.HELD, title="季度工作会议") -> Meeting:
    when = when or timezone.now()
    return Meeting.objects.create(committee=committee, title=title, starts_at=when, place="党群服务中心", status=status)


def task(committee, unit, *, due: datetime.date, status=FollowUpTask.Status.OPEN, title="落实任务") -> FollowUpTask:
    # the deciding meeting lies before the periods the dashboards judge (R8)
    decided = meeting(committee, when=timezone.now() - datetime.timedelta(days=400), title="部署会议")
    resolution = Resolution.objects.create(meeting=decided, text="决议")
    return FollowUpTask.objects.create(
        resolution=resolution,
        committee=committee,
        title=title,
        responsible_unit=unit,
        owner_name="王责任",
        due_on=due,
        status=status,
        closed_on=TODAY if status == FollowUpTask.Status.DONE else None,
        progress=100 if status == FollowUpTask.Status.DONE else 30,
    )


def vacancy(committee, *, opened_days_ago: int) -> Vacancy:
    return Vacancy.objects.create(committee=committee, kind="member", opened_on=days(-opened_days_ago), reason="调离")


def shares(committee, unit_amounts: dict, *, paid: dict | None = None, due_on=None, actor=None) -> FiscalYear:
    """An active share plan (due ``due_on``, past by default) with ``unit → amount`` lines and
    payments ``unit → amount``."""
    fy = FiscalYear.objects.create(committee=committee, year=TODAY.year)
    # decided at a meeting long before the periods the dashboards judge (R8)
    decided = meeting(committee, when=timezone.now() - datetime.timedelta(days=400))
    motion = Motion.objects.create(
        meeting=decided,
        title="出资分摊",
        status=Motion.Status.CLOSED,
        entitled_count=9,
        votes_for=7,
        votes_against=1,
        votes_abstain=1,
        passed=True,
    )
    plan = SharePlan.objects.create(
        resolution=Resolution.objects.create(meeting=decided, motion=motion, text="通过出资分摊方案"),
        fiscal_year=fy,
        total=sum(unit_amounts.values(), D("0")),
        due_on=due_on or days(-30),
        status=SharePlan.Status.ACTIVE,
        activated_at=timezone.now(),
        motion=motion,  # R23.1: decided on its own motion (issue #11 item 12)
    )
    for unit, amount in unit_amounts.items():
        ShareLine.objects.create(
            plan=plan, unit=unit, kind=ShareLine.Kind.FIXED, fixed_amount=amount, exact=amount, amount=amount
        )
    for n, (unit, amount) in enumerate((paid or {}).items()):
        Payment.objects.create(
            fiscal_year=fy, unit=unit, paid_on=days(-40), amount=amount, receipt_no=f"R{n}", recorded_by=actor
        )
    return fy


def scoring_round(county, *, year=None, released=False) -> Round:
    year = year or TODAY.year
    scheme = Scheme.objects.create(county=county, year=year, title="双百分考核")
    Sheet.objects.create(scheme=scheme, kind=Sheet.Kind.UNITS)
    return Round.objects.create(
        scheme=scheme,
        county=county,
        year=year,
        title=f"{year}年度考核",
        self_report_deadline=datetime.date(year, 11, 30),
        released_at=timezone.now() if released else None,
    )


def score(round_, unit, points=None, grade="") -> ScoringTask:
    sheet = round_.scheme.sheets.get()
    done = points is not None
    return ScoringTask.objects.create(
        round=round_,
        unit=unit,
        sheet=sheet,
        status=ScoringTask.Status.FINALISED if done else ScoringTask.Status.OPEN,
        final_score=D(points) if done else None,
        grade=grade,
        finalised_at=timezone.now() if done else None,
    )


def pledge(committee, unit, *, title="捐助困难党员", status=Pledge.Status.SUBMITTED, actor=None) -> Pledge:
    return Pledge.objects.create(
        committee=committee,
        unit=unit,
        year=TODAY.year,
        kind="funds",
        title=title,
        description="慰问金",
        value=D("1000.00"),
        period_start=TODAY.replace(month=1, day=1),
        period_end=TODAY.replace(month=12, day=31),
        contact_name="张联络",
        contact_phone="13800000000",
        status=status,
        submitted_at=timezone.now() if status != Pledge.Status.DRAFT else None,
        created_by=actor,
    )
