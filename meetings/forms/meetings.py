"""Forms for scheduling: validation and layout only; the views call the services."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from committees.models import Unit
from common.forms import MobileField
from meetings.models import AgendaItem, Attendee, Meeting


class _Crispy:
    def _helper(self):
        helper = FormHelper()
        helper.form_tag = False
        return helper


class MeetingForm(_Crispy, forms.ModelForm):
    starts_at = forms.DateTimeField(
        label=_("开始时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    class Meta:
        model = Meeting
        fields = ["kind", "title", "starts_at", "duration_minutes", "place", "urgency_reason"]
        help_texts = {
            "urgency_reason": _("距开会不足48小时时必填（急事共商）；会议通知将立即发出。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


class PastMeetingForm(_Crispy, forms.ModelForm):
    """R8/R12: a meeting held offline, entered afterwards (补录)."""

    starts_at = forms.DateTimeField(
        label=_("召开时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    reason = forms.CharField(
        label=_("补录原因"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "例如：会议在线下召开，当时未在平台登记。补录的会议不发通知，并在列表、会议记录和纪要中注明“补录”。"
        ),
    )

    class Meta:
        model = Meeting
        fields = ["kind", "title", "starts_at", "duration_minutes", "place"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


class AgendaItemForm(_Crispy, forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["category", "title", "description", "proposer", "presenter", "planned_minutes"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "category": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # a required radio group offers no pre-selected "---------" choice (issue #15 item 4)
        self.fields["category"].choices = AgendaItem.Category.choices
        self.helper = self._helper()


class AttachmentForm(_Crispy, forms.Form):
    file = forms.FileField(label=_("附件"), help_text=_("PDF、Word、Excel 或图片，不超过 10 MB。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


class AttendeeForm(_Crispy, forms.Form):
    role = forms.ChoiceField(
        label=_("身份"),
        choices=[
            (Attendee.Role.UNIT_REP, Attendee.Role.UNIT_REP.label),
            (Attendee.Role.GUEST, Attendee.Role.GUEST.label),
        ],
    )
    unit = forms.ModelChoiceField(label=_("所在单位"), queryset=Unit.objects.none(), required=False)
    name = forms.CharField(label=_("姓名"), max_length=40)
    email = forms.EmailField(label=_("邮箱"), required=False, help_text=_("不填则使用该单位联络员账号或单位联系邮箱。"))
    phone = MobileField(
        label=_("手机号码"),
        help_text=_("没有平台账号和邮箱时，会议通知以短信发到这个号码；不填则用该单位台账上的手机。"),
    )

    def __init__(self, *args, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        if community is not None:
            self.fields["unit"].queryset = Unit.objects.filter(community=community, is_active=True).order_by("name")
        self.helper = self._helper()


class CancelForm(_Crispy, forms.Form):
    cancel_reason = forms.CharField(label=_("取消原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


class ReplyForm(_Crispy, forms.Form):
    reply = forms.ChoiceField(
        label=_("回执"),
        choices=[(Attendee.Reply.CONFIRMED, _("确认参加")), (Attendee.Reply.LEAVE, _("请假"))],
        widget=forms.RadioSelect,
    )
    reply_reason = forms.CharField(label=_("请假事由"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()

    def clean(self):
        data = super().clean()
        if data.get("reply") == Attendee.Reply.LEAVE and not (data.get("reply_reason") or "").strip():
            self.add_error("reply_reason", _("请假请填写事由。"))
        return data
