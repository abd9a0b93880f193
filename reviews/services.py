"""Every write of the member review (R22): campaigns, reviewer codes, ballots, paper tallies,
closing with the P2 rule, removal proposals on the agenda, and the results sent back.

R22: yearly, party members, people's congress deputies and residents' representatives rate each
part-time member 满意 / 比较满意 / 基本满意 / 不满意; results go back to the member's unit party
organisation. P2 variant (a campaign setting, on by default): more than half 不满意 (strictly:
exactly half is not flagged) the first time → criticism and help (批评帮助); the second time →
a removal proposal (建议罢免) on the committee's next meeting's agenda.
"""

import datetime
import random
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from committees.models import Committee, Post
from common.services import apply_changes
from common.services import save_audited as _save
from inbox.services import message_enqueue
from meetings.models import AgendaItem, Attendee, Meeting
from meetings.services.scheduling import agenda_item_add

from .models import (
    ATTENDEE_KIND,
    CHOICE_FIELDS,
    Ballot,
    BallotCode,
    BallotReceipt,
    Campaign,
    Category,
    Choice,
    Outcome,
    PaperTally,
    Period,
    Subject,
)

# R3–R5: the part-time posts. The full-time deputy is never part-time; a secretary is part-time
# when a unit's party-org head holds it concurrently (P1), not when it is the community's own
# party secretary (P3) — ``Post.is_part_time`` carries that.
PART_TIME_KINDS = (Post.Kind.SECRETARY, Post.Kind.DEPUTY, Post.Kind.MEMBER)
KIND_ORDER = {Post.Kind.SECRETARY: 0, Post.Kind.DEPUTY: 1, Post.Kind.MEMBER: 2}

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no I, L, O, 0, 1: read aloud and typed from paper
CODE_LENGTH = 12  # 31^12 ≈ 2^59: not guessable
MAX_CODES = 500
PROPOSAL_MINUTES = 15
CAMPAIGN_FIELDS = ("year", "title", "opens_on", "closes_on", "p2_rule", "period", "consecutive", "include_attendees")
CAMPAIGN_FIELDS += ("electorate_party_member", "electorate_deputy", "electorate_resident")
PERIOD_DAYS = {
    Period.YEAR: ((1, 1), (12, 31)),
    Period.FIRST_HALF: ((1, 1), (6, 30)),
    Period.SECOND_HALF: ((7, 1), (12, 31)),
}


def part_time_posts(committee: Committee):
    """The members under review: posts in force, part-time, of the kinds in ``PART_TIME_KINDS``."""
    return committee.posts.filter(status=Post.Status.IN_FORCE, is_part_time=True, kind__in=PART_TIME_KINDS)


def normalize_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def is_flagged(*, unsatisfied: int, total: int) -> bool:
    """R22/P2: more than half of the ballots cast for the member are 不满意 (exactly half is not)."""
    return total > 0 and unsatisfied * 2 > total


