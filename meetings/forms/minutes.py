"""Forms of the record, the minutes and resolutions: validation and layout only."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from committees.models import Unit
from meetings.models import Meeting, Motion, Resolution


def _helper():
    helper = FormHelper()
    helper.form_tag = False
    return helper


class RecordForm(forms.Form):
    speeches = forms.CharField(
        label=_("发言情况"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("按议题记录汇报和发言要点。"),
    )
    decisions = forms.CharField(
        label=_("表决及议定情况"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("已按表决结果预填，可补充。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class MinutesForm(forms.Form):
    body = forms.CharField(label=_("纪要正文"), widget=forms.Textarea(attrs={"rows": 16}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ApproveForm(forms.Form):
    approved_at_meeting = forms.ModelChoiceField(
        label=_("审定会议"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label=_("（不在会议上审定）"),
        help_text=_("纪要通常在下一次会议上审定。"),
    )
    approved_on = forms.DateField(
        label=_("审定日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("不填则为审定会议的日期（或今天）。"),
    )

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approved_at_meeting"].queryset = meetings
        self.fields["approved_at_meeting"].label_from_instance = lambda m: f"{m.title}（{m.starts_at:%Y-%m-%d}）"
        self.helper = _helper()


class AmendForm(forms.Form):
    text = forms.CharField(label=_("更正内容"), widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(label=_("更正原因"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class CorrectionForm(forms.Form):
    text = forms.CharField(label=_("修改意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ResolutionForm(forms.ModelForm):
    deadline = forms.DateField(
        label=_("完成时限"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    consensus = forms.BooleanField(
        label=_("会议协商一致（未经表决）"),
        required=False,
        help_text=_("不对应表决事项时勾选：系统会核对本次会议是否达到法定人数（出席委员超过应到会的半数）。"),
    )

    class Meta:
        model = Resolution
        fields = ["motion", "consensus", "text", "responsible_unit", "deadline"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        taken = Resolution.objects.filter(meeting=meeting, motion__isnull=False)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        self.fields["motion"].queryset = (
            meeting.motions.filter(passed=True, status__in=[Motion.Status.CLOSED, Motion.Status.PUBLISHED])
            .exclude(pk__in=taken.values("motion_id"))
            .order_by("pk")
        )
        self.fields["motion"].empty_label = _("（不对应表决事项）")
        self.fields["consensus"].initial = self.instance.is_consensus
        self.fields["responsible_unit"].queryset = Unit.objects.filter(
            community_id=meeting.committee.community_id, is_active=True
        ).order_by("name")
        self.helper = _helper()
