"""Grids and building party groups (R26): kept small, used for filtering and reports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from common import permissions
from common.text import inner_quotes
from common.views import add_service_errors, scoped_get, scoped_get_for_change

from .. import selectors, services
from ..forms.grids import BuildingGroupForm, GridForm
from ..models import BuildingGroup, Community, Grid, Unit


def _grids_url(community_id: int, grid_id: int | None = None) -> str:
    url = reverse("committees:grid_list", args=[community_id])
    return f"{url}#grid-{grid_id}" if grid_id else url


@login_required
def grid_list(request, community_id):
    """R26: the community's grids with their building groups, units and party members."""
    community = scoped_get(request.user, Community.objects.select_related("township"), pk=community_id)
    # 第一、第二、第三网格 in their numbers' order
    grids = sorted(
        selectors.grid_list(user=request.user, community_id=community.pk),
        key=lambda g: selectors.numbered_name_key(g.name),
    )
    context = {
        "community": community,
        "grids": grids,
        "ungridded_units": Unit.objects.filter(community=community, is_active=True, grid__isnull=True).count(),
        "may_change": permissions.can_change(request.user, community),
    }
    return render(request, "committees/grid_list.html", context)


@login_required
def grid_create(request, community_id):
    community = scoped_get_for_change(request.user, Community.objects.select_related("township"), pk=community_id)
    form = GridForm(request.POST or None, community=community)
    if request.method == "POST" and form.is_valid():
        try:
            grid = services.grid_save(actor=request.user, community=community, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已新增网格“%(name)s”。") % {"name": inner_quotes(grid.name)})
            return redirect(_grids_url(community.pk, grid.pk))
    return render(request, "committees/grid_form.html", {"form": form, "community": community, "grid": None})


@login_required
def grid_update(request, pk):
    grid = scoped_get_for_change(request.user, Grid.objects.select_related("community__township"), pk=pk)
    stored_name = grid.name
    form = GridForm(request.POST or None, instance=grid, community=grid.community)
    if request.method == "POST" and form.is_valid():
        try:
            grid = services.grid_save(
                actor=request.user, community=grid.community, grid=Grid.objects.get(pk=pk), **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存网格“%(name)s”。") % {"name": inner_quotes(grid.name)})
            return redirect(_grids_url(grid.community_id, grid.pk))
    context = {"form": form, "community": grid.community, "grid": grid, "stored_name": stored_name}
    return render(request, "committees/grid_form.html", context)


@login_required
def building_group_create(request, grid_id):
    grid = scoped_get_for_change(request.user, Grid.objects.select_related("community__township"), pk=grid_id)
    form = BuildingGroupForm(request.POST or None, grid=grid)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.building_group_save(actor=request.user, grid=grid, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已新增楼栋党小组“%(name)s”。") % {"name": inner_quotes(group.name)})
            return redirect(_grids_url(grid.community_id, grid.pk))
    return render(request, "committees/building_group_form.html", {"form": form, "grid": grid, "group": None})


@login_required
def building_group_update(request, pk):
    group = scoped_get_for_change(
        request.user, BuildingGroup.objects.select_related("grid__community__township"), pk=pk
    )
    grid, stored_name = group.grid, group.name
    form = BuildingGroupForm(request.POST or None, instance=group, grid=grid)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.building_group_save(
                actor=request.user, grid=grid, group=BuildingGroup.objects.get(pk=pk), **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存楼栋党小组“%(name)s”。") % {"name": inner_quotes(group.name)})
            return redirect(_grids_url(grid.community_id, grid.pk))
    context = {"form": form, "grid": grid, "group": group, "stored_name": stored_name}
    return render(request, "committees/building_group_form.html", context)


urlpatterns = [
    path("communities/<int:community_id>/grids/", grid_list, name="grid_list"),
    path("communities/<int:community_id>/grids/new/", grid_create, name="grid_create"),
    path("grids/<int:pk>/edit/", grid_update, name="grid_update"),
    path("grids/<int:grid_id>/building-groups/new/", building_group_create, name="building_group_create"),
    path("building-groups/<int:pk>/edit/", building_group_update, name="building_group_update"),
]
