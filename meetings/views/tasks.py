"""Follow-up tasks (issue #3 item 7, R13): the list with an overdue filter for the secretary and
the township, a unit liaison's own tasks, progress updates and closing (never deleting)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.audit import history_entries
from common.permissions import can_change
from common.views import add_service_errors
from meetings.forms.tasks import CloseForm, ProgressForm, ReopenForm, TaskForm
from meetings.models import FollowUpTask
from meetings.selectors import session as selectors
from meetings.services import followup as service


@login_required
def task_list(request):
    overdue = request.GET.get("overdue") == "1"
    status = request.GET.get("status", "open")
    if status not in FollowUpTask.Status.values and status != "all":
        status = "open"
    tasks = list(selectors.task_list(user=request.user, status=None if status == "all" else status, overdue=overdue))
    context = {
        "tasks": tasks,
        "overdue": overdue,
        "status": status,
        "overdue_count": selectors.overdue_count(user=request.user),
        "statuses": FollowUpTask.Status.choices,
    }
    return render(request, "meetings/task_list.html", context)


def _detail(request, task: FollowUpTask, *, progress_form=None, close_form=None, reopen_form=None, status=200):
    change = can_change(request.user, task)
    report = change or service.can_report_progress(request.user, task)
    context = {
        "task": task,
        "updates": selectors.task_updates(task=task),
        "can_change": change,
        "can_report": report and task.status == FollowUpTask.Status.OPEN,
        "progress_form": progress_form or ProgressForm(initial={"progress": task.progress}),
        "close_form": close_form or CloseForm(),
        "reopen_form": reopen_form or ReopenForm(),
        "history": history_entries(task) if change else None,
    }
    return render(request, "meetings/task_detail.html", context, status=status)


@login_required
def task_detail(request, pk: int):
    return _detail(request, selectors.task_get(user=request.user, pk=pk))


@login_required
def task_create(request, pk: int):
    resolution = selectors.resolution_get(user=request.user, pk=pk)
    if not can_change(request.user, resolution):
        raise PermissionDenied
    meeting = resolution.meeting
    initial = {"title": resolution.text[:200], "responsible_unit": resolution.responsible_unit}
    if resolution.deadline:
        initial["due_on"] = resolution.deadline
    form = TaskForm(request.POST or None, community=meeting.committee.community, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            task = service.task_create(actor=request.user, resolution=resolution, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("督办任务已创建，到期前一天将自动提醒责任人。"))
            return redirect(task)
    context = {"form": form, "resolution": resolution, "meeting": meeting}
    return render(request, "meetings/task_form.html", context)


@login_required
def task_update(request, pk: int):
    task = selectors.task_get(user=request.user, pk=pk)
    if not can_change(request.user, task):
        raise PermissionDenied
    form = TaskForm(request.POST or None, community=task.committee.community, instance=task)
    if request.method == "POST" and form.is_valid():
        try:
            service.task_update(actor=request.user, task=FollowUpTask.objects.get(pk=pk), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("督办任务已保存。"))
            return redirect("meetings:task_detail", pk=pk)
    context = {"form": form, "resolution": task.resolution, "meeting": task.resolution.meeting, "task": task}
    return render(request, "meetings/task_form.html", context)


@require_POST
@login_required
def task_progress(request, pk: int):
    """Progress from the secretary, the township, or the responsible unit's liaison / the owner."""
    task = selectors.task_get(user=request.user, pk=pk)
    if not (can_change(request.user, task) or service.can_report_progress(request.user, task)):
        raise PermissionDenied
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            service.task_progress_add(actor=request.user, task=task, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("进展已填报。"))
            return redirect("meetings:task_detail", pk=pk)
    return _detail(request, task, progress_form=form, status=400)


@require_POST
@login_required
def task_close(request, pk: int):
    task = selectors.task_get(user=request.user, pk=pk)
    if not can_change(request.user, task):
        raise PermissionDenied
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            service.task_close(actor=request.user, task=task, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("任务已办结。"))
            return redirect("meetings:task_detail", pk=pk)
    return _detail(request, task, close_form=form, status=400)


@require_POST
@login_required
def task_reopen(request, pk: int):
    task = selectors.task_get(user=request.user, pk=pk)
    if not can_change(request.user, task):
        raise PermissionDenied
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            service.task_reopen(actor=request.user, task=task, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("任务已重新督办。"))
            return redirect("meetings:task_detail", pk=pk)
    return _detail(request, task, reopen_form=form, status=400)


urlpatterns = [
    path("tasks/", task_list, name="task_list"),
    path("tasks/<int:pk>/", task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", task_update, name="task_update"),
    path("tasks/<int:pk>/progress/", task_progress, name="task_progress"),
    path("tasks/<int:pk>/close/", task_close, name="task_close"),
    path("tasks/<int:pk>/reopen/", task_reopen, name="task_reopen"),
    path("resolutions/<int:pk>/tasks/new/", task_create, name="task_create"),
]
