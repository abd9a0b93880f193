"""Rollout pages (R25) through the client: what each role sees and may do, fixed query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from committees.models import Community
from rollout import services
from rollout.models import CommunityProgress, PlanOpinion, StageChange
from tests.factories import CommunityFactory, UnitFactory

from .kit import complete_ledger, pdf, run_committee, through_stage_3

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world, township_user):
    """Last year's plan: every planned month has passed whatever today is (stage 1 has begun)."""
    year = timezone.localdate().year - 1
    return services.plan_create(actor=township_user, township=world.township, year=year, pilot=world.mine.community)


def _count(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_plan_page_runs_a_fixed_number_of_queries(plan, world, login, township_user, django_assert_max_num_queries):
    client = login(township_user)
    url = reverse("rollout:plan_detail", args=[plan.pk])
    two = _count(client, url, django_assert_max_num_queries)
    for _ in range(18):
        services.progress_refresh(community=CommunityFactory(township=world.township))
    assert Community.objects.filter(township=world.township).count() == 20
    twenty = _count(client, url, django_assert_max_num_queries)
    assert two == twenty, (two, twenty)
    with django_assert_max_num_queries(twenty):
        response = client.get(url)
    assert response.content.decode().count('class="community-row"') == 20


def test_progress_page_runs_a_fixed_number_of_queries(
    plan, world, login, secretary_user, django_assert_max_num_queries
):
    client = login(secretary_user)
    progress = CommunityProgress.objects.get(community=world.mine.community)
    url = reverse("rollout:progress_detail", args=[progress.pk])
    two = _count(client, url, django_assert_max_num_queries)
    for i in range(18):
        UnitFactory(community=world.mine.community, name=f"新单位{i}")
    services.publicity_event_record(
        actor=secretary_user,
        community=world.mine.community,
        held_on=datetime.date(2024, 2, 1),
        title="会",
        kind="meeting",
    )
    twenty = _count(client, url, django_assert_max_num_queries)
    assert two == twenty, (two, twenty)
    page = client.get(url).content.decode()
    # the units with an incomplete ledger are listed, linked to their ledger entry
    assert reverse("committees:unit_detail", args=[world.unit.pk]) in page and "所在网格" in page


def test_timeline_shows_a_late_stage_in_red(plan, world, login, township_user, monkeypatch):
    import rollout.selectors as sel

    monkeypatch.setattr(sel.timezone, "localdate", lambda: datetime.date(plan.year, 6, 1))
    client = login(township_user)
    page = client.get(reverse("rollout:plan_detail", args=[plan.pk])).content.decode()
    assert "text-bg-danger late" in page and "滞后" in page


def test_the_township_marks_the_pilot_summarised_and_a_waiting_community_starts_stage_four(
    plan, world, login, township_user
):
    sibling = world.sibling.community
    through_stage_3(township_user, sibling, UnitFactory(community=sibling))
    progress = CommunityProgress.objects.get(community=sibling)
    progress.refresh_from_db()
    client = login(township_user)
    # by hand, through the gate: refused with the reason on the page, nothing changed
    response = client.post(reverse("rollout:stage_change", args=[progress.pk]), {"stage": 4, "reason": "提前推广"})
    assert response.status_code == 400 and "试点先行" in response.content.decode()
    assert CommunityProgress.objects.get(pk=progress.pk).stage == 3  # waiting at the gate
    run_committee(world.mine)
    response = client.post(reverse("rollout:pilot_summarise", args=[plan.pk]), {"summary": "试点经验总结"})
    assert response.status_code == 302
    assert CommunityProgress.objects.get(pk=progress.pk).stage == 4
    assert StageChange.objects.filter(progress=progress, to_stage=4, by=None).exists()


def test_summary_needs_text_shown_in_chinese(plan, login, township_user):
    response = login(township_user).post(reverse("rollout:pilot_summarise", args=[plan.pk]), {"summary": ""})
    assert response.status_code == 400 and "这个字段是必填项" in response.content.decode()


def test_secretary_records_deliverables_but_not_stages(plan, world, login, secretary_user):
    client = login(secretary_user)
    progress = CommunityProgress.objects.get(community=world.mine.community)
    response = client.post(
        reverse("rollout:publicity_create", args=[progress.pk]),
        {"held_on": "2024-02-10", "title": "动员大会", "kind": "meeting", "participants": 40},
    )
    assert response.status_code == 302
    assert (
        client.post(reverse("rollout:stage_change", args=[progress.pk]), {"stage": 2, "reason": "x"}).status_code == 403
    )
    assert client.post(reverse("rollout:pilot_summarise", args=[plan.pk]), {"summary": "x"}).status_code == 404


def test_bad_upload_keeps_the_form_with_a_message(plan, world, login, secretary_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    progress = CommunityProgress.objects.get(community=world.mine.community)
    response = login(secretary_user).post(
        reverse("rollout:document_upload", args=[progress.pk]),
        {"title": "陵园社区实施方案", "file": SimpleUploadedFile("a.exe", b"MZ")},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "不支持的文件类型" in page and "陵园社区实施方案" in page


def test_liaison_reads_the_plan_and_writes_only_their_units_opinion(plan, world, login, secretary_user, liaison_user):
    document = services.plan_document_upload(
        actor=secretary_user, community=world.mine.community, title="方案", file=pdf()
    )
    services.plan_opinion_save(actor=secretary_user, document=document, unit=world.sibling_unit, text="他单位意见")
    client = login(liaison_user)
    page = client.get(reverse("rollout:document_detail", args=[document.pk])).content.decode()
    assert "他单位意见" not in page  # another unit's opinion is not the liaison's to read
    assert client.get(reverse("rollout:document_file", args=[document.pk])).status_code == 200
    response = client.post(
        reverse("rollout:opinion_save", args=[document.pk]), {"unit": world.sibling_unit.pk, "text": "冒名"}
    )
    assert response.status_code == 400
    response = client.post(reverse("rollout:opinion_save", args=[document.pk]), {"unit": world.unit.pk, "text": "同意"})
    assert response.status_code == 302
    assert PlanOpinion.objects.get(document=document, unit=world.unit).author == liaison_user
    assert client.post(reverse("rollout:document_close", args=[document.pk])).status_code == 403


def test_county_reads_but_changes_nothing(plan, world, login, county_user):
    client = login(county_user)
    assert client.get(reverse("rollout:plan_detail", args=[plan.pk])).status_code == 200
    assert client.post(reverse("rollout:pilot_summarise", args=[plan.pk]), {"summary": "x"}).status_code == 403
    progress = CommunityProgress.objects.get(community=world.mine.community)
    assert client.post(reverse("rollout:publicity_create", args=[progress.pk]), {}).status_code == 403


def test_months_form_saves_and_rejects_disorder(plan, login, township_user):
    client = login(township_user)
    data = {f"start_{s}": m for s, m in {1: 2, 2: 3, 3: 4, 4: 4, 5: 12}.items()}
    data |= {f"end_{s}": m for s, m in {1: 3, 2: 5, 3: 4, 4: 11, 5: 12}.items()}
    assert client.post(reverse("rollout:plan_months", args=[plan.pk]), data).status_code == 302
    assert plan.stages.get(stage=2).end_month == 5
    data["end_2"] = 1
    response = client.post(reverse("rollout:plan_months", args=[plan.pk]), data)
    assert response.status_code == 400 and "开始月份不能晚于结束月份" in response.content.decode()


def test_rule_approval_through_the_page(plan, world, login, secretary_user):
    meeting = run_committee(world.mine)
    complete_ledger(world.mine.community)
    client = login(secretary_user)
    progress = CommunityProgress.objects.get(community=world.mine.community)
    response = client.post(
        reverse("rollout:rule_upload", args=[progress.pk]),
        {"kind": "meeting", "title": "会议制度", "file": pdf("会议制度.pdf")},
    )
    assert response.status_code == 302
    rule = world.mine.community.rule_documents.get()
    client.post(reverse("rollout:rule_approve", args=[rule.pk]), {"approved_in": meeting.pk})
    rule.refresh_from_db()
    assert rule.approved_in == meeting
