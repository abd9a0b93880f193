"""Meetings, agenda and attendees (issue #3 items 1, 2): thin views over the services.

Outside the scope (and not invited) → 404; visible but not changeable (county, invited members)
→ 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from committees.models import Committee
from common.params import id_param, year_param
from common.permissions import can_change, scoped
from common.views import add_service_errors, private_file_response
from meetings.forms.meetings import (
    AgendaItemForm,
    AttachmentForm,
    AttendeeForm,
    CancelForm,
    MeetingForm,
    PastMeetingForm,
)
from meetings.models import AgendaAttachment, AgendaItem, Attendee, Meeting
from meetings.selectors import meetings as selectors
from meetings.services import notices, scheduling

PAGE_SIZE = 25


def _meeting_for_change(request, pk: int) -> Meeting:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if not selectors.meeting_can_change(user=request.user, meeting=meeting):
        raise PermissionDenied
    return meeting


def _year(request) -> int:
    return year_param(request.GET.get("year"), default=timezone.localdate().year)


@login_required
def meeting_list(request):
    user = request.user
    year = _year(request)
    committees = list(
        scoped(user, Committee.objects.filter(is_active=True)).select_related("community").order_by("community__name")
    )
    committee_id = id_param(request.GET.get("committee"))
    page = Paginator(selectors.meeting_list(user=user, year=year, committee_id=committee_id), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    compliance = []
    if len(committees) == 1:
        compliance = selectors.committee_compliance(committee=committees[0], year=year)
    context = {
        "page_obj": page,
        "year": year,
        "years": range(timezone.localdate().year + 1, timezone.localdate().year - 5, -1),
        "committees": committees,
        "committee_id": committee_id,
        "can_schedule": can_change(user, Meeting) and bool(committees),
        "compliance": compliance,
    }
    return render(request, "meetings/meeting_list.html", context)


@login_required
def meeting_create(request, committee_pk: int):
    committee = selectors.committee_for_user(user=request.user, pk=committee_pk)
    if not can_change(request.user, committee):
        raise PermissionDenied
    form = MeetingForm(request.POST or None, initial={"kind": Meeting.Kind.WORK, "duration_minutes": 120})
    if request.method == "POST" and form.is_valid():
        try:
            meeting = scheduling.meeting_schedule(actor=request.user, committee=committee, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("会议已创建（草稿）。请添加议题、确认参会人员后发布通知。"))
            return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "committee": committee})


@login_required
def meeting_record_past(request, committee_pk: int):
    """R8/R12: enter a meeting held offline afterwards (补录), with a reason; nobody is notified."""
    committee = selectors.committee_for_user(user=request.user, pk=committee_pk)
    if not can_change(request.user, committee):
        raise PermissionDenied
    form = PastMeetingForm(request.POST or None, initial={"kind": Meeting.Kind.WORK, "duration_minutes": 120})
    if request.method == "POST" and form.is_valid():
        try:
            meeting = scheduling.meeting_record_past(actor=request.user, committee=committee, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("会议已补录为“已召开”，未发送任何通知。请按会议记录登记出席、表决、会议记录和纪要。")
            )
            return redirect(meeting)
    return render(request, "meetings/meeting_past_form.html", {"form": form, "committee": committee})


@login_required
def meeting_detail(request, pk: int):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    in_scope = selectors.meeting_in_scope(user=request.user, meeting=meeting)
    change = in_scope and can_change(request.user, meeting)
    page = selectors.meeting_page(meeting=meeting, with_deliveries=in_scope)
    me = next((a for a in page.attendees if a.user_id == request.user.pk), None)
    context = {
        "meeting": meeting,
        "page": page,
        "can_change": change,
        "in_scope": in_scope,
        "me": me,
        "editable": meeting.status in scheduling.EDITABLE,
        "list_editable": meeting.status in scheduling.editable_statuses(meeting),
        "cancel_form": CancelForm(),
    }
    return render(request, "meetings/meeting_detail.html", context)


@login_required
def meeting_agenda_print(request, pk: int):
    """The printable agenda (议程): topics, time, place, chair, and the open follow-up tasks."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    page = selectors.meeting_page(meeting=meeting, with_deliveries=False)
    return render(request, "meetings/meeting_agenda_print.html", {"meeting": meeting, "page": page})


