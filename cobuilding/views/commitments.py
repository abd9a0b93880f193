"""Two-way service commitments (双向服务承诺, R19): needs and commitments of both sides, listed per unit."""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.params import year_param
from common.permissions import can_change, scoped
from common.views import scoped_get_for_change

from .. import selectors, services
from ..forms import CommitmentForm, CommitmentStatusForm
from ..models import Commitment
from ._base import committee_or_404, is_liaison, run_service


@login_required
def commitment_list(request):
    user = request.user
    committee = None if is_liaison(user) else committee_or_404(request)
    year = year_param(request.GET.get("year"), default=timezone.localdate().year)
    qs = scoped(user, Commitment.objects.select_related("unit").filter(year=year))
    if committee is not None:
        qs = qs.filter(unit__community_id=committee.community_id)
    items = list(qs.order_by("unit__name", "side", "area", "pk"))
    reviewer = services.is_reviewer(user)
    for item in items:
        item.editable = can_change(user, item) and (reviewer or item.side == Commitment.Side.UNIT)
    return render(
        request,
        "cobuilding/commitment_list.html",
        {
            "committee": committee,
            "year": year,
            "groups": [(unit, list(rows)) for unit, rows in groupby(items, key=lambda c: c.unit)],
            "can_create": can_change(user, Commitment),
            "status_form": CommitmentStatusForm(),
            "statuses": Commitment.Status.choices,
        },
    )


@login_required
def commitment_create(request):
    user = request.user
    if not can_change(user, Commitment):
        raise PermissionDenied
    committee = committee_or_404(request)
    units = None if is_liaison(user) else selectors.committee_units(committee=committee)
    form = CommitmentForm(
        request.POST or None,
        units=units,
        liaison=is_liaison(user),
        initial={"year": timezone.localdate().year, "side": Commitment.Side.UNIT},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        unit = data.pop("unit", None) or user.unit
        if run_service(form, lambda: services.commitment_create(actor=user, unit=unit, **data)):
            messages.success(request, _("已添加。"))
            return redirect("cobuilding:commitment_list")
    return render(
        request,
        "cobuilding/form_page.html",
        {
            "form": form,
            "title": _("添加双向服务承诺"),
            "intro": _("难题联解、阵地联建、教育联抓：写明一方的需求或承诺。"),
            "submit": _("添加"),
            "back": "cobuilding:commitment_list",
        },
    )


@require_POST
@login_required
def commitment_status(request, pk):
    user = request.user
    item = scoped_get_for_change(user, Commitment.objects.select_related("unit"), pk=pk)
    if request.method != "POST":
        return redirect("cobuilding:commitment_list")
    form = CommitmentStatusForm(request.POST)
    if form.is_valid() and run_service(
        form,
        lambda: services.commitment_set_status(
            actor=user, commitment=item, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
        ),
    ):
        messages.success(request, _("状态已更新。"))
        return redirect("cobuilding:commitment_list")
    messages.error(request, " ".join(form.non_field_errors()) or _("状态未能更新，请检查输入。"))
    return redirect("cobuilding:commitment_list")


urlpatterns = [
    path("commitments/", commitment_list, name="commitment_list"),
    path("commitments/new/", commitment_create, name="commitment_create"),
    path("commitments/<int:pk>/status/", commitment_status, name="commitment_status"),
]
