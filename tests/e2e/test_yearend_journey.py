"""Browser journey of R14 (issue #7 item 3): the secretary opens the year-end report page, writes
next year's plan, clicks 生成报告, sees it finish and downloads the PDF.

The tests run no Celery worker: the task is enqueued by ``transaction.on_commit`` and here runs
in a thread just after, so the page really polls its progress fragment until the build is done.
"""

import io
import threading

import pytest
from django.db import connection
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.models import User
from tests.factories import UserFactory
from tests.yearend.builders import build_year
from yearend import tasks

pytestmark = pytest.mark.django_db(transaction=True)

YEAR = 2025


@pytest.fixture
def worker(monkeypatch):
    """Stand in for the Celery worker: run the build a moment after it is enqueued."""
    threads = []

    def run(report_id):
        def work():
            try:
                tasks.build_report(report_id)
            finally:
                connection.close()

        thread = threading.Timer(1.0, work)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr(tasks.build_report, "delay", run)
    yield threads
    for thread in threads:
        thread.join(60)


def test_secretary_builds_and_downloads_the_year_end_report(page, login_as, world, admin_user, worker):
    build_year(world.mine, year=YEAR, actor=admin_user, units=3, meetings=4, ledger=9)
    secretary = UserFactory(username="shuji", role=User.Role.SECRETARY, community=world.mine.community)

    login_as(secretary)
    page.locator("#nav").get_by_role("button", name="会议").click()
    page.locator("#nav").get_by_role("link", name="年度工作报告").click()
    page.select_option("select[name=year]", str(YEAR))
    page.get_by_role("button", name="查看").click()
    page.get_by_role("link", name="陵园社区大党委").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"陵园社区大党委{YEAR}年度工作报告")
    expect(page.get_by_text("尚未生成本年度工作报告。")).to_be_visible()

    page.fill("textarea[name=next_year_plan]", "一是深化组织联建\n二是办好民生实事")
    page.get_by_role("button", name="保存计划").click()
    expect(page.get_by_text("已保存明年工作计划")).to_be_visible()

    page.get_by_role("button", name="生成报告").click()
    expect(page.get_by_text("已开始生成报告")).to_be_visible()
    expect(page.get_by_test_id("progress")).to_be_visible()  # queued: the fragment polls
    download_link = page.get_by_test_id("download")
    expect(download_link).to_be_visible(timeout=60_000)  # swapped in by the polling when ready
    expect(page.get_by_test_id("status-label")).to_have_text("已生成")
    expect(page.get_by_role("button", name="重新生成")).to_be_visible()

    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename == f"陵园社区大党委{YEAR}年度工作报告.pdf"
    with open(download.path(), "rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "")
    assert "陵园社区大党委" in text
    assert "全年召开大党委会议4次" in text
    assert "一是深化组织联建" in text and "二是办好民生实事" in text
