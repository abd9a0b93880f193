"""Pledges (R17): the liaison drafts, submits and reports fulfilment; the secretary accepts,
returns with a comment and confirms fulfilment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.audit import history_entries
from common.params import year_param
from common.permissions import can_change, scoped
from common.text import inner_quotes
from common.views import scoped_get, scoped_get_for_change
from meetings.models import Resolution

from .. import selectors, services
from ..forms import CommentForm, FulfilmentForm, PledgeCallForm, PledgeForm, ReturnForm
from ..models import Fulfilment, FulfilmentPhoto, Pledge
from ._base import (
    committee_or_404,
    int_or_none,
    is_liaison,
    require_reviewer,
    run_action,
    run_service,
    safe_next,
    serve_file,
    units_for,
)


@login_required
def pledge_list(request):
    user = request.user
    committee = None if is_liaison(user) else committee_or_404(request)
    year = year_param(request.GET.get("year"), default=timezone.localdate().year)
    status = request.GET.get("status") or ""
    if status not in Pledge.Status.values:
        status = ""
    pledges = list(selectors.pledge_list(user=user, committee=committee, year=year, status=status or None))
    pending_reports = list(
        scoped(
            user,
            Fulfilment.objects.filter(status=Fulfilment.Status.SUBMITTED, pledge__year=year).select_related(
                "pledge__unit"
            ),
        ).order_by("delivered_on")
    )
    return render(
        request,
        "cobuilding/pledge_list.html",
        {
            "committee": committee,
            "year": year,
            "status": status,
            "statuses": Pledge.Status.choices,
            "pledges": pledges,
            "pending_reports": pending_reports,
            "unit_percent": selectors.unit_percent(pledges) if is_liaison(user) else None,
            "can_create": can_change(user, Pledge),
            "reviewer": services.is_reviewer(user),
        },
    )


@login_required
def pledge_create(request):
    user = request.user
    if not can_change(user, Pledge):
        raise PermissionDenied
    committee = committee_or_404(request)
    today = timezone.localdate()
    initial = {
        "year": today.year,
        "period_start": today,
        "period_end": today.replace(month=12, day=31),
    }
    if is_liaison(user):
        initial.update(contact_name=user.display_name, contact_phone=user.phone)
    form = PledgeForm(request.POST or None, units=units_for(request, committee), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        unit = data.pop("unit", None) or user.unit
        pledge = run_service(form, lambda: services.pledge_create(actor=user, unit=unit, **data))
        if pledge is not None:
            if "submit" in request.POST:
                services.pledge_submit(actor=user, pledge=pledge)
                messages.success(request, _("承诺“%(t)s”已提交社区审核。") % {"t": inner_quotes(pledge.title)})
                return redirect("cobuilding:pledge_list")
            messages.success(
                request, _("承诺“%(t)s”已保存为草稿，确认无误后请提交。") % {"t": inner_quotes(pledge.title)}
            )
            return redirect(pledge)
    return render(request, "cobuilding/pledge_form.html", {"form": form, "pledge": None})


@login_required
def pledge_update(request, pk):
    user = request.user
    pledge = scoped_get_for_change(user, Pledge.objects.select_related("unit"), pk=pk)
    if not pledge.is_editable:
        messages.warning(request, _("该承诺已提交或已接受，不能再修改。"))
        return redirect(pledge)
    form = PledgeForm(request.POST or None, instance=pledge)
    if request.method == "POST" and form.is_valid():
        updated = run_service(form, lambda: services.pledge_update(actor=user, pledge=pledge, **form.cleaned_data))
        if updated is not None:
            if "submit" in request.POST:
                services.pledge_submit(actor=user, pledge=updated)
                messages.success(request, _("承诺“%(t)s”已重新提交社区审核。") % {"t": inner_quotes(updated.title)})
                return redirect("cobuilding:pledge_list")
            messages.success(request, _("已保存。"))
            return redirect(updated)
    return render(request, "cobuilding/pledge_form.html", {"form": form, "pledge": pledge})


@login_required
def pledge_detail(request, pk):
    user = request.user
    pledge = selectors.pledge_get(user=user, pk=pk)
    reviewer = services.is_reviewer(user)
    return render(
        request,
        "cobuilding/pledge_detail.html",
        {
            "pledge": pledge,
            "fulfilments": list(pledge.fulfilments.all()),
            "can_edit": can_change(user, pledge) and pledge.is_editable,
            "can_report": can_change(user, pledge) and pledge.can_report,
            "can_review": reviewer and pledge.status == Pledge.Status.SUBMITTED,
            "reviewer": reviewer,
            "accept_form": CommentForm(),
            "return_form": ReturnForm(),
            "history": history_entries(pledge, limit=20),
            "resolutions": _linkable_resolutions(pledge) if reviewer else [],
        },
    )


def _linkable_resolutions(pledge: Pledge) -> list[Resolution]:
    if pledge.resolution_id or pledge.status not in (Pledge.Status.ACCEPTED, Pledge.Status.FULFILLED):
        return []
    return list(
        Resolution.objects.filter(meeting__committee_id=pledge.committee_id)
        .select_related("meeting")
        .order_by("-meeting__starts_at", "pk")
    )


@require_POST
@login_required
def pledge_link_resolution(request, pk):
    """R13: follow up an accepted pledge as a task of the resolution it carries out."""
    user = request.user
    pledge = scoped_get(user, Pledge.objects.select_related("unit"), pk=pk)
    require_reviewer(user)
    resolution = (
        Resolution.objects.filter(
            pk=int_or_none(request.POST.get("resolution")) or 0, meeting__committee_id=pledge.committee_id
        )
        .select_related("meeting")
        .first()
    )
    if resolution is None:
        messages.error(request, _("请选择本大党委会议的一项决议。"))
    elif run_action(request, lambda: services.pledge_link_resolution(actor=user, pledge=pledge, resolution=resolution)):
        messages.success(request, _("已关联决议，并生成督办任务。"))
    return redirect(pledge)


@require_POST
@login_required
def pledge_submit(request, pk):
    user = request.user
    pledge = scoped_get_for_change(user, Pledge.objects.select_related("unit"), pk=pk)
    if run_action(request, lambda: services.pledge_submit(actor=user, pledge=pledge)) is not None:
        messages.success(request, _("承诺“%(t)s”已提交社区审核。") % {"t": inner_quotes(pledge.title)})
    return redirect(pledge)


@require_POST
@login_required
def pledge_accept(request, pk):
    user = request.user
    pledge = scoped_get(user, Pledge.objects.select_related("unit"), pk=pk)
    require_reviewer(user)
    form = CommentForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    if run_service(form, lambda: services.pledge_accept(actor=user, pledge=pledge, comment=comment)) is None:
        messages.error(request, " ".join(form.non_field_errors()))
    else:
        messages.success(
            request,
            _("已接受“%(unit)s”的承诺“%(t)s”。")
            % {"unit": inner_quotes(pledge.unit.name), "t": inner_quotes(pledge.title)},
        )
    return redirect(safe_next(request, pledge.get_absolute_url()))


@login_required
def pledge_return(request, pk):
    user = request.user
    pledge = scoped_get(user, Pledge.objects.select_related("unit"), pk=pk)
    require_reviewer(user)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        comment = form.cleaned_data["comment"]
        if run_service(form, lambda: services.pledge_return(actor=user, pledge=pledge, comment=comment)):
            messages.success(request, _("已将承诺“%(t)s”退回单位修改。") % {"t": inner_quotes(pledge.title)})
            return redirect(pledge)
    return render(request, "cobuilding/pledge_return.html", {"pledge": pledge, "form": form})


@login_required
def pledge_call_open(request):
    user = request.user
    require_reviewer(user)
    committee = committee_or_404(request)
    today = timezone.localdate()
    form = PledgeCallForm(request.POST or None, initial={"year": today.year})
    if request.method == "POST" and form.is_valid():
        call = run_service(
            form, lambda: services.pledge_call_open(actor=user, committee=committee, **form.cleaned_data)
        )
        if call is not None:
            messages.success(
                request,
                _("已发起%(year)s年度共建承诺征集，截止 %(day)s。")
                % {
                    "year": call.year,
                    "day": f"{call.submit_by:%Y-%m-%d}",
                },
            )
            return redirect("cobuilding:overview")
    return render(
        request,
        "cobuilding/form_page.html",
        {"form": form, "title": _("发起年度共建承诺征集"), "submit": _("发起征集"), "back": "cobuilding:overview"},
    )


# --- fulfilment -------------------------------------------------------------------------


@login_required
def fulfilment_create(request, pk):
    user = request.user
    pledge = scoped_get_for_change(user, Pledge.objects.select_related("unit"), pk=pk)
    if not pledge.can_report:
        messages.warning(request, _("只有已接受、尚未兑现完毕的承诺可以报告兑现情况。"))
        return redirect(pledge)
    form = FulfilmentForm(request.POST or None, request.FILES or None, initial={"delivered_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photos = data.pop("photos", [])
        report = run_service(form, lambda: services.fulfilment_report(actor=user, pledge=pledge, photos=photos, **data))
        if report is not None:
            messages.success(request, _("兑现情况已报告，等待社区确认。"))
            return redirect(pledge)
    return render(request, "cobuilding/fulfilment_form.html", {"form": form, "pledge": pledge})


@require_POST
@login_required
def fulfilment_confirm(request, pk):
    """A liaison confirming their own fulfilment is a 403 (R17)."""
    user = request.user
    report = scoped_get(user, Fulfilment.objects.select_related("pledge"), pk=pk)
    require_reviewer(user)
    form = CommentForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    if run_service(form, lambda: services.fulfilment_confirm(actor=user, fulfilment=report, comment=comment)):
        messages.success(request, _("已确认兑现报告。"))
    else:
        messages.error(request, " ".join(form.non_field_errors()))
    return redirect(safe_next(request, report.pledge.get_absolute_url()))


@login_required
def fulfilment_return(request, pk):
    user = request.user
    report = scoped_get(user, Fulfilment.objects.select_related("pledge__unit"), pk=pk)
    require_reviewer(user)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        comment = form.cleaned_data["comment"]
        if run_service(form, lambda: services.fulfilment_return(actor=user, fulfilment=report, comment=comment)):
            messages.success(request, _("已将兑现报告退回单位。"))
            return redirect(report.pledge)
    return render(request, "cobuilding/pledge_return.html", {"pledge": report.pledge, "form": form, "report": report})


@login_required
def photo_file(request, pk):
    photo = scoped_get(request.user, FulfilmentPhoto.objects.all(), pk=pk)
    return serve_file(photo.file, photo.original_name)


urlpatterns = [
    path("pledges/", pledge_list, name="pledge_list"),
    path("pledges/new/", pledge_create, name="pledge_create"),
    path("pledges/<int:pk>/", pledge_detail, name="pledge_detail"),
    path("pledges/<int:pk>/edit/", pledge_update, name="pledge_update"),
    path("pledges/<int:pk>/submit/", pledge_submit, name="pledge_submit"),
    path("pledges/<int:pk>/accept/", pledge_accept, name="pledge_accept"),
    path("pledges/<int:pk>/resolution/", pledge_link_resolution, name="pledge_link_resolution"),
    path("pledges/<int:pk>/return/", pledge_return, name="pledge_return"),
    path("pledges/<int:pk>/report/", fulfilment_create, name="fulfilment_create"),
    path("pledge-calls/new/", pledge_call_open, name="pledge_call_open"),
    path("fulfilments/<int:pk>/confirm/", fulfilment_confirm, name="fulfilment_confirm"),
    path("fulfilments/<int:pk>/return/", fulfilment_return, name="fulfilment_return"),
    path("photos/<int:pk>/", photo_file, name="photo_file"),
]
