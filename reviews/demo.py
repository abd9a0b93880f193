"""Demo data of the member review (R22): last year's closed review of the pilot committee
(陵园社区, built by ``committees.demo``), counted from paper ballots of the three reviewer
categories, with one member flagged (more than half 不满意) and the P2 outcome "批评帮助".

Idempotent: nothing happens when the committee already has a review of that year. Ballots are
entered as paper tallies: the review lies in the past, and the online ballot refuses votes after
the closing date.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from committees.demo import LINGYUAN, ensure_admin
from committees.models import Committee

from . import services
from .models import Campaign, Category

REVIEWERS = {Category.PARTY_MEMBER: 30, Category.DEPUTY: 8, Category.RESIDENT: 20}
CODES = {Category.PARTY_MEMBER: 5, Category.DEPUTY: 2, Category.RESIDENT: 5}  # printed but not used


def _split(rng: random.Random, total: int, weights: tuple[int, int, int, int]) -> dict[str, int]:
    counts = [0, 0, 0, 0]
    for _ in range(total):
        counts[rng.choices(range(4), weights=weights)[0]] += 1
    return dict(zip(("satisfied", "fairly", "basic", "unsatisfied"), counts, strict=True))


@transaction.atomic
def seed() -> None:
    committee = Committee.objects.filter(community__name=LINGYUAN.name, is_active=True).first()
    if committee is None:
        return
    year = timezone.localdate().year - 1
    if Campaign.objects.filter(committee=committee, year=year).exists():
        return
    if not services.part_time_posts(committee).exists():
        return
    admin = ensure_admin()
    campaign = services.campaign_create(
        actor=admin,
        committee=committee,
        year=year,
        title=f"{committee.name}{year}年度兼职委员满意度测评",
        opens_on=datetime.date(year, 12, 1),
        closes_on=datetime.date(year, 12, 20),
        p2_rule=True,
        electorate={c: REVIEWERS[c] + CODES[c] for c in REVIEWERS},
    )
    campaign = services.campaign_open(actor=admin, campaign=campaign)
    for category, n in CODES.items():
        services.codes_generate(actor=admin, campaign=campaign, category=category, count=n)
    rng = random.Random(f"reviews-demo:{year}")
    subjects = list(campaign.subjects.order_by("order"))
    flagged = subjects[-1]
    for category, total in REVIEWERS.items():
        rows = {}
        for subject in subjects:
            weights = (5, 10, 15, 70) if subject == flagged else (60, 25, 10, 5)
            rows[subject.pk] = _split(rng, total, weights)
        if flagged.pk in rows:  # make sure the example is unambiguous: a clear majority
            row = rows[flagged.pk]
            row["unsatisfied"] += row["satisfied"]
            row["satisfied"] = 0
        services.tally_save(actor=admin, campaign=campaign, category=category, rows=rows)
    services.campaign_close(actor=admin, campaign=campaign)
