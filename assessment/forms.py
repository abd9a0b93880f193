"""Input validation only; every write goes through ``assessment.services``."""

import datetime
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from committees.models import County, Township

from .models import EvidenceSource, Indicator

POINTS_ATTRS = {"inputmode": "decimal", "step": "0.01", "min": "0"}


def points_field(label, *, required=True, help_text=""):
    return forms.DecimalField(
        label=label,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        required=required,
        help_text=help_text,
        widget=forms.NumberInput(attrs=POINTS_ATTRS),
    )


class SchemeCreateForm(forms.Form):
    county = forms.ModelChoiceField(label=_("县（区）"), queryset=County.objects.all())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("名称"), max_length=120)
    weight = forms.DecimalField(
        label=_("折算权重"),
        max_digits=6,
        decimal_places=4,
        min_value=Decimal("0"),
        initial=Decimal("1"),
        help_text=_("折算分 = 得分 × 权重。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = datetime.date.today().year


class IndicatorForm(forms.Form):
    parent = forms.ModelChoiceField(label=_("上级分组"), queryset=Indicator.objects.none(), required=False)
    order = forms.IntegerField(label=_("序号"), min_value=0, required=False)
    title = forms.CharField(label=_("指标"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=Indicator.Kind.choices, initial=Indicator.Kind.LEAF)
    max_points = points_field(_("分值"))
    limit = points_field(_("累计上限"), required=False, help_text=_("仅加分项、扣分项填写。"))
    guidance = forms.CharField(label=_("评分标准"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    evidence_required = forms.CharField(label=_("佐证材料"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    evidence_source = forms.ChoiceField(
        label=_("数据来源"),
        choices=[("", _("无（人工评分）")), *EvidenceSource.choices],
        required=False,
        help_text=_("评分项可选：门户据此数据预填建议分并写明计算过程，评分人可调整并说明理由。"),
    )

    def __init__(self, *args, sheet, indicator=None, **kwargs):
        super().__init__(*args, **kwargs)
        groups = sheet.indicators.filter(kind=Indicator.Kind.GROUP)
        if indicator is not None:
            groups = groups.exclude(pk=indicator.pk)
        self.fields["parent"].queryset = groups

    def clean(self):
        data = super().clean()
        # R21 item 2: only a scored leaf is pre-filled from the portal's data.
        if data.get("evidence_source") and data.get("kind") != Indicator.Kind.LEAF:
            self.add_error("evidence_source", _("只有评分项可以设置数据来源。"))
        return data


def bands_text(bands) -> str:
    """Grade bands as lines "名称 下限" (the last one without a minimum)."""
    return "\n".join(f"{b['label']} {b['min']}" if b.get("min") is not None else b["label"] for b in bands)


class SchemeUpdateForm(forms.Form):
    """R21: the name, the conversion weight and the grade bands of a draft scheme."""

    title = forms.CharField(label=_("名称"), max_length=120)
    weight = forms.DecimalField(
        label=_("折算权重"),
        max_digits=6,
        decimal_places=4,
        min_value=Decimal("0"),
        help_text=_("折算分 = 得分 × 权重。"),
    )
    grade_bands = forms.CharField(
        label=_("等次划分"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("每行一档，从高到低：名称、空格、最低分；最后一档只写名称（低于上一档即为该等次）。例如：优秀 95"),
    )

    def clean_grade_bands(self):
        bands = []
        for line in self.cleaned_data["grade_bands"].splitlines():
            parts = line.split()
            if not parts:
                continue
            if len(parts) > 2:
                raise forms.ValidationError(_("“%(line)s”：每行只写等次名称和最低分。") % {"line": line.strip()})
            bands.append({"label": parts[0], "min": parts[1] if len(parts) == 2 else None})
        return bands


class RefineForm(forms.Form):
    """R21: a township's refinement of a published county scheme (the administrator names the
    township; township staff refine for their own)."""

    township = forms.ModelChoiceField(label=_("镇（街道）"), queryset=Township.objects.none())
    title = forms.CharField(
        label=_("名称"), max_length=120, required=False, help_text=_("留空则为“县级方案名称（某镇细化）”。")
    )

    def __init__(self, *args, scheme, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.role == "township":
            del self.fields["township"]
        else:
            self.fields["township"].queryset = Township.objects.filter(county_id=scheme.county_id).order_by("name")


class DepartmentForm(forms.Form):
    """R21: a functional department of the county's list (职能部门)."""

    county = forms.ModelChoiceField(label=_("县（区）"), queryset=County.objects.all())
    name = forms.CharField(label=_("部门名称"), max_length=60, help_text=_("如：县民政局、县住建局。"))
    duties = forms.CharField(
        label=_("社区建设职责"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("该部门承担的社区建设职责，评分时据此对照。"),
    )
    order = forms.IntegerField(label=_("序号"), min_value=0, required=False)
    members = forms.ModelMultipleChoiceField(
        label=_("本部门人员账号"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("在该部门工作的县级账号：不参与本部门的评分和审核（回避）。"),
    )
    is_active = forms.BooleanField(
        label=_("参加考核"),
        required=False,
        initial=True,
        help_text=_("取消勾选后，新的评分轮次不再为该部门生成评分任务；已有的评分保留。"),
    )

    def __init__(self, *args, editing: bool = False, county=None, **kwargs):
        from accounts.models import User

        super().__init__(*args, **kwargs)
        users = User.objects.filter(role=User.Role.COUNTY, is_active=True).select_related("county")
        if county is not None:
            users = users.filter(county=county)
        self.fields["members"].queryset = users.order_by("county__name", "username")
        self.fields["members"].label_from_instance = lambda u: f"{u.display_name}（{u.county.name}）"
        if editing:
            del self.fields["county"]
