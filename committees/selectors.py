"""Every non-trivial read of the organisation, already scoped to the user."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from common.permissions import scope_q, scoped

from .models import Committee, Community, Grid, Post, RotationTerm, Township, Unit, Vacancy

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


def committee_list(*, user) -> QuerySet[Committee]:
    return scoped(
        user,
        Committee.objects.select_related("community__township").annotate(
            unit_count=Count("community__units", filter=Q(community__units__is_active=True), distinct=True),
            open_vacancies=Count("vacancies", filter=Q(vacancies__filled_on__isnull=True), distinct=True),
            pending_posts=Count("posts", filter=Q(posts__status=Post.Status.NOMINATED), distinct=True),
        ),
    )


def unit_list(*, user, community_id: int | None = None) -> QuerySet[Unit]:
    qs = scoped(user, Unit.objects.select_related("grid", "community"))
    if community_id is not None:
        qs = qs.filter(community_id=community_id)
    return qs


def grid_list(*, user, community_id: int) -> QuerySet[Grid]:
    return (
        scoped(user, Grid.objects.filter(community_id=community_id))
        .annotate(unit_count=Count("units", filter=Q(units__is_active=True)))
        .prefetch_related("building_groups")
    )


def committee_posts(*, committee: Committee) -> list[Post]:
    return list(
        committee.posts.select_related("unit")
        .prefetch_related(Prefetch("approvals"))
        .order_by("status", "kind", "holder_name")
    )


def committee_vacancies(*, committee: Committee, open_only: bool = True) -> list[Vacancy]:
    qs = committee.vacancies.select_related("previous_post", "filled_by")
    if open_only:
        qs = qs.filter(filled_on__isnull=True)
    return list(qs)


def rotation_terms(*, committee: Committee) -> list[RotationTerm]:
    return list(committee.rotation_terms.select_related("unit", "approved_by").order_by("start"))


def secretary_on(*, committee: Committee, day: datetime.date, terms: list[RotationTerm] | None = None):
    """R7/R10: who is secretary on ``day``: in P1 mode the approved rotation term covering it,
    otherwise (or when no term covers it) the secretary post in force then."""
    if committee.mode == Committee.Mode.ROTATING:
        if terms is None:
            term = committee.rotation_terms.filter(start__lte=day, end__gte=day, approved_on__isnull=False).first()
        else:
            term = next((t for t in terms if t.start <= day <= t.end and t.is_approved), None)
        if term is not None:
            return term
    return (
        committee.posts.filter(kind=Post.Kind.SECRETARY, in_force_from__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .exclude(status__in=[Post.Status.NOMINATED, Post.Status.REJECTED])
        .first()
    )


def upcoming_handover(*, terms: list[RotationTerm], today: datetime.date | None = None) -> RotationTerm | None:
    """R7: the next approved term starting within a month (shown to the next holder and the
    township staff)."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=HANDOVER_NOTICE_DAYS)
    return next((t for t in terms if t.is_approved and today < t.start <= horizon), None)


def handovers_for_user(*, user, today: datetime.date | None = None) -> list[RotationTerm]:
    """Handovers in the coming month that this user should see (township staff, the next
    holder's unit liaison, the community secretary)."""
    today = today or timezone.localdate()
    qs = RotationTerm.objects.filter(
        approved_on__isnull=False, start__gt=today, start__lte=today + datetime.timedelta(days=HANDOVER_NOTICE_DAYS)
    ).select_related("committee__community", "unit")
    if getattr(user, "role", None) == "liaison" and not user.is_superuser:
        return list(qs.filter(unit_id=user.unit_id))
    return list(qs.filter(scope_q(user, RotationTerm)))


@dataclass
class Check:
    ok: bool
    label: str
    detail: str = ""


def composition_checks(
    *, committee: Committee, posts: list[Post], terms: list[RotationTerm], today: datetime.date | None = None
) -> list[Check]:
    """R3, R4, R7 composition checks, computed from already-fetched rows (no queries)."""
    today = today or timezone.localdate()
    in_force = [p for p in posts if p.status == Post.Status.IN_FORCE]
    secretaries = [p for p in in_force if p.kind == Post.Kind.SECRETARY]
    deputies = [p for p in in_force if p.kind in (Post.Kind.DEPUTY, Post.Kind.FULLTIME_DEPUTY)]
    fulltime = [p for p in in_force if p.kind == Post.Kind.FULLTIME_DEPUTY]
    checks = []

    checks.append(
        Check(
            len(secretaries) == 1,
            _("书记 1 名在任（R3）"),
            "" if len(secretaries) == 1 else _("当前没有在任书记：请提名书记并登记县委组织部、县民政局的审批。"),
        )
    )
    n = len(deputies)
    checks.append(
        Check(
            2 <= n <= 3,
            _("副书记 2–3 名在任（R3，含专职副书记）"),
            ""
            if 2 <= n <= 3
            else (
                _("现有 %(n)s 名副书记，请提名补足至 2 名。") % {"n": n}
                if n < 2
                else _("现有 %(n)s 名副书记，超过 3 名，请调整。") % {"n": n}
            ),
        )
    )
    if committee.mode == Committee.Mode.ROTATING:
        ok = (
            len(fulltime) == 1
            and fulltime[0].unit.unit_type == Unit.Type.COMMUNITY_ORG
            and fulltime[0].is_unit_party_head
        )
        checks.append(
            Check(
                ok,
                _("专职副书记由社区党组织书记担任（R4）"),
                "" if ok else _("请提名社区党组织书记为专职副书记（所在单位为社区党组织，且是党组织负责人）。"),
            )
        )
        ok = bool(secretaries) and secretaries[0].unit.is_resident_unit and secretaries[0].is_unit_party_head
        checks.append(
            Check(
                ok,
                _("书记由驻区单位党组织负责人兼任（R4，P1 模式）"),
                "" if ok else _("书记应为有一定规模和影响的驻区单位党组织负责人，请调整提名。"),
            )
        )
        term = next((t for t in terms if t.start <= today <= t.end and t.is_approved), None)
        if term is not None and secretaries:
            ok = secretaries[0].holder_name == term.holder_name
            checks.append(
                Check(
                    ok,
                    _("在任书记与本年度轮值书记一致（R7）"),
                    "" if ok else _("本年度轮值书记为 %(name)s，请办理书记交接。") % {"name": term.holder_name},
                )
            )
    else:
        ok = bool(secretaries) and secretaries[0].unit.unit_type == Unit.Type.COMMUNITY_ORG
        checks.append(
            Check(
                ok,
                _("书记由社区党组织书记担任（R4，P3“1+X”模式）"),
                "" if ok else _("“1+X”模式下书记应为社区党组织书记，请调整提名。"),
            )
        )
    if committee.term_overdue:
        checks.append(
            Check(
                False,
                _("大党委任期未届满（R6）"),
                _("任期已于 %(end)s 届满，请组织换届。") % {"end": committee.term_end},
            )
        )
    return checks
