"""Reads of meetings, already scoped to the user.

Who sees a meeting: everyone whose role and scope cover its committee (common.permissions), and
— explicitly here, never by loosening the permission module — whoever is on its attendee list
with their own account, once it has been notified (a unit member invited by topic, R10).
"""

import calendar as pycalendar
import datetime
import re
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import Committee
from common.permissions import can_change, scope_q, scoped
from inbox.models import Message
from inbox.selectors import messages_by_key_prefix
from meetings.models import PORTAL_TZ, AgendaAttachment, AgendaItem, Attendee, ChangeNotice, FollowUpTask, Meeting
from meetings.services.notices import attendee_channel

HELD = (Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED)


def _invited_q(user) -> Q:
    if not user.is_authenticated:
        return Q(pk__in=[])
    invited = Attendee.objects.filter(user=user).values("meeting_id")
    return Q(pk__in=invited) & ~Q(status=Meeting.Status.DRAFT)


def meeting_visible_q(user) -> Q:
    scope = scope_q(user, Meeting)
    if not scope:  # an empty Q means everything (admin); OR-ing it would drop it
        return scope
    return scope | _invited_q(user)


def _count(model, *, filter_q: Q | None = None) -> Coalesce:
    sub = (
        model.objects.filter(filter_q or Q(), meeting=OuterRef("pk"))
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), 0)


def meeting_list(
    *, user, year: int | None = None, committee_id: int | None = None, status: str | None = None
) -> QuerySet[Meeting]:
    """The meetings the user may see, newest first, with the counts the list shows (one query)."""
    qs = (
        Meeting.objects.filter(meeting_visible_q(user))
        .select_related("committee__community__township")
        .annotate(
            agenda_count=_count(AgendaItem),
            attendee_count=_count(Attendee),
            confirmed_count=_count(Attendee, filter_q=Q(reply=Attendee.Reply.CONFIRMED)),
            leave_count=_count(Attendee, filter_q=Q(reply=Attendee.Reply.LEAVE)),
        )
        .order_by("-starts_at", "-pk")
    )
    if year:
        start = timezone.make_aware(datetime.datetime(year, 1, 1))
        qs = qs.filter(starts_at__gte=start, starts_at__lt=timezone.make_aware(datetime.datetime(year + 1, 1, 1)))
    if committee_id:
        qs = qs.filter(committee_id=committee_id)
    if status:
        qs = qs.filter(status=status)
    return qs


def meeting_get(*, user, pk: int) -> Meeting:
    """The meeting if the user may see it, else 404."""
    return get_object_or_404(
        Meeting.objects.filter(meeting_visible_q(user)).select_related("committee__community__township", "recorder"),
        pk=pk,
    )


def meeting_can_change(*, user, meeting: Meeting) -> bool:
    """Changing needs the scope itself: being invited lets one read and reply, nothing more."""
    if not can_change(user, meeting):
        return False
    return scoped(user, Meeting.objects.filter(pk=meeting.pk)).exists()


def meeting_in_scope(*, user, meeting: Meeting) -> bool:
    return scoped(user, Meeting.objects.filter(pk=meeting.pk)).exists()


def attendee_for_user(*, user, meeting: Meeting) -> Attendee | None:
    if not user.is_authenticated:
        return None
    return meeting.attendees.filter(user=user).first()


def committee_for_user(*, user, pk: int) -> Committee:
    return get_object_or_404(scoped(user, Committee.objects.select_related("community__township")), pk=pk)


# --- the meeting page ----------------------------------------------------------------------------


@dataclass
class Delivery:
    """What happened to one attendee's notices (the secretary's view, R12.2)."""

    state: str = ""  # "" = nothing sent (no account, no e-mail), else the latest notice's state
    label: str = ""
    error: str = ""
    reached: bool = True
    reminder: str = ""
    phoned: bool = False
    sms_to: str = ""  # the mobile an SMS notice goes to (shown to the community side only)


KEY_ATTENDEE = re.compile(r":(notice|update|reminder|cancel):attendee:(\d+)$")
# Issue #15 item 7: the secretary's record of a phone call, per meeting version.
KEY_PHONED = re.compile(r":v(\d+):phoned:attendee:(\d+)$")


