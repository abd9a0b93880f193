"""The record (会议记录), the minutes (会议纪要) and resolutions (决议) — issue #3 item 6, R12.4 —
with their PDFs and the archive by year and quarter."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.audit import history_entries
from common.docx import docx_response
from common.params import id_param, year_param
from common.permissions import can_change, scoped
from common.views import add_service_errors, pdf_response
from meetings import documents
from meetings.forms.minutes import AmendForm, ApproveForm, CorrectionForm, MinutesForm, RecordForm, ResolutionForm
from meetings.models import Meeting, Minutes
from meetings.selectors import session as selectors
from meetings.services import minutes as service


def _meeting_in_scope(request, pk: int) -> Meeting:
    """The record and minutes are the committee's papers: in scope only (404 otherwise)."""
    return get_object_or_404(scoped(request.user, Meeting.objects.select_related("committee", "recorder")), pk=pk)


def _meeting_for_change(request, pk: int) -> Meeting:
    meeting = _meeting_in_scope(request, pk)
    if not can_change(request.user, meeting):
        raise PermissionDenied
    return meeting


def _minutes_for_change(request, pk: int) -> Minutes:
    minutes = selectors.minutes_get(user=request.user, pk=pk)
    if not can_change(request.user, minutes):
        raise PermissionDenied
    return minutes


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- the record -------------------------------------------------------------------------------


@login_required
def record_edit(request, pk: int):
    meeting = _meeting_for_change(request, pk)
    record = selectors.record_of(meeting)
    if record is not None:
        initial = {"speeches": record.speeches, "decisions": record.decisions}
    else:
        speeches, decisions = service.record_prefill(meeting=meeting)
        initial = {"speeches": speeches, "decisions": decisions}
    form = RecordForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            service.record_save(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("会议记录已保存。"))
            return redirect(meeting)
    page = selectors.document_page(meeting=meeting)
    return render(request, "meetings/record_form.html", {"form": form, "meeting": meeting, "page": page})


@login_required
def record_pdf(request, pk: int):
    return _record_download(request, pk, docx=False)


@login_required
def record_docx(request, pk: int):
    return _record_download(request, pk, docx=True)


def _record_download(request, pk: int, *, docx: bool):
    """The record as PDF or Word (issue #16): only for a held meeting (a refusal on the page)."""
    meeting = _meeting_in_scope(request, pk)
    try:
        documents.require_held(meeting)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect(meeting)
    doc = documents.record_document(meeting=meeting, page=selectors.document_page(meeting=meeting))
    if docx:
        return docx_response(documents.record_docx(doc), f"{doc.filename_stem}.docx")
    return pdf_response(documents.record_pdf(doc), f"{doc.filename_stem}.pdf")


# --- the minutes ----------------------------------------------------------------------------------


@require_POST
@login_required
def minutes_create(request, pk: int):
    meeting = _meeting_for_change(request, pk)
    try:
        minutes = service.minutes_create(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect(meeting)
    messages.success(request, _("已生成纪要草稿（%(no)s），请修改完善。") % {"no": minutes})
    return redirect("meetings:minutes_edit", pk=minutes.pk)


@login_required
def minutes_detail(request, pk: int):
    minutes = selectors.minutes_get(user=request.user, pk=pk)
    page = selectors.document_page(meeting=minutes.meeting, minutes=minutes)
    change = can_change(request.user, minutes)
    context = {
        "minutes": minutes,
        "meeting": minutes.meeting,
        "page": page,
        "can_change": change,
        "corrections": list(minutes.corrections.select_related("author")),
        "correction_form": CorrectionForm() if minutes.status == Minutes.Status.CIRCULATED else None,
    }
    if change:
        context["history"] = history_entries(minutes)
    return render(request, "meetings/minutes_detail.html", context)


@require_POST
@login_required
def minutes_correction_add(request, pk: int):
    """Anyone who may read circulated minutes (staff in scope, the meeting's attendees) may
    propose a correction; a county reviewer reads only."""
    minutes = selectors.minutes_get(user=request.user, pk=pk)
    if getattr(request.user, "role", None) == "county" and not request.user.is_superuser:
        raise PermissionDenied
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            service.minutes_correction_add(actor=request.user, minutes=minutes, text=form.cleaned_data["text"])
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("修改意见已提交。"))
    else:
        messages.error(request, _("请填写修改意见。"))
    return redirect("meetings:minutes_detail", pk=minutes.pk)


@login_required
def minutes_edit(request, pk: int):
    minutes = _minutes_for_change(request, pk)
    form = MinutesForm(request.POST or None, initial={"body": minutes.body})
    if request.method == "POST" and form.is_valid():
        try:
            service.minutes_update(actor=request.user, minutes=minutes, body=form.cleaned_data["body"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("纪要已保存。"))
            return redirect("meetings:minutes_detail", pk=minutes.pk)
    page = selectors.document_page(meeting=minutes.meeting, minutes=minutes)
    context = {"form": form, "minutes": minutes, "meeting": minutes.meeting, "page": page}
    return render(request, "meetings/minutes_form.html", context)


def _transition(request, pk: int, action, success: str):
    minutes = _minutes_for_change(request, pk)
    try:
        action(actor=request.user, minutes=minutes)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, success)
    return redirect("meetings:minutes_detail", pk=pk)


