"""Forms of grids and building party groups (R26)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from committees.models import BuildingGroup, Community, Grid


class GridForm(forms.ModelForm):
    class Meta:
        model = Grid
        fields = ["name", "area", "branch_name", "party_members"]

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Grid.objects.filter(community=self.community, name=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("本社区已有名为“%(name)s”的网格。"), params={"name": name}, code="unique")
        return name


class BuildingGroupForm(forms.ModelForm):
    class Meta:
        model = BuildingGroup
        fields = ["name", "buildings", "leader", "party_members"]

    def __init__(self, *args, grid: Grid, **kwargs):
        super().__init__(*args, **kwargs)
        self.grid = grid

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = BuildingGroup.objects.filter(grid=self.grid, name=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                _("该网格已有名为“%(name)s”的楼栋党小组。"), params={"name": name}, code="unique"
            )
        return name
