"""Input validation and layout only; every write goes through ``funding.services``.

Money fields are ``forms.DecimalField(max_digits=14, decimal_places=2)``: the browser's text
becomes a ``Decimal`` directly, never a float.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import DateInput

from .models import BudgetLine, Category, Payment, ShareLine, Source

MONEY_ATTRS = {"inputmode": "decimal", "step": "0.01", "min": "0"}


def money_field(label, *, required=True, help_text="", allow_negative=False):
    attrs = dict(MONEY_ATTRS)
    if allow_negative:
        attrs.pop("min")
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=2,
        required=required,
        help_text=help_text,
        min_value=None if allow_negative else Decimal("0"),
        widget=forms.NumberInput(attrs=attrs),
        error_messages={
            "invalid": _("请输入有效的金额。"),
            "max_decimal_places": _("金额最多保留两位小数（精确到分）。"),
            "max_digits": _("金额过大。"),
            "min_value": _("金额不能为负数。"),
            "required": _("请填写金额。"),
        },
    )


class YearOpenForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)


class IncomeForm(forms.Form):
    source = forms.ChoiceField(label=_("收入来源"), choices=[c for c in Source.choices if c[0] != Source.CONTRIBUTIONS])
    received_on = forms.DateField(label=_("到账日期"), widget=DateInput())
    amount = money_field(_("金额（元）"))
    payer = forms.CharField(label=_("付款方"), max_length=100, required=False)
    delegating_department = forms.CharField(
        label=_("交办部门"), max_length=100, required=False, help_text=_("费随事转：交办任务的部门。")
    )
    delegated_task = forms.CharField(label=_("交办事项"), max_length=200, required=False)
    donor = forms.CharField(label=_("捐赠人"), max_length=100, required=False)
    anonymous = forms.BooleanField(label=_("匿名捐赠"), required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    reason = forms.CharField(
        label=_("修改原因"), max_length=200, required=False, help_text=_("修改已登记的金额时请说明原因。")
    )


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("作废原因"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("作废后该笔账目仍保留在台账上（划线显示），但不再计入任何合计、结余、图表和导出。"),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class ExpenseForm(forms.Form):
    category = forms.ChoiceField(label=_("支出类别"), choices=Category.choices)
    spent_on = forms.DateField(label=_("支出日期"), widget=DateInput())
    amount = money_field(_("金额（元）"))
    payee = forms.CharField(label=_("收款方"), max_length=100)
    note = forms.CharField(label=_("用途说明"), max_length=200, required=False)
    receipts = MultipleFileField(
        label=_("票据（发票、收据扫描件）"), required=False, help_text=_("可多选；PDF、PNG、JPG，每个不超过10 MB。")
    )
    reason = forms.CharField(label=_("修改原因"), max_length=200, required=False)


class BudgetLineForm(forms.Form):
    direction = forms.ChoiceField(label=_("收支"), choices=BudgetLine.Direction.choices)
    source = forms.ChoiceField(label=_("收入来源"), choices=[("", "—"), *Source.choices], required=False)
    category = forms.ChoiceField(label=_("支出类别"), choices=[("", "—"), *Category.choices], required=False)
    title = forms.CharField(label=_("项目"), max_length=100)
    amount = money_field(_("预算金额（元）"))


class PresetForm(forms.Form):
    """R24: the figures the presets need (both optional)."""

    tax_income = money_field(_("上年度税收分成收入（元）"), required=False)
    allowance_per_quarter = money_field(_("委员补贴标准（元/人·季度）"), required=False)


class SharePlanForm(forms.Form):
    """The plan's total and due date, and per member unit: not taking part, a percentage of what is
    left after the fixed amounts, or a fixed amount."""

    NONE = ""

    total = money_field(_("应筹总额（元）"))
    due_on = forms.DateField(label=_("缴纳期限"), widget=DateInput())
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = list(units)
        for unit in self.units:
            self.fields[f"kind_{unit.pk}"] = forms.ChoiceField(
                label=unit.name,
                choices=[(self.NONE, _("不参与")), *ShareLine.Kind.choices],
                required=False,
            )
            self.fields[f"value_{unit.pk}"] = forms.DecimalField(
                label=_("比例或金额"),
                max_digits=14,
                decimal_places=4,
                required=False,
                min_value=Decimal("0"),
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.0001", "min": "0"}),
                error_messages={"invalid": _("请输入数字。"), "min_value": _("不能为负数。")},
            )

    def unit_rows(self):
        return [(unit, self[f"kind_{unit.pk}"], self[f"value_{unit.pk}"]) for unit in self.units]

    def clean(self):
        cleaned = super().clean()
        lines = []
        for unit in self.units:
            kind = cleaned.get(f"kind_{unit.pk}")
            value = cleaned.get(f"value_{unit.pk}")
            if not kind:
                continue
            if kind == ShareLine.Kind.MEMBERS:  # weighted by the ledger's party-member count
                lines.append((unit, kind, None))
                continue
            if value is None:
                self.add_error(f"value_{unit.pk}", _("请填写%(unit)s的比例或金额。") % {"unit": unit.name})
                continue
            if kind == ShareLine.Kind.FIXED and value != value.quantize(Decimal("0.01")):
                self.add_error(f"value_{unit.pk}", _("固定金额最多保留两位小数。"))
                continue
            lines.append((unit, kind, value))
        if not lines and not self.errors:
            raise forms.ValidationError(_("请至少为一个单位填写分摊比例或金额。"))
        cleaned["lines"] = lines
        return cleaned


class ResolutionForm(forms.Form):
    resolution = forms.ModelChoiceField(
        label=_("会议决议"),
        queryset=None,
        empty_label=_("请选择已表决通过的决议"),
        error_messages={"invalid_choice": _("请选择本大党委已通过的决议。"), "required": _("请选择会议决议。")},
    )

    def __init__(self, *args, resolutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolution"].queryset = resolutions
        self.fields["resolution"].label_from_instance = lambda r: f"{r.meeting.title}：{r.text[:40]}"


class ProposeForm(forms.Form):
    """R23.1 (issue #11 item 12): the meeting that is to vote on the plan."""

    meeting = forms.ModelChoiceField(
        label=_("提交会议"),
        queryset=None,
        empty_label=_("请选择本大党委的会议"),
        error_messages={"invalid_choice": _("请选择本大党委尚可添加表决事项的会议。"), "required": _("请选择会议。")},
    )

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
        self.fields["meeting"].label_from_instance = lambda m: f"{m.title}（{m.get_status_display()}）"


class PaymentForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("缴款单位"), queryset=None, empty_label=_("请选择单位"))
    paid_on = forms.DateField(label=_("缴款日期"), widget=DateInput())
    amount = money_field(_("金额（元）"), help_text=_("可部分缴纳，多次登记。"))
    method = forms.ChoiceField(label=_("缴款方式"), choices=Payment.Method.choices)
    receipt_no = forms.CharField(
        label=_("收据编号"), max_length=30, required=False, help_text=_("留空则自动编号（年度-序号）。")
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    # Issue #15 item 10: more than the unit owes is kept only when confirmed (the service asks).
    confirm_overpay = forms.BooleanField(label=_("确认多缴"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class RefundForm(forms.Form):
    amount = money_field(_("退款金额（元）"), help_text=_("填写正数，登记为负数冲减。"))
    paid_on = forms.DateField(label=_("退款日期"), widget=DateInput())
    method = forms.ChoiceField(label=_("退款方式"), choices=Payment.Method.choices)
    note = forms.CharField(label=_("退款原因"), max_length=200)
