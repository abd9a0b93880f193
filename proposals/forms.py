"""Input of proposals (R27): validation and layout only; the views call the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import DateInput
from meetings.models import AgendaItem

from .models import Proposal


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ProposalForm(forms.Form):
    committee = forms.ModelChoiceField(label=_("大党委"), queryset=None, empty_label=None)
    channel = forms.ChoiceField(
        label=_("提出方式"), choices=Proposal.Channel.choices, widget=forms.RadioSelect, initial=Proposal.Channel.JOINT
    )
    title = forms.CharField(label=_("案由"), max_length=120)
    problem = forms.CharField(label=_("问题和原因"), widget=forms.Textarea(attrs={"rows": 4}))
    suggestion = forms.CharField(label=_("建议和措施"), widget=forms.Textarea(attrs={"rows": 4}))
    lead_proposer = forms.CharField(label=_("领衔人"), max_length=40)
    lead_is_representative = forms.BooleanField(label=_("领衔人是党代表"), required=False)
    co_signers = forms.CharField(
        label=_("联名人"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("闭会期间须由3名以上党员联名提出：每行填写一名联名人（不含领衔人）。"),
    )
    units = forms.ModelMultipleChoiceField(
        label=_("涉及单位"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    tabled_on = forms.DateField(label=_("提出日期"), widget=DateInput())
    attachments = MultipleFileField(label=_("附件"), required=False, help_text=_("PDF、图片或 Word 文件，可多选。"))

    def __init__(self, *args, committees, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees
        self.fields["units"].queryset = units
        self.fields["units"].label_from_instance = lambda unit: unit.name

    def co_signer_names(self) -> list[str]:
        text = self.cleaned_data.get("co_signers") or ""
        return [line.strip() for line in text.replace("，", "\n").replace("、", "\n").splitlines() if line.strip()]


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("不予立案理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("不予立案须写明理由。")},
    )


class AssignForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("承办单位"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    to_committee = forms.BooleanField(label=_("由大党委承办"), required=False)
    due_on = forms.DateField(label=_("办理期限"), widget=DateInput())

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units
        self.fields["units"].label_from_instance = lambda unit: unit.name


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("答复"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写答复内容。")},
    )
    action_taken = forms.CharField(label=_("办理情况"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class FeedbackForm(forms.Form):
    satisfied = forms.TypedChoiceField(
        label=_("提案人是否满意"),
        choices=(("1", _("满意")), ("0", _("不满意"))),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("提案人意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(forms.Form):
    due_on = forms.DateField(label=_("新的办理期限"), widget=DateInput())


class AgendaForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("会议"), queryset=None, empty_label=None)
    category = forms.ChoiceField(label=_("议题类别"), choices=AgendaItem.Category.choices)
    planned_minutes = forms.IntegerField(label=_("计划时长（分钟）"), min_value=5, max_value=240, initial=15)

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
