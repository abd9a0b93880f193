"""Motions and votes (issue #3 item 5, R12.3): prepare, open, record the show of hands (htmx),
close, publish; and a member's vote on their own device."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.audit import history_entries
from common.params import id_param
from common.views import add_service_errors
from meetings.forms.votes import HandsForm, MotionForm, VoteForm
from meetings.models import Attendee, Motion
from meetings.selectors import session as selectors
from meetings.selectors.meetings import meeting_get
from meetings.services import votes as service

DETAIL = "meetings/motion_detail.html"


def _meeting_for_change(request, pk: int):
    meeting = meeting_get(user=request.user, pk=pk)
    if not selectors.may_change(request.user, meeting):
        raise PermissionDenied
    return meeting


def _motion_for_change(request, pk: int) -> Motion:
    motion = selectors.motion_get(user=request.user, pk=pk)
    if not selectors.may_change(request.user, motion.meeting):
        raise PermissionDenied
    return motion


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def motion_create(request, pk: int):
    meeting = _meeting_for_change(request, pk)
    initial = {}
    if (item_id := id_param(request.GET.get("item"))) is not None:
        item = meeting.agenda_items.filter(pk=item_id).first()
        if item is not None:
            initial = {"agenda_item": item, "title": item.title}
    form = MotionForm(request.POST or None, meeting=meeting, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            motion = service.motion_create(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("表决事项已添加。"))
            return redirect(motion)
    return render(request, "meetings/motion_form.html", {"form": form, "meeting": meeting})


@login_required
def motion_update(request, pk: int):
    motion = _motion_for_change(request, pk)
    form = MotionForm(request.POST or None, meeting=motion.meeting, instance=motion)
    if request.method == "POST" and form.is_valid():
        try:
            service.motion_update(actor=request.user, motion=motion, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("表决事项已保存。"))
            return redirect("meetings:motion_detail", pk=motion.pk)
    return render(request, "meetings/motion_form.html", {"form": form, "meeting": motion.meeting, "motion": motion})


@require_POST
@login_required
def motion_delete(request, pk: int):
    motion = _motion_for_change(request, pk)
    try:
        service.motion_delete(actor=request.user, motion=motion)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("meetings:motion_detail", pk=pk)
    messages.success(request, _("表决事项已删除。"))
    return redirect("meetings:attendance", pk=motion.meeting_id)


def _detail_context(request, motion: Motion, *, error: str = "") -> dict:
    change = selectors.may_change(request.user, motion.meeting)
    page = selectors.motion_page(motion=motion)
    me = next((r for r in page.rows if r.attendee.user_id == request.user.pk), None)
    context = {
        "motion": motion,
        "meeting": motion.meeting,
        "page": page,
        "can_change": change,
        "me": me,
        "error": error,
        "session": selectors.session_page(meeting=motion.meeting) if change and motion.status == "created" else None,
    }
    if change:
        context["history"] = history_entries(motion)
    return context


@login_required
def motion_detail(request, pk: int):
    """The motion, its named vote table and result; the secretary records hands here."""
    motion = selectors.motion_get(user=request.user, pk=pk)
    if request.htmx:
        return render(request, f"{DETAIL}#hands", _detail_context(request, motion))
    return render(request, DETAIL, _detail_context(request, motion))


def _transition(request, pk: int, action, success: str):
    motion = _motion_for_change(request, pk)
    try:
        action(actor=request.user, motion=motion)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, success)
    return redirect("meetings:motion_detail", pk=pk)


@require_POST
@login_required
def motion_open(request, pk: int):
    return _transition(request, pk, service.motion_open, _("表决已开始。"))


@require_POST
@login_required
def motion_close(request, pk: int):
    return _transition(request, pk, service.motion_close, _("表决已结束，结果已计算。"))


@require_POST
@login_required
def motion_publish(request, pk: int):
    return _transition(request, pk, service.motion_publish, _("表决结果已公布。"))


@require_POST
@login_required
def vote_hands(request, pk: int):
    """The secretary records one member's hand, or the rest of the room, without a reload."""
    motion = _motion_for_change(request, pk)
    form = HandsForm(request.POST)
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data.get("rest"):
                waiting = selectors.motion_page(motion=motion).waiting
                choices = {row.attendee.pk: data["rest"] for row in waiting}
            else:
                get_object_or_404(Attendee, meeting_id=motion.meeting_id, pk=data["attendee"])
                choices = {data["attendee"]: data["choice"]}
            service.votes_record_hands(actor=request.user, motion=motion, choices=choices)
        except ValidationError as exc:
            error = "；".join(exc.messages)
    else:
        error = "；".join(form.non_field_errors()) or _("请选择表决意见。")
    motion.refresh_from_db()
    if request.htmx:
        return render(request, f"{DETAIL}#hands", _detail_context(request, motion, error=error))
    if error:
        messages.error(request, error)
    return redirect("meetings:motion_detail", pk=pk)


@login_required
def vote_cast(request, pk: int):
    """A member votes on their own device: only as the attendee whose account they are logged in
    with. Outside their meetings and scope the motion does not exist (404); in scope but not on
    the list, 403."""
    motion = selectors.motion_get(user=request.user, pk=pk)
    attendee = selectors.my_attendee(user=request.user, meeting=motion.meeting)
    if attendee is None:
        if selectors.in_scope(request.user, motion.meeting):
            raise PermissionDenied
        raise Http404
    vote = motion.votes.filter(attendee=attendee).first()
    form = VoteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                service.vote_cast(
                    actor=request.user,
                    motion=motion,
                    attendee=attendee,
                    choice=form.cleaned_data["choice"],
                    method="device",
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("您的表决已记录。"))
                return redirect("meetings:vote_cast", pk=pk)
        else:
            status = 400
    context = {
        "motion": motion,
        "meeting": motion.meeting,
        "attendee": attendee,
        "vote": vote,
        "form": form,
        "recused": service.is_recused(motion, attendee),
    }
    return render(request, "meetings/vote_cast.html", context, status=status)


urlpatterns = [
    path("<int:pk>/motions/new/", motion_create, name="motion_create"),
    path("motions/<int:pk>/", motion_detail, name="motion_detail"),
    path("motions/<int:pk>/edit/", motion_update, name="motion_update"),
    path("motions/<int:pk>/delete/", motion_delete, name="motion_delete"),
    path("motions/<int:pk>/open/", motion_open, name="motion_open"),
    path("motions/<int:pk>/close/", motion_close, name="motion_close"),
    path("motions/<int:pk>/publish/", motion_publish, name="motion_publish"),
    path("motions/<int:pk>/hands/", vote_hands, name="vote_hands"),
    path("motions/<int:pk>/vote/", vote_cast, name="vote_cast"),
]
