"""Reads of the R21 schemes. Schemes sit above communities, so they are scoped by county here
(not by ``SCOPE_COMMUNITY``): the administrator sees all; county reviewers read every scheme of
their county; township staff the county-level schemes of their county and their own township's
refinements; secretaries and liaisons the published county-level schemes of their county and
the published refinements of their township ("township schemes may refine it", R21)."""

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import Indicator, Scheme, Sheet


def user_county_id(user) -> int | None:
    role = user.role
    if role == "county":
        return user.county_id
    if role == "township" and user.township_id:
        return user.township.county_id
    if role == "secretary" and user.community_id:
        return user.community.township.county_id
    if role == "liaison" and user.unit_id:
        return user.unit.community.township.county_id
    return None


def user_township_id(user) -> int | None:
    role = user.role
    if role == "township":
        return user.township_id
    if role == "secretary" and user.community_id:
        return user.community.township_id
    if role == "liaison" and user.unit_id:
        return user.unit.community.township_id
    return None


def may_edit_schemes(user) -> bool:
    """Only the administrator edits county-level schemes."""
    return user.is_authenticated and (user.is_superuser or user.role == "admin")


def may_edit_scheme(user, scheme: Scheme) -> bool:
    """R21: the administrator edits every scheme; a township refinement also its township's staff."""
    if may_edit_schemes(user):
        return True
    return bool(
        user.is_authenticated
        and scheme.township_id
        and user.role == "township"
        and user.township_id == scheme.township_id
    )


def may_refine(user, scheme: Scheme) -> bool:
    """A published county-level scheme is refined by the administrator or township staff."""
    if scheme.township_id or not scheme.is_published:
        return False
    return may_edit_schemes(user) or (user.is_authenticated and user.role == "township" and bool(user.township_id))


def scheme_list(*, user) -> QuerySet[Scheme]:
    schemes = Scheme.objects.select_related("county", "township", "published_by")
    if may_edit_schemes(user):
        return schemes
    county_id = user_county_id(user)
    if county_id is None:
        return schemes.none()
    schemes = schemes.filter(county_id=county_id)
    if user.role == "county":
        return schemes
    township_q = Q(township__isnull=True) | Q(township_id=user_township_id(user))
    schemes = schemes.filter(township_q)
    if user.role in ("secretary", "liaison"):
        schemes = schemes.filter(status=Scheme.Status.PUBLISHED)
    return schemes


def scheme_get(*, user, pk: int) -> Scheme:
    return get_object_or_404(scheme_list(user=user).select_related("based_on"), pk=pk)


def sheet_get(*, user, pk: int) -> Sheet:
    return get_object_or_404(
        Sheet.objects.select_related("scheme__county", "scheme__township").filter(scheme__in=scheme_list(user=user)),
        pk=pk,
    )


def indicator_get(*, user, pk: int) -> Indicator:
    return get_object_or_404(
        Indicator.objects.select_related("sheet__scheme__county", "sheet__scheme__township", "origin").filter(
            sheet__scheme__in=scheme_list(user=user)
        ),
        pk=pk,
    )


def scheme_sheets(*, scheme: Scheme) -> list[Sheet]:
    """The sheets with their indicators (two queries), each sheet carrying ``rows``: the tree
    flattened depth-first as (indicator, depth)."""
    sheets = list(
        scheme.sheets.prefetch_related(Prefetch("indicators", queryset=Indicator.objects.order_by("order", "pk")))
    )
    for sheet in sheets:
        indicators = list(sheet.indicators.all())
        children = {}
        for indicator in indicators:
            indicator.sheet = sheet
            children.setdefault(indicator.parent_id, []).append(indicator)
        rows = []

        def walk(parent_id, depth, rows=rows, children=children):
            for indicator in children.get(parent_id, []):
                kids = children.get(indicator.pk, [])
                indicator.children_sum = sum((k.max_points for k in kids), start=type(indicator.max_points)(0))
                rows.append((indicator, depth))
                walk(indicator.pk, depth + 1)

        walk(None, 0)
        sheet.rows = rows
        sheet.all_indicators = indicators
    return sheets


# --- the county's functional departments (R21) ----------------------------------------------------


def department_list(*, user):
    """The functional departments ``user`` may read: the administrator every county's; county
    reviewers, township staff and secretaries their county's; liaisons none."""
    from .models import FunctionalDepartment

    departments = FunctionalDepartment.objects.select_related("county")
    if may_edit_schemes(user):
        return departments
    if user.role not in ("county", "township", "secretary"):
        return departments.none()
    county_id = user_county_id(user)
    if county_id is None:
        return departments.none()
    return departments.filter(county_id=county_id)


def may_read_departments(user) -> bool:
    return user.is_authenticated and (may_edit_schemes(user) or user.role in ("county", "township", "secretary"))


def department_get(*, user, pk: int):
    return get_object_or_404(department_list(user=user), pk=pk)
