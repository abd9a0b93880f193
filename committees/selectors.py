"""Every non-trivial read of the organisation, already scoped to the user."""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from common.permissions import county_body_of, scope_q, scoped
from common.views import scoped_get

from .models import Committee, Community, Grid, Post, PostApproval, RotationTerm, Township, Unit, Vacancy

HANDOVER_NOTICE_DAYS = 31


def committee_current_for_community(*, community_id: int) -> Committee | None:
    return Committee.objects.filter(community_id=community_id, is_active=True).first()


def township_list(*, user) -> QuerySet[Township]:
    qs = Township.objects.select_related("county").order_by("name")
    if user.is_superuser or user.role == "admin":
        return qs
    if user.role == "county":
        return qs.filter(county_id=user.county_id)
    if user.role == "township":
        return qs.filter(pk=user.township_id)
    return qs.none()


def community_list(*, user) -> QuerySet[Community]:
    return scoped(user, Community.objects.select_related("township"))


def _count(queryset: QuerySet, field: str, outer: str = "pk") -> Coalesce:
    """A correlated COUNT subquery: one query for the whole list, no join fan-out."""
    counted = queryset.filter(**{field: OuterRef(outer)}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def committee_list(*, user) -> QuerySet[Committee]:
    """R6: every committee the user may see with its unit count, open vacancies and posts
    awaiting approval, each counted by a subquery so the page runs one query for any size."""
    return scoped(
        user,
        Committee.objects.select_related("community__township").annotate(
            unit_count=_count(Unit.objects.filter(is_active=True), "community", outer="community_id"),
            open_vacancies=_count(Vacancy.objects.filter(filled_on__isnull=True), "committee"),
            pending_posts=_count(Post.objects.filter(status=Post.Status.NOMINATED), "committee"),
        ),
    )


def committee_get(*, user, pk: int) -> Committee:
    """The committee with its community and township, if the user may see it (else 404)."""
    return scoped_get(user, Committee.objects.select_related("community__township"), pk=pk)


def unit_list(*, user, community_id: int | None = None) -> QuerySet[Unit]:
    qs = scoped(user, Unit.objects.select_related("grid", "community"))
    if community_id is not None:
        qs = qs.filter(community_id=community_id)
    return qs


_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = re.compile(r"\d+|[零一二两三四五六七八九十百]+")


def _cn_number(text: str) -> int:
    """ "十二" → 12, "二十" → 20, "一百零五" → 105, "12" → 12."""
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for char in text:
        if char == "百":
            total, digit = total + (digit or 1) * 100, 0
        elif char == "十":
            total, digit = total + (digit or 1) * 10, 0
        else:
            digit = _CN_DIGITS[char]
    return total + digit


def numbered_name_key(name: str) -> tuple:
    """Sort key for names numbered in Chinese or digits: 第一网格, 第二网格, …, 第十网格 in that
    order (plain text order would put 第三 before 第二)."""
    match = _NUMBER.search(name)
    if not match:
        return (name, 0, "")
    return (name[: match.start()], _cn_number(match.group()), name[match.end() :])


def grid_list(*, user, community_id: int) -> QuerySet[Grid]:
    """R26: the community's grids with their building groups, active units and those units'
    party members."""
    active = Q(units__is_active=True)
    return (
        scoped(user, Grid.objects.filter(community_id=community_id))
        .annotate(
            unit_count=Count("units", filter=active),
            unit_party_members=Sum(
                F("units__members_direct") + F("units__members_in_service") + F("units__members_floating"),
                filter=active,
                default=0,
            ),
        )
        .prefetch_related("building_groups")
    )


def committee_posts(*, committee: Committee) -> list[Post]:
    """R3–R5: every post of the committee (in force, nominated, rejected, ended) with its unit
    and its approvals, in two queries."""
    return list(
        committee.posts.select_related("unit", "user")
        .prefetch_related(Prefetch("approvals", queryset=PostApproval.objects.select_related("recorded_by")))
        .order_by("holder_name", "pk")
    )


def post_get(*, user, pk: int) -> Post:
    """One post with its committee, unit and approvals, if the user may see it (else 404)."""
    return scoped_get(
        user,
        Post.objects.select_related("committee__community__township", "unit", "user").prefetch_related(
            Prefetch("approvals", queryset=PostApproval.objects.select_related("recorded_by"))
        ),
        pk=pk,
    )


def nominations_pending(*, user) -> QuerySet[Post]:
    """R5: the nominations in the user's scope that wait for a county decision, oldest first, with
    their committee, unit and decisions; for a county user acting for a body, only those that body
    has not decided yet (its work list)."""
    qs = scoped(
        user,
        Post.objects.filter(status=Post.Status.NOMINATED, committee__is_active=True)
        .select_related("committee__community__township", "unit")
        .prefetch_related(Prefetch("approvals", queryset=PostApproval.objects.select_related("recorded_by")))
        .order_by("nominated_on", "pk"),
    )
    body = county_body_of(user)
    if body:
        qs = qs.exclude(approvals__body=body)
    return qs


def approval_grid(post: Post) -> list[tuple[str, str, PostApproval | None]]:
    """R5: each county body with its decision on the post (None: not yet decided); uses the
    prefetched approvals."""
    by_body = {a.body: a for a in post.approvals.all()}
    return [(body, label, by_body.get(body)) for body, label in PostApproval.Body.choices]


POST_GROUPS = (
    (_lazy("书记"), (Post.Kind.SECRETARY,)),
    (_lazy("副书记"), (Post.Kind.FULLTIME_DEPUTY, Post.Kind.DEPUTY)),
    (_lazy("委员"), (Post.Kind.MEMBER,)),
)


def posts_in_force_grouped(posts: list[Post]) -> list[tuple[str, list[Post]]]:
    """R3: posts in force grouped 书记 / 副书记 (the full-time deputy first) / 委员."""
    in_force = [p for p in posts if p.status == Post.Status.IN_FORCE]
    groups = []
    for label, kinds in POST_GROUPS:
        rows = sorted((p for p in in_force if p.kind in kinds), key=lambda p: (kinds.index(p.kind), p.in_force_from))
        groups.append((label, rows))
    return groups


def committee_vacancies(*, committee: Committee, open_only: bool = True) -> list[Vacancy]:
    qs = committee.vacancies.select_related("previous_post", "filled_by")
    if open_only:
        qs = qs.filter(filled_on__isnull=True)
    return list(qs.order_by("opened_on", "pk"))


def rotation_terms(*, committee: Committee) -> list[RotationTerm]:
    return list(committee.rotation_terms.select_related("unit", "approved_by").order_by("start"))


def rotation_term_get(*, user, pk: int) -> RotationTerm:
    return scoped_get(user, RotationTerm.objects.select_related("committee__community__township", "unit"), pk=pk)


def secretary_on(
    *,
    committee: Committee,
    day: datetime.date,
    terms: list[RotationTerm] | None = None,
    posts: list[Post] | None = None,
):
    """R7/R10: who is secretary (and chairs) on ``day``: in P1 mode the approved rotation term
    covering it, but only while its holder holds a secretary post in force that day (approved by
    both county bodies, R5); a term whose holder has none is a gap: no chair (None) until the
    post is approved. Otherwise (P3, or no term covers the day) the secretary post in force
    then. Given the already fetched ``terms`` and ``posts`` it runs no query."""
    if committee.mode == Committee.Mode.ROTATING:
        if terms is None:
            term = committee.rotation_terms.filter(start__lte=day, end__gte=day, approved_on__isnull=False).first()
        else:
            term = next((t for t in terms if t.start <= day <= t.end and t.is_approved), None)
        if term is not None:
            return term if rotation_holder_post(committee=committee, term=term, day=day, posts=posts) else None
    served = (Post.Status.IN_FORCE, Post.Status.ENDED)
    if posts is not None:
        return next(
            (
                p
                for p in posts
                if p.kind == Post.Kind.SECRETARY
                and p.status in served
                and p.in_force_from is not None
                and p.in_force_from <= day
                and (p.ended_on is None or p.ended_on >= day)
            ),
            None,
        )
    return (
        committee.posts.filter(kind=Post.Kind.SECRETARY, status__in=served, in_force_from__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .order_by("-in_force_from")
        .first()
    )


def rotation_holder_post(
    *, committee: Committee, term: RotationTerm, day: datetime.date, posts: list[Post] | None = None
) -> Post | None:
    """R5/R7: the secretary post (in force on ``day``) of the rotation term's holder: same person,
    same unit. None: the holder has no approved post that day (a gap to fill). Given the already
    fetched ``posts`` it runs no query."""
    served = (Post.Status.IN_FORCE, Post.Status.ENDED)
    if posts is not None:
        return next(
            (
                p
                for p in posts
                if p.kind == Post.Kind.SECRETARY
                and p.status in served
                and p.unit_id == term.unit_id
                and p.holder_name == term.holder_name
                and p.in_force_from is not None
                and p.in_force_from <= day
                and (p.ended_on is None or p.ended_on >= day)
            ),
            None,
        )
    return (
        committee.posts.filter(
            kind=Post.Kind.SECRETARY,
            status__in=served,
            unit_id=term.unit_id,
            holder_name=term.holder_name,
            in_force_from__lte=day,
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .first()
    )


def rotation_chair_gap(
    *, committee: Committee, terms: list[RotationTerm], posts: list[Post], today: datetime.date
) -> RotationTerm | None:
    """R7: the approved rotation term running today whose holder holds no secretary post in force
    (a gap to fill: meetings have no chair until the post is approved). No query."""
    if committee.mode != Committee.Mode.ROTATING:
        return None
    term = next((t for t in terms if t.start <= today <= t.end and t.is_approved), None)
    if term is None or rotation_holder_post(committee=committee, term=term, day=today, posts=posts):
        return None
    return term


def posts_in_force_on(*, committee: Committee, day: datetime.date) -> list[Post]:
    """R5/R8: the committee's posts in force on ``day`` (approved, begun, not yet ended then),
    with unit and account; one query. Meetings take their entitled voters (应到会) from it."""
    return list(
        committee.posts.filter(
            status__in=(Post.Status.IN_FORCE, Post.Status.ENDED), in_force_from__isnull=False, in_force_from__lte=day
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .select_related("unit", "user")
        .order_by("kind", "holder_name", "pk")
    )


def upcoming_handover(*, terms: list[RotationTerm], today: datetime.date | None = None) -> RotationTerm | None:
    """R7: the next approved term starting within a month (shown to the next holder and the
    township staff)."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=HANDOVER_NOTICE_DAYS)
    return next((t for t in terms if t.is_approved and today < t.start <= horizon), None)


def handovers_for_user(*, user, today: datetime.date | None = None) -> list[RotationTerm]:
    """R7: handovers in the coming month that this user should see (township staff, the next
    holder's unit liaison, the community secretary)."""
    today = today or timezone.localdate()
    qs = (
        RotationTerm.objects.filter(
            approved_on__isnull=False,
            start__gt=today,
            start__lte=today + datetime.timedelta(days=HANDOVER_NOTICE_DAYS),
        )
        .select_related("committee__community", "unit")
        .order_by("start")
    )
    if getattr(user, "role", None) == "liaison" and not user.is_superuser:
        return list(qs.filter(unit_id=user.unit_id))
    return list(qs.filter(scope_q(user, RotationTerm)))


@dataclass
class Check:
    ok: bool
    label: str
    detail: str = ""
    code: str = ""


def composition_checks(
    *, committee: Committee, posts: list[Post], terms: list[RotationTerm], today: datetime.date | None = None
) -> list[Check]:
    """R3, R4, R6, R7 composition checks, computed live from already-fetched rows (no queries;
    ``committee.community`` and each post's ``unit`` must be loaded). A failing check says what
    to do."""
    today = today or timezone.localdate()
    in_force = [p for p in posts if p.status == Post.Status.IN_FORCE]
    secretaries = [p for p in in_force if p.kind == Post.Kind.SECRETARY]
    deputies = [p for p in in_force if p.kind in (Post.Kind.DEPUTY, Post.Kind.FULLTIME_DEPUTY)]
    fulltime = [p for p in in_force if p.kind == Post.Kind.FULLTIME_DEPUTY]
    checks = [
        Check(
            len(secretaries) == 1,
            _("书记 1 名在任"),
            "" if len(secretaries) == 1 else _("当前没有在任书记：请提名书记并登记县委组织部、县民政局的审批。"),
        )
    ]
    n = len(deputies)
    if n < 2:
        detail = _("现有 %(n)s 名副书记，请提名补足至 2 名。") % {"n": n}
    elif n > 3:
        detail = _("现有 %(n)s 名副书记，超过 3 名，请调整。") % {"n": n}
    else:
        detail = ""
    if committee.mode == Committee.Mode.ROTATING:  # R3 (P1); the "1+X" plan sets no number of deputies
        checks.append(Check(2 <= n <= 3, _("副书记 2–3 名在任（含专职副书记）"), detail))
    community_secretary = committee.community.party_org_secretary.strip()
    if committee.mode == Committee.Mode.ROTATING:
        ok = (
            len(fulltime) == 1
            and fulltime[0].unit.unit_type == Unit.Type.COMMUNITY_ORG
            and fulltime[0].is_unit_party_head
            and (not community_secretary or fulltime[0].holder_name == community_secretary)
        )
        if ok:
            detail = ""
        elif community_secretary:
            detail = _("请提名社区党组织书记 %(name)s 为专职副书记（所在单位为社区党组织，且是党组织负责人）。") % {
                "name": community_secretary
            }
        else:
            detail = _("请提名社区党组织书记为专职副书记（所在单位为社区党组织，且是党组织负责人）。")
        checks.append(Check(ok, _("专职副书记由社区党组织书记担任"), detail))
        ok = bool(secretaries) and secretaries[0].unit.is_resident_unit and secretaries[0].is_unit_party_head
        checks.append(
            Check(
                ok,
                _("书记由驻区单位党组织负责人兼任（轮值模式）"),
                "" if ok else _("书记应为有一定规模和影响的驻区单位党组织负责人，请调整提名。"),
            )
        )
        term = next((t for t in terms if t.start <= today <= t.end and t.is_approved), None)
        if term is not None:
            # R5/R7: this year's holder chairs only with a secretary post in force (a gap otherwise)
            ok = rotation_holder_post(committee=committee, term=term, day=today, posts=posts) is not None
            checks.append(
                Check(
                    ok,
                    _("在任书记与本年度轮值书记一致"),
                    ""
                    if ok
                    else _(
                        "本年度轮值书记 %(name)s 尚无经县委组织部、县民政局批准的书记职务：批准前本期是空档，"
                        "会议没有主持人。请提名并报批，办理书记交接。"
                    )
                    % {"name": term.holder_name},
                )
            )
    else:
        ok = (
            bool(secretaries)
            and secretaries[0].unit.unit_type == Unit.Type.COMMUNITY_ORG
            and (not community_secretary or secretaries[0].holder_name == community_secretary)
        )
        checks.append(
            Check(
                ok,
                _("书记由社区党组织书记担任（“1+X”模式）"),
                "" if ok else _("“1+X”模式下书记应为社区党组织书记，请调整提名。"),
            )
        )
        unit_members = [p for p in in_force if p.kind == Post.Kind.MEMBER and p.unit.is_resident_unit]
        ok = bool(unit_members) and all(p.is_part_time for p in unit_members)
        checks.append(
            Check(
                ok,
                _("驻区单位负责人任兼职委员（“1+X”模式）"),
                "" if ok else _("请提名驻区单位负责人为兼职委员（“X”），并勾选“兼职”。"),
            )
        )
    if committee.term_overdue:
        checks.append(
            Check(
                False,
                _("大党委任期未届满"),
                _("任期已于 %(end)s 届满，请组织换届。")
                % {"end": f"{committee.term_end.year}年{committee.term_end.month}月{committee.term_end.day}日"},
                code="term_overdue",
            )
        )
    return checks


@dataclass
class CommunityRow:
    """One community on the township page with its committee in office and its red flags."""

    community: Community
    committee: Committee | None
    failing: list[Check]
    vacancies: list[Vacancy]
    pending: list[Post]

    @property
    def flag_count(self) -> int:
        if self.committee is None:
            return 1
        return int(self.committee.term_overdue) + len(self.failing) + len(self.vacancies) + len(self.pending)


def township_get(*, user, pk: int) -> Township:
    return get_object_or_404(township_list(user=user), pk=pk)


def township_overview(*, township: Township, today: datetime.date | None = None) -> list[CommunityRow]:
    """R3–R7 red flags of every community of the township: term overdue, open vacancies with
    days open, posts awaiting approval, failing composition checks. Five queries for any size."""
    today = today or timezone.localdate()
    live = (Post.Status.IN_FORCE, Post.Status.NOMINATED)
    committees = Committee.objects.filter(is_active=True).prefetch_related(
        Prefetch("posts", queryset=Post.objects.filter(status__in=live).select_related("unit"), to_attr="live_posts"),
        Prefetch(
            "vacancies", queryset=Vacancy.objects.filter(filled_on__isnull=True).order_by("opened_on"), to_attr="open"
        ),
        Prefetch("rotation_terms", queryset=RotationTerm.objects.order_by("start"), to_attr="terms"),
    )
    communities = township.communities.order_by("name").prefetch_related(
        Prefetch("committees", queryset=committees, to_attr="current")
    )
    rows = []
    for community in communities:
        committee = community.current[0] if community.current else None
        if committee is None:
            rows.append(CommunityRow(community, None, [], [], []))
            continue
        checks = composition_checks(committee=committee, posts=committee.live_posts, terms=committee.terms, today=today)
        rows.append(
            CommunityRow(
                community=community,
                committee=committee,
                # the overdue term is flagged on its own line
                failing=[c for c in checks if not c.ok and c.code != "term_overdue"],
                vacancies=committee.open,
                pending=[p for p in committee.live_posts if p.status == Post.Status.NOMINATED],
            )
        )
    return rows