def _lock(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().select_related("committee__community").get(pk=campaign.pk)


def _check_dates(opens_on, closes_on) -> None:
    if opens_on and closes_on and closes_on < opens_on:
        raise ValidationError({"closes_on": _("截止日期不能早于开始日期。")})


def _check_year_free(committee: Committee, year: int, *, period: int = Period.YEAR, exclude_pk=None) -> None:
    """One review per period (database constraint); a whole-year review and half-year reviews of
    the same year exclude each other (issue #11 item 15: the committee reviews yearly or
    half-yearly), checked under the committee's row lock."""
    Committee.objects.select_for_update().filter(pk=committee.pk).first()
    qs = Campaign.objects.filter(committee=committee, year=year)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.filter(period=period).exists():
        label = _("%(year)s年度") % {"year": year} if period == Period.YEAR else f"{year}年{Period(period).label}"
        raise ValidationError({"year": _("本大党委%(period)s的委员测评已经建立。") % {"period": label}})
    other = qs.exclude(period=period)
    if period == Period.YEAR and other.exists():
        raise ValidationError(
            {"period": _("本大党委%(year)s年已按半年开展测评，不能再建立全年测评。") % {"year": year}}
        )
    if period != Period.YEAR and other.filter(period=Period.YEAR).exists():
        raise ValidationError({"period": _("本大党委%(year)s年已建立全年测评，不能再按半年测评。") % {"year": year}})


def _save_campaign(campaign: Campaign, actor, **kwargs) -> Campaign:
    try:
        with transaction.atomic():
            return _save(campaign, actor, **kwargs)
    except IntegrityError as exc:  # the same year created twice at once
        raise ValidationError(
            {"year": _("本大党委%(year)s年度的委员测评已经建立。") % {"year": campaign.year}}
        ) from exc


# --- campaigns -------------------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    actor,
    committee: Committee,
    year: int,
    title: str,
    opens_on,
    closes_on,
    p2_rule: bool = True,
    period: int = Period.YEAR,
    consecutive: bool = True,
    include_attendees: bool | None = None,
    electorate: dict[str, int] | None = None,
    electorate_party_member: int = 0,
    electorate_deputy: int = 0,
    electorate_resident: int = 0,
) -> Campaign:
    """A draft review of one year or half-year; one per committee and period (database
    constraint). ``include_attendees`` defaults to the committee's mode: a P3 “1+X” committee
    reviews its 列席人员 too."""
    _check_dates(opens_on, closes_on)
    if period not in Period.values:
        raise ValidationError({"period": _("请选择测评周期。")})
    _check_year_free(committee, year, period=period)
    if include_attendees is None:
        include_attendees = committee.mode == Committee.Mode.ONE_PLUS_X
    counts = {"party_member": electorate_party_member, "deputy": electorate_deputy, "resident": electorate_resident}
    counts |= {k: v for k, v in (electorate or {}).items() if k in Category.values}
    campaign = Campaign(
        committee=committee,
        year=year,
        title=title.strip(),
        opens_on=opens_on,
        closes_on=closes_on,
        p2_rule=p2_rule,
        period=period,
        consecutive=consecutive,
        include_attendees=include_attendees,
        **{f"electorate_{k}": int(v) for k, v in counts.items()},
    )
    return _save_campaign(campaign, actor)


@transaction.atomic
def campaign_update(*, actor, campaign: Campaign, **fields) -> Campaign:
    """Only a draft changes: the P2 setting and the dates freeze when the campaign opens."""
    campaign = _lock(campaign)
    if not campaign.is_draft:
        raise ValidationError(_("测评已开始，不能再修改设置。"))
    _check_dates(fields.get("opens_on", campaign.opens_on), fields.get("closes_on", campaign.closes_on))
    year, period = fields.get("year", campaign.year), fields.get("period", campaign.period)
    if (year, period) != (campaign.year, campaign.period):
        _check_year_free(campaign.committee, year, period=period, exclude_pk=campaign.pk)
    changed = apply_changes(campaign, fields, CAMPAIGN_FIELDS)
    if not changed:
        return campaign
    return _save_campaign(campaign, actor, update_fields=changed)


@transaction.atomic
def campaign_open(*, actor, campaign: Campaign) -> Campaign:
    """draft → open: the committee's part-time members in force are snapshotted as the subjects."""
    campaign = _lock(campaign)
    if not campaign.is_draft:
        raise ValidationError(_("测评“%(status)s”，不能再次开始。") % {"status": campaign.get_status_display()})
    posts = sorted(
        part_time_posts(campaign.committee).select_related("unit"), key=lambda p: (KIND_ORDER[p.kind], p.holder_name)
    )
    if not posts:
        raise ValidationError(_("本大党委没有在任的兼职委员，无法开展测评。"))
    for order, post in enumerate(posts, start=1):
        _save(
            Subject(
                campaign=campaign,
                post=post,
                order=order,
                holder_name=post.holder_name,
                kind=post.kind,
                unit=post.unit,
                holder_title=post.holder_title,
            ),
            actor,
        )
    if campaign.include_attendees:
        members = {(p.holder_name, p.unit_id) for p in posts}
        for order, (name, unit_id) in enumerate(period_attendees(campaign), start=len(posts) + 1):
            if (name, unit_id) in members:
                continue
            _save(
                Subject(
                    campaign=campaign, post=None, order=order, holder_name=name, kind=ATTENDEE_KIND, unit_id=unit_id
                ),
                actor,
            )
    campaign.status = Campaign.Status.OPEN
    campaign.opened_at = timezone.now()
    return _save(campaign, actor, update_fields=["status", "opened_at"], reason=_("开始测评"))


