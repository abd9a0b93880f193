"""Builders for the member-review tests (R22)."""

import datetime

from committees.models import Post
from reviews import services
from reviews.models import Campaign
from tests.factories import PostFactory, UnitFactory

IN_FORCE = {"status": Post.Status.IN_FORCE, "in_force_from": datetime.date(2024, 1, 2)}


def part_time_member(committee, *, name=None, unit=None, kind=Post.Kind.MEMBER, **extra) -> Post:
    fields = {**IN_FORCE, "kind": kind, "is_part_time": True, **extra}
    if name:
        fields["holder_name"] = name
    return PostFactory(committee=committee, unit=unit or UnitFactory(community=committee.community), **fields)


def campaign(actor, committee, *, year=2025, p2_rule=True, opened=True, members=0, **extra) -> Campaign:
    today = datetime.date.today()
    for _ in range(members):
        part_time_member(committee)
    c = services.campaign_create(
        actor=actor,
        committee=committee,
        year=year,
        title=extra.pop("title", f"{year}年度兼职委员满意度测评"),
        opens_on=extra.pop("opens_on", today),
        closes_on=extra.pop("closes_on", today + datetime.timedelta(days=14)),
        p2_rule=p2_rule,
        electorate=extra.pop("electorate", {"party_member": 100, "deputy": 100, "resident": 100}),
        **extra,
    )
    if opened:
        c = services.campaign_open(actor=actor, campaign=c)
    return c


def vote(campaign, category, choices_by_name: dict[str, str], *, times=1) -> None:
    """``times`` reviewers of ``category`` each casting the same ballot (choice per holder name)."""
    subjects = {s.holder_name: s.pk for s in campaign.subjects.all()}
    codes = services.codes_generate(actor=None, campaign=campaign, category=category, count=times)
    for code in codes:
        services.ballot_submit(code=code.code, choices={subjects[n]: c for n, c in choices_by_name.items()})