@login_required
def meeting_update(request, pk: int):
    meeting = _meeting_for_change(request, pk)
    form = MeetingForm(request.POST or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        fresh = Meeting.objects.get(pk=meeting.pk)
        try:
            scheduling.meeting_update(actor=request.user, meeting=fresh, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("会议信息已保存。"))
            return redirect(meeting)
    return render(
        request, "meetings/meeting_form.html", {"form": form, "committee": meeting.committee, "meeting": meeting}
    )


def _transition(request, pk: int, service, success: str, **kwargs):
    meeting = _meeting_for_change(request, pk)
    try:
        service(actor=request.user, meeting=meeting, **kwargs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect(meeting)


@require_POST
@login_required
def meeting_publish(request, pk: int):
    return _transition(request, pk, scheduling.meeting_publish, _("会议通知已发布，正在发送给全体参会人员。"))


@require_POST
@login_required
def meeting_mark_held(request, pk: int):
    return _transition(request, pk, scheduling.meeting_mark_held, _("已登记为已召开。"))


@login_required
def meeting_cancel(request, pk: int):
    meeting = _meeting_for_change(request, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scheduling.meeting_cancel(actor=request.user, meeting=meeting, reason=form.cleaned_data["cancel_reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("会议已取消，已通知的参会人员将收到取消通知。"))
            return redirect(meeting)
    return render(request, "meetings/meeting_cancel.html", {"form": form, "meeting": meeting})


# --- agenda --------------------------------------------------------------------------------------


@login_required
def agenda_item_create(request, pk: int):
    meeting = _meeting_for_change(request, pk)
    form = AgendaItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scheduling.agenda_item_add(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("议题已添加。"))
            return redirect(meeting)
    return render(request, "meetings/meeting_agenda_item_form.html", {"form": form, "meeting": meeting})


def _item_for_change(request, pk: int) -> AgendaItem:
    item = get_object_or_404(AgendaItem.objects.only("pk", "meeting_id"), pk=pk)
    meeting = _meeting_for_change(request, item.meeting_id)
    item = AgendaItem.objects.get(pk=pk)
    item.meeting = meeting
    return item


@login_required
def agenda_item_update(request, pk: int):
    item = _item_for_change(request, pk)
    form = AgendaItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            scheduling.agenda_item_update(actor=request.user, item=AgendaItem.objects.get(pk=pk), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("议题已保存。"))
            return redirect(item.meeting)
    context = {
        "form": form,
        "meeting": item.meeting,
        "item": item,
        "attachment_form": AttachmentForm(),
        "attachments": list(item.attachments.order_by("pk")),
    }
    return render(request, "meetings/meeting_agenda_item_form.html", context)


@require_POST
@login_required
def agenda_item_delete(request, pk: int):
    item = _item_for_change(request, pk)
    try:
        scheduling.agenda_item_delete(actor=request.user, item=item)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("议题已删除。"))
    return redirect(item.meeting)


@require_POST
@login_required
def attachment_upload(request, pk: int):
    item = _item_for_change(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            scheduling.agenda_attachment_add(actor=request.user, item=item, file=form.cleaned_data["file"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("附件已上传。"))
            return redirect("meetings:agenda_item_update", pk=item.pk)
    context = {
        "form": AgendaItemForm(instance=item),
        "meeting": item.meeting,
        "item": item,
        "attachment_form": form,
        "attachments": list(item.attachments.order_by("pk")),
    }
    return render(request, "meetings/meeting_agenda_item_form.html", context, status=400)


def _attachment(request, pk: int) -> AgendaAttachment:
    attachment = get_object_or_404(AgendaAttachment.objects.select_related("item"), pk=pk)
    attachment.meeting = selectors.meeting_get(user=request.user, pk=attachment.item.meeting_id)
    return attachment


@login_required
def attachment_download(request, pk: int):
    """Attachments live outside the web root: only those who may see the meeting get them."""
    attachment = _attachment(request, pk)
    return private_file_response(attachment.file, filename=attachment.name, as_attachment=True)


@require_POST
@login_required
def attachment_delete(request, pk: int):
    attachment = _attachment(request, pk)
    if not selectors.meeting_can_change(user=request.user, meeting=attachment.meeting):
        raise PermissionDenied
    try:
        scheduling.agenda_attachment_delete(actor=request.user, attachment=attachment)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("meetings:agenda_item_update", pk=attachment.item_id)


# --- attendees -----------------------------------------------------------------------------------


@login_required
def attendee_create(request, pk: int):
    meeting = _meeting_for_change(request, pk)
    form = AttendeeForm(request.POST or None, community=meeting.committee.community)
    if request.method == "POST" and form.is_valid():
        try:
            scheduling.attendee_add(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已邀请 %(name)s。") % {"name": form.cleaned_data["name"]})
            return redirect(meeting)
    return render(request, "meetings/meeting_attendee_form.html", {"form": form, "meeting": meeting})


@require_POST
@login_required
def attendee_invite_members(request, pk: int):
    meeting = _meeting_for_change(request, pk)
    try:
        added = scheduling.meeting_invite_members(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已补充邀请 %(n)s 名在任委员。") % {"n": len(added)})
    return redirect(meeting)


@require_POST
@login_required
def attendee_delete(request, pk: int):
    attendee = get_object_or_404(Attendee.objects.only("pk", "meeting_id"), pk=pk)
    meeting = _meeting_for_change(request, attendee.meeting_id)
    try:
        scheduling.attendee_remove(actor=request.user, attendee=Attendee.objects.get(pk=pk))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已从参会名单中移除。"))
    return redirect(meeting)


@require_POST
@login_required
def attendee_phoned(request, pk: int):
    """Issue #15 item 7: the secretary records that she phoned an attendee no notice reaches."""
    attendee = get_object_or_404(Attendee.objects.only("pk", "meeting_id"), pk=pk)
    meeting = _meeting_for_change(request, attendee.meeting_id)
    try:
        notices.attendee_record_phoned(actor=request.user, attendee=Attendee.objects.get(pk=pk))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已登记电话通知。"))
    return redirect(meeting)


# --- R8 compliance --------------------------------------------------------------------------------


@login_required
def meeting_compliance(request):
    """The township's list (R8): committees with a missed quarter (or half-year) this year."""
    year = _year(request)
    show_all = request.GET.get("all") == "1"
    rows = selectors.compliance_overview(user=request.user, year=year, missed_only=not show_all)
    context = {
        "rows": rows,
        "year": year,
        "show_all": show_all,
        "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
    }
    return render(request, "meetings/meeting_compliance.html", context)


urlpatterns = [
    path("", meeting_list, name="meeting_list"),
    path("compliance/", meeting_compliance, name="meeting_compliance"),
    path("committee/<int:committee_pk>/new/", meeting_create, name="meeting_create"),
    path("committee/<int:committee_pk>/past/", meeting_record_past, name="meeting_record_past"),
    path("<int:pk>/", meeting_detail, name="meeting_detail"),
    path("attendees/<int:pk>/phoned/", attendee_phoned, name="attendee_phoned"),
    path("<int:pk>/print/", meeting_agenda_print, name="meeting_agenda_print"),
    path("<int:pk>/edit/", meeting_update, name="meeting_update"),
    path("<int:pk>/publish/", meeting_publish, name="meeting_publish"),
    path("<int:pk>/held/", meeting_mark_held, name="meeting_mark_held"),
    path("<int:pk>/cancel/", meeting_cancel, name="meeting_cancel"),
    path("<int:pk>/agenda/new/", agenda_item_create, name="agenda_item_create"),
    path("agenda/<int:pk>/", agenda_item_update, name="agenda_item_update"),
    path("agenda/<int:pk>/delete/", agenda_item_delete, name="agenda_item_delete"),
    path("agenda/<int:pk>/attachments/", attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", attachment_delete, name="attachment_delete"),
    path("<int:pk>/attendees/new/", attendee_create, name="attendee_create"),
    path("<int:pk>/attendees/members/", attendee_invite_members, name="attendee_invite_members"),
    path("attendees/<int:pk>/delete/", attendee_delete, name="attendee_delete"),
]