def period_days(campaign: Campaign) -> tuple[datetime.date, datetime.date]:
    (m1, d1), (m2, d2) = PERIOD_DAYS[Period(campaign.period)]
    return datetime.date(campaign.year, m1, d1), datetime.date(campaign.year, m2, d2)


def period_attendees(campaign: Campaign) -> list[tuple[str, int | None]]:
    """R22/P3 (issue #11 item 15): the 列席人员 — unit representatives and guests present at the
    committee's held meetings of the campaign's period — as (name, unit id), once each."""
    first, last = period_days(campaign)
    rows = (
        Attendee.objects.filter(
            meeting__committee_id=campaign.committee_id,
            meeting__status__in=(Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED),
            meeting__held_on__range=(first, last),
            role__in=(Attendee.Role.UNIT_REP, Attendee.Role.GUEST),
            attendance=Attendee.Attendance.PRESENT,
        )
        .values_list("name", "unit_id")
        .order_by("name", "unit_id")
        .distinct()
    )
    return list(dict.fromkeys((name.strip(), unit_id) for name, unit_id in rows if name.strip()))


def _paper_max(campaign: Campaign, category: str, *, exclude_subject=None) -> int:
    best = 0
    for tally in PaperTally.objects.filter(subject__campaign=campaign, category=category):
        if tally.subject_id != exclude_subject:
            best = max(best, tally.total)
    return best


def _over_electorate(campaign: Campaign, category: str, codes: int, paper: int) -> None:
    """R22 (issue #11 item 15): what can be counted for a member in one category — the codes
    issued (one ballot each at most) plus the paper ballots — never exceeds the electorate."""
    electorate = campaign.electorate(category)
    if codes + paper > electorate:
        raise ValidationError(
            _(
                "%(category)s：已发放测评码 %(codes)s 个、纸质票 %(paper)s 票，合计超过应参评人数 %(electorate)s 人。"
                "请核对票数，或在测评开始前填写正确的应参评人数。"
            )
            % {"category": Category(category).label, "codes": codes, "paper": paper, "electorate": electorate},
            code="over_electorate",
        )


# --- reviewer codes -----------------------------------------------------------------------------


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@transaction.atomic
def codes_generate(*, actor, campaign: Campaign, category: str, count: int) -> list[BallotCode]:
    """``count`` one-time codes for reviewers of one category (a new printable batch)."""
    campaign = _lock(campaign)
    if campaign.is_closed:
        raise ValidationError(_("测评已结束，不能再生成测评码。"))
    if category not in Category.values:
        raise ValidationError({"category": _("请选择测评人类别。")})
    if not isinstance(count, int) or not 1 <= count <= MAX_CODES:
        raise ValidationError({"count": _("每批生成 1 至 %(max)s 个测评码。") % {"max": MAX_CODES}})
    issued = campaign.codes.filter(category=category).count()
    _over_electorate(campaign, category, issued + count, _paper_max(campaign, category))
    batch = (campaign.codes.order_by("-batch").values_list("batch", flat=True).first() or 0) + 1
    for _attempt in range(3):
        codes = [BallotCode(campaign=campaign, category=category, code=_new_code(), batch=batch) for _ in range(count)]
        try:
            with transaction.atomic():
                return BallotCode.objects.bulk_create(codes)
        except IntegrityError:  # a collision in 2^59: draw again
            continue
    raise ValidationError(_("生成测评码失败，请重试。"))


