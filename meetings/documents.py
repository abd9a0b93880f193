"""The minutes (会议纪要) and the record (会议记录) as documents — PDF and Word — R12.4, issue #16
items 1–3 and 8.

One context per document feeds both the PDF template (templates/reports/minutes.html, record.html)
and the .docx builder, so the two copies say the same thing:

- the minutes follow GB/T 9704 §10.3 (纪要格式): masthead, 期号 with the issuing body and date,
  body, the agreed items once (numbered 一、二、), 出席 / 请假 / 列席 as lines of names, 记录人 and
  the 分送 line. A draft or circulated minute has no masthead and is marked 草稿 / 征求意见稿.
  The named roll-call of each vote belongs to the record, never to the minutes.
- the record exists only for a held meeting; 缺席 lists only the absent (请假 is its own line).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.models import Attendee, Meeting, Minutes

CN_NUMERALS = "一二三四五六七八九十"
HELD = (Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED)


def cn_ordinal(i: int) -> str:
    if 1 <= i <= 10:
        return CN_NUMERALS[i - 1]
    if i < 20:
        return "十" + CN_NUMERALS[i - 11]
    if i < 100:
        return CN_NUMERALS[i // 10 - 1] + "十" + (CN_NUMERALS[i % 10 - 1] if i % 10 else "")
    return str(i)


def cn_day(day: datetime.date | datetime.datetime | None) -> str:
    if day is None:
        return ""
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return f"{day.year}年{day.month}月{day.day}日"


def _names(attendees, *, with_unit: bool = False, note: bool = False) -> str:
    parts = []
    for a in attendees:
        text = a.name
        if with_unit and a.unit_id:
            text += f"（{a.unit.name}）"
        elif note and a.attendance_note:
            text += f"（{a.attendance_note}）"
        parts.append(text)
    return "、".join(parts)


@dataclass
class Line:
    """One lead-in line of names: 出席：张三、李四."""

    label: str
    text: str


@dataclass
class MinutesDocument:
    minutes: Minutes
    meeting: Meeting
    issuer: str
    issue: str
    issued_on: str
    title: str
    mark: str  # "" for issued minutes, else 草稿 / 征求意见稿
    body: list[str]
    decisions: list[str]
    lines: list[Line]
    recorder: str
    distribution: str
    amendments: list
    approval: str
    filename_stem: str = ""


def _decisions(page, body: str) -> list[str]:
    """The agreed items, numbered 一、二、 — unless the body already states every one of them
    (the prefilled body does): then once is in the body."""
    resolutions = page.resolutions
    if resolutions and all(r.text.strip() and r.text.strip() in body for r in resolutions):
        return []
    items = []
    for i, r in enumerate(resolutions, start=1):
        text = f"{cn_ordinal(i)}、{r.text.strip().rstrip('。')}。"
        extra = []
        if r.responsible_unit_id:
            extra.append(_("责任单位：%(u)s") % {"u": r.responsible_unit.name})
        if r.deadline:
            extra.append(_("完成时限：%(d)s") % {"d": cn_day(r.deadline)})
        # R12.3: how abstentions, non-votes and recusals counted
        if r.motion_id and getattr(r.motion, "counting_sentence", ""):
            extra.append(_("计票规则：%(s)s") % {"s": getattr(r.motion, "counting_sentence", "").rstrip("。")})
        if extra:
            text += "（" + "；".join(extra) + "）"
        items.append(text)
    return items


def minutes_document(*, minutes: Minutes, page) -> MinutesDocument:
    meeting = minutes.meeting
    committee = minutes.committee if minutes.committee_id else meeting.committee
    marks = {Minutes.Status.DRAFT: _("草稿"), Minutes.Status.CIRCULATED: _("征求意见稿")}
    lines = [Line(_("出席："), _names(page.present) or _("无"))]
    if getattr(meeting, "entered_afterwards", False):  # R8: a meeting held offline, entered afterwards
        lines.insert(0, Line(_("补录："), _("线下召开，会后补录；原因：%(r)s") % {"r": meeting.entered_reason}))
    if page.delegated:
        lines.append(
            Line(
                _("委托出席："),
                "、".join(
                    f"{a.name}（{_('受托人')}{a.attendance_note}）" if a.attendance_note else a.name
                    for a in page.delegated
                ),
            )
        )
    if page.leave:
        lines.append(Line(_("请假："), _names(page.leave)))
    if page.absent:
        lines.append(Line(_("缺席："), _names(page.absent)))
    if page.observers:
        lines.append(Line(_("列席："), _names(page.observers, with_unit=True)))
    body = [line.strip() for line in (minutes.body or "").splitlines() if line.strip()]
    township = getattr(getattr(committee, "community", None), "township", None)
    distribution = (
        _("%(t)s党委，本大党委各成员单位。") % {"t": township.name} if township else _("本大党委各成员单位。")
    )
    if minutes.approved_on:
        if minutes.approved_at_meeting_id:
            approval = _("本纪要于%(d)s经%(m)s审定。") % {
                "d": cn_day(minutes.approved_on),
                "m": minutes.approved_at_meeting.title,
            }
        else:
            approval = _("本纪要于%(d)s审定。") % {"d": cn_day(minutes.approved_on)}
    else:
        approval = ""
    held = meeting.held_on or meeting.starts_at
    return MinutesDocument(
        minutes=minutes,
        meeting=meeting,
        issuer=committee.name,
        issue=_("%(y)s年第%(n)s期") % {"y": minutes.year, "n": minutes.number},
        issued_on=cn_day(minutes.approved_on or held),
        title=_("%(t)s纪要") % {"t": meeting.title},
        mark=str(marks.get(minutes.status, "")),
        body=body,
        decisions=_decisions(page, minutes.body or ""),
        lines=lines,
        recorder=meeting.recorder.display_name if meeting.recorder_id else "",
        distribution=distribution,
        amendments=page.amendments,
        approval=approval,
        filename_stem=_("会议纪要-%(y)s-%(n)s") % {"y": minutes.year, "n": minutes.number},
    )


@dataclass
class RecordDocument:
    meeting: Meeting
    page: object
    facts: list[Line]
    lines: list[Line]
    agenda: list[str]
    speeches: list[str]
    decisions: list[str]
    filename_stem: str
    motions: list = field(default_factory=list)


def require_held(meeting: Meeting) -> None:
    """R12.4: a record is written for a meeting that took place; none before."""
    if meeting.status not in HELD:
        raise ValidationError(_("会议尚未召开（%(s)s），不能打印会议记录。") % {"s": meeting.get_status_display()})


def record_document(*, meeting: Meeting, page) -> RecordDocument:
    require_held(meeting)
    members = page.members
    facts = [
        Line(_("会议名称"), f"{meeting.title}（{meeting.get_kind_display()}）"),
        Line(_("时间"), f"{cn_day(meeting.starts_at)} {timezone.localtime(meeting.starts_at):%H:%M}"),
        Line(_("地点"), meeting.place),
        *(
            [Line(_("补录"), _("线下召开，会后补录；原因：%(r)s") % {"r": meeting.entered_reason})]
            if getattr(meeting, "entered_afterwards", False)
            else []
        ),
        Line(_("主持人"), meeting.chair_name or "—"),
        Line(_("记录人"), meeting.recorder.display_name if meeting.recorder_id else "—"),
        Line(
            _("人数"),
            _("应到%(m)s人，实到%(p)s人，请假%(l)s人，缺席%(a)s人")
            % {"m": len(members), "p": len(page.present), "l": len(page.leave), "a": len(page.absent)},
        ),
    ]
    lines = [Line(_("出席"), _names(page.present) or _("无"))]
    if page.delegated:
        lines.append(
            Line(
                _("委托出席"),
                "、".join(
                    f"{a.name}（{_('受托人')}{a.attendance_note}）" if a.attendance_note else a.name
                    for a in page.delegated
                ),
            )
        )
    lines.append(Line(_("请假"), _names(page.leave, note=True) or _("无")))
    lines.append(Line(_("缺席"), _names(page.absent) or _("无")))
    lines.append(Line(_("列席"), _names(page.observers, with_unit=True) or _("无")))
    record = page.record
    speeches = [s.strip() for s in (record.speeches if record else "").splitlines() if s.strip()]
    decisions = [s.strip() for s in (record.decisions if record else "").splitlines() if s.strip()]
    agenda = [
        f"{i}. {item.title}" + (f"（{_('汇报人')}：{item.presenter}）" if item.presenter else "")
        for i, item in enumerate(page.agenda, start=1)
    ]
    return RecordDocument(
        meeting=meeting,
        page=page,
        facts=facts,
        lines=lines,
        agenda=agenda,
        speeches=speeches,
        decisions=decisions,
        motions=page.motions,
        filename_stem=_("会议记录-%(d)s") % {"d": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d")},
    )


def vote_cell(row) -> str:
    if row.vote:
        return row.vote.get_choice_display()
    if row.recused:
        return _("回避")
    if not row.present:
        return _("未出席")
    return _("未表决")


def motion_summary(mv) -> str:
    m = mv.motion
    text = _("%(rule)s。应到会%(e)s人，实到%(p)s人；赞成%(f)s票，反对%(a)s票，弃权%(x)s票，%(r)s。") % {
        "rule": m.get_rule_display(),
        "e": m.entitled_count,
        "p": m.present_count,
        "f": m.votes_for,
        "a": m.votes_against,
        "x": m.votes_abstain,
        "r": _("通过") if m.passed else _("未通过"),
    }
    if m.concerns_unit_id:
        text += _("（涉及%(u)s，该单位委员回避）") % {"u": m.concerns_unit.name}
    return text + getattr(m, "counting_sentence", "")  # R12.3: how abstentions, non-votes and recusals count


def attendance_role(a: Attendee) -> str:
    return _("委员") if a.role == Attendee.Role.MEMBER else _("列席")


# --- PDF ------------------------------------------------------------------------------------------


def minutes_pdf(doc: MinutesDocument) -> bytes:
    from common.pdf import render_pdf

    return render_pdf("reports/minutes.html", {"doc": doc, "minutes": doc.minutes, "meeting": doc.meeting})


def record_pdf(doc: RecordDocument) -> bytes:
    from common.pdf import render_pdf

    return render_pdf("reports/record.html", {"doc": doc, "meeting": doc.meeting, "page": doc.page})


# --- Word -----------------------------------------------------------------------------------------


def minutes_docx(doc: MinutesDocument) -> bytes:
    from common.docx import MEETING_PAPER, TITLE_FONT, DocxDocument

    out = DocxDocument(layout=MEETING_PAPER, title=doc.title, mark=doc.mark)
    if not doc.mark:
        out.title(_("%(c)s会议纪要") % {"c": doc.issuer}, color=(0xC0, 0x00, 0x00))
        out.paragraph(doc.issue, indent=False, align="center")
        out.paragraph(f"{doc.issuer}\u3000\u3000\u3000\u3000{doc.issued_on}", indent=False, align="center")
        out.rule()
    out.paragraph(doc.title, indent=False, align="center", font=TITLE_FONT, size_pt=22)
    for line in doc.body:
        out.paragraph(line)
    if doc.decisions:
        out.heading(_("议定事项"))
        for line in doc.decisions:
            out.paragraph(line)
    out.paragraph()
    for line in doc.lines:
        out.paragraph(line.text, indent=True, align="left", label=line.label)
    if doc.recorder:
        out.paragraph(doc.recorder, indent=True, align="left", label=_("记录人："))
    if doc.amendments:
        out.heading(_("更正记录"))
        out.table(
            [_("序号"), _("更正内容"), _("原因"), _("更正人、时间")],
            [[str(i), a.text, a.reason, f"{a.made_by} {cn_day(a.made_at)}"] for i, a in enumerate(doc.amendments, 1)],
            [12, None, 36, 36],
        )
    if doc.approval:
        out.paragraph(doc.approval, indent=True)
    out.rule(color="000000", size=6)
    out.paragraph(doc.distribution, indent=False, align="left", label=_("分送："), size_pt=14)
    out.paragraph(f"{doc.issuer}\u3000\u3000{doc.issued_on}{_('印发')}", indent=False, align="right", size_pt=14)
    out.rule(color="000000", size=6)
    return out.to_bytes()


def record_docx(doc: RecordDocument) -> bytes:
    from common.docx import MEETING_PAPER, DocxDocument

    meeting = doc.meeting
    out = DocxDocument(layout=MEETING_PAPER, title=_("%(t)s会议记录") % {"t": meeting.title})
    out.title(f"{meeting.committee.name}\n{_('会议记录')}")
    for line in doc.facts + doc.lines:
        out.paragraph(line.text, indent=False, align="left", label=f"{line.label}：")
    out.heading(_("议程"))
    for line in doc.agenda or [_("无")]:
        out.paragraph(line, indent=False, align="left")
    out.heading(_("发言情况"))
    for line in doc.speeches or [_("本次会议未记录发言情况。")]:
        out.paragraph(line, indent=False)
    out.heading(_("表决及议定情况"))
    for line in doc.decisions:
        out.paragraph(line, indent=False)
    for mv in doc.motions:
        out.heading(_("记名表决：%(t)s") % {"t": mv.motion.title}, level=2)
        out.paragraph(motion_summary(mv), indent=False, size_pt=12)
        out.table(
            [_("序号"), _("姓名"), _("单位"), _("表决意见"), _("方式")],
            [
                [
                    str(i),
                    r.attendee.name,
                    r.attendee.unit.name if r.attendee.unit_id else "—",
                    vote_cell(r),
                    r.vote.get_method_display() if r.vote else "",
                ]
                for i, r in enumerate(mv.rows, 1)
            ],
            [12, 22, None, 22, 22],
        )
    out.heading(_("出席情况表"))
    out.table(
        [_("序号"), _("姓名"), _("身份"), _("单位"), _("出席情况"), _("说明")],
        [
            [
                str(i),
                a.name,
                attendance_role(a),
                a.unit.name if a.unit_id else "—",
                a.get_attendance_display(),
                a.attendance_note or "",
            ]
            for i, a in enumerate(doc.page.attendees, 1)
        ],
        [12, 22, 14, None, 20, 34],
    )
    out.paragraph()
    out.paragraph(_("主持人（签字）：\u3000\u3000\u3000\u3000\u3000\u3000记录人（签字）："), indent=False, align="left")
    return out.to_bytes()
