"""Input validation only; every write goes through ``assessment.services``."""

import datetime
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from committees.models import County

from .models import Indicator

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

    def __init__(self, *args, sheet, indicator=None, **kwargs):
        super().__init__(*args, **kwargs)
        groups = sheet.indicators.filter(kind=Indicator.Kind.GROUP)
        if indicator is not None:
            groups = groups.exclude(pk=indicator.pk)
        self.fields["parent"].queryset = groups
