"""The record and the minutes (issue #3 item 6, R12.4): numbering (期号), lifecycle, the lock and
recorded amendments, resolutions, and the PDFs (text extracted with pypdf, fonts embedded)."""

import datetime
import io
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from meetings import documents
from meetings.models import Meeting, Minutes, MinutesAmendment
from meetings.selectors.session import document_page
from meetings.services import minutes as svc
from meetings.services import votes
from tests.meetings.factories import MeetingFactory

from .sessionkit import in_session, mark

pytestmark = pytest.mark.django_db


def voted_session(world, actor, *, committee=None, members=5):
    """A held meeting with a passed and a failed motion, a leave and a guest."""
    s = in_session(committee or world.mine, members=members, guests=1, units=[world.unit, world.sibling_unit])
    mark(s.members[:-1] + s.guests)
    mark(s.members[-1:], "leave", note="外出培训")
    passed = votes.motion_create(actor=actor, meeting=s.meeting, title="通过停车整治方案", agenda_item=s.item)
    votes.motion_open(actor=actor, motion=passed)
    for a, c in zip(s.members[:-1], ["against"] + ["for"] * (members - 2), strict=True):
        votes.vote_cast(actor=actor, motion=passed, attendee=a, choice=c, method="hands")
    s.passed = votes.motion_close(actor=actor, motion=passed)
    failed = votes.motion_create(actor=actor, meeting=s.meeting, title="增设收费停车位")
    votes.motion_open(actor=actor, motion=failed)
    for a, c in zip(s.members[:-1], ["for", "for"] + ["against"] * (members - 3), strict=True):
        votes.vote_cast(actor=actor, motion=failed, attendee=a, choice=c, method="hands")
    s.failed = votes.motion_close(actor=actor, motion=failed)
    return s


# --- numbering (期号) ------------------------------------------------------------------------------


def test_minutes_are_numbered_per_committee_and_year_r12_4(world, secretary_user, township_user):
    first = svc.minutes_create(actor=secretary_user, meeting=in_session(world.mine, members=1).meeting)
    second = svc.minutes_create(actor=secretary_user, meeting=in_session(world.mine, members=1).meeting)
    sibling = svc.minutes_create(actor=township_user, meeting=in_session(world.sibling, members=1).meeting)
    year = timezone.localdate().year
    assert [(m.year, m.number) for m in (first, second, sibling)] == [(year, 1), (year, 2), (year, 1)]
    assert str(second) == f"{year}年第2期"
    last_year = MeetingFactory(
        committee=world.mine,
        status=Meeting.Status.HELD,
        starts_at=timezone.now().replace(year=year - 1),
    )
    assert svc.minutes_create(actor=secretary_user, meeting=last_year).number == 1


def test_next_number_is_max_plus_one_not_count(world, secretary_user):
    year = timezone.localdate().year
    old = in_session(world.mine, members=1).meeting
    Minutes.objects.create(meeting=old, committee=world.mine, year=year, number=7)
    minutes = svc.minutes_create(actor=secretary_user, meeting=in_session(world.mine, members=1).meeting)
    assert minutes.number == 8


def test_one_minutes_per_meeting_and_only_after_it_was_held(world, secretary_user):
    s = in_session(world.mine, members=1)
    svc.minutes_create(actor=secretary_user, meeting=s.meeting)
    with pytest.raises(ValidationError, match="已有会议纪要"):
        svc.minutes_create(actor=secretary_user, meeting=s.meeting)
    notified = in_session(world.mine, members=1, status=Meeting.Status.NOTIFIED)
    with pytest.raises(ValidationError, match="会议召开后"):
        svc.minutes_create(actor=secretary_user, meeting=notified.meeting)


# --- prefill ---------------------------------------------------------------------------------------------


def test_the_draft_starts_from_agenda_attendance_results_and_resolutions_r12_4(world, secretary_user):
    s = voted_session(world, secretary_user)
    svc.resolution_create(
        actor=secretary_user,
        meeting=s.meeting,
        text="实施停车整治方案",
        motion=s.passed,
        responsible_unit=world.unit,
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )
    body = svc.minutes_create(actor=secretary_user, meeting=s.meeting).body
    assert "应到委员 5 人，实到 4 人，请假 1 人，列席 1 人" in body
    assert "社区停车秩序整治方案" in body  # the agenda
    assert "一、实施停车整治方案" in body
    assert "赞成 3 票，反对 1 票，弃权 0 票；通过" in body
    assert "责任单位：县供电公司" in body
    speeches, decisions = svc.record_prefill(meeting=s.meeting)
    assert "社区停车秩序整治方案" in speeches
    assert "增设收费停车位" in decisions and "未通过" in decisions


# --- lifecycle, lock and amendments ------------------------------------------------------------------------