# --- ballots (public, no log-in) ---------------------------------------------------------------------


def code_state(code: BallotCode | None, *, today=None) -> str:
    """Why a code may not vote now: "unknown", "used", "draft", "closed", "late" — or "ok"."""
    if code is None:
        return "unknown"
    campaign = code.campaign
    if campaign.is_closed:
        return "closed"
    if campaign.is_draft:
        return "draft"
    if (today or timezone.localdate()) > campaign.closes_on:
        return "late"
    if code.used:
        return "used"
    return "ok"


STATE_MESSAGES = {
    "unknown": "测评码无效，请核对测评码后重新输入。",
    "used": "该测评码已经使用过，每个测评码只能投票一次。",
    "draft": "本次测评尚未开始，请在测评开始后再投票。",
    "closed": "本次测评已经结束，不再接受投票。",
    "late": "本次测评已过截止日期，不再接受投票。",
}


def state_message(state: str) -> str:
    return _(STATE_MESSAGES[state])


@transaction.atomic
def ballot_submit(*, code: str, choices: dict[int, str]) -> int:
    """A reviewer's ballot: one choice for every member under review, once per code.

    The code is marked used by a conditional update and each (code, member) receipt is unique in
    the database, so a code never counts twice for a member, even when submitted twice at once.
    The ballots themselves carry no trace of the code (anonymous, R22)."""
    row = BallotCode.objects.select_for_update().select_related("campaign").filter(code=normalize_code(code)).first()
    state = code_state(row)
    if state != "ok":
        raise ValidationError(state_message(state), code=state)
    subjects = list(row.campaign.subjects.values_list("pk", flat=True))
    missing = [pk for pk in subjects if choices.get(pk) not in Choice.values]
    if missing or set(choices) - set(subjects):
        raise ValidationError(_("请对每一位委员作出评价后再提交。"), code="incomplete")
    if not BallotCode.objects.filter(pk=row.pk, used=False).update(used=True):
        raise ValidationError(state_message("used"), code="used")
    try:
        with transaction.atomic():
            BallotReceipt.objects.bulk_create([BallotReceipt(code=row, subject_id=pk) for pk in subjects])
    except IntegrityError as exc:
        raise ValidationError(state_message("used"), code="used") from exc
    ballots = [Ballot(subject_id=pk, category=row.category, choice=choices[pk]) for pk in subjects]
    random.SystemRandom().shuffle(ballots)
    Ballot.objects.bulk_create(ballots)
    return len(ballots)


# --- paper tallies --------------------------------------------------------------------------------

TALLY_FIELDS = tuple(CHOICE_FIELDS.values())


@transaction.atomic
def tally_save(*, actor, campaign: Campaign, category: str, rows: dict[int, dict[str, int]]) -> list[PaperTally]:
    """The counts of one category's paper ballots, member by member (an update is audited)."""
    campaign = _lock(campaign)
    if not campaign.is_open:
        raise ValidationError(_("只有测评中的测评才能录入纸质票。"))
    if category not in Category.values:
        raise ValidationError(_("请选择测评人类别。"))
    subjects = {s.pk: s for s in campaign.subjects.all()}
    if set(rows) - set(subjects):
        raise ValidationError(_("所录入的委员不在本次测评名单中。"))
    existing = {t.subject_id: t for t in PaperTally.objects.filter(subject__campaign=campaign, category=category)}
    codes = campaign.codes.filter(category=category).count()
    saved = []
    for pk, counts in rows.items():
        values = {name: counts.get(name, 0) for name in TALLY_FIELDS}
        if any(not isinstance(v, int) or v < 0 for v in values.values()):
            raise ValidationError(_("票数须为不小于 0 的整数。"))
        _over_electorate(campaign, category, codes, sum(values.values()))
        tally = existing.get(pk)
        if tally is None:
            if not any(values.values()):
                continue
            saved.append(_save(PaperTally(subject=subjects[pk], category=category, entered_by=actor, **values), actor))
            continue
        changed = apply_changes(tally, values, TALLY_FIELDS)
        if changed:
            tally.entered_by = actor
            saved.append(
                _save(tally, actor, update_fields=[*changed, "entered_by", "entered_at"], reason=_("更正纸质票"))
            )
    return saved


