"""The meeting session: ticking attendance and watching the quorum (issue #3 item 4).

Rows are ticked with htmx without a page reload (the table and the quorum are one template
partial served alone); without JavaScript the same forms post and redirect back.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meetings.forms.session import AttendanceForm
from meetings.selectors import session as selectors
from meetings.selectors.meetings import meeting_get
from meetings.services import attendance as service

TEMPLATE = "meetings/session_attendance.html"


def _page(request, meeting, *, error: str = "", status: int = 200):
    change = selectors.may_change(request.user, meeting)
    context = {
        "meeting": meeting,
        "page": selectors.session_page(meeting=meeting),
        "can_change": change,
        "error": error,
    }
    if request.htmx:
        return render(request, f"{TEMPLATE}#attendance", context, status=status)
    return render(request, TEMPLATE, context, status=status)


@login_required
def attendance(request, pk: int):
    """GET: the attendance sheet and the quorum. POST: tick one attendee."""
    meeting = meeting_get(user=request.user, pk=pk)
    if request.method != "POST":
        return _page(request, meeting)
    if not selectors.may_change(request.user, meeting):
        raise PermissionDenied
    form = AttendanceForm(request.POST)
    error = ""
    if form.is_valid():
        attendee = selectors.attendee_get_for_meeting(meeting=meeting, pk=form.cleaned_data["attendee"])
        try:
            service.attendance_record(
                actor=request.user,
                attendee=attendee,
                attendance=form.cleaned_data["attendance"],
                note=form.cleaned_data["attendance_note"],
            )
        except ValidationError as exc:
            error = "；".join(exc.messages)
    else:
        error = "；".join(str(e) for errors in form.errors.values() for e in errors)
    if request.htmx:
        return _page(request, meeting, error=error)
    if error:
        messages.error(request, error)
    return redirect(reverse("meetings:attendance", args=[meeting.pk]))


@require_POST
@login_required
def attendance_all_present(request, pk: int):
    meeting = meeting_get(user=request.user, pk=pk)
    if not selectors.may_change(request.user, meeting):
        raise PermissionDenied
    try:
        n = service.attendance_mark_all_present(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        if request.htmx:
            return _page(request, meeting, error="；".join(exc.messages))
        messages.error(request, "；".join(exc.messages))
    else:
        if request.htmx:
            return _page(request, meeting)
        messages.success(request, _("已将 %(n)s 人登记为出席。") % {"n": n})
    return redirect(reverse("meetings:attendance", args=[meeting.pk]))


urlpatterns = [
    path("<int:pk>/attendance/", attendance, name="attendance"),
    path("<int:pk>/attendance/all-present/", attendance_all_present, name="attendance_all_present"),
]