def _deliveries(meeting: Meeting, attendees: list[Attendee], messages: list[Message]) -> dict[int, Delivery]:
    latest: dict[int, Message] = {}
    reminders: dict[int, Message] = {}
    phoned: dict[int, Message] = {}
    for message in messages:
        called = KEY_PHONED.search(message.key)
        if called and int(called.group(1)) == meeting.version:
            phoned[int(called.group(2))] = message
            continue
        match = KEY_ATTENDEE.search(message.key)
        if not match:
            continue
        what, attendee_id = match.group(1), int(match.group(2))
        if what == "reminder":
            reminders[attendee_id] = message
        elif message.state != Message.State.CANCELLED:
            latest[attendee_id] = message
    result = {}
    for attendee in attendees:
        message = latest.get(attendee.pk)
        delivery = Delivery()
        if message is None:
            channel = attendee_channel(attendee)
            delivery.reached = bool(channel) or meeting.status == Meeting.Status.DRAFT
            delivery.label = "" if delivery.reached else _("无账号、无邮箱、无手机，无法通知")
            if channel.get("channel") == Message.Channel.SMS:
                delivery.sms_to = channel["address"]
                if meeting.status == Meeting.Status.DRAFT:
                    delivery.label = _("发布后短信通知")
        else:
            if message.channel == Message.Channel.SMS:
                delivery.sms_to = message.address
            delivery.state = message.state
            delivery.error = message.last_error
            if message.state == Message.State.SENT:
                if message.channel == Message.Channel.SMS:
                    delivery.label = _("已短信通知")
                else:
                    delivery.label = _("已送达") if message.email else _("已送达站内消息")
            elif message.state == Message.State.FAILED:
                delivery.reached = bool(attendee.user_id)
                if message.channel == Message.Channel.SMS:
                    delivery.label = _("未送达（短信发送失败）")
                else:
                    delivery.label = (
                        _("邮件发送失败，已送达站内消息") if attendee.user_id else _("未送达（邮件发送失败）")
                    )
            elif message.attempts:
                delivery.label = _("发送中（第 %(n)s 次尝试失败后重试）") % {"n": message.attempts}
            else:
                delivery.label = _("待发送")
        call = phoned.get(attendee.pk)
        if call is not None:
            delivery.reached, delivery.phoned = True, True
            delivery.label = _("已电话通知（%(when)s）") % {"when": _when(call.sent_at)}
        reminder = reminders.get(attendee.pk)
        if reminder is not None and reminder.state == Message.State.PENDING:
            delivery.reminder = _("将于 %(when)s 提醒") % {"when": _when(reminder.due_at)}
        result[attendee.pk] = delivery
    return result


def _when(value):
    local = timezone.localtime(value)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


@dataclass
class MeetingPage:
    meeting: Meeting
    agenda: list[AgendaItem]
    attendees: list[Attendee]
    open_tasks: list[FollowUpTask]
    deliveries: dict[int, Delivery]
    agenda_minutes: int = 0
    replies: dict[str, int] = field(default_factory=dict)
    not_replied: list[Attendee] = field(default_factory=list)
    not_reached: list[Attendee] = field(default_factory=list)
    by_sms: list[Attendee] = field(default_factory=list)  # issue #15 item 7: reached by SMS
    change_notices: list[ChangeNotice] = field(default_factory=list)


CHANGE_KEY = re.compile(r"^meeting:\d+:change:(\d+):attendee:\d+$")


def _change_notices(meeting: Meeting, messages: list[Message] | None) -> list[ChangeNotice]:
    """R9 update notices, newest first, each with ``sent_count``/``is_due``/``lines`` for the page
    (``sent_count`` is None for those who do not see deliveries)."""
    now = timezone.now()
    sent: dict[int, int] = {}
    for message in messages or []:
        match = CHANGE_KEY.match(message.key)
        if match and message.state == Message.State.SENT:
            sent[int(match.group(1))] = sent.get(int(match.group(1)), 0) + 1
    notices = list(meeting.change_notices.order_by("-batch"))
    for notice in notices:
        notice.is_due = notice.due_at <= now
        notice.lines = notice.summary.splitlines()
        notice.sent_count = sent.get(notice.batch, 0) if messages is not None else None
    return notices


def open_tasks_before(*, meeting: Meeting) -> list[FollowUpTask]:
    """R13: follow-up tasks of earlier meetings of the same committee still open: they appear on
    every later meeting's page and printed agenda until done."""
    return list(
        FollowUpTask.objects.filter(
            committee_id=meeting.committee_id,
            status=FollowUpTask.Status.OPEN,
            resolution__meeting__starts_at__lt=meeting.starts_at,
        )
        .exclude(resolution__meeting_id=meeting.pk)
        .select_related("responsible_unit", "resolution__meeting")
        .order_by("due_on", "pk")
    )


