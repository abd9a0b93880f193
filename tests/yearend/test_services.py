"""R14 year-end report: idempotent requests, the build task's state machine, the PDF's content
and fonts, the 1 December run and the data query count."""

import io
import os
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pypdf import PdfReader

from committees.models import Committee
from tests.factories import CommitteeFactory, CommunityFactory
from yearend import selectors, services, tasks
from yearend.models import YearEndReport

from .builders import build_year
from .conftest import YEAR

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


def _request(user, committee, capture, year=YEAR):
    with capture(execute=True):
        return services.report_request(actor=user, committee=committee, year=year)


def _built(year_data, user, enqueued, capture, plan=""):
    if plan:
        services.report_plan_update(actor=user, committee=year_data.committee, year=YEAR, text=plan)
    report = _request(user, year_data.committee, capture)
    services.report_build(report_id=report.pk)
    report.refresh_from_db()
    return report


# --- requests (idempotent) ---------------------------------------------------------------------


def test_two_requests_queue_one_build(world, secretary_user, enqueued, django_capture_on_commit_callbacks):
    first = _request(secretary_user, world.mine, django_capture_on_commit_callbacks)
    second = _request(secretary_user, world.mine, django_capture_on_commit_callbacks)
    assert first.pk == second.pk
    assert first.status == YearEndReport.Status.QUEUED
    assert enqueued == [first.pk]  # one Celery enqueue for two requests
    assert YearEndReport.objects.filter(committee=world.mine, year=YEAR).count() == 1


def test_request_while_running_does_not_enqueue(world, secretary_user, enqueued, django_capture_on_commit_callbacks):
    report = _request(secretary_user, world.mine, django_capture_on_commit_callbacks)
    YearEndReport.objects.filter(pk=report.pk).update(status="running", started_at=report.requested_at)
    again = _request(secretary_user, world.mine, django_capture_on_commit_callbacks)
    assert again.status == "running"
    assert enqueued == [report.pk]


def test_a_stale_running_build_is_restarted(world, secretary_user, enqueued, django_capture_on_commit_callbacks):
    report = _request(secretary_user, world.mine, django_capture_on_commit_callbacks)
    YearEndReport.objects.filter(pk=report.pk).update(
        status="running", started_at=report.requested_at - services.STALE_AFTER * 2
    )
    again = _request(secretary_user, world.mine, django_capture_on_commit_callbacks)
    assert again.status == "queued"
    assert enqueued == [report.pk, report.pk]


def test_request_refused_to_county_and_other_township(world, county_user, township_user, enqueued):
    with pytest.raises(PermissionDenied):
        services.report_request(actor=county_user, committee=world.mine, year=YEAR)
    with pytest.raises(PermissionDenied):
        services.report_request(actor=township_user, committee=world.other, year=YEAR)
    assert not YearEndReport.objects.exists()


@pytest.mark.parametrize("year", [1999, 2100])
def test_request_rejects_a_year_out_of_range(world, secretary_user, year):
    with pytest.raises(ValidationError) as error:
        services.report_request(actor=secretary_user, committee=world.mine, year=year)
    assert "年度应在2000年至" in error.value.messages[0]


def test_plan_is_saved_and_too_long_is_refused(world, secretary_user):
    report = services.report_plan_update(actor=secretary_user, committee=world.mine, year=YEAR, text=" 一是…\n")
    assert report.next_year_plan == "一是…"
    assert report.status == "new"
    with pytest.raises(ValidationError) as error:
        services.report_plan_update(
            actor=secretary_user, committee=world.mine, year=YEAR, text="字" * (services.PLAN_MAX_CHARS + 1)
        )
    assert "不能超过" in str(error.value)
    report.refresh_from_db()
    assert report.next_year_plan == "一是…"


# --- the build task's state machine -------------------------------------------------------------


def test_task_returns_quietly_when_not_queued(world, secretary_user):
    report = services.report_plan_update(actor=secretary_user, committee=world.mine, year=YEAR, text="计划")
    assert tasks.build_report(report.pk) == "skipped"  # status new: nothing asked for
    assert tasks.build_report(987654) == "skipped"  # gone
    report.refresh_from_db()
    assert report.status == "new" and report.builds == 0


