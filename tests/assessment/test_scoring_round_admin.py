"""R21 scoring rounds after creation: naming and removing scorers (audited), the scoring
deadline enforced (and extended on the round edit page), the combination rule frozen once a task
is finalised, and the release notices to each unit's liaisons (exactly once)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from assessment import scoring
from assessment.models import RoundScorer, ScoreSheet
from inbox.models import Message
from tests.factories import UnitFactory, UserFactory

from .scoring_factories import county_scorer, finalised, full_marks

pytestmark = pytest.mark.django_db


def _finalise_all(rnd, *, committee, county, admin):
    """Every task finalised; the administrator is named for the committee's body so that the units
    of every township are scored (``committee`` scores its own township's)."""
    scoring.round_scorer_add(actor=admin, round=rnd, user=admin, body="committee")
    for task in rnd.tasks.select_related("unit__community"):
        mine = committee.township_id == task.unit.community.township_id
        finalised(task, committee=committee if mine else admin, county=county, admin=admin)


# --- 1. scorers after creation ------------------------------------------------------------------


def test_admin_names_and_removes_scorers_on_the_page_with_an_audit_trail(login, admin_user, rnd, world, county_user):
    client = login(admin_user)
    url = reverse("assessment:round_scorers", args=[rnd.pk])
    response = client.post(url, {"user": county_user.pk, "body": "county"})
    assert response.status_code == 302
    scorer = RoundScorer.objects.get(round=rnd, user=county_user)
    assert scorer.body == "county"
    assert scorer.history.get().history_user == admin_user
    response = client.post(reverse("assessment:round_scorer_remove", args=[scorer.pk]))
    assert response.status_code == 302 and response["Location"] == url
    assert not RoundScorer.objects.filter(round=rnd, user=county_user).exists()
    removed = RoundScorer.history.filter(round_id=rnd.pk, user_id=county_user.pk).order_by("history_date")
    assert [(h.history_type, h.history_user_id) for h in removed] == [("+", admin_user.pk), ("-", admin_user.pk)]
    page = client.get(url).content.decode()
    assert "取消" in page and county_user.display_name in page  # the history lists the removal


def test_scorers_page_refuses_users_the_create_form_refuses(login, admin_user, rnd, world, township_user):
    """Same validation as the create form: county scorers are county reviewers of the round's county."""
    foreign = UserFactory(role=User.Role.COUNTY, county=world.foreign.community.township.county, username="waixian")
    client = login(admin_user)
    url = reverse("assessment:round_scorers", args=[rnd.pk])
    # a county reviewer of another county is not even offered
    response = client.post(url, {"user": foreign.pk, "body": "county"})
    assert response.status_code == 200 and not RoundScorer.objects.filter(user=foreign).exists()
    # township staff offered, but not as the county body: the service's message on the page
    response = client.post(url, {"user": township_user.pk, "body": "county"})
    assert response.status_code == 200
    assert "不能作为县委组织部评分人" in response.content.decode()
    assert not RoundScorer.objects.filter(user=township_user).exists()
    with pytest.raises(ValidationError, match="不能作为大党委评分人"):
        scoring.round_scorer_add(actor=admin_user, round=rnd, user=foreign, body="committee")


def test_only_the_administrator_manages_scorers(login, rnd, county_user, township_user, zzb):
    scorer = RoundScorer.objects.get(user=zzb)
    for user in (county_user, township_user):
        client = login(user)
        assert client.get(reverse("assessment:round_scorers", args=[rnd.pk])).status_code == 403
        assert client.post(reverse("assessment:round_scorer_remove", args=[scorer.pk])).status_code == 403
    assert RoundScorer.objects.filter(pk=scorer.pk).exists()
    with pytest.raises(scoring.Refused):
        scoring.round_scorer_remove(actor=county_user, scorer=scorer)


def test_removed_scorers_draft_stays_and_passes_to_the_next_scorer_of_the_body(world, admin_user, rnd, task, zzb):
    """Decision: removing a scorer keeps their draft sheet; the next scorer of the same body who
    saves takes it over (the sheet's scorer is reassigned); the removed one can no longer save."""
    scoring.scoresheet_save(actor=zzb, task=task, scores=full_marks(task, minus=5))
    scoring.round_scorer_remove(actor=admin_user, scorer=RoundScorer.objects.get(user=zzb))
    sheet = ScoreSheet.objects.get(task=task, body="county")
    assert sheet.scorer == zzb and sheet.status == "draft" and sheet.lines.count() > 0
    with pytest.raises(scoring.Refused):
        scoring.scoresheet_save(actor=zzb, task=task, scores=full_marks(task))
    successor = county_scorer(world, username="zzb2")
    scoring.round_scorer_add(actor=admin_user, round=rnd, user=successor, body="county")
    scoring.scoresheet_save(actor=successor, task=task, scores=full_marks(task), submit=True)
    sheet.refresh_from_db()
    assert (sheet.pk, sheet.scorer, sheet.status) == (sheet.pk, successor, "submitted")


def test_scorers_are_frozen_after_release(world, admin_user, rnd, secretary_user, zzb, township_user):
    _finalise_all(rnd, committee=township_user, county=zzb, admin=admin_user)
    scoring.round_release(actor=admin_user, round=rnd)
    with pytest.raises(ValidationError, match="已发布"):
        scoring.round_scorer_remove(actor=admin_user, scorer=RoundScorer.objects.get(user=zzb))
    with pytest.raises(ValidationError, match="已发布"):
        scoring.round_scorer_add(actor=admin_user, round=rnd, user=secretary_user, body="committee")


def test_scorers_page_runs_a_fixed_number_of_queries(login, admin_user, rnd, world):
    client = login(admin_user)
    url = reverse("assessment:round_scorers", args=[rnd.pk])
    client.get(url)
    counts = []
    for n in (2, 20):
        for i in range(n - rnd.scorers.count()):
            user = county_scorer(world, username=f"zzb_{n}_{i}")
            scoring.round_scorer_add(actor=admin_user, round=rnd, user=user, body="county")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


# --- 2. scoring deadline and the round edit page -------------------------------------------------


def test_r21_scoring_is_refused_after_the_scoring_deadline(login, admin_user, rnd, task, secretary_user):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    rnd.self_report_deadline = yesterday - datetime.timedelta(days=5)
    rnd.scoring_deadline = yesterday
    rnd.save()
    with pytest.raises(ValidationError, match="评分截止日期.*已过"):
        scoring.scoresheet_save(actor=secretary_user, task=task, scores=full_marks(task))
    with pytest.raises(ValidationError, match="评分截止日期.*已过"):
        scoring.scoresheet_save(actor=secretary_user, task=task, scores=full_marks(task), submit=True)
    assert not ScoreSheet.objects.exists()
    page = login(secretary_user).get(reverse("assessment:task_score", args=[task.pk])).content.decode()
    assert "评分截止日期" in page and "已过" in page and 'value="submit"' not in page
    # the administrator extends it on the round edit page; scoring works again
    client = login(admin_user)
    response = client.post(
        reverse("assessment:round_update", args=[rnd.pk]),
        {
            "title": rnd.title,
            "self_report_deadline": rnd.self_report_deadline.isoformat(),
            "scoring_deadline": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
            "combination": rnd.combination,
            "committee_weight": "0.50",
        },
    )
    assert response.status_code == 302
    rnd.refresh_from_db()
    assert rnd.scoring_deadline == timezone.localdate() + datetime.timedelta(days=7)
    assert rnd.history.first().history_user == admin_user
    scoring.scoresheet_save(actor=secretary_user, task=task, scores=full_marks(task), submit=True)
    assert ScoreSheet.objects.get(task=task).status == "submitted"


def test_scoring_on_the_deadline_day_is_allowed(rnd, task, secretary_user):
    rnd.scoring_deadline = timezone.localdate()
    rnd.save()
    scoring.scoresheet_save(actor=secretary_user, task=task, scores=full_marks(task))
    assert ScoreSheet.objects.filter(task=task).exists()


def test_round_update_validates_deadlines_and_freezes_the_rule_after_a_finalisation(
    login, admin_user, rnd, task, township_user, zzb
):
    with pytest.raises(ValidationError, match="不能早于自评截止日期"):
        scoring.round_update(
            actor=admin_user, round=rnd, scoring_deadline=rnd.self_report_deadline - datetime.timedelta(days=1)
        )
    scoring.round_update(actor=admin_user, round=rnd, combination="weighted", committee_weight=Decimal("0.60"))
    rnd.refresh_from_db()
    assert (rnd.combination, rnd.committee_weight) == ("weighted", Decimal("0.60"))
    finalised(task, committee=township_user, county=zzb, admin=admin_user)
    with pytest.raises(ValidationError, match="已有单位定分"):
        scoring.round_update(actor=admin_user, round=rnd, combination="min")
    rnd.refresh_from_db()
    assert rnd.combination == "weighted"
    # the deadline still moves; on the page the rule fields are disabled and a forged POST changes nothing
    client = login(admin_user)
    new_deadline = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    response = client.post(
        reverse("assessment:round_update", args=[rnd.pk]),
        {
            "title": "改名",
            "self_report_deadline": rnd.self_report_deadline.isoformat(),
            "scoring_deadline": new_deadline,
            "combination": "max",
            "committee_weight": "0.10",
        },
    )
    assert response.status_code == 302
    rnd.refresh_from_db()
    assert (rnd.title, rnd.scoring_deadline.isoformat(), rnd.combination) == ("改名", new_deadline, "weighted")
    with pytest.raises(scoring.Refused):
        scoring.round_update(actor=township_user, round=rnd, title="x")


# --- 3. release notices --------------------------------------------------------------------------


def test_r21_release_notifies_each_units_liaisons_exactly_once(
    world, admin_user, rnd, township_user, zzb, liaison_user, secretary_user
):
    second = UserFactory(username="liaison2", role=User.Role.LIAISON, unit=world.unit, email="l2@example.cn")
    other_liaison = UserFactory(username="liaison3", role=User.Role.LIAISON, unit=world.other_unit)
    UserFactory(username="gone", role=User.Role.LIAISON, unit=world.unit, is_active=False)
    _finalise_all(rnd, committee=township_user, county=zzb, admin=admin_user)
    assert not Message.objects.filter(kind="assessment_result").exists()  # nothing before release
    scoring.round_release(actor=admin_user, round=rnd)
    notices = Message.objects.filter(kind="assessment_result")
    assert sorted(notices.values_list("recipient__username", flat=True)) == sorted(
        [liaison_user.username, second.username, other_liaison.username]
    )
    task = rnd.tasks.get(unit=world.unit)
    mine = notices.get(recipient=liaison_user)
    assert mine.url == reverse("assessment:task_detail", args=[task.pk])
    assert f"最终得分 {task.final_score} 分" in mine.body and task.grade in mine.body
    assert notices.get(recipient=second).email == "l2@example.cn"  # the e-mail goes out with the notice
    # secretaries, township staff and scorers get nothing
    assert not notices.filter(recipient__in=[secretary_user, township_user, zzb]).exists()
    # exactly once: running the notification again adds nothing
    assert scoring.round_release_notify(round=rnd) == 0
    assert notices.count() == 3


def test_no_notices_for_an_unreleased_round(rnd, admin_user):
    assert scoring.round_release_notify(round=rnd) == 0
    assert not Message.objects.exists()


def test_release_notice_for_a_unit_with_no_liaison_is_skipped(world, admin_user, rnd, township_user, zzb):
    UnitFactory(community=world.mine.community, name="无联络员单位")
    scoring.round_tasks_generate(actor=admin_user, round=rnd)
    _finalise_all(rnd, committee=township_user, county=zzb, admin=admin_user)
    scoring.round_release(actor=admin_user, round=rnd)
    assert Message.objects.filter(kind="assessment_result").count() == 0
