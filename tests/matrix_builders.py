"""Objects for the permission matrix (tests/test_permission_matrix.py), built through the apps'
services and the test factories in one *place*: a committee with one of its units.

``mine`` is the scope of the role fixtures (``world.mine`` and the liaison's ``world.unit``);
``sibling`` the same committee with another unit (``world.sibling_unit``); ``other`` a committee
of another township of the county (``world.other``); ``foreign`` one of another county
(``world.foreign``). Every builder makes only what its URL needs, once per place.
"""

import datetime
import functools
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cobuilding import services as cobuilding
from cobuilding.models import Agreement
from committees import services as committees
from committees.models import Post, RotationTerm
from funding import services as funding
from funding.models import Category, Source
from inbox import services as inbox
from meetings.services import followup, notices, scheduling, votes
from meetings.services import minutes as minutes_svc
from tests.factories import PostFactory
from tests.meetings.factories import AgendaItemFactory, AttendeeFactory, MeetingFactory
from tests.meetings.sessionkit import in_session, mark

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf(name="文件.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name="照片.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def xlsx(name="名单.xlsx"):
    from openpyxl import Workbook

    buffer = io.BytesIO()
    book = Workbook()
    book.active.append(["姓名"])
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def today() -> datetime.date:
    return timezone.localdate()


class Place:
    """Where a builder makes its objects; ``actor`` (the administrator) runs the services."""

    def __init__(self, world, users, where: str = "mine"):
        self.where = where
        self.world = world
        self.users = users
        self.actor = users["admin"]
        self.committee = {"mine": world.mine, "sibling": world.mine, "other": world.other, "foreign": world.foreign}[
            where
        ]
        self.unit = {
            "mine": world.unit,
            "sibling": world.sibling_unit,
            "other": world.other_unit,
            "foreign": world.foreign_unit,
        }[where]
        self.community = self.committee.community
        self.township = self.community.township
        # the liaison is invited to meetings of their own place only
        self.invitee = users["liaison"] if where == "mine" else None
        self.made = {}


def once(make):
    """Build at most once per place (a builder may need another's objects)."""

    @functools.wraps(make)
    def get(p: Place):
        if make.__name__ not in p.made:
            p.made[make.__name__] = make(p)
        return p.made[make.__name__]

    return get


# --- committees ---------------------------------------------------------------------------------


@once
def grid(p):
    return committees.grid_save(actor=p.actor, community=p.community, name="第一网格")


@once
def building_group(p):
    return committees.building_group_save(actor=p.actor, grid=grid(p), name="1号楼党小组")


@once
def post(p):
    return PostFactory(
        committee=p.committee,
        unit=p.unit,
        status=Post.Status.IN_FORCE,
        in_force_from=datetime.date(2024, 1, 2),
    )


@once
def rotation_term(p):
    return RotationTerm.objects.create(
        committee=p.committee,
        unit=p.unit,
        holder_name="轮值书记",
        start=p.committee.term_start,
        end=p.committee.term_start.replace(month=12, day=31),
    )


# --- meetings -----------------------------------------------------------------------------------


@once
def meeting(p):
    """A draft meeting a week ahead (nobody invited yet)."""
    return MeetingFactory(committee=p.committee)


@once
def agenda_item(p):
    return AgendaItemFactory(meeting=meeting(p), order=1)


@once
def attachment(p):
    return scheduling.agenda_attachment_add(actor=p.actor, item=agenda_item(p), file=pdf("议程说明.pdf"))


@once
def held(p):
    """A meeting held an hour ago: one member of the place's unit, no user account on the list."""
    return in_session(p.committee, members=1, guests=0, units=[p.unit])


@once
def invited(p):
    """A meeting held an hour ago with the place's liaison (mine only) on the list as a member."""
    users = [p.invitee] if p.invitee else None
    return in_session(p.committee, members=1, guests=0, units=[p.unit], users=users)


@once
def motion(p):
    return votes.motion_create(actor=p.actor, meeting=held(p).meeting, title="通过停车整治方案")


@once
def invited_motion(p):
    return votes.motion_create(actor=p.actor, meeting=invited(p).meeting, title="通过停车整治方案")


@once
def minutes(p):
    return minutes_svc.minutes_create(actor=p.actor, meeting=held(p).meeting)


@once
def resolution(p):
    """A consensus of the held meeting, its one member present (R12.3: a quorum)."""
    mark(held(p).members)
    return minutes_svc.resolution_create(
        actor=p.actor,
        meeting=held(p).meeting,
        text="整治停车秩序",
        consensus=True,
        responsible_unit=p.unit,
        deadline=today() + datetime.timedelta(days=30),
    )


@once
def task(p):
    """A follow-up task whose responsible unit is the place's unit."""
    return followup.task_create(actor=p.actor, resolution=resolution(p), owner_name="王主任")


def reply_token(p) -> str:
    """A guest's signed link to the coming meeting (a link closes when the meeting starts)."""
    guest = AttendeeFactory(meeting=meeting(p), role="guest", name="特邀嘉宾")
    return notices.reply_token(guest)


def calendar_token(p) -> str:
    return inbox.calendar_token_get_or_create(user=p.users["liaison"]).token


def message(p):
    """A message in the liaison's inbox."""
    return inbox.message_enqueue(
        key="matrix:message", recipient=p.users["liaison"], subject="会议通知", body="请准时参会。"
    )


# --- co-building ----------------------------------------------------------------------------------


def _pledge(p, status: str):
    pledge = cobuilding.pledge_create(
        actor=p.actor,
        unit=p.unit,
        year=today().year,
        kind="funds",
        title="捐助困难党员",
        description="为社区困难党员提供慰问金",
        quantity="",
        value=Decimal("10000.00"),
        period_start=today().replace(month=1, day=1),
        period_end=today().replace(month=12, day=31),
        contact_name="张联络",
        contact_phone="13800000000",
    )
    if status in ("submitted", "accepted"):
        pledge = cobuilding.pledge_submit(actor=p.actor, pledge=pledge)
    if status == "accepted":
        pledge = cobuilding.pledge_accept(actor=p.actor, pledge=pledge)
    return pledge


@once
def draft_pledge(p):
    return _pledge(p, "draft")


@once
def submitted_pledge(p):
    return _pledge(p, "submitted")


@once
def accepted_pledge(p):
    return _pledge(p, "accepted")


@once
def fulfilment(p):
    return cobuilding.fulfilment_report(
        actor=p.actor,
        pledge=accepted_pledge(p),
        delivered_on=today(),
        text="已发放慰问金",
        amount=Decimal("2000.00"),
        photos=[png()],
    )


def photo(p):
    return fulfilment(p).photos.get()


PRINCIPLES = {name: f"{label}的具体承诺" for name, label in Agreement.PRINCIPLES}


@once
def draft_agreement(p):
    return cobuilding.agreement_create(
        actor=p.actor,
        unit=p.unit,
        period_start=today().replace(month=1, day=1),
        period_end=today().replace(month=12, day=31),
        **PRINCIPLES,
    )


@once
def signed_agreement(p):
    sent = cobuilding.agreement_send(actor=p.actor, agreement=draft_agreement(p))
    return cobuilding.agreement_sign(actor=p.actor, agreement=sent, signed_on=today(), scan=pdf("协议书.pdf"))


def scan_history_id(p) -> int:
    """The history row of the signed agreement that carries its scan."""
    return signed_agreement(p).history.exclude(scan="").latest("history_date").history_id


@once
def project(p):
    return cobuilding.project_publish(
        actor=p.actor,
        committee=p.committee,
        title="楼道照明改造",
        need="更换楼道灯",
        place="陵园小区",
        budget=Decimal("12000"),
        claim_by=today() + datetime.timedelta(days=10),
        deadline=today() + datetime.timedelta(days=40),
        places=2,
    )


@once
def claim(p):
    return cobuilding.project_claim(actor=p.actor, project=project(p), unit=p.unit)


@once
def project_update(p):
    return cobuilding.claim_progress_report(
        actor=p.actor, claim=claim(p), happened_on=today(), text="已更换一半灯具", evidence=pdf("进展.pdf")
    )


@once
def dedication_day(p):
    return cobuilding.dedication_day_record(actor=p.actor, committee=p.committee, held_on=today(), theme="学雷锋")


@once
def participation(p):
    return cobuilding.dedication_participation_record(
        actor=p.actor, day=dedication_day(p), unit=p.unit, count=12, roster=xlsx()
    )


@once
def member(p):
    return cobuilding.member_register(actor=p.actor, unit=p.unit, name="刘党员", reported_on=today())


@once
def commitment(p):
    return cobuilding.commitment_create(
        actor=p.actor,
        unit=p.unit,
        year=today().year,
        side="unit",
        kind="promise",
        area="problems",
        content="协助解决停车难",
    )


# --- funding --------------------------------------------------------------------------------------


@once
def fiscal_year(p):
    return funding.fiscal_year_open(actor=p.actor, committee=p.committee, year=today().year)


@once
def income(p):
    return funding.income_record(
        actor=p.actor,
        fiscal_year=fiscal_year(p),
        source=Source.APPROPRIATION,
        received_on=today(),
        amount=Decimal("5000"),
    )


@once
def expense(p):
    return funding.expense_record(
        actor=p.actor,
        fiscal_year=fiscal_year(p),
        category=Category.ACTIVITIES,
        spent_on=today(),
        amount=Decimal("1200.50"),
        payee="县印刷厂",
        receipts=[pdf("发票.pdf")],
    )


@once
def budget_line(p):
    return funding.budget_line_create(
        actor=p.actor,
        fiscal_year=fiscal_year(p),
        direction="expense",
        title="党员活动",
        amount=Decimal("800.00"),
        category=Category.ACTIVITIES,
    )


def receipt(p):
    return expense(p).receipts.get()


@once
def share_plan(p):
    """A draft plan: the place's unit pays it all."""
    return funding.share_plan_create(
        actor=p.actor,
        fiscal_year=fiscal_year(p),
        total=Decimal("10000.00"),
        due_on=today().replace(month=12, day=31),
        lines=[funding.ShareInput(unit=p.unit, kind="percent", value=Decimal("100"))],
    )


@once
def payment(p):
    """A payment of the place's unit."""
    return funding.payment_record(
        actor=p.actor, fiscal_year=fiscal_year(p), unit=p.unit, amount=Decimal("3000.00"), paid_on=today()
    )


# --- assessment (R21 schemes: county-wide, above communities) ------------------------------------


@once
def draft_scheme(p):
    from assessment import services as assessment

    scheme = assessment.scheme_create(actor=p.actor, county=p.township.county, year=today().year, title="双百分考核")
    assessment.indicator_create(
        actor=p.actor, sheet=scheme.sheets.get(kind="units"), title="参加大党委会议", max_points=Decimal("10")
    )
    return scheme


@once
def published_scheme(p):
    from assessment import services as assessment

    scheme = assessment.scheme_create(actor=p.actor, county=p.township.county, year=today().year, title="双百分考核")
    for sheet in scheme.sheets.all():
        assessment.indicator_create(actor=p.actor, sheet=sheet, title="共驻共建", max_points=Decimal("100"))
    return assessment.scheme_publish(actor=p.actor, scheme=scheme)


@once
def draft_sheet(p):
    return draft_scheme(p).sheets.get(kind="units")


@once
def draft_indicator(p):
    return draft_sheet(p).indicators.get()
