"""Reads of the needs list (R28), scoped to the user: the community side sees its needs, the county
reads, a liaison sees the needs their unit claimed and the requests made to it."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from committees.models import Committee
from common import permissions

from .models import Need, NeedRequest, Resource


def _visible(user) -> Q:
    if permissions.role_of(user) == "liaison":
        asked = NeedRequest.objects.filter(need=OuterRef("pk"), unit_id=user.unit_id)
        return Q(unit_id=user.unit_id) | Q(Exists(asked))
    return permissions.scope_q(user, Need)


def need_list(
    *, user, committee: Committee | None = None, status: str = "", category: str = "", year: int | None = None
) -> QuerySet:
    qs = Need.objects.filter(_visible(user)).select_related("committee__community", "grid", "unit", "project")
    if committee is not None:
        qs = qs.filter(committee=committee)
    if status == "open":
        qs = qs.filter(status__in=Need.OPEN)
    elif status in Need.Status.values:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status=Need.Status.MERGED)
    if category:
        qs = qs.filter(category=category)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-collected_on", "-pk")


def need_get(*, user, pk: int) -> Need:
    need = (
        Need.objects.filter(_visible(user))
        .select_related("committee__community", "grid", "unit", "project", "merged_into", "entered_by")
        .prefetch_related(Prefetch("requests", queryset=NeedRequest.objects.select_related("unit")), "merged")
        .filter(pk=pk)
        .first()
    )
    if need is None:
        raise Http404
    return need


def request_get(*, user, pk: int) -> NeedRequest:
    request = (
        permissions.scoped(user, NeedRequest.objects.select_related("need__committee__community", "unit"))
        .filter(pk=pk)
        .first()
    )
    if request is None:
        raise Http404
    return request


def resource_list(*, user, committee: Committee) -> dict:
    """The committee's resources list: the units' standing resources and their accepted pledges."""
    from cobuilding.models import Pledge

    resources = list(
        permissions.scoped(user, Resource.objects.select_related("unit")).filter(
            unit__community_id=committee.community_id
        )
    )
    pledges = list(
        permissions.scoped(user, Pledge.objects.select_related("unit"))
        .filter(committee=committee, status__in=(Pledge.Status.ACCEPTED, Pledge.Status.FULFILLED))
        .order_by("unit__name", "kind", "pk")
    )
    return {"resources": resources, "pledges": pledges}
