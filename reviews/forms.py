"""Input of the member review (R22): validation and layout only; the views call the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import DateInput

from .models import CHOICE_FIELDS, Campaign, Category, Choice
from .services import MAX_CODES


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = (
            "year",
            "period",
            "title",
            "opens_on",
            "closes_on",
            "electorate_party_member",
            "electorate_deputy",
            "electorate_resident",
            "p2_rule",
            "consecutive",
            "include_attendees",
        )
        widgets = {"opens_on": DateInput(), "closes_on": DateInput()}

    OPTIONAL = {"period": 0, "electorate_party_member": 0, "electorate_deputy": 0, "electorate_resident": 0}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.OPTIONAL:
            self.fields[name].required = False
        self.fields["period"].help_text = _("大党委按半年开展测评的，分别建立上半年和下半年测评。")
        self.fields["electorate_party_member"].help_text = _(
            "各类测评人的应参评人数：发放的测评码与每位委员的纸质票合计不得超过该人数。"
        )

    def clean(self):
        cleaned = super().clean()
        for name, default in self.OPTIONAL.items():
            if cleaned.get(name) in (None, ""):
                cleaned[name] = default
        return cleaned

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
