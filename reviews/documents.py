"""What the printed results of a member review state about its ballots (R22; issue #16 item 7):
per kind of reviewer, how many should have taken part, how many ballots were issued, returned and
valid, and the day they were counted."""

from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone

from .models import Campaign, Category, PaperTally
from .selectors import campaign_progress


@dataclass
class BallotCount:
    label: str
    electorate: int
    issued: int
    returned: int
    valid: int


def ballot_counts(*, campaign: Campaign) -> list[BallotCount]:
    """Online, one code is one ballot: issued when made, returned once used, valid once it rated a
    member. On paper, the sheets of a kind are the most any member was rated on (every sheet names
    every member), all returned and valid once entered. Four queries."""
    progress = {row.category: row for row in campaign_progress(campaign=campaign).rows}
    sheets: dict[str, int] = {}
    tallies = (
        PaperTally.objects.filter(subject__campaign=campaign)
        .values("subject", "category")
        .annotate(n=Sum("satisfied") + Sum("fairly") + Sum("basic") + Sum("unsatisfied"))
        .order_by()
    )
    for row in tallies:
        sheets[row["category"]] = max(sheets.get(row["category"], 0), row["n"] or 0)
    rows = []
    for value, label in Category.choices:
        p = progress[value]
        paper = sheets.get(value, 0)
        returned = p.used + paper
        rows.append(BallotCount(str(label), campaign.electorate(value), p.issued + paper, returned, returned))
    return rows


def counted_on(campaign: Campaign):
    """The day the ballots were counted: when the review closed (else its closing date)."""
    return timezone.localdate(campaign.closed_at) if campaign.closed_at else campaign.closes_on
