"""Input forms of the rollout pages (R25); each view hands the cleaned data to a service."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from committees.models import Community

from .models import PublicityEvent, RuleDocument, Stage

MONTHS = [(m, _("%(m)s月") % {"m": m}) for m in range(1, 13)]


class PlanCreateForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    pilot = forms.ModelChoiceField(label=_("试点社区"), queryset=Community.objects.none(), required=False)

    def __init__(self, *args, township=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pilot"].queryset = Community.objects.filter(township=township)
        self.fields["year"].initial = timezone.localdate().year


class PlanMonthsForm(forms.Form):
    """Start and end month of each of the five stages."""

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stages = list(plan.stages.all()) if plan is not None else []
        for row in self.stages:
            self.fields[f"start_{row.stage}"] = forms.TypedChoiceField(
                label=_("开始"), choices=MONTHS, coerce=int, initial=row.start_month
            )
            self.fields[f"end_{row.stage}"] = forms.TypedChoiceField(
                label=_("结束"), choices=MONTHS, coerce=int, initial=row.end_month
            )

    def rows(self):
        return [(row, self[f"start_{row.stage}"], self[f"end_{row.stage}"]) for row in self.stages]

    def months(self) -> dict[int, tuple[int, int]]:
        d = self.cleaned_data
        return {row.stage: (d[f"start_{row.stage}"], d[f"end_{row.stage}"]) for row in self.stages}


class PilotForm(forms.Form):
    community = forms.ModelChoiceField(label=_("试点社区"), queryset=Community.objects.none())

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.filter(township_id=plan.township_id)
        self.fields["community"].initial = plan.pilot_id


class PilotSummaryForm(forms.Form):
    summary = forms.CharField(label=_("试点工作总结"), widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label=_("总结材料（可选）"), required=False)


class StageChangeForm(forms.Form):
    stage = forms.TypedChoiceField(label=_("调整为"), choices=Stage.choices, coerce=int)
    reason = forms.CharField(label=_("原因"), max_length=300)


class PublicityEventForm(forms.ModelForm):
    class Meta:
        model = PublicityEvent
        fields = ["held_on", "title", "kind", "participants", "file"]
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"})}


class PlanDocumentForm(forms.Form):
    title = forms.CharField(label=_("方案名称"), max_length=120)
    file = forms.FileField(label=_("方案文件（PDF/DOCX）"))


class OpinionForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("单位"), queryset=None)
    text = forms.CharField(label=_("意见建议"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class RuleDocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=RuleDocument.Kind.choices)
    title = forms.CharField(label=_("文件名称"), max_length=120)
    file = forms.FileField(label=_("文件（PDF/DOCX）"))
    approved_in = forms.ModelChoiceField(label=_("审议通过的会议（已召开）"), queryset=None, required=False)

    def __init__(self, *args, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approved_in"].queryset = meetings


class RuleApproveForm(forms.Form):
    approved_in = forms.ModelChoiceField(label=_("审议通过的会议"), queryset=None)

    def __init__(self, *args, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approved_in"].queryset = meetings
