"""The minutes (会议纪要) and the record (会议记录) as documents, PDF and Word — R12.4, issue #16
items 1–3, 8 and 9: GB/T 9704 §10.3 layout, names in 出席, no roll-call in the minutes, a draft
marked as a draft, the record only for a held meeting, "— n —" page numbers, Chinese file names."""

from urllib.parse import unquote

import pytest
from django.urls import reverse

from meetings import documents
from meetings.models import Meeting
from meetings.selectors.session import document_page
from meetings.services import minutes as svc
from tests.documents_kit import (
    MM,
    docx_open,
    docx_text,
    east_asia_font,
    needs_poppler,
    page_numbers,
    pdf_lines,
    pdf_text,
)

from .sessionkit import in_session, mark
from .test_minutes import voted_session

pytestmark = pytest.mark.django_db


def _minutes(world, user, *, approve=True, body=None):
    s = voted_session(world, user)
    svc.resolution_create(
        actor=user, meeting=s.meeting, text="实施停车整治方案", motion=s.passed, responsible_unit=world.unit
    )
    svc.record_save(actor=user, meeting=s.meeting, speeches="委员01：赞成整治。", decisions="")  # names the recorder
    s.meeting.refresh_from_db()
    minutes = svc.minutes_create(actor=user, meeting=s.meeting)
    if body is not None:
        svc.minutes_update(actor=user, minutes=minutes, body=body)
    if approve:
        svc.minutes_circulate(actor=user, minutes=minutes)
        svc.minutes_approve(actor=user, minutes=minutes)
    minutes.refresh_from_db()
    s.minutes = minutes
    return s


def _doc(s):
    return documents.minutes_document(minutes=s.minutes, page=document_page(meeting=s.meeting, minutes=s.minutes))


@needs_poppler
def test_r12_4_minutes_list_names_in_attendance_lines_without_roll_call(world, secretary_user):
    s = _minutes(world, secretary_user)
    text = pdf_text(documents.minutes_pdf(_doc(s))).replace(" ", "")
    present = "、".join(a.name for a in s.members[:-1])
    assert f"出席：{present}" in text
    assert f"请假：{s.members[-1].name}" in text
    assert "列席：列席1" in text
    assert f"记录人：{secretary_user.display_name}" in text
    assert "分送：" in text and f"{s.minutes.year}年第{s.minutes.number}期" in text
    # the named roll-call belongs to the record, not the minutes
    assert "记名表决" not in text and "表决意见" not in text and "出席情况表" not in text
    # the agreed item appears once (the prefilled body states it)
    assert text.count("实施停车整治方案") == 1
    assert "#" not in text


@needs_poppler
def test_r12_4_minutes_agreed_items_numbered_once_when_body_omits_them(world, secretary_user):
    s = _minutes(world, secretary_user, body="会议听取了停车整治情况的汇报。")
    text = pdf_text(documents.minutes_pdf(_doc(s))).replace(" ", "")
    assert "议定事项" in text
    assert "一、实施停车整治方案。" in text
    assert text.count("实施停车整治方案") == 1


@needs_poppler
@pytest.mark.parametrize(("circulate", "mark_text"), [(False, "草稿"), (True, "征求意见稿")])
def test_r12_4_a_draft_is_marked_and_has_no_masthead(world, secretary_user, circulate, mark_text):
    s = _minutes(world, secretary_user, approve=False)
    if circulate:
        svc.minutes_circulate(actor=secretary_user, minutes=s.minutes)
        s.minutes.refresh_from_db()
    doc = _doc(s)
    text = pdf_text(documents.minutes_pdf(doc)).replace(" ", "")
    assert mark_text in text
    assert f"{s.meeting.committee.name}会议纪要" not in text  # no masthead on a draft
    body = docx_text(docx_open(documents.minutes_docx(doc)))
    assert f"{s.meeting.committee.name}会议纪要" not in body


@needs_poppler
def test_r12_4_issued_minutes_carry_the_masthead_and_no_mark(world, secretary_user):
    s = _minutes(world, secretary_user)
    text = pdf_text(documents.minutes_pdf(_doc(s))).replace(" ", "")
    assert f"{s.meeting.committee.name}会议纪要" in text
    assert "草稿" not in text and "征求意见稿" not in text


@needs_poppler
def test_gbt9704_page_numbers_sit_7mm_below_the_block_odd_right_even_left(world, secretary_user):
    body = "\n".join("会议听取了各成员单位关于共驻共建工作的汇报并进行了认真讨论研究。" * 3 for _ in range(30))
    s = _minutes(world, secretary_user, body=body)
    pdf = documents.minutes_pdf(_doc(s))
    numbers = page_numbers(pdf)
    assert len(numbers) >= 2
    for line in numbers:
        n = int(line.text.strip("— "))
        assert n == line.page
        assert line.text.replace(" ", "") == f"—{n}—"
        block_bottom = line.page_height - 35 * MM
        dash = (line.y0 + line.y1) / 2  # the dash is drawn at mid-height of the text box
        assert 6.5 * MM <= dash - block_bottom <= 7.5 * MM  # the dash line 7 mm below the block
        if n % 2:  # odd: right, one character (14 pt) in from the block's right edge
            assert abs((line.page_width - 26 * MM - 14) - line.x1) < 2
        else:  # even: left, one character in from the block's left edge
            assert abs((28 * MM + 14) - line.x0) < 2