# --- closing: results, the P2 rule, proposals, notices ---------------------------------------------


def _count(campaign: Campaign) -> dict[int, dict[str, dict[str, int]]]:
    """subject → category → choice → count: online ballots plus paper tallies (2 queries)."""
    counts: dict[int, dict[str, dict[str, int]]] = {}

    def add(subject_id, category, choice, n):
        cell = counts.setdefault(subject_id, {}).setdefault(category, {})
        cell[choice] = cell.get(choice, 0) + n

    online = Ballot.objects.filter(subject__campaign=campaign).values("subject_id", "category", "choice")
    for row in online.annotate(n=Count("pk")).order_by():
        add(row["subject_id"], row["category"], row["choice"], row["n"])
    for tally in PaperTally.objects.filter(subject__campaign=campaign):
        for choice, field in CHOICE_FIELDS.items():
            if getattr(tally, field):
                add(tally.subject_id, tally.category, str(choice), getattr(tally, field))
    return counts


def _earlier_campaigns(campaign: Campaign) -> list[int]:
    """The committee's closed reviews before this one, newest first."""
    return list(
        Campaign.objects.filter(committee_id=campaign.committee_id, status=Campaign.Status.CLOSED)
        .filter(Q(year__lt=campaign.year) | Q(year=campaign.year, period__lt=campaign.period))
        .order_by("-year", "-period")
        .values_list("pk", flat=True)
    )


def _previous_flags(campaign: Campaign) -> list[dict]:
    """Every earlier subject row (flagged or not) with the review's place in the order."""
    order = _earlier_campaigns(campaign)
    rank = {pk: i for i, pk in enumerate(order)}
    rows = Subject.objects.filter(campaign_id__in=order).values(
        "campaign_id", "post_id", "holder_name", "unit_id", "flagged"
    )
    return [row | {"rank": rank[row["campaign_id"]]} for row in rows]


def _same_person(row: dict, subject: Subject) -> bool:
    return (row["post_id"] is not None and row["post_id"] == subject.post_id) or (
        row["holder_name"],
        row["unit_id"],
    ) == (subject.holder_name, subject.unit_id)


def flagged_times(subject: Subject, previous: list[dict], *, consecutive: bool = False) -> int:
    """This flag plus the earlier reviews (same committee) that flagged the same person: the same
    post, or the same name in the same unit (a person re-appointed to another post).

    Issue #11 item 15: with ``consecutive`` (the campaign's setting) only an unbroken run of
    flagged reviews right before this one counts — a review in between that did not flag the
    person (or did not review them) starts the count again."""
    rows = [r for r in previous if _same_person(r, subject)]
    if not consecutive:
        return 1 + len({r["campaign_id"] for r in rows if r["flagged"]})
    by_rank: dict[int, bool] = {}
    for r in rows:
        by_rank[r["rank"]] = by_rank.get(r["rank"], False) or r["flagged"]
    times = 1
    while by_rank.get(times - 1):
        times += 1
    return times


