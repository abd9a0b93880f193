"""Forms of the year-end report pages (R14)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import PLAN_MAX_CHARS


class PlanForm(forms.Form):
    next_year_plan = forms.CharField(
        label=_("明年工作计划"),
        required=False,
        max_length=PLAN_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("写入报告第七部分“明年工作计划”，每段一行。保存后点击“重新生成”使报告采用新内容。"),
    )


class EvaluationForm(forms.Form):
    """R14 (issue #11 item 16): one group's evaluation tally of the report."""

    group = forms.ChoiceField(label=_("评议人"), choices=[])
    held_on = forms.DateField(label=_("评议日期"), widget=forms.DateInput(attrs={"type": "date"}))
    present = forms.IntegerField(label=_("参加评议人数"), min_value=0)
    satisfied = forms.IntegerField(label=_("满意"), min_value=0, initial=0)
    fairly = forms.IntegerField(label=_("比较满意"), min_value=0, initial=0)
    basic = forms.IntegerField(label=_("基本满意"), min_value=0, initial=0)
    unsatisfied = forms.IntegerField(label=_("不满意"), min_value=0, initial=0)
    opinions = forms.CharField(label=_("主要意见建议"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        from .models import ReportEvaluation

        super().__init__(*args, **kwargs)
        self.fields["group"].choices = ReportEvaluation.Group.choices
