"""The member-unit ledger (R2): list with filters, detail with history, create, edit, deactivate,
reactivate, Excel import and export.

Every object is fetched through the user's scope (outside it: 404) and every change checks
``can_change`` on the object (visible but not changeable: 403). Writes go through the services.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common import permissions
from common.audit import history_entries
from common.text import inner_quotes
from common.views import add_service_errors, scoped_get, scoped_get_for_change

from .. import ledger_io, selectors, services
from ..filters import UnitFilter
from ..forms.units import UnitDeactivateForm, UnitForm, UnitImportForm
from ..models import Community, Unit

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filtered_units(request) -> UnitFilter:
    return UnitFilter(
        request.GET,
        queryset=selectors.unit_list(user=request.user).order_by("community__name", "name", "pk"),
        user=request.user,
    )


@login_required
def unit_list(request):
    """R2: every unit the user may see, filtered, searched and paginated."""
    filterset = _filtered_units(request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    may_change = permissions.can_change(request.user, Unit)
    context = {
        "filter": filterset,
        "page": page,
        "may_change": may_change,
        # Create and import happen in one community: offer those the user may change.
        "change_communities": list(filterset.filters["community"].queryset) if may_change else [],
        "chosen_community": filterset.form.cleaned_data.get("community") if filterset.is_valid() else None,
    }
    template = "committees/unit_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#unit-table"
    return render(request, template, context)


@login_required
def unit_export(request):
    """R2: the filtered list as .xlsx, Chinese headers and labels."""
    filterset = _filtered_units(request)
    response = HttpResponse(ledger_io.units_export(filterset.qs.iterator(chunk_size=2000)), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, ledger_io.export_filename())
    return response


@login_required
def unit_detail(request, pk):
    """R2: every ledger field, the posts held by the unit's people, and the audit history. A
    liaison lands here for their own unit; any other unit is a 404 for them."""
    unit = scoped_get(request.user, Unit.objects.select_related("community__township", "grid"), pk=pk)
    posts = unit.posts.select_related("committee").order_by("-in_force_from", "-nominated_on", "pk")
    context = {
        "unit": unit,
        "posts": list(posts),
        "history": history_entries(unit),
        "may_change": permissions.can_change(request.user, unit),
        "deactivate_form": UnitDeactivateForm(),
    }
    return render(request, "committees/unit_detail.html", context)


@login_required
def unit_create(request, community_id):
    community = scoped_get_for_change(request.user, Community.objects.select_related("township"), pk=community_id)
    form = UnitForm(request.POST or None, community=community)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=request.user, community=community, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已新增成员单位“%(name)s”。") % {"name": inner_quotes(unit.name)})
            return redirect(unit)
    return render(request, "committees/unit_form.html", {"form": form, "community": community, "unit": None})


@login_required
def unit_update(request, pk):
    unit = scoped_get_for_change(request.user, Unit.objects.select_related("community__township"), pk=pk)
    stored_name = unit.name  # the form writes onto ``unit``; the title keeps the stored name
    form = UnitForm(request.POST or None, instance=unit, community=unit.community)
    if request.method == "POST" and form.is_valid():
        try:
            # The form has already written its values onto ``unit``: the service compares against
            # the stored row, so it gets a fresh copy.
            unit = services.unit_update(actor=request.user, unit=Unit.objects.get(pk=pk), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存“%(name)s”的台账信息。") % {"name": inner_quotes(unit.name)})
            return redirect(unit)
    context = {"form": form, "community": unit.community, "unit": unit, "stored_name": stored_name}
    return render(request, "committees/unit_form.html", context)


@require_POST
@login_required
def unit_deactivate(request, pk):
    """R2: a unit leaves the ledger with a date and reason; its posts end (R6 vacancies)."""
    unit = scoped_get_for_change(request.user, Unit.objects.all(), pk=pk)
    form = UnitDeactivateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写停用原因。"))
        return redirect(unit)
    try:
        services.unit_deactivate(actor=request.user, unit=unit, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("“%(name)s”已停用；其在任职务已卸任并列为空缺。") % {"name": inner_quotes(unit.name)}
        )
    return redirect(unit)


@require_POST
@login_required
def unit_reactivate(request, pk):
    unit = scoped_get_for_change(request.user, Unit.objects.all(), pk=pk)
    try:
        services.unit_reactivate(actor=request.user, unit=unit)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(name)s”已恢复在册。") % {"name": inner_quotes(unit.name)})
    return redirect(unit)


@login_required
def unit_import(request, community_id):
    """R2/R25.2: import a ledger sheet; every bad row is listed and nothing is saved."""
    community = scoped_get_for_change(request.user, Community.objects.select_related("township"), pk=community_id)
    form = UnitImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = ledger_io.units_import(actor=request.user, community=community, file=form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            if result.ok:
                messages.success(
                    request,
                    _("导入完成：新增 %(created)s 个单位，更新 %(updated)s 个，%(unchanged)s 个无变化。")
                    % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
                )
                query = urlencode({"community": community.pk})
                return redirect(f"{reverse('committees:unit_list')}?{query}")
    return render(request, "committees/unit_import.html", {"form": form, "community": community, "result": result})


@login_required
def unit_import_template(request, community_id):
    community = scoped_get_for_change(request.user, Community.objects.all(), pk=community_id)
    response = HttpResponse(ledger_io.import_template(community=community), content_type=XLSX)
    filename = _("%(community)s成员单位台账导入模板.xlsx") % {"community": community.name}
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


urlpatterns = [
    path("units/", unit_list, name="unit_list"),
    path("units/export/", unit_export, name="unit_export"),
    path("units/<int:pk>/", unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", unit_update, name="unit_update"),
    path("units/<int:pk>/deactivate/", unit_deactivate, name="unit_deactivate"),
    path("units/<int:pk>/reactivate/", unit_reactivate, name="unit_reactivate"),
    path("communities/<int:community_id>/units/new/", unit_create, name="unit_create"),
    path("communities/<int:community_id>/units/import/", unit_import, name="unit_import"),
    path("communities/<int:community_id>/units/import/template/", unit_import_template, name="unit_import_template"),
]
