"""Input of the member review (R22): validation and layout only; the views call the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CHOICE_FIELDS, Campaign, Category, Choice
from .services import MAX_CODES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ("year", "title", "opens_on", "closes_on", "p2_rule")
        widgets = {"opens_on": DateInput(), "closes_on": DateInput()}

    def validate_unique(self):
        # the service says it in Chinese, on the year field
        pass


class CodesForm(forms.Form):
    category = forms.ChoiceField(label=_("测评人类别"), choices=Category.choices)
    count = forms.IntegerField(label=_("数量"), min_value=1, max_value=MAX_CODES, initial=20)


class CodeEntryForm(forms.Form):
    code = forms.CharField(label=_("测评码"), max_length=30, help_text=_("请输入测评票上印的12位测评码。"))


class BallotForm(forms.Form):
    """One required choice per member: field ``s<subject pk>``."""

    def __init__(self, *args, subjects, **kwargs):
        super().__init__(*args, **kwargs)
        self.subjects = subjects
        for subject in subjects:
            self.fields[f"s{subject.pk}"] = forms.ChoiceField(
                label=subject.holder_name,
                choices=Choice.choices,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": _("请选择对该委员的评价。")},
            )

    def rows(self):
        return [(subject, self[f"s{subject.pk}"]) for subject in self.subjects]

    def choices(self) -> dict[int, str]:
        return {subject.pk: self.cleaned_data[f"s{subject.pk}"] for subject in self.subjects}


class TallyForm(forms.Form):
    """Counts of one category's paper ballots: ``s<pk>_<choice>`` for every member and choice."""

    def __init__(self, *args, subjects, tallies, **kwargs):
        super().__init__(*args, **kwargs)
        self.subjects = subjects
        for subject in subjects:
            tally = tallies.get(subject.pk)
            for choice, name in CHOICE_FIELDS.items():
                self.fields[f"s{subject.pk}_{name}"] = forms.IntegerField(
                    label=f"{subject.holder_name} {choice.label}",
                    min_value=0,
                    max_value=100000,
                    required=False,
                    initial=getattr(tally, name) if tally else 0,
                    error_messages={"min_value": _("票数不能为负数。"), "invalid": _("请输入整数。")},
                )

    def rows(self):
        return [
            (subject, [self[f"s{subject.pk}_{name}"] for name in CHOICE_FIELDS.values()]) for subject in self.subjects
        ]

    def counts(self) -> dict[int, dict[str, int]]:
        return {
            subject.pk: {name: self.cleaned_data[f"s{subject.pk}_{name}"] or 0 for name in CHOICE_FIELDS.values()}
            for subject in self.subjects
        }
