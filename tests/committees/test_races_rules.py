"""Issue #11 item 4 on PostgreSQL: two people acting at the same moment cannot break the firm
composition rules (R3): two last approvals cannot put a fourth deputy in force (the committee's
row lock), two staff cannot nominate one person twice (the unique constraint)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from committees import services
from committees.models import Post, PostApproval, Unit
from tests.committees.helpers import body_user
from tests.factories import CommitteeFactory, CommunityFactory, CountyFactory, TownshipFactory, UnitFactory, UserFactory
from tests.races import together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DAY = datetime.date(2026, 3, 2)
ORG, CIVIL = PostApproval.Body.ORG_DEPT, PostApproval.Body.CIVIL_AFFAIRS


@pytest.fixture
def place():
    class P:
        pass

    p = P()
    p.county = CountyFactory(name="示范县")
    p.township = TownshipFactory(county=p.county, name="城关镇")
    community = CommunityFactory(township=p.township, name="陵园社区", party_org_secretary="王社区")
    p.committee = CommitteeFactory(
        community=community, term_start=datetime.date(2024, 1, 1), term_end=datetime.date(2028, 12, 31)
    )
    p.org_unit = UnitFactory(community=community, name="社区党委", unit_type=Unit.Type.COMMUNITY_ORG)
    p.units = [UnitFactory(community=community, name=f"单位{i}") for i in range(4)]
    p.staff = [UserFactory(username=f"zhen{i}", role=User.Role.TOWNSHIP, township=p.township) for i in range(2)]
    return p


def _nominate(p, kind, name, unit, staff=None, head=True):
    return services.post_nominate(
        actor=staff or p.staff[0],
        committee=p.committee,
        kind=kind,
        holder_name=name,
        unit=unit,
        is_unit_party_head=head,
        recommended_by=["township"],
        nominated_on=DAY,
    )


def _decide(post, body, clerk):
    return services.post_approval_record(actor=clerk, post=post, body=body, decision="approved", decided_on=DAY)


def test_r3_two_last_approvals_at_once_put_at_most_three_deputies_in_force(place):
    org = body_user(place.county, ORG)
    civil = body_user(place.county, CIVIL)
    civil2 = User.objects.create(
        username="civil2", role=User.Role.COUNTY, county=place.county, county_body=CIVIL, full_name="民政二"
    )
    for kind, name, unit in (
        (Post.Kind.FULLTIME_DEPUTY, "王社区", place.org_unit),
        (Post.Kind.DEPUTY, "甲", place.units[0]),
    ):
        post = _nominate(place, kind, name, unit)
        _decide(post, ORG, org)
        _decide(post, CIVIL, civil)
    waiting = [_nominate(place, Post.Kind.DEPUTY, name, place.units[i]) for i, name in ((1, "乙"), (2, "丙"))]
    for post in waiting:
        _decide(post, ORG, org)

    errors = together(lambda: _decide(waiting[0], CIVIL, civil), lambda: _decide(waiting[1], CIVIL, civil2))

    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert "副书记最多 3 名" in errors[0].messages[0]
    in_force = Post.objects.filter(kind__in=["deputy", "fulltime_deputy"], status=Post.Status.IN_FORCE)
    assert in_force.count() == 3
    refused = Post.objects.get(pk__in=[p.pk for p in waiting], status=Post.Status.NOMINATED)
    assert refused.approvals.count() == 1  # the refused decision left nothing behind


def test_r3_two_staff_nominating_one_person_at_once_make_one_post(place):
    errors = together(
        *[
            lambda staff=staff, kind=kind: _nominate(place, kind, "赵六", place.units[3], staff=staff)
            for staff, kind in zip(place.staff, (Post.Kind.MEMBER, Post.Kind.DEPUTY), strict=True)
        ]
    )
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert Post.objects.filter(holder_name="赵六").count() == 1
