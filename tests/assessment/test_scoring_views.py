"""R21 scoring pages through the client: each role, fixed query counts, messages on the page."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment import scoring
from assessment.models import Round, ScoreSheet, ScoringTask, TaskEvidence
from committees.models import Post
from tests.factories import PostFactory, UnitFactory
from tests.matrix_builders import pdf

from .scoring_factories import finalised, full_marks, indicators, make_round, submit_both

pytestmark = pytest.mark.django_db


def _post_scores(client, task, scores, action):
    data = {"action": action}
    for ind_id, (points, reason) in scores.items():
        data[f"points_{ind_id}"] = "" if points is None else str(points)
        data[f"reason_{ind_id}"] = reason
    return client.post(reverse("assessment:task_score", args=[task.pk]), data)


def test_round_create_page_makes_the_round_and_its_tasks(login, admin_user, world, zzb):
    from .scoring_factories import published_scheme

    scheme = published_scheme(admin_user, world.county)
    client = login(admin_user)
    response = client.post(
        reverse("assessment:round_create"),
        {
            "scheme": scheme.pk,
            "title": "2026年度双百分联合评分",
            "self_report_deadline": "2026-12-20",
            "combination": "weighted",
            "committee_weight": "0.60",
            "county_scorers": [zzb.pk],
        },
    )
    rnd = Round.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("assessment:round_detail", args=[rnd.pk])
    assert (rnd.combination, rnd.committee_weight, rnd.year) == ("weighted", Decimal("0.60"), scheme.year)
    assert list(rnd.scorers.values_list("user_id", "body")) == [(zzb.pk, "county")]
    page = client.get(response["Location"]).content.decode()
    assert "最终得分 = 大党委评分 × 0.6 + 县委组织部评分 × 0.4" in page
    assert "县供电公司" in page


def test_round_create_shows_the_service_error(login, admin_user, world, rnd):
    client = login(admin_user)
    response = client.post(
        reverse("assessment:round_create"),
        {
            "scheme": rnd.scheme_id,
            "title": "再来一轮",
            "self_report_deadline": "2026-12-20",
            "combination": "average",
            "committee_weight": "0.5",
        },
    )
    assert response.status_code == 200
    assert "该县（区）本年度已有评分轮次。" in response.content.decode()


def test_scoring_form_save_then_submit(login, secretary_user, task):
    client = login(secretary_user)
    page = client.get(reverse("assessment:task_score", args=[task.pk])).content.decode()
    assert "大党委评分" in page and "参加会议" in page and "累计上限" in page
    ind = indicators(task)
    response = _post_scores(client, task, {ind["参加会议"].pk: (Decimal("41"), "")}, "save")
    assert response.status_code == 200
    assert "确保该值小于或等于40" in response.content.decode().replace(" ", "")
    assert not ScoreSheet.objects.exists()
    response = _post_scores(client, task, {ind["参加会议"].pk: (Decimal("35"), "")}, "save")
    assert response.status_code == 302
    assert ScoreSheet.objects.get().status == "draft"
    response = _post_scores(client, task, full_marks(task, 5), "submit")
    assert response.status_code == 302
    sheet = ScoreSheet.objects.get()
    assert (sheet.status, sheet.total, sheet.scorer) == ("submitted", Decimal("95.00"), secretary_user)
    page = client.get(reverse("assessment:task_score", args=[task.pk])).content.decode()
    assert "本方评分已提交或已进入审核，不能修改" in page


def test_submit_with_missing_items_keeps_what_was_typed(login, secretary_user, task):
    client = login(secretary_user)
    ind = indicators(task)
    response = _post_scores(client, task, {ind["参加会议"].pk: (Decimal("33"), "")}, "submit")
    body = response.content.decode()
    assert response.status_code == 200
    assert "请为“认领项目”评分。" in body
    assert 'value="33' in body


def test_county_reviewer_reads_but_cannot_score_unless_named(login, county_user, zzb, task, admin_user):
    client = login(county_user)
    assert client.get(reverse("assessment:task_detail", args=[task.pk])).status_code == 200
    response = client.get(reverse("assessment:task_score", args=[task.pk]))
    assert response.status_code == 403
    assert "须经管理员指定" in response.content.decode()
    assert _post_scores(client, task, full_marks(task), "submit").status_code == 403
    for name in ("assessment:task_review", "assessment:task_finalise"):
        assert client.post(reverse(name, args=[task.pk])).status_code == 403
    assert client.post(reverse("assessment:round_release", args=[task.round_id])).status_code == 403
    assert not ScoreSheet.objects.exists()
    # named: scores for the county organisation department
    client = login(zzb)
    page = client.get(reverse("assessment:task_score", args=[task.pk])).content.decode()
    assert "县委组织部评分" in page
    assert _post_scores(client, task, full_marks(task), "submit").status_code == 302
    assert ScoreSheet.objects.get().body == "county"


def test_recused_scorer_gets_a_403_page_that_says_why(login, world, secretary_user, task):
    """R21 recusal on the page."""
    PostFactory(
        committee=world.mine,
        unit=world.unit,
        user=secretary_user,
        status=Post.Status.IN_FORCE,
        in_force_from=datetime.date(2024, 1, 2),
    )
    client = login(secretary_user)
    response = client.get(reverse("assessment:task_score", args=[task.pk]))
    assert response.status_code == 403
    assert "回避" in response.content.decode()
    assert _post_scores(client, task, full_marks(task), "submit").status_code == 403
    assert "回避" in client.get(reverse("assessment:task_detail", args=[task.pk])).content.decode()


def test_liaison_sees_own_sheet_only_after_release(login, liaison_user, world, task, secretary_user, zzb, admin_user):
    """R21: a liaison sees only their own released sheet."""
    finalised(task, committee=secretary_user, county=zzb, admin=admin_user, county_minus=10)
    client = login(liaison_user)
    url = reverse("assessment:task_detail", args=[task.pk])
    page = client.get(url).content.decode()
    assert "评分结果尚未发布" in page and "95.00" not in page
    other = ScoringTask.objects.get(round=task.round, unit=world.sibling_unit)
    assert client.get(reverse("assessment:task_detail", args=[other.pk])).status_code == 404
    round_page = client.get(reverse("assessment:round_detail", args=[task.round_id])).content.decode()
    assert "县第一中学" not in round_page
    assert '<th class="text-end">最终得分</th>' not in round_page
    # release is refused while other tasks are open; the message counts them
    admin = login(admin_user)
    response = admin.post(reverse("assessment:round_release", args=[task.round_id]), follow=True)
    assert "尚有 2 个单位未定分，不能发布结果。" in response.content.decode()
    ScoringTask.objects.filter(round=task.round).exclude(pk=task.pk).delete()
    admin.post(reverse("assessment:round_release", args=[task.round_id]))
    client = login(liaison_user)
    page = client.get(url).content.decode()
    assert "95.00" in page and "优秀" in page
    assert "最终得分 = （大党委评分 + 县委组织部评分）÷ 2" in page
    assert client.get(reverse("assessment:task_detail", args=[other.pk])).status_code == 404


def test_self_report_and_evidence_pages(login, liaison_user, task, secretary_user):
    client = login(liaison_user)
    response = client.post(reverse("assessment:task_self_report", args=[task.pk]), {"self_report": "全年参会4次。"})
    assert response.status_code == 302
    response = client.post(
        reverse("assessment:task_evidence_add", args=[task.pk]), {"title": "签到表", "file": pdf("签到表.pdf")}
    )
    assert response.status_code == 302
    item = TaskEvidence.objects.get()
    page = client.get(reverse("assessment:task_detail", args=[task.pk])).content.decode()
    assert "全年参会4次。" in page and "签到表" in page
    assert client.get(reverse("assessment:task_evidence_download", args=[item.pk])).status_code == 200
    assert login(secretary_user).post(reverse("assessment:task_evidence_delete", args=[item.pk])).status_code == 403
    # after the deadline: refused with the message, nothing lost
    Round.objects.filter(pk=task.round_id).update(
        self_report_deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    client = login(liaison_user)
    response = client.post(reverse("assessment:task_self_report", args=[task.pk]), {"self_report": "改写"})
    assert response.status_code == 200 and "自评截止日期" in response.content.decode()
    response = client.post(reverse("assessment:task_evidence_delete", args=[item.pk]), follow=True)
    assert "自评截止日期" in response.content.decode()
    assert TaskEvidence.objects.count() == 1
    task.refresh_from_db()
    assert task.self_report == "全年参会4次。"


def test_return_review_finalise_and_correct_through_the_pages(login, task, secretary_user, zzb, admin_user):
    submit_both(
        task,
        committee=secretary_user,
        county=zzb,
        committee_scores=full_marks(task, 10),
        county_scores=full_marks(task),
    )
    client = login(admin_user)
    url = reverse("assessment:task_detail", args=[task.pk])
    response = client.post(
        reverse("assessment:task_return", args=[task.pk]), {"body": "committee", "reason": ""}, follow=True
    )
    assert "请填写退回理由。" in response.content.decode()
    client.post(reverse("assessment:task_return", args=[task.pk]), {"body": "committee", "reason": "重新核对"})
    task.refresh_from_db()
    assert task.status == "open" and task.committee_total is None
    scoring.scoresheet_save(actor=secretary_user, task=task, scores=full_marks(task, 10), submit=True)
    client.post(reverse("assessment:task_review", args=[task.pk]))
    client.post(reverse("assessment:task_finalise", args=[task.pk]))
    page = client.get(url).content.decode()
    assert "已定分" in page and "95.00" in page and "19.00" in page and "折算分 = 得分 × 权重 0.2" in page
    response = client.post(reverse("assessment:task_correct", args=[task.pk]), {"new_score": "88", "reason": ""})
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    client.post(reverse("assessment:task_correct", args=[task.pk]), {"new_score": "88", "reason": "复核调整"})
    page = client.get(url).content.decode()
    assert "复核调整" in page and "88.00" in page and "良好" in page


def _round_with_units(admin_user, world, zzb, n):
    for i in range(n - 3):
        UnitFactory(community=world.mine.community if i % 2 else world.other.community, name=f"单位{i}")
    return make_round(admin_user, world, county_scorers=[zzb])


@pytest.mark.parametrize("role", ["admin_user", "township_user", "county_user", "liaison_user"])
def test_pages_run_a_fixed_number_of_queries(
    request, login, world, admin_user, zzb, django_assert_max_num_queries, role
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = request.getfixturevalue(role)
    counts = []
    for n in (3, 23):
        ScoringTask.objects.all().delete()
        Round.objects.all().delete()
        rnd = _round_with_units(admin_user, world, zzb, n)
        task = rnd.tasks.get(unit=world.unit)
        client = login(user)
        per_page = []
        for url in (
            reverse("assessment:round_list"),
            reverse("assessment:round_detail", args=[rnd.pk]),
            reverse("assessment:task_detail", args=[task.pk]),
        ):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            per_page.append(len(ctx.captured_queries))
        counts.append(per_page)
    print("queries (round list, round detail, task detail)", role, counts)
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(40):
        login(user).get(reverse("assessment:task_detail", args=[task.pk]))
