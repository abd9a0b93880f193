"""Reads of the member review (R22), scoped to the user. Liaisons have no committee scope: every
page here is a 404 for them (they get only the notice about their own unit's member)."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from committees.models import Committee
from common import permissions
from common.views import scoped_get

from .models import Ballot, BallotCode, Campaign, Category, PaperTally, Subject


def campaign_list(*, user):
    return (
        permissions.scoped(user, Campaign.objects.all())
        .select_related("committee__community__township")
        .annotate(subject_count=Count("subjects"))
        .order_by("-year", "committee__community__name")
    )


def committees_for_new(*, user):
    """Active committees the user may start a review in (none for county reviewers)."""
    if not permissions.can_change(user, Committee):
        return Committee.objects.none()
    return permissions.scoped(user, Committee.objects.filter(is_active=True)).select_related("community")


def committee_get(*, user, pk: int) -> Committee:
    return scoped_get(user, Committee.objects.select_related("community__township"), pk=pk)


def campaign_get(*, user, pk: int) -> Campaign:
    return scoped_get(user, Campaign.objects.select_related("committee__community__township"), pk=pk)


@dataclass
class CategoryProgress:
    category: str
    label: str
    issued: int = 0
    used: int = 0
    online: int = 0
    paper: int = 0


@dataclass
class Progress:
    rows: list[CategoryProgress] = field(default_factory=list)

    @property
    def issued(self) -> int:
        return sum(r.issued for r in self.rows)

    @property
    def used(self) -> int:
        return sum(r.used for r in self.rows)

    @property
    def online(self) -> int:
        return sum(r.online for r in self.rows)

    @property
    def paper(self) -> int:
        return sum(r.paper for r in self.rows)


def campaign_progress(*, campaign: Campaign) -> Progress:
    """Codes issued and used, ballots cast online and on paper, per category (3 queries)."""
    rows = {value: CategoryProgress(value, label) for value, label in Category.choices}
    codes = (
        BallotCode.objects.filter(campaign=campaign)
        .values("category")
        .annotate(issued=Count("pk"), used=Count("pk", filter=Q(used=True)))
        .order_by()
    )
    for row in codes:
        rows[row["category"]].issued, rows[row["category"]].used = row["issued"], row["used"]
    for row in Ballot.objects.filter(subject__campaign=campaign).values("category").annotate(n=Count("pk")).order_by():
        rows[row["category"]].online = row["n"]
    paper = (
        PaperTally.objects.filter(subject__campaign=campaign)
        .values("category")
        .annotate(n=Sum("satisfied") + Sum("fairly") + Sum("basic") + Sum("unsatisfied"))
        .order_by()
    )
    for row in paper:
        rows[row["category"]].paper = row["n"] or 0
    return Progress(list(rows.values()))


def subject_list(*, campaign: Campaign):
    return list(campaign.subjects.select_related("unit"))


def results(*, campaign: Campaign) -> list[Subject]:
    """Each member with their outcome and the meeting their removal proposal went to (1 query)."""
    return list(campaign.subjects.select_related("unit", "outcome__agenda_item__meeting"))


def codes_of(*, campaign: Campaign, category: str = "", only_unused: bool = True):
    qs = BallotCode.objects.filter(campaign=campaign)
    if category:
        qs = qs.filter(category=category)
    if only_unused:
        qs = qs.filter(used=False)
    return qs.order_by("category", "batch", "pk")


def tallies_of(*, campaign: Campaign, category: str) -> dict[int, PaperTally]:
    return {t.subject_id: t for t in PaperTally.objects.filter(subject__campaign=campaign, category=category)}
