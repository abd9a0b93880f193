"""Thin views of the needs list and the resources list (R28).

Who sees what (tests/matrix/needs.py): township staff and the secretary run the needs of their
scope; county reviewers read (403 on every action); a liaison sees the needs asked of or claimed by
their unit, answers, reports the handling, and keeps the unit's resources.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from committees.models import Committee, Grid, Unit
from common import permissions
from common.audit import history_entries
from common.params import id_param
from common.views import act_and_return, add_service_errors, form_action, posted, scoped_get

from . import forms, selectors, services
from .models import Category, Need, Resource


def _committees(user):
    return permissions.scoped(user, Committee.objects.select_related("community").filter(is_active=True))


@login_required
def need_list(request):
    user = request.user
    role = permissions.role_of(user)
    committees = list(_committees(user)) if role != "liaison" else []
    committee = None
    committee_id = id_param(request.GET.get("committee"))
    if committee_id and role != "liaison":
        committee = scoped_get(user, Committee.objects.all(), pk=committee_id)
    status = request.GET.get("status", "open" if role != "county" else "")
    category = request.GET.get("category", "")
    if category not in Category.values:
        category = ""
    needs = list(selectors.need_list(user=user, committee=committee, status=status, category=category))
    return render(
        request,
        "needs/need_list.html",
        {
            "needs": needs,
            "committees": committees,
            "committee": committee,
            "resource_committee": committee or (committees[0] if len(committees) == 1 else None),
            "status": status,
            "category": category,
            "statuses": [("open", _("未办结")), *Need.Status.choices],
            "categories": Category.choices,
            "is_runner": services.is_runner(user),
            "unit": user.unit if role == "liaison" else None,
        },
    )


@login_required
def need_create(request):
    user = request.user
    if not services.is_runner(user):
        raise PermissionDenied
    committees = _committees(user)
    grids = permissions.scoped(user, Grid.objects.select_related("community")).order_by("community__name", "name")
    form = forms.NeedForm(
        posted(request),
        committees=committees,
        grids=grids,
        initial={"collected_on": timezone.localdate(), "committee": committees.first()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            need = services.need_collect(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("需求已登记。"))
            return redirect(need)
    return render(request, "needs/need_form.html", {"form": form}, status=400 if form.errors else 200)


def _detail(request, need: Need, status: int = 200, **bound):
    user = request.user
    runner = services.is_runner(user)
    today = timezone.localdate()
    units = Unit.objects.filter(community_id=need.committee.community_id, is_active=True).order_by("name")
    others = Need.objects.filter(committee=need.committee, status__in=Need.OPEN).exclude(pk=need.pk)
    requests = list(need.requests.all())
    for r in requests:
        r.user_can_answer = r.status == "asked" and (
            runner or (permissions.role_of(user) == "liaison" and user.unit_id == r.unit_id)
        )
    suggestions = services.suggest_units(need) if runner and need.status == Need.Status.COLLECTED else []
    context = {
        "need": need,
        "requests": requests,
        "is_runner": runner,
        "unit_side": runner or (permissions.role_of(user) == "liaison" and need.unit_id == user.unit_id),
        "suggestions": suggestions,
        "request_form": bound.get("request_form")
        or forms.RequestForm(units=units, initial={"unit": suggestions[0].unit if suggestions else None}),
        "decline_form": bound.get("decline_form") or forms.DeclineForm(),
        "project_form": bound.get("project_form")
        or forms.ProjectForm(
            initial={"claim_by": today + datetime.timedelta(days=14), "deadline": today + datetime.timedelta(days=60)}
        ),
        "merge_form": bound.get("merge_form") or forms.MergeForm(needs=others),
        "done_form": bound.get("done_form") or forms.DoneForm(initial={"done_on": today}),
        "visit_form": bound.get("visit_form") or forms.VisitForm(),
        "history": history_entries(need) if runner else [],
    }
    return render(request, "needs/need_detail.html", context, status=status)


@login_required
def need_detail(request, pk: int):
    return _detail(request, selectors.need_get(user=request.user, pk=pk))


def _runner_need(request, pk: int) -> Need:
    need = selectors.need_get(user=request.user, pk=pk)
    if not services.is_runner(request.user):
        raise PermissionDenied
    return need


def _run(request, need, form_name, form, call, success):
    return form_action(
        request,
        form,
        call,
        success=success,
        to=need,
        page=lambda f: _detail(request, need, status=400, **{form_name: f}),
    )


@require_POST
@login_required
def need_request(request, pk: int):
    need = _runner_need(request, pk)
    units = Unit.objects.filter(community_id=need.committee.community_id)
    return _run(
        request,
        need,
        "request_form",
        forms.RequestForm(request.POST, units=units),
        lambda d: services.need_request(actor=request.user, need=need, unit=d["unit"], note=d["note"]),
        _("已请单位认领，单位联络员将收到通知。"),
    )


@require_POST
@login_required
def need_project(request, pk: int):
    need = _runner_need(request, pk)
    return _run(
        request,
        need,
        "project_form",
        forms.ProjectForm(request.POST),
        lambda d: services.need_to_project(actor=request.user, need=need, today=timezone.localdate(), **d),
        _("已转为公益项目，供单位认领。"),
    )


@require_POST
@login_required
def need_merge(request, pk: int):
    need = _runner_need(request, pk)
    others = Need.objects.filter(committee=need.committee).exclude(pk=need.pk)
    return _run(
        request,
        need,
        "merge_form",
        forms.MergeForm(request.POST, needs=others),
        lambda d: services.need_merge(actor=request.user, duplicate=need, into=d["into"]),
        _("已合并为同一需求。"),
    )


@require_POST
@login_required
def need_start(request, pk: int):
    need = selectors.need_get(user=request.user, pk=pk)
    return act_and_return(
        request, lambda: services.need_start(actor=request.user, need=need), success=_("已开始办理。"), to=need
    )


@require_POST
@login_required
def need_done(request, pk: int):
    need = selectors.need_get(user=request.user, pk=pk)
    services._require_unit_side(request.user, need)
    return _run(
        request,
        need,
        "done_form",
        forms.DoneForm(request.POST),
        lambda d: services.need_done(
            actor=request.user, need=need, done_on=d["done_on"], note=d["note"], today=timezone.localdate()
        ),
        _("已办结，社区将回访居民。"),
    )


@require_POST
@login_required
def need_visit(request, pk: int):
    need = _runner_need(request, pk)
    return _run(
        request,
        need,
        "visit_form",
        forms.VisitForm(request.POST),
        lambda d: services.need_visit(actor=request.user, need=need, satisfied=d["satisfied"], note=d["note"]),
        _("回访意见已记录。"),
    )


@require_POST
@login_required
def request_accept(request, pk: int):
    need_request_ = selectors.request_get(user=request.user, pk=pk)
    return act_and_return(
        request,
        lambda: services.request_accept(actor=request.user, request=need_request_),
        success=_("已认领该需求。"),
        to=need_request_.need,
    )


@require_POST
@login_required
def request_decline(request, pk: int):
    need_request_ = selectors.request_get(user=request.user, pk=pk)
    services._answerable(request.user, need_request_)
    need = selectors.need_get(user=request.user, pk=need_request_.need_id)
    return _run(
        request,
        need,
        "decline_form",
        forms.DeclineForm(request.POST),
        lambda d: services.request_decline(actor=request.user, request=need_request_, reason=d["reason"]),
        _("已婉拒，并告知社区。"),
    )


# --- resources ------------------------------------------------------------------------------------------


@login_required
def resource_list(request, pk: int):
    if permissions.role_of(request.user) == "liaison":
        raise Http404
    committee = scoped_get(request.user, Committee.objects.select_related("community"), pk=pk)
    return render(
        request,
        "needs/resource_list.html",
        {"committee": committee, **selectors.resource_list(user=request.user, committee=committee)},
    )


@login_required
def unit_resources(request, pk: int):
    """A unit's standing resources; its liaison (and the community side) add and change them."""
    unit = scoped_get(request.user, Unit.objects.select_related("community"), pk=pk)
    can_edit = permissions.role_of(request.user) == "liaison" or services.is_runner(request.user)
    resource = None
    edit = id_param(request.GET.get("edit") or request.POST.get("resource"))
    if edit:
        resource = Resource.objects.filter(unit=unit, pk=edit).first()
    form = None
    if can_edit:
        initial = {}
        if resource is not None:
            initial = {
                "kind": resource.kind,
                "title": resource.title,
                "description": resource.description,
                "categories": resource.category_list(),
                "available": resource.available,
            }
        form = forms.ResourceForm(posted(request), initial=initial or {"available": True})
        if request.method == "POST" and form.is_valid():
            try:
                services.resource_save(actor=request.user, unit=unit, resource=resource, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("资源已保存。"))
                return redirect("needs:unit_resources", pk=unit.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "needs/unit_resources.html",
        {"unit": unit, "resources": list(unit.resources.all()), "form": form, "editing": resource},
        status=400 if form is not None and form.errors else 200,
    )


@require_POST
@login_required
def resource_delete(request, pk: int):
    resource = scoped_get(request.user, Resource.objects.select_related("unit"), pk=pk)
    services.resource_delete(actor=request.user, resource=resource)
    messages.success(request, _("资源已删除。"))
    return redirect("needs:unit_resources", pk=resource.unit_id)