def test_task_failure_marks_failed_with_the_error(
    world, secretary_user, enqueued, monkeypatch, django_capture_on_commit_callbacks
):
    report = _request(secretary_user, world.mine, django_capture_on_commit_callbacks)

    def boom(*args, **kwargs):
        raise RuntimeError("字体缺失")

    monkeypatch.setattr(services, "render_pdf", boom)
    assert tasks.build_report(report.pk) == "failed"
    report.refresh_from_db()
    assert report.status == "failed"
    assert "字体缺失" in report.error
    assert not report.file
    # asking again queues a new build, which then succeeds
    monkeypatch.undo()
    enqueued.clear()
    monkeypatch.setattr(tasks.build_report, "delay", lambda pk: enqueued.append(pk))
    again = _request(secretary_user, world.mine, django_capture_on_commit_callbacks)
    assert again.status == "queued" and again.error == ""
    assert tasks.build_report(report.pk) == "ready"


def test_second_delivery_of_the_same_build_does_nothing(
    year_data, secretary_user, enqueued, django_capture_on_commit_callbacks
):
    report = _built(year_data, secretary_user, enqueued, django_capture_on_commit_callbacks)
    assert report.status == "ready" and report.builds == 1 and report.progress == 100
    checksum = report.checksum
    assert tasks.build_report(report.pk) == "skipped"
    report.refresh_from_db()
    assert report.builds == 1 and report.checksum == checksum


def test_rebuild_takes_the_new_plan_and_replaces_the_file(
    year_data, secretary_user, enqueued, django_capture_on_commit_callbacks
):
    report = _built(year_data, secretary_user, enqueued, django_capture_on_commit_callbacks, plan="一是旧计划")
    old_name = report.file.name
    with report.file.open("rb") as f:
        assert "一是旧计划" in _text(f.read())
    services.report_plan_update(actor=secretary_user, committee=year_data.committee, year=YEAR, text="二是新计划")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_request(actor=secretary_user, committee=year_data.committee, year=YEAR)
        services.report_build(report_id=report.pk)
    report.refresh_from_db()
    assert report.builds == 2 and report.file.name != old_name
    assert not report.file.storage.exists(old_name)
    with report.file.open("rb") as f:
        text = _text(f.read())
    assert "二是新计划" in text and "一是旧计划" not in text
    assert report.history.filter(history_change_reason="生成完成").count() == 2


# --- the PDF -------------------------------------------------------------------------------------


def test_pdf_carries_the_years_facts(year_data, secretary_user, enqueued, django_capture_on_commit_callbacks):
    report = _built(year_data, secretary_user, enqueued, django_capture_on_commit_callbacks, plan="一是加强组织建设")
    with report.file.open("rb") as f:
        content = f.read()
    assert content.startswith(b"%PDF")
    text = _text(content)
    assert "陵园社区大党委" in text and f"{YEAR}年度工作报告" in text
    # R8 meetings per quarter
    assert "全年召开大党委会议4次" in text
    for quarter in ("第一季度", "第二季度", "第三季度", "第四季度"):
        assert quarter in text
    # R12/R13 each resolution and how it was carried out
    assert len(year_data.resolutions) == 8
    for resolution in year_data.resolutions:
        assert resolution.text.replace(" ", "") in text
    assert "已落实（3月20日完成）" in text
    assert "推进中（进度40%）" in text
    assert "逾期未完成（进度40%）" in text
    # R21 assessment results
    for task in year_data.scores:
        assert f"{task.unit.name}{task.final_score}{task.grade}" in text
    # R23 funding totals
    balance = Decimal("1200.00") + year_data.income_total - year_data.expense_total
    assert f"全年收入¥{year_data.income_total:,.2f}" in text
    assert f"支出¥{year_data.expense_total:,.2f}" in text
    assert f"年末结余¥{balance:,.2f}" in text
    assert "一是加强组织建设" in text
    assert "原委员工作调动" in text  # the open vacancy


def test_pdf_flags_a_quarter_without_a_meeting(world, admin_user):
    build_year(world.mine, year=YEAR, actor=admin_user, units=1, meetings=2, ledger=3, quarters=(1, 3))
    text = _text(services.report_render(committee=world.mine, year=YEAR))
    assert "4个考核期中有2个按要求召开了会议" in text
    assert "第二季度、第四季度未召开会议" in text


