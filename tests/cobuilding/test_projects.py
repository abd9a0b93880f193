"""R17 public-benefit projects: published by the committee, claimed while places remain (race-safe),
progress with evidence, completion confirmed by the secretary."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cobuilding import services
from cobuilding.models import ProjectClaim, ProjectUpdate

from .conftest import pdf

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


def test_r17_only_community_side_publishes(liaison_user, world, today):
    with pytest.raises(PermissionDenied):
        services.project_publish(
            actor=liaison_user, committee=world.mine, title="x", need="x", place="x", claim_by=today, deadline=today
        )


def test_r17_deadline_after_claim_by(secretary_user, world, today):
    with pytest.raises(ValidationError):
        services.project_publish(
            actor=secretary_user,
            committee=world.mine,
            title="x",
            need="x",
            place="x",
            claim_by=today,
            deadline=today - datetime.timedelta(days=1),
        )


def test_r17_claim_until_places_run_out(project, liaison_user, sibling_liaison, world):
    claim = services.project_claim(actor=liaison_user, project=project, unit=world.unit)
    assert claim.place_no == 1 and claim.status == ProjectClaim.Status.CLAIMED
    with pytest.raises(ValidationError) as e:
        services.project_claim(actor=sibling_liaison, project=project, unit=world.sibling_unit)
    assert "名额已满" in e.value.messages[0]


def test_r17_same_unit_cannot_claim_twice(project, liaison_user, secretary_user, world):
    project.places = 3
    project.save()
    services.project_claim(actor=liaison_user, project=project, unit=world.unit)
    with pytest.raises(ValidationError) as e:
        services.project_claim(actor=liaison_user, project=project, unit=world.unit)
    assert "已认领" in e.value.messages[0]


def test_r17_no_claim_after_claim_by_or_when_closed(project, liaison_user, secretary_user, world):
    services.project_close(actor=secretary_user, project=project)
    with pytest.raises(ValidationError):
        services.project_claim(actor=liaison_user, project=project, unit=world.unit)


def test_r17_unit_of_another_community_cannot_claim(project, other_liaison, world):
    with pytest.raises(PermissionDenied):
        services.project_claim(actor=other_liaison, project=project, unit=world.other_unit)


def test_r17_liaison_cannot_claim_for_another_unit(project, liaison_user, world):
    with pytest.raises(PermissionDenied):
        services.project_claim(actor=liaison_user, project=project, unit=world.sibling_unit)


def test_r17_database_keeps_places_unique(project, liaison_user, sibling_liaison, world):
    """Even if two claims both read 'one place left' (no row locks on SQLite), the database refuses
    the second claim of the same place number."""
    from django.db import IntegrityError, transaction

    ProjectClaim.objects.create(project=project, unit=world.unit, place_no=1, claimed_by=liaison_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectClaim.objects.create(project=project, unit=world.sibling_unit, place_no=1, claimed_by=sibling_liaison)


def test_r17_progress_evidence_and_completion(project, liaison_user, secretary_user, world, today):
    claim = services.project_claim(actor=liaison_user, project=project, unit=world.unit)
    with pytest.raises(ValidationError):
        services.claim_confirm_completion(actor=secretary_user, claim=claim)
    services.claim_progress_report(actor=liaison_user, claim=claim, happened_on=today, text="采购灯具", evidence=pdf())
    update = services.claim_progress_report(
        actor=liaison_user, claim=claim, happened_on=today, text="安装完毕", asks_completion=True
    )
    claim.refresh_from_db()
    assert claim.status == ProjectClaim.Status.REPORTED and update.asks_completion
    with pytest.raises(PermissionDenied):
        services.claim_confirm_completion(actor=liaison_user, claim=claim)
    claim = services.claim_confirm_completion(actor=secretary_user, claim=claim)
    assert claim.status == ProjectClaim.Status.COMPLETED and claim.confirmed_by == secretary_user
    with pytest.raises(ValidationError):
        services.claim_progress_report(actor=liaison_user, claim=claim, happened_on=today, text="x")


def test_r17_bad_evidence_refused(project, liaison_user, world, today):
    from django.core.files.uploadedfile import SimpleUploadedFile

    claim = services.project_claim(actor=liaison_user, project=project, unit=world.unit)
    with pytest.raises(ValidationError) as e:
        services.claim_progress_report(
            actor=liaison_user, claim=claim, happened_on=today, text="x", evidence=SimpleUploadedFile("a.pdf", b"xx")
        )
    assert "evidence" in e.value.message_dict and not ProjectUpdate.objects.exists()


# --- pages ------------------------------------------------------------------------------


def test_liaison_claims_through_page_loser_sees_message(login, client, project, liaison_user, sibling_liaison):
    login(liaison_user)
    assert "本单位认领此项目" in client.get(project.get_absolute_url()).content.decode()
    r = client.post(reverse("cobuilding:project_claim", args=[project.pk]))
    claim = ProjectClaim.objects.get()
    assert r.status_code == 302 and r["Location"] == claim.get_absolute_url()
    login(sibling_liaison)
    r = client.post(reverse("cobuilding:project_claim", args=[project.pk]), follow=True)
    assert r.status_code == 200 and "名额已满" in r.content.decode()
    assert ProjectClaim.objects.count() == 1
    # another unit's claim and its evidence stay hidden
    assert client.get(claim.get_absolute_url()).status_code == 404
    assert client.get(reverse("cobuilding:claim_report", args=[claim.pk])).status_code == 404
    assert "县供电公司" not in client.get(project.get_absolute_url()).content.decode()


def test_evidence_served_only_in_scope(
    login, client, project, liaison_user, sibling_liaison, secretary_user, world, today
):
    claim = services.project_claim(actor=liaison_user, project=project, unit=world.unit)
    update = services.claim_progress_report(
        actor=liaison_user, claim=claim, happened_on=today, text="x", evidence=pdf()
    )
    url = reverse("cobuilding:evidence_file", args=[update.pk])
    login(liaison_user)
    assert client.get(url).status_code == 200
    login(sibling_liaison)
    assert client.get(url).status_code == 404
    login(secretary_user)
    assert client.get(url).status_code == 200


def test_out_of_community_liaison_gets_404(login, project, other_liaison):
    client = login(other_liaison)
    assert client.get(project.get_absolute_url()).status_code == 404
    assert client.post(reverse("cobuilding:project_claim", args=[project.pk])).status_code == 404


def test_secretary_cannot_claim_and_liaison_cannot_confirm(
    login, client, project, liaison_user, secretary_user, world, today
):
    login(secretary_user)
    assert client.post(reverse("cobuilding:project_claim", args=[project.pk])).status_code == 403
    claim = services.project_claim(actor=liaison_user, project=project, unit=world.unit)
    services.claim_progress_report(actor=liaison_user, claim=claim, happened_on=today, text="x")
    login(liaison_user)
    assert client.post(reverse("cobuilding:claim_confirm", args=[claim.pk])).status_code == 403
    assert client.post(reverse("cobuilding:project_close", args=[project.pk])).status_code == 403


def test_project_list_query_count_fixed(
    login, secretary_user, liaison_user, world, today, many_units, django_assert_max_num_queries
):
    def publish(i):
        return services.project_publish(
            actor=secretary_user,
            committee=world.mine,
            title=f"项目{i}",
            need="n",
            place="p",
            claim_by=today + datetime.timedelta(days=5),
            deadline=today + datetime.timedelta(days=9),
            places=20,
        )

    publish(0)
    for client_user in (secretary_user, liaison_user):
        client = login(client_user)
        with django_assert_max_num_queries(12) as small:
            client.get(reverse("cobuilding:project_list"))
        for i in range(1, 6):
            p = publish(f"{client_user.pk}-{i}")
            for unit in many_units(3) if i == 1 else []:
                ProjectClaim.objects.create(project=p, unit=unit, place_no=unit.pk, claimed_by=secretary_user)
        with django_assert_max_num_queries(len(small.captured_queries)):
            client.get(reverse("cobuilding:project_list"))
