"""Forms of the follow-up tasks (R13): validation and layout only."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from committees.models import Unit
from meetings.models import FollowUpTask


def _helper():
    helper = FormHelper()
    helper.form_tag = False
    return helper


class TaskForm(forms.ModelForm):
    due_on = forms.DateField(label=_("完成期限"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    # Issue #15 item 10: a due date already past is taken only when confirmed (the service asks).
    confirm_past_due = forms.BooleanField(label=_("确认完成期限早于今天"), required=False)

    class Meta:
        model = FollowUpTask
        fields = ["title", "responsible_unit", "owner_name", "owner", "due_on"]
        help_texts = {"owner": _("有平台账号时选择：到期前一天上午9点向其发送邮件和站内提醒。")}

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = Unit.objects.filter(community=community, is_active=True).order_by(
            "name"
        )
        self.fields["owner"].queryset = User.objects.filter(is_active=True, unit__community=community).order_by(
            "full_name", "username"
        )
        self.fields["owner"].required = False
        self.helper = _helper()


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 3}))
    progress = forms.IntegerField(label=_("进度（%）"), min_value=0, max_value=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class CloseForm(forms.Form):
    closed_on = forms.DateField(
        label=_("完成日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("完成情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("重新督办原因"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
