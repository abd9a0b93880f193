"""Forms of motions and votes: validation and layout only; the views call the services."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from committees.models import Unit
from meetings.models import Motion, Vote


class MotionForm(forms.ModelForm):
    class Meta:
        model = Motion
        fields = ["agenda_item", "title", "text", "rule", "concerns_unit"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "rule": forms.RadioSelect}
        help_texts = {
            "concerns_unit": _("事项只涉及某一单位（如该单位的考核、会费争议）时选择：该单位的委员回避，不参加表决。"),
            "rule": _("默认：赞成票超过应到会委员半数（少数服从多数）。开始表决后不能修改。"),
        }

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = meeting.agenda_items.order_by("order", "pk")
        self.fields["agenda_item"].empty_label = _("（不针对具体议题）")
        self.fields["concerns_unit"].queryset = Unit.objects.filter(
            community_id=meeting.committee.community_id, is_active=True
        ).order_by("name")
        self.fields["concerns_unit"].empty_label = _("（不涉及特定单位）")
        self.helper = FormHelper()
        self.helper.form_tag = False


class VoteForm(forms.Form):
    """A member's own vote, or one row of the secretary's show-of-hands table."""

    choice = forms.ChoiceField(label=_("表决意见"), choices=Vote.Choice.choices, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class HandsForm(forms.Form):
    """The secretary records one member's raised hand, or the rest of the room at once."""

    attendee = forms.IntegerField(required=False, widget=forms.HiddenInput)
    choice = forms.ChoiceField(choices=Vote.Choice.choices, required=False)
    rest = forms.ChoiceField(choices=Vote.Choice.choices, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("rest") and not (data.get("attendee") and data.get("choice")):
            raise forms.ValidationError(_("请选择表决人和表决意见。"))
        return data