@needs_poppler
def test_gbt9704_a_full_body_line_holds_28_characters(world, secretary_user):
    s = _minutes(world, secretary_user, body="党" * 200)
    lines = [ln for ln in pdf_lines(documents.minutes_pdf(_doc(s))) if set(ln.text) == {"党"}]
    full = [ln for ln in lines[:-1] if abs(ln.x0 - 28 * MM) < 1]  # the paragraph's last line is short
    assert full, "no full body line found"
    assert all(len(ln.text) == 28 for ln in full)
    assert all(abs(ln.x1 - (210 - 26) * MM) < 2 for ln in full)  # justified to the 156 mm block


def _row(pdf: bytes, label: str) -> str:
    """The value beside ``label`` in the record's table of facts (the line at the same height)."""
    lines = pdf_lines(pdf)
    head = next(ln for ln in lines if ln.text == label and ln.page == 1)
    return next(ln.text for ln in lines if ln.page == 1 and abs(ln.y0 - head.y0) < 6 and ln.x0 > head.x1).replace(
        " ", ""
    )


@needs_poppler
def test_r12_4_record_lists_only_the_absent_as_absent(world, secretary_user):
    s = in_session(world.mine, members=4, guests=0)
    mark(s.members[:2])
    mark(s.members[2:3], "leave", note="外出培训")
    mark(s.members[3:], "absent")
    svc.record_save(actor=secretary_user, meeting=s.meeting, speeches="委员01：赞成。", decisions="")
    s.meeting.refresh_from_db()
    doc = documents.record_document(meeting=s.meeting, page=document_page(meeting=s.meeting))
    pdf = documents.record_pdf(doc)
    text = pdf_text(pdf).replace(" ", "")
    assert _row(pdf, "请假") == "委员03（外出培训）"
    assert _row(pdf, "缺席") == "委员04"
    assert "应到4人，实到2人，请假1人，缺席1人" in text
    assert "、、" not in text and "、\n" not in text and "）、" not in text
    assert "序号" in text and "#" not in text


def test_r12_4_record_cannot_be_printed_before_the_meeting_is_held(client, world, secretary_user):
    s = in_session(world.mine, members=2, guests=0, status=Meeting.Status.NOTIFIED)
    client.force_login(secretary_user)
    for name in ("meetings:record_pdf", "meetings:record_docx"):
        response = client.get(reverse(name, args=[s.meeting.pk]), follow=True)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert "会议尚未召开" in response.content.decode()
    with pytest.raises(Exception, match="会议尚未召开"):
        documents.record_document(meeting=s.meeting, page=document_page(meeting=s.meeting))


def test_downloads_have_chinese_file_names(client, world, secretary_user):
    s = _minutes(world, secretary_user)
    client.force_login(secretary_user)
    cases = [
        ("meetings:minutes_docx", s.minutes.pk, f"会议纪要-{s.minutes.year}-{s.minutes.number}.docx"),
        ("meetings:record_docx", s.meeting.pk, "会议记录-"),
    ]
    for name, pk, expected in cases:
        response = client.get(reverse(name, args=[pk]))
        assert response.status_code == 200
        assert expected in unquote(response["Content-Disposition"])
        assert response["Content-Type"].endswith("wordprocessingml.document")


def test_word_copy_of_the_minutes_is_a4_with_office_fonts_and_the_same_text(world, secretary_user):
    s = _minutes(world, secretary_user)
    document = docx_open(documents.minutes_docx(_doc(s)))
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    assert (round(section.right_margin.mm), round(section.bottom_margin.mm)) == (26, 35)
    assert east_asia_font(document.styles["Normal"]) == "仿宋_GB2312"
    assert document.styles["Normal"].font.size.pt == 16
    assert east_asia_font(document.styles["Title"]) == "方正小标宋简体"
    text = docx_text(document)
    assert f"{s.meeting.committee.name}会议纪要" in text
    assert "出席：" + "、".join(a.name for a in s.members[:-1]) in text
    assert "记名表决" not in text
    assert text.count("实施停车整治方案") == 1
    # page numbers "— PAGE —" on both the odd and the even footers
    footer = section.footer.paragraphs[0]._element.xml
    assert "PAGE" in footer and "— " in section.footer.paragraphs[0].text
    assert document.settings.odd_and_even_pages_header_footer
    fonts = next(p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml").blob
    assert b"FandolFang" in fonts  # the open face Word/WPS substitute


def test_word_copy_of_the_record_has_the_roll_call_tables(world, secretary_user):
    s = voted_session(world, secretary_user)
    svc.record_save(actor=secretary_user, meeting=s.meeting, speeches="委员01：赞成整治。", decisions="见表决。")
    s.meeting.refresh_from_db()
    doc = documents.record_document(meeting=s.meeting, page=document_page(meeting=s.meeting))
    document = docx_open(documents.record_docx(doc))
    text = docx_text(document)
    assert "记名表决：通过停车整治方案" in text
    assert "委员01：赞成整治。" in text
    headers = [c.text for c in document.tables[0].rows[0].cells]
    assert headers[0] == "序号"
    assert len(document.tables) == 3  # two roll-calls and the attendance table
