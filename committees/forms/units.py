"""Forms of the member-unit ledger (R2): input validation only; the views call the services."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from committees.models import Community, Grid, Unit
from committees.services import UNIT_FIELDS
from common.uploads import validate_upload

# The ledger fields a person may enter: exactly those the services accept.
UNIT_FORM_FIELDS = list(UNIT_FIELDS)


class UnitForm(forms.ModelForm):
    """R2: one unit's ledger entry. Grid choices are the unit's own community's grids."""

    class Meta:
        model = Unit
        fields = UNIT_FORM_FIELDS

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        self.fields["grid"].queryset = Grid.objects.filter(community=community)
        self.fields["grid"].empty_label = _("（未划分网格）")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("基本情况"),
                Row(Column("name", css_class="col-md-6"), Column("unit_type", css_class="col-md-6")),
                Row(Column("industry", css_class="col-md-6"), Column("grid", css_class="col-md-6")),
                "address",
            ),
            Fieldset(
                _("党组织"),
                Row(Column("party_org_name", css_class="col-md-6"), Column("party_org_kind", css_class="col-md-6")),
                Row(Column("party_org_secretary", css_class="col-md-6")),
                Row(
                    Column("members_direct", css_class="col-md-4"),
                    Column("members_in_service", css_class="col-md-4"),
                    Column("members_floating", css_class="col-md-4"),
                ),
            ),
            Fieldset(
                _("联系方式"),
                Row(Column("liaison_name", css_class="col-md-6"), Column("liaison_phone", css_class="col-md-6")),
                Row(Column("contact_phone", css_class="col-md-6"), Column("contact_email", css_class="col-md-6")),
            ),
        )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Unit.objects.filter(community=self.community, name=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("本社区已有名为“%(name)s”的成员单位。"), params={"name": name}, code="unique")
        return name


class UnitDeactivateForm(forms.Form):
    reason = forms.CharField(label=_("停用原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class UnitImportForm(forms.Form):
    file = forms.FileField(
        label=_("台账文件（.xlsx）"),
        help_text=_("请使用本页提供的模板填写；每行一个单位，单位名称已存在的将更新该单位。"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        validate_upload(f, ("xlsx",))
        return f
