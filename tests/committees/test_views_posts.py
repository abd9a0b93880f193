"""Post pages (R3–R6) by each role: nominate, the post page with its approvals, record one body's
decision, end a post (opens a vacancy), record a vacancy. Outside the scope → 404; county
reviewers and other read-only roles → 403 on every change; liaisons have no committee scope (404)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from committees.models import Post, PostApproval, Vacancy
from tests.committees.helpers import body_user
from tests.conftest import ROLES
from tests.factories import PostFactory, UserFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)

pytestmark = pytest.mark.django_db


def S(township, secretary, liaison, county, admin):  # noqa: N802 - a table row
    return {"township": township, "secretary": secretary, "liaison": liaison, "county": county, "admin": admin}


def statuses(request, client, url, method="get", data=None):
    got = {}
    for role in ROLES:
        client.force_login(request.getfixturevalue(role))
        got[role.removesuffix("_user")] = getattr(client, method)(url, data or {}).status_code
    return got


@pytest.fixture
def posts(world):
    """A nomination and a post in force in each committee of the world."""

    class P:
        pass

    p = P()
    for name in ("mine", "other", "foreign"):
        committee = getattr(world, name)
        unit = {"mine": world.unit, "other": world.other_unit, "foreign": world.foreign_unit}[name]
        setattr(p, f"{name}_nominated", PostFactory(committee=committee, unit=unit, nominated_on=TODAY - 9 * DAY))
        setattr(
            p,
            f"{name}_in_force",
            PostFactory(committee=committee, unit=unit, status="in_force", in_force_from=TODAY - 9 * DAY),
        )
    return p


def nominate_url(c):
    return reverse("committees:post_nominate", args=[c.pk])


def post_url(p):
    return reverse("committees:post_detail", args=[p.pk])


def approve_url(p):
    return reverse("committees:post_approval_create", args=[p.pk])


def end_url(p):
    return reverse("committees:post_end", args=[p.pk])


def vacancy_url(c):
    return reverse("committees:vacancy_create", args=[c.pk])


MINE_READ = S(200, 200, 404, 200, 200)
MINE_CHANGE = S(200, 200, 404, 403, 200)
OTHER_READ = S(404, 404, 404, 200, 200)
OTHER_CHANGE = S(404, 404, 404, 403, 200)
FOREIGN_READ = S(404, 404, 404, 404, 200)
FOREIGN_CHANGE = S(404, 404, 404, 404, 200)


class TestPermissions:
    @pytest.mark.parametrize(
        ("which", "expected"), [("mine", MINE_READ), ("other", OTHER_READ), ("foreign", FOREIGN_READ)]
    )
    def test_post_page(self, request, client, posts, which, expected):
        assert statuses(request, client, post_url(getattr(posts, f"{which}_in_force"))) == expected

    @pytest.mark.parametrize(
        ("which", "expected"), [("mine", MINE_CHANGE), ("other", OTHER_CHANGE), ("foreign", FOREIGN_CHANGE)]
    )
    def test_change_forms(self, request, client, world, posts, which, expected):
        committee = getattr(world, which)
        assert statuses(request, client, nominate_url(committee)) == expected
        assert statuses(request, client, vacancy_url(committee)) == expected
        assert statuses(request, client, end_url(getattr(posts, f"{which}_in_force"))) == expected

    @pytest.mark.parametrize(
        ("which", "expected"), [("mine", MINE_CHANGE), ("other", OTHER_CHANGE), ("foreign", FOREIGN_CHANGE)]
    )
    def test_refused_posts_change_nothing(self, request, client, world, posts, which, expected):
        """Every refused POST (403/404) leaves the data as it was; an empty POST by an allowed
        role re-shows the form (200)."""
        committee = getattr(world, which)
        nominated = getattr(posts, f"{which}_nominated")
        in_force = getattr(posts, f"{which}_in_force")
        refused = {r: c for r, c in expected.items() if c != 200}
        data = {"body": "org_dept", "decision": "approved", "decided_on": TODAY.isoformat()}
        for role in refused:
            client.force_login(request.getfixturevalue(f"{role}_user"))
            assert client.post(approve_url(nominated), data).status_code == refused[role]
            assert client.post(end_url(in_force), {"ended_on": TODAY, "end_reason": "x"}).status_code == refused[role]
            assert (
                client.post(vacancy_url(committee), {"kind": "member", "opened_on": TODAY, "reason": "x"}).status_code
                == refused[role]
            )
            assert client.post(nominate_url(committee), {"kind": "member"}).status_code == refused[role]
        assert not PostApproval.objects.exists()
        assert not Vacancy.objects.exists()
        assert Post.objects.filter(status="in_force").count() == 3
        assert Post.objects.count() == 6

    def test_approval_is_post_only(self, client, world, posts, township_user):
        client.force_login(township_user)
        assert client.get(approve_url(posts.mine_nominated)).status_code == 405


class TestNominate:
    def test_r5_nominate_with_recommenders(self, client, world, township_user):
        client.force_login(township_user)
        account = UserFactory(username="zhang", role="liaison", unit=world.unit)
        response = client.post(
            nominate_url(world.mine),
            {
                "kind": "deputy",
                "holder_name": "张副书记",
                "unit": world.unit.pk,
                "holder_title": "总经理",
                "is_unit_party_head": "on",
                "is_part_time": "on",
                "recommended_by": ["township", "units"],
                "user": account.pk,
                "nominated_on": TODAY.isoformat(),
                # fields not on the form have no effect
                "status": "in_force",
                "in_force_from": TODAY.isoformat(),
                "committee": world.other.pk,
            },
        )
        post = Post.objects.get(holder_name="张副书记")
        assert response.status_code == 302 and response["Location"] == post_url(post)
        assert (post.status, post.committee, post.user, post.recommended_by) == (
            "nominated",
            world.mine,
            account,
            ["township", "units"],
        )
        assert post.in_force_from is None and post.is_unit_party_head and post.is_part_time

    def test_r5_rejected_form_keeps_input_and_says_why(self, client, world, township_user):
        client.force_login(township_user)
        response = client.post(
            nominate_url(world.mine),
            {"kind": "member", "holder_name": "王五", "unit": world.unit.pk, "nominated_on": TODAY.isoformat()},
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "请至少选择一个推荐方" in page and 'value="王五"' in page
        assert not Post.objects.filter(holder_name="王五").exists()

    def test_units_of_other_communities_are_not_offered(self, client, world, township_user):
        client.force_login(township_user)
        form = client.get(nominate_url(world.mine)).context["form"]
        assert set(form.fields["unit"].queryset) == {world.unit, world.sibling_unit}
        response = client.post(
            nominate_url(world.mine),
            {
                "kind": "member",
                "holder_name": "外人",
                "unit": world.other_unit.pk,
                "recommended_by": ["units"],
                "nominated_on": TODAY.isoformat(),
            },
        )
        assert response.status_code == 200 and "unit" in response.context["form"].errors
        assert not Post.objects.filter(holder_name="外人").exists()


class TestApprovals:
    """R5: each county body records its own decision on the post page; the township and the
    community see the state and no form (their POST is a 403 that changes nothing)."""

    def _approve(self, client, post, body, decision="approved", remark=""):
        return client.post(
            approve_url(post), {"body": body, "decision": decision, "decided_on": TODAY.isoformat(), "remark": remark}
        )

    def test_r5_both_bodies_put_the_post_in_force(self, client, world, posts):
        post = posts.mine_nominated
        org, civil = body_user(world.county, "org_dept"), body_user(world.county, "civil_affairs")
        client.force_login(org)
        page = client.get(post_url(post)).content.decode()
        assert 'id="approval-form"' in page and "登记县委组织部的审批结果" in page
        assert '<option value="civil_affairs"' not in page  # only its own body is offered
        response = self._approve(client, post, "org_dept")
        assert response.status_code == 302
        post.refresh_from_db()
        assert post.status == "nominated"
        page = client.get(post_url(post)).content.decode()
        assert "县委组织部的审批结果已登记，等待另一机关的决定。" in page and 'id="approval-form"' not in page
        client.force_login(civil)
        self._approve(client, post, "civil_affairs")
        post.refresh_from_db()
        assert (post.status, post.in_force_from) == ("in_force", TODAY)
        page = client.get(post_url(post)).content.decode()
        assert "在任" in page and org.display_name in page and civil.display_name in page
        assert 'id="approval-form"' not in page  # no more decisions
        assert "两机关均已批准，任职生效" in page  # history

    def test_r5_a_body_user_cannot_record_the_other_body(self, client, world, posts):
        post = posts.mine_nominated
        client.force_login(body_user(world.county, "org_dept"))
        response = self._approve(client, post, "civil_affairs")
        assert response.status_code == 200
        assert response.context["form"].errors["body"]
        assert not post.approvals.exists()

    def test_r5_rejection_is_kept_and_shown(self, client, world, posts):
        client.force_login(body_user(world.county, "civil_affairs"))
        post = posts.mine_nominated
        assert self._approve(client, post, "civil_affairs", "rejected").status_code == 200  # no reason
        assert self._approve(client, post, "civil_affairs", "rejected", "不符合条件").status_code == 302
        post.refresh_from_db()
        assert post.status == "rejected"
        client.force_login(body_user(world.county, "org_dept"))
        page = client.get(reverse("committees:committee_detail", args=[world.mine.pk])).content.decode()
        assert "未获批准的提名" in page and "不符合条件" in page

    def test_county_reviewer_sees_approvals_without_the_form(self, client, posts, county_user):
        client.force_login(county_user)
        page = client.get(post_url(posts.mine_nominated)).content.decode()
        assert "县民政局" in page and 'id="approval-form"' not in page


class TestEndAndVacancy:
    def test_r6_ending_a_post_opens_a_vacancy_shown_with_days_open(self, client, world, posts, township_user):
        client.force_login(township_user)
        post = posts.mine_in_force
        response = client.post(end_url(post), {"ended_on": (TODAY - 3 * DAY).isoformat(), "end_reason": "工作调动"})
        assert response.status_code == 302
        vacancy = Vacancy.objects.get()
        assert (vacancy.previous_post, vacancy.opened_on, vacancy.kind) == (post, TODAY - 3 * DAY, post.kind)
        page = client.get(reverse("committees:committee_detail", args=[world.mine.pk])).content.decode()
        assert "3 天" in page and "工作调动" in page

    def test_r6_bad_end_date_is_shown_and_nothing_changes(self, client, posts, township_user):
        client.force_login(township_user)
        post = posts.mine_in_force
        response = client.post(end_url(post), {"ended_on": (TODAY + DAY).isoformat(), "end_reason": "调动"})
        assert response.status_code == 200 and "卸任日期不能晚于今天" in response.content.decode()
        post.refresh_from_db()
        assert post.status == "in_force" and not Vacancy.objects.exists()

    def test_ending_a_nomination_is_refused_with_a_message(self, client, posts, township_user):
        client.force_login(township_user)
        response = client.post(end_url(posts.mine_nominated), {"ended_on": TODAY.isoformat(), "end_reason": "调动"})
        assert response.status_code == 200 and "只有在任的职务才能卸任" in response.content.decode()

    def test_r6_vacancy_by_hand(self, client, world, secretary_user):
        client.force_login(secretary_user)
        response = client.post(
            vacancy_url(world.mine), {"kind": "deputy", "opened_on": (TODAY - 2 * DAY).isoformat(), "reason": "病故"}
        )
        assert response.status_code == 302
        vacancy = Vacancy.objects.get()
        assert (vacancy.committee, vacancy.kind, vacancy.days_open) == (world.mine, "deputy", 2)
        assert vacancy.history.get().history_user == secretary_user
