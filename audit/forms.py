from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent


class AuditFilterForm(forms.Form):
    text = forms.CharField(label=_("用户名、地址或页面"), required=False, max_length=150)
    event = forms.ChoiceField(label=_("事件"), required=False, choices=[("", _("全部"))] + AuditEvent.Event.choices)
    outcome = forms.ChoiceField(label=_("结果"), required=False, choices=[("", _("全部"))] + AuditEvent.Outcome.choices)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
