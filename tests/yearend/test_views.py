"""R14 pages: the report page, its progress fragment, downloads, the list and "build all", by
role; fixed query counts; the command line."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from tests.factories import CommitteeFactory, CommunityFactory
from yearend import services
from yearend.models import YearEndReport

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def url(name, committee, year=YEAR):
    return reverse(f"yearend:{name}", args=[committee.pk, year])


def _ready(committee, content=b"%PDF-1.4 test", **extra):
    report = YearEndReport(committee=committee, year=YEAR, status="ready", progress=100, builds=1, **extra)
    report.file.save("r.pdf", ContentFile(content), save=False)
    report.save()
    return report


def test_secretary_asks_sees_progress_and_downloads(
    world, secretary_user, login, enqueued, django_capture_on_commit_callbacks
):
    client = login(secretary_user)
    page = client.get(url("report", world.mine))
    assert page.status_code == 200
    assert "生成报告" in page.content.decode() and "尚未生成本年度工作报告" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url("request", world.mine), follow=True)
        second = client.post(url("request", world.mine), follow=True)
    assert "已开始生成报告" in first.content.decode()
    assert "报告正在生成中，无需重复申请" in second.content.decode()
    report = YearEndReport.objects.get(committee=world.mine, year=YEAR)
    assert enqueued == [report.pk]

    fragment = client.get(url("status", world.mine)).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "排队中" in fragment
    assert "重新生成" not in fragment  # no button while it builds

    services.report_build(report_id=report.pk)
    fragment = client.get(url("status", world.mine)).content.decode()
    assert "hx-trigger" not in fragment  # polling stops
    assert url("download", world.mine) in fragment and "重新生成" in fragment

    response = client.get(url("download", world.mine))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages)
    assert "陵园社区大党委" in text.replace(" ", "")


def test_plan_form_saves_and_shows_errors(world, secretary_user, login):
    client = login(secretary_user)
    response = client.post(url("plan", world.mine), {"next_year_plan": "一是抓党建\n二是办实事"}, follow=True)
    assert "已保存明年工作计划" in response.content.decode()
    assert YearEndReport.objects.get(committee=world.mine, year=YEAR).next_year_plan == "一是抓党建\n二是办实事"
    too_long = "字" * (services.PLAN_MAX_CHARS + 1)
    response = client.post(url("plan", world.mine), {"next_year_plan": too_long})
    assert response.status_code == 200
    assert "5000" in response.content.decode()  # the form's max length message names the limit
    assert YearEndReport.objects.get(committee=world.mine, year=YEAR).next_year_plan == "一是抓党建\n二是办实事"


def test_failed_build_shows_its_error(world, secretary_user, login):
    YearEndReport.objects.create(committee=world.mine, year=YEAR, status="failed", error="RuntimeError: 字体缺失")
    page = login(secretary_user).get(url("report", world.mine)).content.decode()
    assert "生成失败：RuntimeError: 字体缺失" in page and "重新生成" in page


def test_county_reads_and_downloads_but_changes_nothing(world, county_user, login, enqueued):
    _ready(world.mine, next_year_plan="县里看得到的计划")
    client = login(county_user)
    page = client.get(url("report", world.mine)).content.decode()
    assert "县里看得到的计划" in page
    assert "重新生成" not in page and "保存计划" not in page
    assert client.get(url("download", world.mine)).status_code == 200
    assert client.post(url("request", world.mine)).status_code == 403
    assert client.post(url("plan", world.mine), {"next_year_plan": "x"}).status_code == 403
    assert client.post(reverse("yearend:request_all"), {"year": YEAR}).status_code == 403
    assert enqueued == []


def test_liaison_sees_nothing(world, liaison_user, login):
    _ready(world.mine)
    client = login(liaison_user)
    for name in ("report", "status", "download"):
        assert client.get(url(name, world.mine)).status_code == 404
    assert client.get(reverse("yearend:index")).status_code == 404
    assert client.post(url("request", world.mine)).status_code == 404


def test_township_of_another_township_gets_404(world, township_user, login):
    client = login(township_user)
    assert client.get(url("report", world.other)).status_code == 404
    assert client.post(url("request", world.other)).status_code == 404
    assert client.get(url("report", world.sibling)).status_code == 200


def test_download_before_ready_and_bad_year_are_404(world, secretary_user, login):
    client = login(secretary_user)
    YearEndReport.objects.create(committee=world.mine, year=YEAR, status="queued")
    assert client.get(url("download", world.mine)).status_code == 404
    assert client.get(url("report", world.mine, year=1999)).status_code == 404
    assert client.get(url("report", world.mine, year=2999)).status_code == 404


def test_township_builds_all_its_committees(world, township_user, login, enqueued, django_capture_on_commit_callbacks):
    client = login(township_user)
    page = client.get(reverse("yearend:index"), {"year": YEAR}).content.decode()
    assert "陵园社区" in page and "东关社区" in page and "河西社区" not in page
    assert "全部生成" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("yearend:request_all"), {"year": YEAR}, follow=True)
        client.post(reverse("yearend:request_all"), {"year": YEAR})
    assert "已申请生成2份报告" in response.content.decode()
    assert len(enqueued) == 2  # the second "build all" enqueues nothing
    assert set(YearEndReport.objects.values_list("committee", flat=True)) == {world.mine.pk, world.sibling.pk}


def test_nav_link_for_everyone_but_liaisons(world, secretary_user, county_user, liaison_user, login):
    link = f'href="{reverse("yearend:index")}"'
    assert link in login(secretary_user).get(url("report", world.mine)).content.decode()
    assert link in login(county_user).get(url("report", world.mine)).content.decode()
    assert link not in login(liaison_user).get(reverse("dashboards:liaison")).content.decode()


# --- fixed query counts -----------------------------------------------------------------------------


def _queries(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_index_runs_a_fixed_number_of_queries(world, township_user, login, django_assert_max_num_queries):
    client = login(township_user)
    path = reverse("yearend:index") + f"?year={YEAR}"
    _ready(world.mine)
    small = _queries(client, path)
    for i in range(18):
        c = CommitteeFactory(community=CommunityFactory(township=world.township, name=f"社区{i}"))
        _ready(c)
    assert _queries(client, path) == small
    with django_assert_max_num_queries(8):
        client.get(path)


def test_report_page_runs_a_fixed_number_of_queries(
    world, secretary_user, login, enqueued, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    client = login(secretary_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_request(actor=secretary_user, committee=world.mine, year=YEAR)
    few = _queries(client, url("report", world.mine))
    report = YearEndReport.objects.get(committee=world.mine)
    for i in range(10):
        services.report_plan_update(actor=secretary_user, committee=world.mine, year=YEAR, text=f"计划{i}")
    assert report.history.count() > 10
    assert _queries(client, url("report", world.mine)) == few
    with django_assert_max_num_queries(10):
        client.get(url("report", world.mine))
    assert _queries(client, url("status", world.mine)) <= 5


# --- the command line ---------------------------------------------------------------------------------


def test_command_builds_the_same_pdf(year_data, secretary_user, tmp_path):
    services.report_plan_update(actor=secretary_user, committee=year_data.committee, year=YEAR, text="命令行计划")
    out = tmp_path / "报告.pdf"
    stdout = io.StringIO()
    call_command(
        "yearend_report",
        "--committee",
        str(year_data.committee.pk),
        "--year",
        str(YEAR),
        "--output",
        str(out),
        stdout=stdout,
    )
    assert "已生成" in stdout.getvalue()
    text = "".join(p.extract_text() for p in PdfReader(str(out)).pages).replace(" ", "")
    assert "陵园社区大党委" in text and "命令行计划" in text and "全年召开大党委会议4次" in text
    assert not YearEndReport.objects.filter(status="ready").exists()  # the stored report is untouched


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--committee", "999999", "--year", str(YEAR)], "找不到编号为 999999 的大党委"),
        (["--year", "1999"], "年度应在2000年至"),
        (["--year", str(YEAR), "--output", "/nonexistent-dir/x.pdf"], "输出目录 /nonexistent-dir 不存在"),
    ],
)
def test_command_errors_are_chinese(world, tmp_path, args, message):
    full = ["--committee", str(world.mine.pk), "--output", str(tmp_path / "x.pdf"), *args]
    with pytest.raises(CommandError, match=message):
        call_command("yearend_report", *full)
