"""Large R21 ranking PDFs built in the background (``assessment.ranking_files``): small rankings
stay instant, large ones are queued once, built by the Celery task, downloaded in the ranking's
scope, and flagged when newer scoring data makes them stale."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import User
from assessment import ranking_files, reports, tasks
from assessment.models import RankingFile, ScoringTask
from tests.factories import UserFactory
from tests.races import together

from .report_factories import YEAR, bulk_finalised, correct, finalised_task, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    """Record the Celery enqueues instead of sending them to a broker (tests run no worker)."""
    calls = []
    monkeypatch.setattr(tasks.build_ranking_file, "delay", lambda file_id: calls.append(file_id))
    return calls


@pytest.fixture
def round_(world):
    return make_round(world.county)


@pytest.fixture
def task(round_, world):
    return finalised_task(round_, world.unit)


@pytest.fixture
def large(settings):
    """Every ranking with a finalised unit counts as large."""
    settings.RANKING_PDF_SYNC_MAX = 0


def _county_query(world):
    return {"year": YEAR, "scope": "county", "id": world.county.pk}


def _county_scope(world):
    return reports.Scope("county", world.county, world.county)


def _url(name, world, **query):
    from urllib.parse import urlencode

    return f"{reverse(name)}?{urlencode({**_county_query(world), **query})}"


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "")


def _request(world, round_, actor):
    return ranking_files.ranking_file_request(actor=actor, round=round_, scope=_county_scope(world))


# --- the threshold ------------------------------------------------------------------------------


def test_a_small_ranking_pdf_is_rendered_at_once(login, county_user, task, world, settings, enqueued):
    settings.RANKING_PDF_SYNC_MAX = 1
    client = login(county_user)
    response = client.get(reverse("assessment:ranking_pdf"), _county_query(world))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "县供电公司" in _text(response.content)
    html = client.get(reverse("assessment:ranking"), _county_query(world)).content.decode()
    assert f'href="{reverse("assessment:ranking_pdf")}?year={YEAR}&amp;scope=county' in html
    assert RankingFile.objects.count() == 0 and enqueued == []


def test_a_large_ranking_is_built_in_the_background_end_to_end(
    login, county_user, task, round_, world, large, enqueued, django_capture_on_commit_callbacks
):
    finalised_task(round_, world.other_unit)
    client = login(county_user)
    # the ranking page's PDF button posts the request (no file yet)
    html = client.get(reverse("assessment:ranking"), _county_query(world)).content.decode()
    assert 'form="ranking-file-request"' in html and reverse("assessment:ranking_file_request") in html
    # an old link to the PDF sends the reader to the file page, which builds nothing on a GET
    response = client.get(reverse("assessment:ranking_pdf"), _county_query(world))
    assert response.status_code == 302 and response.url == _url("assessment:ranking_file", world)
    page = client.get(response.url).content.decode()
    assert "生成PDF" in page and RankingFile.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("assessment:ranking_file_request"), _county_query(world), follow=True)
        second = client.post(reverse("assessment:ranking_file_request"), _county_query(world), follow=True)
    assert "已开始生成排名表" in first.content.decode() and "排名表正在生成" in first.content.decode()
    assert "排名表正在生成中，无需重复申请" in second.content.decode()
    ranking_file = RankingFile.objects.get()
    assert enqueued == [ranking_file.pk]
    assert ranking_file.requested_by == county_user and ranking_file.status == "queued"

    fragment = client.get(_url("assessment:ranking_file_status", world)).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and 'hx-swap="outerHTML"' in fragment
    assert "排名表正在生成" in fragment and "<script" not in fragment
    html = client.get(reverse("assessment:ranking"), _county_query(world)).content.decode()
    assert "PDF生成中" in html and _url("assessment:ranking_file", world).replace("&", "&amp;") in html

    assert tasks.build_ranking_file(ranking_file.pk) == "ready"
    ranking_file.refresh_from_db()
    assert ranking_file.status == "ready" and ranking_file.progress == 100 and ranking_file.rows == 2
    assert ranking_file.file.name.startswith(f"assessment/rankings/{round_.pk}/")
    fragment = client.get(_url("assessment:ranking_file_status", world)).content.decode()
    assert "hx-trigger" not in fragment and "重新生成" not in fragment
    assert _url("assessment:ranking_file_download", world).replace("&", "&amp;") in fragment

    response = client.get(_url("assessment:ranking_file_download", world))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = _text(b"".join(response.streaming_content))
    assert "示范县2025年度“双百分”考核排名" in text and "县供电公司" in text and "河西医院" in text
    # the ranking page's button now downloads the file directly
    html = client.get(reverse("assessment:ranking"), _county_query(world)).content.decode()
    assert _url("assessment:ranking_file_download", world).replace("&", "&amp;") in html


# --- the service: idempotent requests -------------------------------------------------------------


def test_two_requests_enqueue_one_build(world, round_, task, county_user, enqueued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _request(world, round_, county_user)
        second = _request(world, round_, county_user)
    assert first.pk == second.pk and enqueued == [first.pk]


def test_a_running_build_is_not_enqueued_again_a_dead_one_is(
    world, round_, task, county_user, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ranking_file = _request(world, round_, county_user)
    RankingFile.objects.filter(pk=ranking_file.pk).update(status="running", started_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        _request(world, round_, county_user)
    assert enqueued == [ranking_file.pk]
    RankingFile.objects.filter(pk=ranking_file.pk).update(
        started_at=timezone.now() - ranking_files.STALE_AFTER - timezone.timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        again = _request(world, round_, county_user)
    assert again.status == "queued" and enqueued == [ranking_file.pk, ranking_file.pk]


def test_a_fresh_file_is_not_rebuilt_a_stale_one_is(
    world, round_, task, county_user, admin_user, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ranking_file = _request(world, round_, county_user)
    ranking_files.ranking_file_build(file_id=ranking_file.pk)
    with django_capture_on_commit_callbacks(execute=True):
        same = _request(world, round_, county_user)
    assert same.status == "ready" and enqueued == [ranking_file.pk]
    correct(task, new_score="96.00", reason="复核发现漏计表彰一项", by=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        again = _request(world, round_, county_user)
    assert again.status == "queued" and enqueued == [ranking_file.pk, ranking_file.pk]
    old_name = RankingFile.objects.get().file.name
    with django_capture_on_commit_callbacks(execute=True):
        rebuilt = ranking_files.ranking_file_build(file_id=ranking_file.pk)
    assert rebuilt.status == "ready" and rebuilt.file.name != old_name
    assert not rebuilt.file.storage.exists(old_name)  # the old file is removed once the new one is saved
    assert "96.00" in _text(rebuilt.file.read())


def test_request_refused_to_a_user_who_cannot_read_the_scope(world, round_, task, liaison_user, township_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _request(world, round_, liaison_user)
    with pytest.raises(PermissionDenied):
        _request(world, round_, township_user)  # the county's ranking: township staff see their township
    assert RankingFile.objects.count() == 0


# --- the task's state machine ---------------------------------------------------------------------


def test_task_returns_quietly_when_not_queued(world, round_, task, county_user, enqueued):
    assert tasks.build_ranking_file(12345) == "skipped"  # gone
    ranking_file = _request(world, round_, county_user)
    for status in ("running", "ready", "failed"):
        RankingFile.objects.filter(pk=ranking_file.pk).update(status=status, file="x.pdf")
        assert tasks.build_ranking_file(ranking_file.pk) == "skipped"
        assert RankingFile.objects.get().status == status
    RankingFile.objects.filter(pk=ranking_file.pk).update(status="queued", file="")
    assert tasks.build_ranking_file(ranking_file.pk) == "ready"
    assert tasks.build_ranking_file(ranking_file.pk) == "skipped"  # a second delivery does nothing


def test_a_failed_build_is_marked_failed_with_the_error_shown(
    world, round_, task, county_user, login, large, enqueued, monkeypatch, django_capture_on_commit_callbacks
):
    ranking_file = _request(world, round_, county_user)

    def broken(data):
        raise RuntimeError("字体缺失")

    monkeypatch.setattr(reports, "ranking_pdf", broken)
    assert tasks.build_ranking_file(ranking_file.pk) == "failed"
    ranking_file.refresh_from_db()
    assert ranking_file.status == "failed" and ranking_file.error == "RuntimeError: 字体缺失"
    assert not ranking_file.file
    client = login(county_user)
    page = client.get(_url("assessment:ranking_file", world)).content.decode()
    assert "生成失败：RuntimeError: 字体缺失" in page and "重新生成" in page
    assert client.get(_url("assessment:ranking_file_download", world)).status_code == 404
    html = client.get(reverse("assessment:ranking"), _county_query(world)).content.decode()
    assert "PDF生成失败" in html
    enqueued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessment:ranking_file_request"), _county_query(world))
    assert enqueued == [ranking_file.pk] and RankingFile.objects.get().error == ""


# --- stale files ------------------------------------------------------------------------------------


@pytest.mark.parametrize("change", ["correct", "finalise", "release"])
def test_newer_data_makes_the_file_stale_but_it_still_downloads(
    change, world, round_, task, county_user, admin_user, login, large, enqueued
):
    pending = finalised_task(round_, world.other_unit, status=ScoringTask.Status.REVIEWED)
    ranking_file = _request(world, round_, county_user)
    ranking_files.ranking_file_build(file_id=ranking_file.pk)
    client = login(county_user)
    page = client.get(_url("assessment:ranking_file", world)).content.decode()
    assert 'data-testid="stale"' not in page and "重新生成" not in page

    if change == "correct":
        correct(task, new_score="96.00", reason="复核发现漏计表彰一项", by=admin_user)
    elif change == "finalise":
        pending.status, pending.final_score, pending.grade = ScoringTask.Status.FINALISED, task.final_score, task.grade
        pending.finalised_at = timezone.now()
        pending.save()
    else:
        round_.released_at = timezone.now()
        round_.save(update_fields=["released_at", "updated_at"])
    page = client.get(_url("assessment:ranking_file", world)).content.decode()
    assert 'data-testid="stale"' in page and "文件内容早于现有数据" in page and "重新生成" in page
    assert "下载旧文件" in page
    response = client.get(_url("assessment:ranking_file_download", world))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    html = client.get(reverse("assessment:ranking"), _county_query(world)).content.decode()
    assert "PDF（数据已更新）" in html


def test_a_change_in_another_scope_does_not_stale_the_file(world, round_, township_user, admin_user, enqueued):
    mine = finalised_task(round_, world.unit)
    other = finalised_task(round_, world.other_unit)
    scope = reports.Scope("township", world.township, world.county)
    ranking_file = ranking_files.ranking_file_request(actor=township_user, round=round_, scope=scope)
    ranking_files.ranking_file_build(file_id=ranking_file.pk)
    ranking_file.refresh_from_db()
    correct(other, new_score="96.00", reason="河西镇的更正", by=admin_user)
    stamp = reports.ranking_data_stamp(scope=scope, round_=round_)
    assert not ranking_files.ranking_file_is_stale(ranking_file=ranking_file, stamp=stamp)
    correct(mine, new_score="96.00", reason="城关镇的更正", by=admin_user)
    stamp = reports.ranking_data_stamp(scope=scope, round_=round_)
    assert ranking_files.ranking_file_is_stale(ranking_file=ranking_file, stamp=stamp)


# --- who may ask and download ----------------------------------------------------------------------


def test_request_statuses_by_role(
    client, world, round_, task, county_user, township_user, secretary_user, liaison_user, admin_user, enqueued
):
    """The POST changes no scoring data: every role that reads the ranking may ask (a county
    reviewer too); a liaison, or anyone outside the scope, gets 404; a GET is 405."""
    foreign_county = world.foreign.community.township.county
    make_round(foreign_county)

    def post(user, **query):
        client.force_login(user)
        return client.post(reverse("assessment:ranking_file_request"), {"year": YEAR, **query}).status_code

    county, township, committee = (
        {"scope": "county", "id": world.county.pk},
        {"scope": "township", "id": world.township.pk},
        {"scope": "committee", "id": world.mine.pk},
    )
    assert post(county_user, **county) == 302
    assert post(county_user, scope="county", id=foreign_county.pk) == 404
    assert post(township_user, **township) == 302
    assert post(township_user, **county) == 404
    assert post(township_user, scope="township", id=world.other_township.pk) == 404
    assert post(secretary_user, **committee) == 302
    assert post(secretary_user, scope="committee", id=world.sibling.pk) == 404
    assert post(liaison_user, **committee) == 404
    assert post(admin_user, scope="county", id=foreign_county.pk) == 302
    assert post(county_user, scope="county", id=world.county.pk, year=1999) == 404  # no such round
    assert post(county_user, scope="county", id=world.county.pk, year="x") == 404
    client.force_login(county_user)
    assert client.get(reverse("assessment:ranking_file_request"), county).status_code == 405
    assert RankingFile.objects.count() == 4


def test_download_is_scoped_like_the_ranking(
    client, world, round_, task, county_user, township_user, secretary_user, liaison_user, enqueued
):
    foreign_county = world.foreign.community.township.county
    foreign_round = make_round(foreign_county)
    finalised_task(foreign_round, world.foreign_unit)
    for scope, round_of in (
        (_county_scope(world), round_),
        (reports.Scope("county", foreign_county, foreign_county), foreign_round),
        (reports.Scope("committee", world.mine, world.county), round_),
    ):
        ranking_files.ranking_file_build(
            file_id=ranking_files.ranking_file_request(actor=None, round=round_of, scope=scope).pk
        )

    def get(user, **query):
        client.force_login(user)
        return client.get(reverse("assessment:ranking_file_download"), {"year": YEAR, **query}).status_code

    assert get(county_user, scope="county", id=world.county.pk) == 200
    assert get(county_user, scope="county", id=foreign_county.pk) == 404  # another county
    assert get(township_user, scope="county", id=world.county.pk) == 404
    assert get(liaison_user, scope="committee", id=world.mine.pk) == 404
    assert get(secretary_user, scope="committee", id=world.mine.pk) == 200
    assert get(county_user, scope="committee", id=world.mine.pk) == 200
    assert get(county_user, scope="township", id=world.township.pk) == 404  # never built
    for name in ("assessment:ranking_file", "assessment:ranking_file_status"):
        client.force_login(liaison_user)
        assert client.get(reverse(name), {"year": YEAR, "scope": "committee", "id": world.mine.pk}).status_code == 404
        client.force_login(county_user)
        query = {"year": YEAR, "scope": "county", "id": foreign_county.pk}
        assert client.get(reverse(name), query).status_code == 404


# --- one function for the page, the task and the command line -------------------------------------


def test_page_task_and_command_render_through_the_same_function(
    world, round_, task, county_user, login, enqueued, monkeypatch, tmp_path
):
    calls = []

    def fake(data):
        calls.append((data["scope"].kind, data["total"], data["title"]))
        return b"%PDF-1.4 fake"

    monkeypatch.setattr(reports, "ranking_pdf", fake)
    assert login(county_user).get(reverse("assessment:ranking_pdf"), _county_query(world)).content == b"%PDF-1.4 fake"
    ranking_files.ranking_file_build(file_id=_request(world, round_, county_user).pk)
    out = tmp_path / "全县.pdf"
    call_command("assessment_report", year=YEAR, output=str(out), stdout=io.StringIO())
    assert out.read_bytes() == b"%PDF-1.4 fake"
    title = "示范县 2025年度“双百分”考核排名"
    assert calls == [("county", 1, title)] * 3


# --- fixed query counts -------------------------------------------------------------------------------


def _count(client, url, query=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query or {})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["assessment:ranking", "assessment:ranking_file", "assessment:ranking_file_status"])
def test_file_pages_run_a_fixed_number_of_queries(name, login, county_user, round_, world, large, enqueued):
    """10 and 1,000 units, with a stored (ready) file: the same number of SQL queries."""
    communities = [world.mine.community, world.sibling.community, world.other.community]
    client = login(county_user)
    bulk_finalised(round_, communities, 10, pending=2)
    ranking_files.ranking_file_build(file_id=_request(world, round_, county_user).pk)
    small = _count(client, reverse(name), _county_query(world))
    bulk_finalised(round_, communities, 990, pending=20)
    large_count = _count(client, reverse(name), _county_query(world))
    assert small == large_count <= 14


# --- PostgreSQL: two reviewers at the same moment ----------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("before", [None, "failed"])
def test_simultaneous_requests_enqueue_one_build(before, world, county_user, enqueued):
    """From nothing, the unique constraint keeps it to one row; from a failed file, the row lock
    makes the later requests find it queued (without it, each would re-queue and enqueue)."""
    round_ = make_round(world.county)
    finalised_task(round_, world.unit)
    other = UserFactory(username="county2", role=User.Role.COUNTY, county=world.county)
    scope = _county_scope(world)
    if before:
        RankingFile.objects.create(round=round_, scope_kind="county", scope_id=world.county.pk, status=before)
    calls = [
        lambda user=user: ranking_files.ranking_file_request(actor=user, round=round_, scope=scope)
        for user in (county_user, other, county_user, other)
    ]
    assert together(*calls) == []
    ranking_file = RankingFile.objects.get()
    assert ranking_file.status == RankingFile.Status.QUEUED
    assert enqueued == [ranking_file.pk]
