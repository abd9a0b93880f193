"""Dedication days (R18): two a year per committee; the page says when one is missing; each
unit's participating party members recorded as names or a count with a roster."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from common.params import id_param, year_param
from common.permissions import can_change, scoped
from common.views import scoped_get

from .. import selectors, services
from ..forms import DedicationDayForm, ParticipationForm
from ..models import DedicationDay, DedicationParticipation
from ._base import committee_or_404, is_liaison, require_reviewer, run_service, serve_file


def _day(request, pk) -> DedicationDay:
    """A liaison sees their community's days (the rows of other units stay hidden)."""
    user = request.user
    qs = DedicationDay.objects.select_related("committee__community")
    if is_liaison(user):
        return get_object_or_404(qs, pk=pk, committee__community_id=user.unit.community_id)
    return scoped_get(user, qs, pk=pk)


@login_required
def dedication_list(request):
    committee = committee_or_404(request)
    year = year_param(request.GET.get("year"), default=timezone.localdate().year)
    return render(
        request,
        "cobuilding/dedication_list.html",
        {
            "committee": committee,
            "dy": selectors.dedication_year(committee=committee, year=year),
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
            "reviewer": services.is_reviewer(request.user),
        },
    )


@login_required
def dedication_create(request):
    user = request.user
    require_reviewer(user)
    committee = committee_or_404(request)
    form = DedicationDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        day = run_service(
            form, lambda: services.dedication_day_record(actor=user, committee=committee, **form.cleaned_data)
        )
        if day is not None:
            messages.success(request, _("已登记%(day)s。") % {"day": day})
            return redirect(day)
    return render(
        request,
        "cobuilding/form_page.html",
        {"form": form, "title": _("登记党员奉献日"), "submit": _("登记"), "back": "cobuilding:dedication_list"},
    )


@login_required
def dedication_detail(request, pk):
    user = request.user
    day = _day(request, pk)
    participations = list(
        scoped(user, DedicationParticipation.objects.filter(day=day).select_related("unit")).order_by("unit__name")
    )
    units = None if is_liaison(user) else list(selectors.committee_units(committee=day.committee))
    done = {p.unit_id for p in participations}
    return render(
        request,
        "cobuilding/dedication_detail.html",
        {
            "day": day,
            "participations": participations,
            "missing_units": [u for u in units if u.pk not in done] if units is not None else [],
            "total": sum(p.count for p in participations),
            "can_record": can_change(user, DedicationParticipation),
        },
    )


@login_required
def participation_record(request, pk):
    user = request.user
    day = _day(request, pk)
    if not can_change(user, DedicationParticipation):
        raise PermissionDenied
    units = None if is_liaison(user) else selectors.committee_units(committee=day.committee)
    existing = None
    if is_liaison(user):
        existing = DedicationParticipation.objects.filter(day=day, unit_id=user.unit_id).first()
    initial = (
        {"names": existing.names, "count": existing.count} if existing else {"unit": id_param(request.GET.get("unit"))}
    )
    form = ParticipationForm(request.POST or None, request.FILES or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        unit = data.pop("unit", None) or user.unit
        saved = run_service(
            form, lambda: services.dedication_participation_record(actor=user, day=day, unit=unit, **data)
        )
        if saved is not None:
            messages.success(request, _("已登记%(unit)s参加人数：%(n)s 人。") % {"unit": unit.name, "n": saved.count})
            return redirect(day)
    return render(
        request,
        "cobuilding/form_page.html",
        {
            "form": form,
            "title": _("登记参加奉献日的党员"),
            "intro": str(day),
            "submit": _("保存"),
            "multipart": True,
            "back": "cobuilding:dedication_list",
            "back_url": day.get_absolute_url(),
        },
    )


@login_required
def roster_file(request, pk):
    participation = scoped_get(request.user, DedicationParticipation.objects.all(), pk=pk)
    return serve_file(participation.roster, participation.roster_name)


urlpatterns = [
    path("dedication/", dedication_list, name="dedication_list"),
    path("dedication/new/", dedication_create, name="dedication_create"),
    path("dedication/<int:pk>/", dedication_detail, name="dedication_detail"),
    path("dedication/<int:pk>/record/", participation_record, name="participation_record"),
    path("rosters/<int:pk>/", roster_file, name="roster_file"),
]