def meeting_page(*, meeting: Meeting, with_deliveries: bool) -> MeetingPage:
    """Everything the meeting page shows, in a fixed number of queries."""
    agenda = list(
        meeting.agenda_items.order_by("order", "pk").prefetch_related(
            Prefetch("attachments", queryset=AgendaAttachment.objects.order_by("pk"))
        )
    )
    attendees = list(meeting.attendees.select_related("unit", "user", "post").order_by("role", "pk"))
    messages = messages_by_key_prefix(key_prefix=f"meeting:{meeting.pk}:") if with_deliveries else None
    deliveries = _deliveries(meeting, attendees, messages) if with_deliveries else {}
    page = MeetingPage(
        meeting=meeting,
        agenda=agenda,
        attendees=attendees,
        open_tasks=open_tasks_before(meeting=meeting),
        deliveries=deliveries,
        agenda_minutes=sum(item.planned_minutes for item in agenda),
        change_notices=_change_notices(meeting, messages) if meeting.status != Meeting.Status.DRAFT else [],
    )
    for attendee in attendees:
        attendee.delivery = deliveries.get(attendee.pk)
    for choice, _label in Attendee.Reply.choices:
        page.replies[choice] = sum(1 for a in attendees if a.reply == choice)
    page.not_replied = [a for a in attendees if a.reply == Attendee.Reply.NONE]
    page.not_reached = [a for a in attendees if a.pk in deliveries and not deliveries[a.pk].reached]
    page.by_sms = [a for a in attendees if a.pk in deliveries and deliveries[a.pk].sms_to]
    return page


# --- quarter compliance (R8) ------------------------------------------------------------------------
#
# The one place that computes R8 periods: the meetings pages and the dashboards both call these.
# Boundaries are days of Asia/Shanghai whatever timezone is active (a meeting at 23:30 on 31 March
# is in the first quarter), and only periods inside the committee's term count.

QUARTER_LABELS = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def portal_date(moment: datetime.datetime) -> datetime.date:
    """The portal's day (Asia/Shanghai) of an aware datetime."""
    return moment.astimezone(PORTAL_TZ).date()


def portal_midnight(day: datetime.date) -> datetime.datetime:
    """The aware start of ``day`` in Asia/Shanghai (for database range filters)."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=PORTAL_TZ)


@dataclass(frozen=True)
class Span:
    """One R8 period: a quarter or a half-year (``name`` 第一季度 / 上半年), both ends inclusive."""

    name: str
    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        return f"{self.start.year}年{self.name}"

    def holds(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


def quarter_of(day: datetime.date) -> Span:
    q = (day.month - 1) // 3 + 1
    end = datetime.date(day.year, 3 * q, pycalendar.monthrange(day.year, 3 * q)[1])
    return Span(QUARTER_LABELS[q], datetime.date(day.year, 3 * q - 2, 1), end)


def half_of(day: datetime.date) -> Span:
    if day.month <= 6:
        return Span("上半年", datetime.date(day.year, 1, 1), datetime.date(day.year, 6, 30))
    return Span("下半年", datetime.date(day.year, 7, 1), datetime.date(day.year, 12, 31))


def period_of(frequency: str, day: datetime.date) -> Span:
    """R8: the period holding ``day`` by the committee's setting (quarterly by default; half-yearly
    where the committee follows the community plan's regular meeting every half year)."""
    return half_of(day) if frequency == Committee.Frequency.HALF_YEARLY else quarter_of(day)


def periods_of_year(frequency: str, year: int) -> list[Span]:
    spans, day = [], datetime.date(year, 1, 1)
    while day.year == year:
        span = period_of(frequency, day)
        spans.append(span)
        day = span.end + datetime.timedelta(days=1)
    return spans


def in_term(span: Span, committee: Committee) -> bool:
    """R6/R8: a period counts only when it lies inside the committee's term."""
    return committee.term_start <= span.start and span.end <= committee.term_end


def held_count(span: Span, starts: list[datetime.datetime]) -> int:
    """Held meetings (their start times, already fetched) that fall in ``span``, by the portal's day."""
    return sum(1 for s in starts if span.holds(portal_date(s)))


