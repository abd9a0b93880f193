"""R17: a unit's liaison (or the community side) withdraws a project claim that is not completed,
with a reason: the claim stays on record as withdrawn, its place frees up, the history records it,
the secretary gets a portal notice; a completed claim cannot be withdrawn."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cobuilding import selectors, services
from cobuilding.models import ProjectClaim
from inbox.models import Message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(secretary_user, world, today):
    return services.project_publish(
        actor=secretary_user,
        committee=world.mine,
        title="楼道照明改造",
        need="更换楼道灯",
        place="陵园小区",
        budget=Decimal("12000"),
        claim_by=today + datetime.timedelta(days=10),
        deadline=today + datetime.timedelta(days=40),
        places=1,
    )


@pytest.fixture
def claim(project, liaison_user, world):
    return services.project_claim(actor=liaison_user, project=project, unit=world.unit)


def test_liaison_withdraws_with_reason_the_place_frees_and_another_unit_claims(
    claim, project, liaison_user, sibling_liaison, secretary_user, world
):
    with pytest.raises(ValidationError) as e:
        services.project_claim(actor=sibling_liaison, project=project, unit=world.sibling_unit)
    assert "名额已满" in e.value.messages[0]
    with pytest.raises(ValidationError) as e:
        services.claim_withdraw(actor=liaison_user, claim=claim, reason="  ")
    assert "reason" in e.value.error_dict
    claim = services.claim_withdraw(actor=liaison_user, claim=claim, reason="人员调整，无力承担")
    claim.refresh_from_db()
    assert claim.status == ProjectClaim.Status.WITHDRAWN and claim.place_no is None
    assert claim.withdrawn_by == liaison_user and claim.withdraw_reason == "人员调整，无力承担"
    latest = claim.history.first()
    assert latest.history_user == liaison_user and "人员调整" in latest.history_change_reason
    assert selectors.project_get(user=secretary_user, pk=project.pk).taken == 0
    other = services.project_claim(actor=sibling_liaison, project=project, unit=world.sibling_unit)
    assert other.place_no == 1
    # the secretary of the community is told in the portal
    notice = Message.objects.get(recipient=secretary_user, kind="cobuilding")
    assert "撤回" in notice.subject and "人员调整，无力承担" in notice.body
    assert notice.url == claim.get_absolute_url()
    with pytest.raises(ValidationError, match="已撤回"):
        services.claim_withdraw(actor=liaison_user, claim=claim, reason="再撤一次")


def test_a_unit_may_claim_again_after_withdrawing(claim, project, liaison_user, world):
    services.claim_withdraw(actor=liaison_user, claim=claim, reason="计划调整")
    again = services.project_claim(actor=liaison_user, project=project, unit=world.unit)
    assert again.pk != claim.pk and again.status == ProjectClaim.Status.CLAIMED
    assert ProjectClaim.objects.filter(project=project, unit=world.unit).count() == 2


def test_reported_claim_can_be_withdrawn_by_the_secretary_but_not_a_completed_one(
    claim, liaison_user, secretary_user, today
):
    services.claim_progress_report(
        actor=liaison_user, claim=claim, happened_on=today, text="已完工", asks_completion=True
    )
    claim.refresh_from_db()
    assert claim.status == ProjectClaim.Status.REPORTED
    services.claim_confirm_completion(actor=secretary_user, claim=claim)
    with pytest.raises(ValidationError, match="已确认完成，不能撤回"):
        services.claim_withdraw(actor=liaison_user, claim=claim, reason="不想做了")
    claim.refresh_from_db()
    assert claim.status == ProjectClaim.Status.COMPLETED and claim.place_no == 1


def test_secretary_may_withdraw_a_reported_claim(claim, liaison_user, secretary_user, today):
    services.claim_progress_report(
        actor=liaison_user, claim=claim, happened_on=today, text="进行中", asks_completion=True
    )
    claim = services.claim_withdraw(actor=secretary_user, claim=claim, reason="单位无法完成，社区收回")
    assert claim.status == ProjectClaim.Status.WITHDRAWN
    with pytest.raises(ValidationError, match="已撤回"):
        services.claim_progress_report(actor=liaison_user, claim=claim, happened_on=today, text="x")
    with pytest.raises(ValidationError, match="已撤回"):
        services.claim_confirm_completion(actor=secretary_user, claim=claim)


def test_other_units_and_county_cannot_withdraw(claim, sibling_liaison, county_user):
    with pytest.raises(PermissionDenied):
        services.claim_withdraw(actor=sibling_liaison, claim=claim, reason="x")
    with pytest.raises(PermissionDenied):
        services.claim_withdraw(actor=county_user, claim=claim, reason="x")


def test_withdrawn_claims_leave_the_workspace_and_the_overview_counts(claim, project, liaison_user, world, today):
    assert [c.pk for c in selectors.workspace_get(user=liaison_user).claims] == [claim.pk]
    services.claim_withdraw(actor=liaison_user, claim=claim, reason="计划调整")
    ws = selectors.workspace_get(user=liaison_user)
    assert ws.claims == []
    assert [p.pk for p in ws.open_projects] == [project.pk]  # claimable again


def test_withdraw_pages_by_role(claim, login, liaison_user, sibling_liaison, county_user, secretary_user):
    url = reverse("cobuilding:claim_withdraw", args=[claim.pk])
    assert login(county_user).get(url).status_code == 403
    assert login(sibling_liaison).get(url).status_code == 404
    client = login(liaison_user)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert url in page  # the button
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    response = client.post(url, {"reason": "资金未落实"}, follow=True)
    page = response.content.decode()
    assert "认领已撤回，名额已释放" in page and "撤回原因：资金未落实" in page and "已撤回" in page
    assert url not in page  # no second withdrawal offered
    # the secretary sees it in the inbox
    secretary_page = login(secretary_user).get(reverse("inbox:list")).content.decode()
    assert "撤回了公益项目“楼道照明改造”的认领" in secretary_page


def test_completed_claim_refused_through_the_page(claim, login, liaison_user, secretary_user, today):
    services.claim_progress_report(
        actor=liaison_user, claim=claim, happened_on=today, text="完工", asks_completion=True
    )
    services.claim_confirm_completion(actor=secretary_user, claim=claim)
    client = login(liaison_user)
    assert (
        reverse("cobuilding:claim_withdraw", args=[claim.pk])
        not in client.get(claim.get_absolute_url()).content.decode()
    )
    response = client.post(reverse("cobuilding:claim_withdraw", args=[claim.pk]), {"reason": "不做了"})
    assert response.status_code == 200 and "项目已确认完成，不能撤回认领" in response.content.decode()


def test_project_page_queries_do_not_grow_with_withdrawn_claims(
    login, secretary_user, world, today, django_assert_max_num_queries
):
    project = services.project_publish(
        actor=secretary_user,
        committee=world.mine,
        title="多单位项目",
        need="x",
        place="x",
        claim_by=today + datetime.timedelta(days=10),
        deadline=today + datetime.timedelta(days=40),
        places=30,
    )
    from tests.factories import UnitFactory

    def add(n):
        for _ in range(n):
            unit = UnitFactory(community=world.mine.community)
            user = UserFactory(role="liaison", unit=unit)
            c = services.project_claim(actor=user, project=project, unit=unit)
            services.claim_withdraw(actor=user, claim=c, reason="调整")

    client = login(secretary_user)
    url = project.get_absolute_url()
    add(2)
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    add(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url).content.decode()
    assert "剩余 30 个" in page
