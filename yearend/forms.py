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