def test_lifecycle_draft_circulated_approved_at_next_meeting_locked_r12_4(world, secretary_user):
    s = in_session(world.mine, members=1, hours_ago=24 * 30)
    minutes = svc.minutes_create(actor=secretary_user, meeting=s.meeting)
    minutes = svc.minutes_update(actor=secretary_user, minutes=minutes, body="会议议定：整治停车。")
    with pytest.raises(ValidationError, match="先印发"):
        svc.minutes_approve(actor=secretary_user, minutes=minutes)
    minutes = svc.minutes_circulate(actor=secretary_user, minutes=minutes)
    minutes = svc.minutes_update(actor=secretary_user, minutes=minutes, body="会议议定：整治停车秩序。")
    nxt = in_session(world.mine, members=1, hours_ago=2).meeting
    earlier = in_session(world.mine, members=1, hours_ago=24 * 40).meeting
    with pytest.raises(ValidationError) as exc:
        svc.minutes_approve(actor=secretary_user, minutes=minutes, approved_at_meeting=earlier)
    assert "approved_at_meeting" in exc.value.error_dict
    minutes = svc.minutes_approve(actor=secretary_user, minutes=minutes, approved_at_meeting=nxt)
    assert minutes.status == Minutes.Status.APPROVED
    assert minutes.approved_on == timezone.localdate(nxt.starts_at)
    s.meeting.refresh_from_db()
    assert s.meeting.status == Meeting.Status.MINUTES_APPROVED
    with pytest.raises(ValidationError, match="登记更正"):
        svc.minutes_update(actor=secretary_user, minutes=minutes, body="偷偷改")
    minutes = svc.minutes_lock(actor=secretary_user, minutes=minutes)
    assert minutes.status == Minutes.Status.LOCKED
    minutes.refresh_from_db()
    assert minutes.body == "会议议定：整治停车秩序。"
    statuses = [h.status for h in minutes.history.order_by("history_date", "history_id")]
    assert statuses == ["draft", "draft", "circulated", "circulated", "approved", "locked"]


def test_locked_minutes_change_only_through_a_recorded_amendment(world, secretary_user):
    s = in_session(world.mine, members=1)
    minutes = svc.minutes_create(actor=secretary_user, meeting=s.meeting)
    with pytest.raises(ValidationError, match="尚未审定"):
        svc.minutes_amend(actor=secretary_user, minutes=minutes, text="x", reason="y")
    svc.minutes_circulate(actor=secretary_user, minutes=minutes)
    svc.minutes_approve(actor=secretary_user, minutes=minutes)
    minutes = svc.minutes_lock(actor=secretary_user, minutes=minutes)
    body = minutes.body
    with pytest.raises(ValidationError) as exc:
        svc.minutes_amend(actor=secretary_user, minutes=minutes, text=" ", reason=" ")
    assert set(exc.value.error_dict) == {"text", "reason"}
    amendment = svc.minutes_amend(
        actor=secretary_user, minutes=minutes, text="第二项责任单位更正为县第一中学。", reason="笔误"
    )
    assert (amendment.made_by, amendment.reason) == (secretary_user, "笔误")
    minutes.refresh_from_db()
    assert minutes.body == body and minutes.status == Minutes.Status.LOCKED
    assert MinutesAmendment.objects.filter(minutes=minutes).count() == 1
    for action in (svc.minutes_circulate, svc.minutes_lock, svc.minutes_refill):
        with pytest.raises(ValidationError):
            action(actor=secretary_user, minutes=minutes)


def test_approval_date_cannot_be_in_the_future_or_before_the_meeting(world, secretary_user):
    s = in_session(world.mine, members=1, hours_ago=48)
    minutes = svc.minutes_circulate(
        actor=secretary_user, minutes=svc.minutes_create(actor=secretary_user, meeting=s.meeting)
    )
    for day in (timezone.localdate() + datetime.timedelta(days=1), timezone.localdate() - datetime.timedelta(days=9)):
        with pytest.raises(ValidationError) as exc:
            svc.minutes_approve(actor=secretary_user, minutes=minutes, approved_on=day)
        assert "approved_on" in exc.value.error_dict
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.CIRCULATED


# --- resolutions -------------------------------------------------------------------------------------------


def test_resolutions_only_from_passed_motions_of_the_meeting_r12_4(world, secretary_user):
    s = voted_session(world, secretary_user)
    with pytest.raises(ValidationError, match="表决通过"):
        svc.resolution_create(actor=secretary_user, meeting=s.meeting, text="收费", motion=s.failed)
    other = voted_session(world, secretary_user)
    with pytest.raises(ValidationError, match="不属于本次会议"):
        svc.resolution_create(actor=secretary_user, meeting=s.meeting, text="x", motion=other.passed)
    with pytest.raises(ValidationError) as exc:
        svc.resolution_create(
            actor=secretary_user, meeting=s.meeting, text="x", motion=s.passed, responsible_unit=world.other_unit
        )
    assert "responsible_unit" in exc.value.error_dict
    r = svc.resolution_create(actor=secretary_user, meeting=s.meeting, text="实施方案", motion=s.passed)
    with pytest.raises(ValidationError, match="已形成决议"):
        svc.resolution_create(actor=secretary_user, meeting=s.meeting, text="again", motion=s.passed)
    r = svc.resolution_update(actor=secretary_user, resolution=r, text="实施停车整治方案", responsible_unit=world.unit)
    assert (r.text, r.responsible_unit) == ("实施停车整治方案", world.unit)
    assert r.history.first().history_user == secretary_user


