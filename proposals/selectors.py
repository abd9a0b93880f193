"""Reads of proposals (R27), scoped to the user.

The community side (township staff, the secretary) sees every proposal of its scope and the
county reads its county's; a liaison sees the proposals their unit handles and those they entered.
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from committees.models import Committee
from common import permissions

from .models import Assignment, Proposal

HALVES = {1: (1, 6), 2: (7, 12)}


def _visible(user) -> Q:
    if permissions.role_of(user) == "liaison":
        handled = Assignment.objects.filter(proposal=OuterRef("pk"), unit_id=user.unit_id)
        return Q(Exists(handled)) | Q(submitted_by=user)
    return permissions.scope_q(user, Proposal)


def _base(user) -> QuerySet:
    return (
        Proposal.objects.filter(_visible(user))
        .select_related("committee__community")
        .prefetch_related(Prefetch("assignments", queryset=Assignment.objects.select_related("unit")))
    )


def proposal_list(
    *, user, committee: Committee | None = None, year: int | None = None, status: str = "", query: str = ""
) -> QuerySet:
    qs = _base(user).annotate(signer_count=Count("signers", distinct=True))
    if committee is not None:
        qs = qs.filter(committee=committee)
    if year:
        qs = qs.filter(year=year)
    if status == "open":
        qs = qs.filter(status__in=Proposal.OPEN)
    elif status in Proposal.Status.values:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(lead_proposer__icontains=query))
    return qs.order_by("-year", "-tabled_on", "-pk")


def proposal_get(*, user, pk: int) -> Proposal:
    proposal = (
        _base(user)
        .prefetch_related("signers", "attachments", "units")
        .select_related("submitted_by", "registered_by")
        .filter(pk=pk)
        .first()
    )
    if proposal is None:
        raise Http404
    return proposal


def assignment_get(*, user, pk: int) -> Assignment:
    assignment = (
        Assignment.objects.filter(proposal__in=Proposal.objects.filter(_visible(user)))
        .select_related("proposal__committee__community", "unit")
        .filter(pk=pk)
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


def committees_for_new(*, user) -> QuerySet:
    """Committees the user may enter a proposal for (the liaison: their unit's community's)."""
    role = permissions.role_of(user)
    qs = Committee.objects.select_related("community").order_by("community__name", "-term_start")
    if role == "liaison":
        return qs.filter(community_id=user.unit.community_id, is_active=True)
    if role not in ("admin", "township", "secretary"):
        return qs.none()
    return permissions.scoped(user, qs).filter(is_active=True)


def half_year_report(*, user, committee: Committee, year: int, half: int) -> dict:
    """R27: every proposal tabled in the half-year with its state, and the counts per state."""
    first, last = HALVES[half]
    start = datetime.date(year, first, 1)
    end = datetime.date(year, last, 30 if last == 6 else 31)
    rows = list(
        proposal_list(user=user, committee=committee)
        .filter(tabled_on__gte=start, tabled_on__lte=end)
        .order_by("tabled_on", "pk")
    )
    counts = dict.fromkeys(Proposal.Status.labels, 0)
    for row in rows:
        counts[row.get_status_display()] += 1
    return {
        "committee": committee,
        "year": year,
        "half": half,
        "start": start,
        "end": end,
        "rows": rows,
        "counts": list(counts.items()),
        "satisfied": sum(1 for r in rows if r.satisfaction == Proposal.Satisfaction.SATISFIED),
        "commended": [r for r in rows if r.commended],
    }


def commended_in(*, committee: Committee, year: int) -> list[Proposal]:
    """R27/R14: the year's commended proposals, for the year-end report."""
    return list(Proposal.objects.filter(committee=committee, year=year, commended=True).order_by("number_seq"))
