"""Issue #13: background builds never stuck, the broker down at request time, the watchdog.

Service-level tests of the claim/lease state machine of the year-end report (R14) and the R21
ranking file, with times passed in; the real-worker tests (a killed worker, a second delivery)
are in ``tests/test_background_worker.py``.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment import ranking_files, reports
from assessment import tasks as assessment_tasks
from assessment.models import RankingFile
from common import background
from tests.assessment.report_factories import YEAR, finalised_task, make_round
from tests.meetings.test_notices import broker_down
from yearend import services, tasks
from yearend.models import YearEndReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    """Record the Celery publishes of both builds instead of sending them to a broker."""
    calls = []
    monkeypatch.setattr(tasks.build_report, "delay", lambda pk: calls.append(("report", pk)))
    monkeypatch.setattr(assessment_tasks.build_ranking_file, "delay", lambda pk: calls.append(("ranking", pk)))
    return calls


def _report(world, secretary_user, capture):
    with capture(execute=True):
        return services.report_request(actor=secretary_user, committee=world.mine, year=YEAR)


def _running(report, *, lease_until, attempts=1):
    YearEndReport.objects.filter(pk=report.pk).update(
        status="running", started_at=lease_until - background.run_lease(), lease_until=lease_until, attempts=attempts
    )
    report.refresh_from_db()
    return report


# --- the claim and its lease ---------------------------------------------------------------------


def test_request_queues_with_a_lease_and_enqueues_once(
    world, secretary_user, enqueued, django_capture_on_commit_callbacks
):
    before = timezone.now()
    report = _report(world, secretary_user, django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert report.status == "queued" and report.attempts == 0
    assert report.lease_until >= before + background.queue_lease()
    assert enqueued == [("report", report.pk)]


def test_claim_takes_a_running_build_only_when_its_lease_expired(
    world, secretary_user, enqueued, django_capture_on_commit_callbacks
):
    report = _report(world, secretary_user, django_capture_on_commit_callbacks)
    now = timezone.now()
    _running(report, lease_until=now + datetime.timedelta(seconds=30))
    with pytest.raises(background.ClaimHeld) as held:
        services._claim(report.pk, now=now)
    assert 29 <= held.value.retry_in <= 30
    assert YearEndReport.objects.get().attempts == 1  # nothing changed
    taken = services._claim(report.pk, now=now + datetime.timedelta(seconds=31))
    assert taken.status == "running" and taken.attempts == 2 and taken.builds == 1
    assert taken.lease_until == now + datetime.timedelta(seconds=31) + background.run_lease()


def test_a_build_that_lost_its_claim_does_not_overwrite_the_new_one(
    world, secretary_user, enqueued, django_capture_on_commit_callbacks
):
    report = _report(world, secretary_user, django_capture_on_commit_callbacks)
    _running(report, lease_until=timezone.now() + datetime.timedelta(minutes=1), attempts=2)
    kept = services._finish_ready(report.pk, b"%PDF-1.4 late", attempt=1)  # the dead worker's attempt
    assert kept.status == "running" and not kept.file
    assert YearEndReport.objects.get().status == "running"


def test_the_task_called_with_a_live_claim_skips(world, secretary_user, enqueued, django_capture_on_commit_callbacks):
    report = _report(world, secretary_user, django_capture_on_commit_callbacks)
    _running(report, lease_until=timezone.now() + datetime.timedelta(minutes=1))
    assert tasks.build_report(report.pk) == "skipped"
    assert YearEndReport.objects.get().status == "running"


def test_attempts_used_up_end_failed_in_chinese(world, secretary_user, enqueued, django_capture_on_commit_callbacks):
    report = _report(world, secretary_user, django_capture_on_commit_callbacks)
    now = timezone.now()
    _running(report, lease_until=now - datetime.timedelta(seconds=1), attempts=background.max_attempts())
    assert services._claim(report.pk, now=now) is None
    report.refresh_from_db()
    assert report.status == "failed" and "重新生成" in report.error and report.lease_until is None


# --- the watchdog ------------------------------------------------------------------------------------


def test_watchdog_requeues_a_dead_build_and_leaves_live_ones(
    world, secretary_user, township_user, enqueued, django_capture_on_commit_callbacks
):
    now = timezone.now()
    dead = _running(_report(world, secretary_user, django_capture_on_commit_callbacks), lease_until=now)
    with django_capture_on_commit_callbacks(execute=True):
        live = services.report_request(actor=township_user, committee=world.sibling, year=YEAR)
    enqueued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reports_watchdog(now=now + datetime.timedelta(seconds=1)) == 1
    assert enqueued == [("report", dead.pk)]
    dead.refresh_from_db()
    assert (
        dead.status == "queued" and dead.lease_until == now + datetime.timedelta(seconds=1) + background.queue_lease()
    )
    assert dead.attempts == 1  # kept: the next claim counts the second attempt
    live.refresh_from_db()
    assert live.status == "queued"
    assert dead.history.first().history_change_reason == "后台任务中断，自动重新排队"


def test_watchdog_republishes_a_queued_row_nobody_took(
    world, secretary_user, enqueued, django_capture_on_commit_callbacks
):
    report = _report(world, secretary_user, django_capture_on_commit_callbacks)
    enqueued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reports_watchdog(now=report.lease_until - datetime.timedelta(seconds=1)) == 0
    assert enqueued == []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reports_watchdog(now=report.lease_until + datetime.timedelta(seconds=1)) == 1
    assert enqueued == [("report", report.pk)]


def test_watchdog_gives_up_after_the_last_attempt(world, secretary_user, enqueued, django_capture_on_commit_callbacks):
    now = timezone.now()
    report = _running(
        _report(world, secretary_user, django_capture_on_commit_callbacks),
        lease_until=now,
        attempts=background.max_attempts(),
    )
    enqueued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reports_watchdog(now=now + datetime.timedelta(seconds=1)) == 0
    report.refresh_from_db()
    assert report.status == "failed" and enqueued == []


# --- the page never polls for ever ------------------------------------------------------------------


def test_a_stalled_build_stops_polling_and_offers_rebuild(
    world, secretary_user, login, enqueued, django_capture_on_commit_callbacks
):
    report = _running(
        _report(world, secretary_user, django_capture_on_commit_callbacks),
        lease_until=timezone.now() - datetime.timedelta(seconds=1),
    )
    client = login(secretary_user)
    status_url = reverse("yearend:status", args=[world.mine.pk, YEAR])
    fragment = client.get(status_url).content.decode()
    assert "hx-trigger" not in fragment
    assert "生成未完成" in fragment and "后台生成中断" in fragment and "重新生成" in fragment
    enqueued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("yearend:request", args=[world.mine.pk, YEAR]), follow=True)
    assert response.status_code == 200 and "已开始生成报告" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "queued" and report.attempts == 0 and enqueued == [("report", report.pk)]
    assert 'hx-trigger="every 2s"' in client.get(status_url).content.decode()


# --- the broker down at request time --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_broker_down_keeps_the_request_and_says_so(world, secretary_user, login, monkeypatch):
    client = login(secretary_user)
    with broker_down():
        response = client.post(reverse("yearend:request", args=[world.mine.pk, YEAR]), follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "后台服务暂时不可用：您的申请已记录，服务恢复后将自动生成" in page
    report = YearEndReport.objects.get(committee=world.mine, year=YEAR)
    assert report.status == "queued" and report.lease_until <= timezone.now()
    assert "后台服务暂时不可用" in client.get(reverse("yearend:status", args=[world.mine.pk, YEAR])).content.decode()
    # the watchdog's first pass after the outage publishes it
    published = []
    monkeypatch.setattr(tasks.build_report, "delay", lambda pk: published.append(pk))
    assert services.reports_watchdog() == 1
    report.refresh_from_db()
    assert published == [report.pk] and report.stage == "排队等待生成" and report.lease_until > timezone.now()


def test_enqueue_on_commit_reports_a_dead_broker(django_capture_on_commit_callbacks):
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        handle = background.enqueue_on_commit(tasks.watchdog)
        assert handle.sent is None  # not before the commit
    assert handle.failed and handle.error


# --- the ranking file ----------------------------------------------------------------------------------


@pytest.fixture
def ranking(world, county_user, enqueued, django_capture_on_commit_callbacks):
    round_ = make_round(world.county)
    finalised_task(round_, world.unit)
    scope = reports.Scope("county", world.county, world.county)
    with django_capture_on_commit_callbacks(execute=True):
        return ranking_files.ranking_file_request(actor=county_user, round=round_, scope=scope)


def test_ranking_watchdog_requeues_a_dead_build_and_the_next_claim_takes_it(
    ranking, enqueued, django_capture_on_commit_callbacks
):
    now = timezone.now()
    RankingFile.objects.filter(pk=ranking.pk).update(status="running", lease_until=now, attempts=1, started_at=now)
    enqueued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert ranking_files.ranking_files_watchdog(now=now + datetime.timedelta(seconds=1)) == 1
    assert enqueued == [("ranking", ranking.pk)]
    assert assessment_tasks.build_ranking_file(ranking.pk) == "ready"
    ranking.refresh_from_db()
    assert ranking.status == "ready" and ranking.attempts == 2 and ranking.lease_until is None


def test_ranking_claim_held_by_a_live_worker(ranking):
    now = timezone.now()
    RankingFile.objects.filter(pk=ranking.pk).update(
        status="running", lease_until=now + datetime.timedelta(seconds=20), attempts=1, started_at=now
    )
    with pytest.raises(background.ClaimHeld):
        ranking_files._claim(ranking.pk, now=now)
    taken = ranking_files._claim(ranking.pk, now=now + datetime.timedelta(seconds=21))
    assert taken.attempts == 2 and taken.status == "running"


def test_a_stalled_ranking_file_stops_polling(ranking, world, county_user, login):
    RankingFile.objects.filter(pk=ranking.pk).update(
        status="running", lease_until=timezone.now() - datetime.timedelta(seconds=1), attempts=1
    )
    client = login(county_user)
    query = {"year": YEAR, "scope": "county", "id": world.county.pk}
    fragment = client.get(reverse("assessment:ranking_file_status"), query).content.decode()
    assert "hx-trigger" not in fragment and "生成未完成" in fragment and "重新生成" in fragment


@pytest.mark.django_db(transaction=True)
def test_ranking_broker_down_keeps_the_request_and_says_so(world, county_user, login, settings):
    settings.RANKING_PDF_SYNC_MAX = 0
    round_ = make_round(world.county)
    finalised_task(round_, world.unit)
    client = login(county_user)
    with broker_down():
        response = client.post(
            reverse("assessment:ranking_file_request"),
            {"year": YEAR, "scope": "county", "id": world.county.pk},
            follow=True,
        )
    assert response.status_code == 200
    assert "后台服务暂时不可用：您的申请已记录" in response.content.decode()
    ranking = RankingFile.objects.get()
    assert ranking.status == "queued" and ranking.lease_until <= timezone.now()