@transaction.atomic
def campaign_close(*, actor, campaign: Campaign) -> Campaign:
    """open → closed: each member's result; with the P2 rule, the outcomes (criticism and help
    once, a removal proposal on the next agenda twice); then the results go back to each
    member's unit (exactly once)."""
    campaign = _lock(campaign)
    if not campaign.is_open:
        raise ValidationError(_("测评“%(status)s”，不能结束。") % {"status": campaign.get_status_display()})
    counts = _count(campaign)
    previous = _previous_flags(campaign) if campaign.p2_rule else []
    next_meeting = None
    for subject in campaign.subjects.all():
        by_category = counts.get(subject.pk, {})
        for choice, field in CHOICE_FIELDS.items():
            setattr(subject, field, sum(cell.get(choice, 0) for cell in by_category.values()))
        subject.by_category = by_category
        subject.flagged = is_flagged(unsatisfied=subject.unsatisfied, total=subject.total)
        _save(subject, actor, update_fields=[*TALLY_FIELDS, "by_category", "flagged"], reason=_("测评结果"))
        if not (campaign.p2_rule and subject.flagged):
            continue
        times = flagged_times(subject, previous, consecutive=campaign.consecutive)
        kind = Outcome.Kind.REMOVAL if times >= 2 else Outcome.Kind.CRITICISM
        outcome = _save(Outcome(subject=subject, kind=kind, flagged_times=times), actor)
        if kind == Outcome.Kind.REMOVAL:
            next_meeting = next_meeting or next_meeting_of(campaign.committee)
            if next_meeting is not None:
                proposal_attach(actor=actor, outcome=outcome, meeting=next_meeting)
    campaign.status = Campaign.Status.CLOSED
    campaign.closed_at = timezone.now()
    _save(campaign, actor, update_fields=["status", "closed_at"], reason=_("结束测评"))
    results_send(campaign=campaign)
    return campaign


def next_meeting_of(committee: Committee) -> Meeting | None:
    """The committee's next meeting that is not yet held: scheduled or notified, still ahead."""
    return (
        Meeting.objects.filter(
            committee=committee,
            status__in=(Meeting.Status.DRAFT, Meeting.Status.NOTIFIED),
            starts_at__gt=timezone.now(),
        )
        .order_by("starts_at", "pk")
        .first()
    )


@transaction.atomic
def proposal_attach(*, actor, outcome: Outcome, meeting: Meeting) -> AgendaItem | None:
    """P2: put a removal proposal on ``meeting``'s agenda (R11 b, 评议). When the agenda cannot take
    it (full, or the meeting no longer editable) it stays pending for the next meeting."""
    outcome = Outcome.objects.select_for_update().select_related("subject__campaign").get(pk=outcome.pk)
    if outcome.kind != Outcome.Kind.REMOVAL or outcome.agenda_item_id is not None:
        return outcome.agenda_item
    subject = outcome.subject
    try:
        item = agenda_item_add(
            actor=actor,
            meeting=meeting,
            category=AgendaItem.Category.AWARDS,
            title=_("关于建议罢免%(name)s%(kind)s职务的议题")
            % {"name": subject.holder_name, "kind": subject.get_kind_display()},
            description=_(
                "%(name)s（%(unit)s）在%(year)s年度委员满意度测评中不满意票超过半数，累计第%(times)s次；"
                "按规定提出罢免建议，提请大党委会议讨论。"
            )
            % {
                "name": subject.holder_name,
                "unit": subject.unit.name if subject.unit else _("无单位"),
                "year": subject.campaign.year,
                "times": outcome.flagged_times,
            },
            proposer=_("委员满意度测评"),
            planned_minutes=PROPOSAL_MINUTES,
        )
    except ValidationError:
        return None
    outcome.agenda_item = item
    _save(outcome, actor, update_fields=["agenda_item"], reason=_("罢免建议列入会议议程"))
    return item


def proposals_attach_pending(*, meeting: Meeting, actor=None) -> list[AgendaItem]:
    """A newly scheduled meeting takes the committee's pending removal proposals."""
    if meeting.status not in (Meeting.Status.DRAFT, Meeting.Status.NOTIFIED) or meeting.starts_at <= timezone.now():
        return []
    pending = Outcome.objects.filter(
        kind=Outcome.Kind.REMOVAL,
        agenda_item__isnull=True,
        subject__campaign__committee_id=meeting.committee_id,
    ).order_by("pk")
    items = []
    for outcome in pending:
        item = proposal_attach(actor=actor, outcome=outcome, meeting=meeting)
        if item is not None:
            items.append(item)
    return items


