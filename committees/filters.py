"""Filters of the member-unit ledger (R2), shared by the list page and its Excel export."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.params import id_param
from common.permissions import role_of

from .models import Grid, Unit
from .selectors import community_list


class GridChoiceField(forms.ModelChoiceField):
    """Grid names repeat across communities (第一网格): show the community when it is not chosen."""

    show_community = True

    def label_from_instance(self, obj):
        return f"{obj.community.name} · {obj.name}" if self.show_community else obj.name


class GridFilter(django_filters.ModelChoiceFilter):
    field_class = GridChoiceField


class UnitFilter(django_filters.FilterSet):
    """R2: community (only those in the user's scope), type, industry, grid (R26), party-org kind,
    in/out of the ledger, and a search over name, party-org name and liaison."""

    STATUS_ACTIVE, STATUS_INACTIVE, STATUS_ALL = "active", "inactive", "all"
    STATUS_CHOICES = [(STATUS_ACTIVE, _("在册")), (STATUS_INACTIVE, _("已停用")), (STATUS_ALL, _("全部"))]

    q = django_filters.CharFilter(
        label=_("搜索"),
        method="filter_search",
        widget=forms.TextInput(attrs={"placeholder": _("单位、党组织或联络员"), "type": "search"}),
    )
    community = django_filters.ModelChoiceFilter(label=_("社区"), queryset=None, empty_label=_("全部社区"))
    unit_type = django_filters.ChoiceFilter(label=_("单位类型"), choices=Unit.Type.choices, empty_label=_("全部类型"))
    industry = django_filters.ChoiceFilter(
        label=_("所属行业"), choices=Unit.Industry.choices, empty_label=_("全部行业")
    )
    grid = GridFilter(label=_("网格"), queryset=None, empty_label=_("全部网格"))
    party_org_kind = django_filters.ChoiceFilter(
        label=_("党组织类别"), choices=Unit.PartyOrgKind.choices, empty_label=_("全部类别")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=STATUS_CHOICES, method="filter_status", empty_label=None
    )

    class Meta:
        model = Unit
        fields = ["q", "community", "unit_type", "industry", "grid", "party_org_kind", "status"]

    def __init__(self, data=None, *args, user, **kwargs):
        # The ledger shows the units in the register unless asked otherwise.
        data = data.copy() if data is not None else None
        if data is not None and not data.get("status"):
            data["status"] = self.STATUS_ACTIVE
        super().__init__(data, *args, **kwargs)
        communities = community_list(user=user)
        self.filters["community"].queryset = communities
        grids = Grid.objects.filter(community__in=communities).select_related("community")
        chosen = self.data.get("community") if self.data else None
        if (chosen_id := id_param(chosen)) is not None:
            grids = grids.filter(community_id=chosen_id)
        elif role_of(user) != "secretary":
            # A county has thousands of grids: offer them once a community is chosen (a grid
            # picked without one, e.g. from a saved link, stays valid).
            picked = id_param(self.data.get("grid")) if self.data else None
            grids = grids.filter(pk=picked) if picked is not None else grids.none()
        self.filters["grid"].queryset = grids.order_by("community__name", "name")
        self.form.fields["grid"].show_community = not chosen
        if not chosen and role_of(user) != "secretary":
            self.form.fields["grid"].empty_label = _("全部网格（先选社区）")
        for form_field in self.form.fields.values():
            is_select = isinstance(form_field.widget, forms.Select)
            form_field.widget.attrs["class"] = "form-select" if is_select else "form-control"

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(party_org_name__icontains=value) | Q(liaison_name__icontains=value)
        )

    def filter_status(self, queryset, name, value):
        if value == self.STATUS_ACTIVE:
            return queryset.filter(is_active=True)
        if value == self.STATUS_INACTIVE:
            return queryset.filter(is_active=False)
        return queryset