@dataclass
class Period:
    label: str
    start: datetime.date
    end: datetime.date
    status: str  # met / missed / open (running, not yet met) / upcoming / outside (not in the term)
    meetings: list[Meeting] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return {
            "met": _("已召开"),
            "missed": _("未召开"),
            "open": _("进行中，尚未召开"),
            "upcoming": _("未到期"),
            "outside": _("不在本届任期内，不作要求"),
        }[self.status]


def compliance_periods(
    *, committee: Committee, year: int, held: list[Meeting], today: datetime.date | None = None
) -> list[Period]:
    """R8: each quarter (or half-year, by the committee's setting) of ``year`` met or missed.
    A held meeting counts (one entered afterwards too); a cancelled one does not. A period not
    inside the committee's term is never missed. Computed from rows already fetched."""
    today = today or portal_date(timezone.now())
    periods = []
    for span in periods_of_year(committee.meeting_frequency, year):
        inside = [m for m in held if span.holds(portal_date(m.starts_at))]
        if inside:
            status = "met"
        elif not in_term(span, committee):
            status = "outside"
        elif span.end < today:
            status = "missed"
        elif span.start <= today:
            status = "open"
        else:
            status = "upcoming"
        periods.append(Period(_(span.name), span.start, span.end, status, inside))
    return periods


def _held_in_year(committee_ids, year: int) -> list[Meeting]:
    return list(
        Meeting.objects.filter(
            committee_id__in=committee_ids,
            status__in=HELD,
            starts_at__gte=portal_midnight(datetime.date(year, 1, 1)),
            starts_at__lt=portal_midnight(datetime.date(year + 1, 1, 1)),
        )
        .only("pk", "committee_id", "starts_at", "title", "status", "entered_afterwards")
        .order_by("starts_at")
    )


def committee_compliance(*, committee: Committee, year: int, today: datetime.date | None = None) -> list[Period]:
    return compliance_periods(committee=committee, year=year, held=_held_in_year([committee.pk], year), today=today)


@dataclass
class CommitteeCompliance:
    committee: Committee
    periods: list[Period]

    @property
    def missed(self) -> list[Period]:
        return [p for p in self.periods if p.status == "missed"]


def compliance_overview(
    *, user, year: int, missed_only: bool = False, today: datetime.date | None = None
) -> list[CommitteeCompliance]:
    """The township's view (R8): every active committee in scope with its periods; two queries."""
    committees = list(
        scoped(user, Committee.objects.filter(is_active=True))
        .select_related("community__township")
        .order_by("community__township__name", "community__name")
    )
    held = _held_in_year([c.pk for c in committees], year)
    rows = []
    for committee in committees:
        mine = [m for m in held if m.committee_id == committee.pk]
        row = CommitteeCompliance(committee, compliance_periods(committee=committee, year=year, held=mine, today=today))
        if row.missed or not missed_only:
            rows.append(row)
    return rows


# --- calendar ---------------------------------------------------------------------------------


@dataclass
class Day:
    date: datetime.date
    in_month: bool
    meetings: list[Meeting]
    is_today: bool = False


def calendar_month(*, user, committee: Committee, year: int, month: int, include_drafts: bool) -> list[list[Day]]:
    """A month grid (weeks from Monday) with the committee's meetings; one query."""
    cal = pycalendar.Calendar(firstweekday=0)
    weeks = cal.monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min))
    qs = Meeting.objects.filter(committee=committee, starts_at__gte=start, starts_at__lt=end).order_by("starts_at")
    if not include_drafts:
        qs = qs.exclude(status=Meeting.Status.DRAFT)
    by_day: dict[datetime.date, list[Meeting]] = {}
    for meeting in qs:
        by_day.setdefault(timezone.localdate(meeting.starts_at), []).append(meeting)
    today = timezone.localdate()
    return [[Day(d, d.month == month, by_day.get(d, []), d == today) for d in week] for week in weeks]


FEED_PAST = datetime.timedelta(days=180)
FEED_FUTURE = datetime.timedelta(days=400)


def feed_meetings(*, user) -> list[Meeting]:
    """The user's meetings for their iCalendar feed: those they are invited to, and for a
    secretary the meetings of their community; never drafts. One query."""
    now = timezone.now()
    q = _invited_q(user)
    if not user.is_superuser and user.role == "secretary":
        q |= scope_q(user, Meeting) & ~Q(status=Meeting.Status.DRAFT)
    return list(
        Meeting.objects.filter(q, starts_at__gte=now - FEED_PAST, starts_at__lte=now + FEED_FUTURE)
        .select_related("committee")
        .order_by("starts_at")
    )