@require_POST
@login_required
def minutes_refill(request, pk: int):
    return _transition(request, pk, service.minutes_refill, _("已按会议情况重新生成纪要正文。"))


@require_POST
@login_required
def minutes_circulate(request, pk: int):
    return _transition(request, pk, service.minutes_circulate, _("纪要已印发征求意见。"))


@require_POST
@login_required
def minutes_lock(request, pk: int):
    return _transition(request, pk, service.minutes_lock, _("纪要已归档锁定。"))


@login_required
def minutes_approve(request, pk: int):
    minutes = _minutes_for_change(request, pk)
    candidates = service.approval_meetings(minutes=minutes)
    form = ApproveForm(request.POST or None, meetings=candidates, initial={"approved_at_meeting": candidates.first()})
    if request.method == "POST" and form.is_valid():
        try:
            service.minutes_approve(actor=request.user, minutes=minutes, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("纪要已审定，会议状态已更新为“纪要已审定”。"))
            return redirect("meetings:minutes_detail", pk=minutes.pk)
    return render(request, "meetings/minutes_approve.html", {"form": form, "minutes": minutes})


@login_required
def minutes_amend(request, pk: int):
    minutes = _minutes_for_change(request, pk)
    form = AmendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.minutes_amend(actor=request.user, minutes=minutes, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("更正已登记。"))
            return redirect("meetings:minutes_detail", pk=minutes.pk)
    return render(request, "meetings/minutes_amend.html", {"form": form, "minutes": minutes})


def _minutes_document(request, pk: int) -> documents.MinutesDocument:
    minutes = selectors.minutes_get(user=request.user, pk=pk)
    page = selectors.document_page(meeting=minutes.meeting, minutes=minutes)
    return documents.minutes_document(minutes=minutes, page=page)


@login_required
def minutes_pdf(request, pk: int):
    doc = _minutes_document(request, pk)
    return pdf_response(documents.minutes_pdf(doc), f"{doc.filename_stem}.pdf")


@login_required
def minutes_docx(request, pk: int):
    """The minutes as an editable Word copy, laid out like the PDF (issue #16 item 8)."""
    doc = _minutes_document(request, pk)
    return docx_response(documents.minutes_docx(doc), f"{doc.filename_stem}.docx")


@login_required
def minutes_archive(request):
    today = timezone.localdate()
    year = year_param(request.GET.get("year"), default=today.year)
    quarters = selectors.minutes_archive(user=request.user, year=year)
    context = {
        "year": year,
        "quarters": quarters,
        "years": selectors.minutes_years(user=request.user),
        "total": sum(len(q.minutes) for q in quarters),
    }
    return render(request, "meetings/minutes_archive.html", context)


# --- resolutions ------------------------------------------------------------------------------------


@login_required
def resolution_create(request, pk: int):
    meeting = _meeting_for_change(request, pk)
    initial = {}
    if (motion_id := id_param(request.GET.get("motion"))) is not None:
        motion = meeting.motions.filter(pk=motion_id, passed=True).first()
        if motion is not None:
            initial = {"motion": motion, "text": motion.title}
    form = ResolutionForm(request.POST or None, meeting=meeting, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            service.resolution_create(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("决议已登记。"))
            return redirect(meeting)
    return render(request, "meetings/resolution_form.html", {"form": form, "meeting": meeting})


@login_required
def resolution_update(request, pk: int):
    resolution = selectors.resolution_get(user=request.user, pk=pk)
    if not can_change(request.user, resolution):
        raise PermissionDenied
    meeting = resolution.meeting
    form = ResolutionForm(request.POST or None, meeting=meeting, instance=resolution)
    if request.method == "POST" and form.is_valid():
        try:
            service.resolution_update(actor=request.user, resolution=resolution, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("决议已保存。"))
            return redirect(meeting)
    context = {"form": form, "meeting": meeting, "resolution": resolution}
    return render(request, "meetings/resolution_form.html", context)


urlpatterns = [
    path("<int:pk>/record/", record_edit, name="record_edit"),
    path("<int:pk>/record/pdf/", record_pdf, name="record_pdf"),
    path("<int:pk>/record/docx/", record_docx, name="record_docx"),
    path("<int:pk>/minutes/new/", minutes_create, name="minutes_create"),
    path("minutes/archive/", minutes_archive, name="minutes_archive"),
    path("minutes/<int:pk>/", minutes_detail, name="minutes_detail"),
    path("minutes/<int:pk>/edit/", minutes_edit, name="minutes_edit"),
    path("minutes/<int:pk>/refill/", minutes_refill, name="minutes_refill"),
    path("minutes/<int:pk>/circulate/", minutes_circulate, name="minutes_circulate"),
    path("minutes/<int:pk>/approve/", minutes_approve, name="minutes_approve"),
    path("minutes/<int:pk>/lock/", minutes_lock, name="minutes_lock"),
    path("minutes/<int:pk>/amend/", minutes_amend, name="minutes_amend"),
    path("minutes/<int:pk>/corrections/", minutes_correction_add, name="minutes_correction_add"),
    path("minutes/<int:pk>/pdf/", minutes_pdf, name="minutes_pdf"),
    path("minutes/<int:pk>/docx/", minutes_docx, name="minutes_docx"),
    path("<int:pk>/resolutions/new/", resolution_create, name="resolution_create"),
    path("resolutions/<int:pk>/edit/", resolution_update, name="resolution_update"),
]
