"""Issue #11 items 1–3: who records what (R5, R7). Each body's decision on a nomination is
recorded only by a county user acting for that body; the rotation plan is approved by the
township (or the county, per committee setting), never by whoever proposed it; the rotating
secretary chairs only while holding a secretary post in force."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import User
from committees import services
from committees.models import Post, PostApproval, add_years
from tests.committees.helpers import body_user, record_decision
from tests.factories import (
    CommitteeFactory,
    CommunityFactory,
    CountyFactory,
    TownshipFactory,
    UnitFactory,
    UserFactory,
)

TODAY = datetime.date(2026, 6, 15)
DAY = datetime.timedelta(days=1)
ORG, CIVIL = PostApproval.Body.ORG_DEPT, PostApproval.Body.CIVIL_AFFAIRS
APPROVED = PostApproval.Decision.APPROVED

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(db):
    class P:
        pass

    p = P()
    p.county = CountyFactory(name="示范县")
    p.township = TownshipFactory(county=p.county, name="城关镇")
    community = CommunityFactory(township=p.township, name="陵园社区", party_org_secretary="王社区")
    p.committee = CommitteeFactory(
        community=community, term_start=add_years(TODAY, -2), term_end=add_years(TODAY, 3) - DAY
    )
    p.unit = UnitFactory(community=community, name="县供电公司", party_org_secretary="李电力")
    p.staff = UserFactory(username="zhen", role=User.Role.TOWNSHIP, township=p.township)
    p.secretary = UserFactory(username="shuji", role=User.Role.SECRETARY, community=community)
    p.reviewer = UserFactory(username="shenhe", role=User.Role.COUNTY, county=p.county)
    p.org = body_user(p.county, ORG)
    p.civil = body_user(p.county, CIVIL)
    return p


def _nominate(p, name="张委员", kind=Post.Kind.MEMBER, unit=None, **kwargs):
    kwargs.setdefault("recommended_by", ["community", "units"])
    kwargs.setdefault("nominated_on", TODAY - 30 * DAY)
    return services.post_nominate(
        actor=p.staff, committee=p.committee, kind=kind, holder_name=name, unit=unit or p.unit, **kwargs
    )


# --- item 1: each county body records its own decision (R5) -------------------------------------


class TestR5WhoRecordsTheCountyDecisions:
    @pytest.mark.parametrize("who", ["staff", "secretary", "reviewer", "admin"])
    def test_r5_only_a_user_acting_for_the_body_records_its_decision(self, place, who):
        post = _nominate(place)
        actor = UserFactory(username="root", is_superuser=True) if who == "admin" else getattr(place, who)
        for body in (ORG, CIVIL):
            with pytest.raises(ValidationError) as exc:
                services.post_approval_record(actor=actor, post=post, body=body, decision=APPROVED, decided_on=TODAY)
            assert exc.value.error_dict["body"][0].code == "not_county_body"
            label = dict(PostApproval.Body.choices)[body]
            assert f"{label}的审批结果只能由{label}的经办人登记" in exc.value.messages[0]
        post.refresh_from_db()
        assert post.status == Post.Status.NOMINATED and not post.approvals.exists()

    def test_r5_a_body_user_cannot_record_the_other_body(self, place):
        post = _nominate(place)
        for actor, body in ((place.org, CIVIL), (place.civil, ORG)):
            with pytest.raises(ValidationError):
                services.post_approval_record(actor=actor, post=post, body=body, decision=APPROVED, decided_on=TODAY)
        assert not post.approvals.exists()

    def test_r5_a_body_user_of_another_county_cannot_record(self, place):
        post = _nominate(place)
        stranger = body_user(CountyFactory(name="邻县"), ORG)
        with pytest.raises(ValidationError):
            services.post_approval_record(actor=stranger, post=post, body=ORG, decision=APPROVED, decided_on=TODAY)
        assert not post.approvals.exists()

    def test_r5_each_body_records_its_own_and_both_put_the_post_in_force(self, place):
        post = _nominate(place)
        a = services.post_approval_record(
            actor=place.org, post=post, body=ORG, decision=APPROVED, decided_on=TODAY - 9 * DAY
        )
        post.refresh_from_db()
        assert post.status == Post.Status.NOMINATED  # one body is not enough
        b = services.post_approval_record(
            actor=place.civil, post=post, body=CIVIL, decision=APPROVED, decided_on=TODAY - 4 * DAY
        )
        post.refresh_from_db()
        assert (post.status, post.in_force_from) == (Post.Status.IN_FORCE, TODAY - 4 * DAY)
        # two separate records, each with its date and its recorder
        assert [(x.body, x.decided_on, x.recorded_by) for x in (a, b)] == [
            (ORG, TODAY - 9 * DAY, place.org),
            (CIVIL, TODAY - 4 * DAY, place.civil),
        ]
        assert post.approvals.count() == 2

    def test_r5_database_refuses_a_county_body_on_a_non_county_user(self, place):
        with pytest.raises(IntegrityError), transaction.atomic():
            User.objects.filter(pk=place.staff.pk).update(county_body=ORG)
        place.staff.refresh_from_db()
        assert place.staff.county_body == ""


class TestR5CountyDecisionPages:
    def _post(self, client, post, body):
        url = reverse("committees:post_approval_create", args=[post.pk])
        return client.post(url, {"body": body, "decision": "approved", "decided_on": TODAY.isoformat()})

    @pytest.mark.parametrize("who", ["staff", "secretary", "reviewer"])
    def test_r5_township_and_community_see_the_state_but_no_form_and_are_refused(self, client, place, who):
        post = _nominate(place)
        record_decision(post=post, body=ORG, decision=APPROVED, decided_on=TODAY - DAY)
        client.force_login(getattr(place, who))
        page = client.get(post.get_absolute_url()).content.decode()
        assert 'id="approval-form"' not in page
        assert "审批结果只能由县委组织部、县民政局的经办人各自登记" in page
        assert "待审批" in page  # the civil-affairs bureau has not decided yet
        assert self._post(client, post, CIVIL).status_code == 403
        post.refresh_from_db()
        assert post.status == Post.Status.NOMINATED and post.approvals.count() == 1

    def test_r5_each_body_user_gets_the_form_for_its_own_body(self, client, place, django_assert_max_num_queries):
        post = _nominate(place)
        client.force_login(place.civil)
        with django_assert_max_num_queries(12):
            response = client.get(post.get_absolute_url())
        assert response.status_code == 200
        page = response.content.decode()
        assert "登记县民政局的审批结果" in page and '<option value="org_dept"' not in page
        assert self._post(client, post, CIVIL).status_code == 302
        client.force_login(place.org)
        assert self._post(client, post, ORG).status_code == 302
        post.refresh_from_db()
        assert post.status == Post.Status.IN_FORCE


class TestR5NominationsWaiting:
    def test_r5_each_body_sees_what_it_has_not_decided(self, client, place, django_assert_max_num_queries):
        first, second = _nominate(place, "甲委员"), _nominate(place, "乙委员")
        record_decision(post=first, body=ORG, decision=APPROVED, decided_on=TODAY)
        url = reverse("committees:nomination_list")
        client.force_login(place.org)
        with django_assert_max_num_queries(12):
            response = client.get(url)
        assert response.status_code == 200
        assert [post for post, _ in response.context["rows"]] == [second]
        page = response.content.decode()
        assert "待县委组织部登记审批结果的提名" in page and "乙委员" in page and "甲委员" not in page
        client.force_login(place.civil)
        assert [post for post, _ in client.get(url).context["rows"]] == [first, second]
        client.force_login(place.staff)  # the township sees every waiting nomination and its state
        response = client.get(url)
        assert [post for post, _ in response.context["rows"]] == [first, second]
        assert "两机关的审批结果由各自的经办人登记" in response.content.decode()

    def test_r5_the_list_keeps_its_query_count(self, client, place, django_assert_max_num_queries):
        for i in range(12):
            post = _nominate(place, f"委员{i}")
            record_decision(post=post, body=CIVIL, decision=APPROVED, decided_on=TODAY)
        client.force_login(place.org)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("committees:nomination_list"))
        assert response.status_code == 200 and len(response.context["rows"]) == 12
        assert "委员11" in response.content.decode()
