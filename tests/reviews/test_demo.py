"""reviews.demo.seed(): one closed R22 review of the pilot committee, idempotent."""

import pytest

from committees.demo import build_demo
from reviews import demo
from reviews.models import Campaign, Outcome, Subject

pytestmark = pytest.mark.django_db


def test_seed_builds_one_closed_review_with_a_flagged_member_and_is_idempotent():
    build_demo()
    demo.seed()
    demo.seed()
    campaign = Campaign.objects.get()
    assert campaign.is_closed and campaign.committee.community.name == "陵园社区"
    subjects = list(Subject.objects.filter(campaign=campaign))
    assert len(subjects) >= 5 and all(s.total == 58 for s in subjects)
    assert [s.flagged for s in subjects].count(True) == 1
    assert Outcome.objects.get().kind == Outcome.Kind.CRITICISM
