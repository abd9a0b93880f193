"""R14 with R27/R28: the year-end report says how the year's proposals and residents' needs went,
names the commended proposals, and says so in one line when there were none."""

import datetime
import io

import pytest
from pypdf import PdfReader

from needs import services as needs
from proposals import services as proposals
from yearend import services

from .conftest import YEAR

pytestmark = pytest.mark.django_db

DAY = datetime.date(YEAR, 5, 10)


def _text(report) -> str:
    with report.file.open("rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


def _build(committee, actor, capture):
    with capture(execute=True):
        report = services.report_request(actor=actor, committee=committee, year=YEAR)
    services.report_build(report_id=report.pk)
    report.refresh_from_db()
    return report


def _closed_commended(actor, committee, unit):
    p = proposals.proposal_table(
        actor=actor,
        committee=committee,
        channel="joint",
        title="关于增设充电桩的建议",
        problem="问题",
        suggestion="建议",
        lead_proposer="王建国",
        co_signers=["李红", "赵强"],
        tabled_on=DAY,
    )
    p = proposals.proposal_register(actor=actor, proposal=p)
    p = proposals.proposal_assign(actor=actor, proposal=p, units=[unit], due_on=DAY, today=DAY)
    proposals.assignment_reply(actor=actor, assignment=p.assignments.get(), reply="已建成")
    p.refresh_from_db()
    p = proposals.proposal_feedback(actor=actor, proposal=p, satisfied=True)
    return proposals.proposal_commend(actor=actor, proposal=p)


def test_r14_r27_r28_the_report_tells_proposals_and_needs(
    year_data, secretary_user, enqueued, django_capture_on_commit_callbacks
):
    committee = year_data.committee
    _closed_commended(secretary_user, committee, year_data.units[0])
    need = needs.need_collect(
        actor=secretary_user,
        committee=committee,
        title="楼道灯损坏",
        category="safety",
        asked_by="张大爷",
        collected_on=DAY,
    )
    needs.request_accept(
        actor=secretary_user, request=needs.need_request(actor=secretary_user, need=need, unit=year_data.units[0])
    )
    need.refresh_from_db()
    need = needs.need_done(actor=secretary_user, need=need, done_on=DAY, note="已修好", today=DAY)
    needs.need_visit(actor=secretary_user, need=need, satisfied=True)
    needs.need_collect(
        actor=secretary_user,
        committee=committee,
        title="健身器材损坏",
        category="culture",
        asked_by="赵先生",
        collected_on=DAY,
    )
    text = _text(_build(committee, secretary_user, django_capture_on_commit_callbacks))
    assert "全年收到建议案1件，立案1件，办结1件，提案人表示满意1件。" in text
    assert f"评为优秀建议案的有：建〔{YEAR}〕1号“关于增设充电桩的建议”。" in text
    assert "全年收集居民需求2件，已办结1件，其中回访1件、居民满意1件；转为公益项目0件。" in text


def test_r14_a_year_without_proposals_or_needs_says_so_in_a_line(
    year_data, secretary_user, enqueued, django_capture_on_commit_callbacks
):
    text = _text(_build(year_data.committee, secretary_user, django_capture_on_commit_callbacks))
    assert "本年度未收到建议案。" in text and "本年度未收集居民需求。" in text