def test_resolutions_freeze_with_approved_minutes(world, secretary_user):
    s = voted_session(world, secretary_user)
    r = svc.resolution_create(actor=secretary_user, meeting=s.meeting, text="实施方案", motion=s.passed)
    minutes = svc.minutes_create(actor=secretary_user, meeting=s.meeting)
    svc.minutes_circulate(actor=secretary_user, minutes=minutes)
    svc.minutes_approve(actor=secretary_user, minutes=minutes)
    with pytest.raises(ValidationError, match="纪要已审定"):
        svc.resolution_update(actor=secretary_user, resolution=r, text="改")
    with pytest.raises(ValidationError):
        svc.resolution_create(actor=secretary_user, meeting=s.meeting, text="新增")


def test_record_is_saved_with_its_recorder_and_freezes_with_approved_minutes(world, secretary_user):
    s = in_session(world.mine, members=1)
    record = svc.record_save(actor=secretary_user, meeting=s.meeting, speeches="张委员：同意。", decisions="通过。")
    record = svc.record_save(actor=secretary_user, meeting=s.meeting, speeches="张委员：同意方案。", decisions="通过。")
    assert record.speeches == "张委员：同意方案。"
    s.meeting.refresh_from_db()
    assert s.meeting.recorder == secretary_user
    minutes = svc.minutes_create(actor=secretary_user, meeting=s.meeting)
    svc.minutes_circulate(actor=secretary_user, minutes=minutes)
    svc.minutes_approve(actor=secretary_user, minutes=minutes)
    with pytest.raises(ValidationError, match="不能再修改"):
        svc.record_save(actor=secretary_user, meeting=s.meeting, speeches="改", decisions="")


# --- PDFs ----------------------------------------------------------------------------------------------------


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _fonts(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def test_minutes_pdf_has_number_names_counts_and_no_roll_call_r12_4(world, secretary_user, tmp_path):
    """The minutes name who attended; the named roll-call of each vote is the record's (issue #16)."""
    s = voted_session(world, secretary_user, members=40)
    svc.resolution_create(
        actor=secretary_user, meeting=s.meeting, text="实施停车整治方案", motion=s.passed, responsible_unit=world.unit
    )
    minutes = svc.minutes_create(actor=secretary_user, meeting=s.meeting)
    svc.minutes_circulate(actor=secretary_user, minutes=minutes)
    svc.minutes_approve(actor=secretary_user, minutes=minutes)
    svc.minutes_amend(actor=secretary_user, minutes=minutes, text="补充：由县供电公司牵头。", reason="遗漏")
    minutes.refresh_from_db()
    page = document_page(meeting=s.meeting, minutes=minutes)
    pdf = documents.minutes_pdf(documents.minutes_document(minutes=minutes, page=page))
    text = _text(pdf).replace(" ", "")
    assert f"{minutes.year}年第{minutes.number}期" in text
    assert "会议纪要" in text.replace("\n", "")
    assert "委员01" in text and "委员39" in text and "列席1" in text
    assert "请假：委员40" in text.replace("\n", "")
    assert "记名表决" not in text and "表决意见" not in text
    assert "—1—" in text
    assert "补充：由县供电公司牵头" in text
    if shutil.which("pdffonts"):
        fonts = _fonts(pdf, tmp_path)
        assert "Noto-Serif-CJK-SC" in fonts and "Noto-Sans-CJK-SC" in fonts
        for line in fonts.splitlines()[2:]:
            assert " yes " in line  # every font embedded


def test_record_pdf_has_header_counts_absentees_and_vote_counts_r12_4(world, secretary_user):
    s = voted_session(world, secretary_user)
    svc.record_save(actor=secretary_user, meeting=s.meeting, speeches="委员01：赞成整治。", decisions="见表决。")
    s.meeting.refresh_from_db()
    page = document_page(meeting=s.meeting)
    pdf = documents.record_pdf(documents.record_document(meeting=s.meeting, page=page))
    text = _text(pdf).replace(" ", "")
    assert "会议记录" in text and s.meeting.title in text
    assert "应到5人，实到4人，请假1人，缺席0人" in text
    assert "委员05（外出培训）" in text
    assert "委员01：赞成整治。" in text
    assert "赞成3票，反对1票，弃权0票" in text and "未通过" in text
    assert str(secretary_user) in text  # the recorder