def _result_text(subject: Subject, campaign: Campaign) -> tuple[str, str]:
    outcome = getattr(subject, "outcome", None)
    if outcome is not None:
        verdict = outcome.get_kind_display()
        if outcome.kind == Outcome.Kind.REMOVAL:
            verdict = _("建议罢免（将提交大党委会议讨论）")
    elif subject.flagged:
        verdict = _("不满意票超过半数")
    else:
        verdict = _("无")
    subject_line = _("%(year)s年度大党委委员满意度测评结果：%(name)s") % {
        "year": campaign.year,
        "name": subject.holder_name,
    }
    body = _(
        "%(unit)s党组织：\n贵单位%(name)s同志（%(committee)s%(kind)s）在%(title)s中的测评结果如下："
        "满意%(a)s票，比较满意%(b)s票，基本满意%(c)s票，不满意%(d)s票，共%(total)s票。"
        "处理意见：%(verdict)s。\n请贵单位党组织知悉，并督促其认真履行委员职责。"
    ) % {
        "unit": subject.unit.name if subject.unit else _("本人所在"),
        "name": subject.holder_name,
        "committee": campaign.committee.name,
        "kind": subject.get_kind_display(),
        "title": campaign.title,
        "a": subject.satisfied,
        "b": subject.fairly,
        "c": subject.basic,
        "d": subject.unsatisfied,
        "total": subject.total,
        "verdict": verdict,
    }
    return subject_line, body


def _superior_text(subject: Subject, campaign: Campaign) -> tuple[str, str]:
    title, body = _result_text(subject, campaign)
    unit = subject.unit.name if subject.unit else _("（无单位）")
    return (
        _("%(title)s（%(unit)s，报上级党组织）") % {"title": title, "unit": unit},
        _("镇（街道）党委：\n以下测评结果已反馈%(unit)s党组织，现一并报送上级党组织。\n\n%(body)s")
        % {"unit": unit, "body": body},
    )


@transaction.atomic
def results_send(*, campaign: Campaign) -> int:
    """R22: each member's result to their unit's party organisation — a portal notice to each of
    the unit's liaison accounts and an e-mail to the unit's contact address — and (issue #11
    item 15) to its superior party organisation: the township party committee that leads the
    community's organisations, whose staff accounts receive each result. Exactly once: one key
    per campaign, member and recipient (calling it again records nothing new)."""
    superiors = list(
        User.objects.filter(
            role=User.Role.TOWNSHIP, is_active=True, township_id=campaign.committee.community.township_id
        ).order_by("pk")
    )
    subjects = list(campaign.subjects.select_related("unit", "outcome"))
    liaisons: dict[int, list[User]] = {}
    for user in User.objects.filter(
        role=User.Role.LIAISON, is_active=True, unit_id__in={s.unit_id for s in subjects}
    ).order_by("pk"):
        liaisons.setdefault(user.unit_id, []).append(user)
    sent = 0
    for subject in subjects:
        title, body = _result_text(subject, campaign)
        prefix = f"review:{campaign.pk}:subject:{subject.pk}"
        users = liaisons.get(subject.unit_id, [])
        for user in users:
            message_enqueue(key=f"{prefix}:user:{user.pk}", recipient=user, subject=title, body=body, kind="review")
            sent += 1
        email = subject.unit.contact_email if subject.unit else ""
        if email and email.lower() not in {(u.email or "").lower() for u in users}:
            message_enqueue(key=f"{prefix}:unit-email", email=email, subject=title, body=body, kind="review")
            sent += 1
        if superiors:
            up_title, up_body = _superior_text(subject, campaign)
            for user in superiors:
                message_enqueue(
                    key=f"{prefix}:superior:{user.pk}", recipient=user, subject=up_title, body=up_body, kind="review"
                )
                sent += 1
    return sent
