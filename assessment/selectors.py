"""Reads of the R21 schemes. Schemes sit above communities, so they are scoped by county here
(not by ``SCOPE_COMMUNITY``): the administrator sees all; county reviewers and township staff
read every scheme of their county; secretaries and liaisons read its published schemes."""

from django.db.models import Prefetch, QuerySet
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


def may_edit_schemes(user) -> bool:
    """Only the administrator edits schemes."""
    return user.is_authenticated and (user.is_superuser or user.role == "admin")


def scheme_list(*, user) -> QuerySet[Scheme]:
    schemes = Scheme.objects.select_related("county", "published_by")
    if may_edit_schemes(user):
        return schemes
    county_id = user_county_id(user)
    if county_id is None:
        return schemes.none()
    schemes = schemes.filter(county_id=county_id)
    if user.role in ("secretary", "liaison"):
        schemes = schemes.filter(status=Scheme.Status.PUBLISHED)
    return schemes


def scheme_get(*, user, pk: int) -> Scheme:
    return get_object_or_404(scheme_list(user=user), pk=pk)


def sheet_get(*, user, pk: int) -> Sheet:
    return get_object_or_404(
        Sheet.objects.select_related("scheme__county").filter(scheme__in=scheme_list(user=user)), pk=pk
    )


def indicator_get(*, user, pk: int) -> Indicator:
    return get_object_or_404(
        Indicator.objects.select_related("sheet__scheme__county").filter(sheet__scheme__in=scheme_list(user=user)),
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