def test_pdf_embeds_the_cjk_fonts(year_data, tmp_path):
    if shutil.which("pdffonts") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but pdffonts (poppler-utils) is missing")
        pytest.skip("pdffonts not installed (apt-get install poppler-utils)")
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(services.report_render(committee=year_data.committee, year=YEAR))
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines()[2:]]
    embedded = {row[0].split("+", 1)[-1]: row[-5] for row in rows}
    for face in ("Noto-Serif-CJK-SC-Bold", "Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC"):
        assert embedded.get(face) == "yes", out
    # 楷体 from fonts-arphic-ukai when installed (the set-up installs it)
    if (
        shutil.which("fc-list")
        and "AR PL UKai CN" in subprocess.run(["fc-list"], capture_output=True, text=True).stdout
    ):
        assert embedded.get("AR-PL-UKai-CN") == "yes", out


def test_meeting_chart_is_an_inline_svg(year_data):
    from django.template.loader import render_to_string

    data = selectors.report_data(committee=year_data.committee, year=YEAR)
    html = render_to_string(services.TEMPLATE, {"data": data})
    assert html.count("<svg") == 1 and html.count("<rect") == 4
    assert "@bottom-right" in html and "counter(page)" in html and "table-header-group" in html


def test_r14_r21_results_of_an_unreleased_round_stay_out_of_the_report(year_data):
    """The report goes to the units and the party members: scores appear once released."""
    from assessment.models import Round

    assert selectors.report_data(committee=year_data.committee, year=YEAR).scores
    Round.objects.filter(year=YEAR).update(released_at=None)
    assert selectors.report_data(committee=year_data.committee, year=YEAR).scores == []


# --- data gathering: a fixed number of queries ----------------------------------------------------


def _count_queries(committee):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        selectors.report_data(committee=committee, year=YEAR)
    return len(ctx.captured_queries)


def test_report_data_runs_a_fixed_number_of_queries(world, admin_user, django_assert_max_num_queries):
    small = CommitteeFactory(community=CommunityFactory(township=world.township, name="小社区"))
    big = CommitteeFactory(community=CommunityFactory(township=world.township, name="大社区"))
    build_year(small, year=YEAR, actor=admin_user, units=2, meetings=2, ledger=3, prefix="小")
    build_year(big, year=YEAR, actor=admin_user, units=20, meetings=20, ledger=60, prefix="大")
    n_small = _count_queries(small)
    n_big = _count_queries(big)
    assert n_small == n_big
    with django_assert_max_num_queries(29):  # 26 + proposals, commended proposals, needs (issue #12)
        selectors.report_data(committee=big, year=YEAR)


# --- 1 December -----------------------------------------------------------------------------------


def test_beat_schedule_declares_the_december_draft_run():
    from dangwei.celery import app

    entry = app.conf.beat_schedule["yearend-request-drafts"]
    assert entry["task"] == "yearend.request_drafts"
    schedule = entry["schedule"]
    assert schedule.month_of_year == {12} and schedule.day_of_month == {1}
    assert schedule.hour == {2} and schedule.minute == {0}


def test_december_run_requests_every_active_committee_once(world, enqueued):
    ready = YearEndReport.objects.create(committee=world.sibling, year=YEAR, status="ready", file="x.pdf")
    Committee.objects.filter(pk=world.foreign.pk).update(is_active=False)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert tasks.request_drafts(YEAR) == 2  # mine and other; sibling is already built, foreign inactive
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert tasks.request_drafts(YEAR) == 0  # idempotent
    assert sorted(enqueued) == sorted(
        YearEndReport.objects.filter(committee__in=[world.mine, world.other]).values_list("pk", flat=True)
    )
    ready.refresh_from_db()
    assert ready.status == "ready"


def test_demo_seed_sets_the_pilot_plan_once(world):
    from django.utils import timezone

    from yearend import demo

    demo.seed()
    demo.seed()
    report = YearEndReport.objects.get(committee=world.mine, year=timezone.localdate().year)
    assert report.next_year_plan == demo.PLAN
    assert report.history.count() == 2  # created, plan written; the second run changes nothing
