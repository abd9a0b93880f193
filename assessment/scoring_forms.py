"""Forms of the R21 scoring rounds: input validation only; the services decide."""

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from committees.models import Community, Township
from common.widgets import QuickSelect

from .models import Round, RoundScorer, Scheme, ScoringTask

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UserChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name}（{obj.get_role_display()}）"


class RoundCreateForm(forms.Form):
    scheme = forms.ModelChoiceField(
        label=_("考核方案"),
        queryset=Scheme.objects.filter(status=Scheme.Status.PUBLISHED, township__isnull=True).select_related("county"),
        help_text=_("评分轮次的县（区）和年度取自所选方案。"),
    )
    title = forms.CharField(label=_("名称"), max_length=120, initial=_("双百分联合评分"))
    self_report_deadline = forms.DateField(label=_("自评截止日期"), widget=DATE)
    scoring_deadline = forms.DateField(label=_("评分截止日期"), widget=DATE, required=False)
    combination = forms.ChoiceField(label=_("合成规则"), choices=Round.Combination.choices)
    committee_weight = forms.DecimalField(
        label=_("大党委评分权重"),
        min_value=Decimal("0"),
        max_value=Decimal("1"),
        decimal_places=2,
        initial=Decimal("0.50"),
        help_text=_("仅“加权”时使用：大党委一方所占比重（0–1），县委组织部一方占其余。"),
    )
    county_scorers = UserChoices(
        label=_("县委组织部评分人"),
        queryset=User.objects.filter(Q(role=User.Role.COUNTY) | Q(is_superuser=True), is_active=True).order_by(
            "username"
        ),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("未被指定的县委组织部审核员只能查看，不能评分。"),
    )
    committee_scorers = UserChoices(
        label=_("另行指定的大党委评分人"),
        queryset=User.objects.filter(role__in=[User.Role.SECRETARY, User.Role.TOWNSHIP], is_active=True).order_by(
            "username"
        ),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("社区书记、镇（街道）组织干部本就可为本辖区单位评分，无须指定。"),
    )

    def clean(self):
        data = super().clean()
        scheme = data.get("scheme")
        if scheme is not None:
            wrong = [
                u
                for u in data.get("county_scorers") or []
                if u.role == User.Role.COUNTY and u.county_id != scheme.county_id
            ]
            if wrong:
                self.add_error("county_scorers", _("县委组织部评分人须为方案所在县（区）的审核员。"))
        return data


class SelfReportForm(forms.Form):
    self_report = forms.CharField(label=_("单位自评报告"), widget=forms.Textarea(attrs={"rows": 10}), max_length=20000)


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("材料名称"), max_length=120, required=False)
    file = forms.FileField(label=_("文件"), help_text=_("PDF、图片、Word 或 Excel 文件。"))


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), max_length=500)


class CorrectionForm(forms.Form):
    new_score = forms.DecimalField(label=_("更正后得分"), max_digits=6, decimal_places=2, min_value=Decimal("0"))
    reason = forms.CharField(label=_("更正理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ScoreForm(forms.Form):
    """One points field (and one reason field) per leaf, bonus and deduction item."""

    def __init__(self, *args, indicators, initial_lines=None, suggestions=None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_lines = initial_lines or {}
        suggestions = suggestions or {}
        for indicator in indicators:
            line = initial_lines.get(indicator.pk)
            suggestion = suggestions.get(indicator.pk)
            if line is not None:
                points, reason = line.points, line.reason
            else:
                points = suggestion.points if suggestion is not None else None
                reason = ""
            self.fields[f"points_{indicator.pk}"] = forms.DecimalField(
                label=indicator.title,
                required=False,
                min_value=Decimal("0"),
                max_value=indicator.entry_max,
                decimal_places=2,
                max_digits=5,
                initial=points,
                widget=forms.NumberInput(attrs={"step": "0.01", "class": "form-control form-control-sm"}),
            )
            self.fields[f"reason_{indicator.pk}"] = forms.CharField(
                label=_("理由"),
                required=False,
                initial=reason,
                widget=forms.TextInput(
                    attrs={"class": "form-control form-control-sm", "placeholder": _("与建议分不同时说明理由")}
                ),
            )
        self.indicators = list(indicators)

    def scores(self) -> dict:
        return {
            i.pk: (self.cleaned_data.get(f"points_{i.pk}"), self.cleaned_data.get(f"reason_{i.pk}", ""))
            for i in self.indicators
        }


class TaskFilterForm(forms.Form):
    """The round page's filter. A county has hundreds of communities: the choices are (id, name)
    pairs read in one query each, not model instances."""

    township = forms.TypedChoiceField(label=_("镇/街道"), coerce=int, required=False, empty_value=None)
    community = forms.TypedChoiceField(label=_("社区"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args, round: Round, **kwargs):
        super().__init__(*args, **kwargs)
        townships = Township.objects.filter(county_id=round.county_id).order_by("name").values_list("pk", "name")
        communities = (
            Community.objects.filter(township__county_id=round.county_id).order_by("name").values_list("pk", "name")
        )
        self.fields["township"].choices = [("", "---------"), *townships]
        self.fields["community"].choices = [("", "---------"), *communities]
        self.fields["status"].choices = [("", _("全部")), *ScoringTask.Status.choices]
        for f in self.fields.values():
            f.widget = QuickSelect(choices=f.choices, attrs={"class": "form-select form-select-sm"})

    @property
    def filters(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())

    def apply(self, tasks):
        if not self.is_valid():
            return tasks
        data = self.cleaned_data
        if data.get("township"):
            tasks = tasks.filter(unit__community__township_id=data["township"])
        if data.get("community"):
            tasks = tasks.filter(unit__community_id=data["community"])
        if data.get("status"):
            tasks = tasks.filter(status=data["status"])
        return tasks


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name}（{obj.get_role_display()}）"


class RoundScorerForm(forms.Form):
    """Name a scorer after the round is created (the service checks the user fits the body)."""

    user = UserChoice(label=_("评分人"), queryset=User.objects.none())
    body = forms.ChoiceField(label=_("评分方"), choices=RoundScorer.Body.choices)

    def __init__(self, *args, round: Round, **kwargs):
        super().__init__(*args, **kwargs)
        county = round.county_id
        self.fields["user"].queryset = (
            User.objects.filter(is_active=True)
            .filter(
                Q(is_superuser=True)
                | Q(role=User.Role.ADMIN)
                | Q(role=User.Role.COUNTY, county_id=county)
                | Q(role=User.Role.TOWNSHIP, township__county_id=county)
                | Q(role=User.Role.SECRETARY, community__township__county_id=county)
            )
            .exclude(pk__in=round.scorers.values("user_id"))
            .order_by("role", "username")
        )


class RoundUpdateForm(forms.Form):
    """R21: the round's name, deadlines and (while nothing is finalised) combination rule."""

    title = forms.CharField(label=_("名称"), max_length=120)
    self_report_deadline = forms.DateField(label=_("自评截止日期"), widget=DATE)
    scoring_deadline = forms.DateField(
        label=_("评分截止日期"),
        widget=DATE,
        required=False,
        help_text=_("截止日期之后不能再保存或提交评分；可在此延期。"),
    )
    combination = forms.ChoiceField(label=_("合成规则"), choices=Round.Combination.choices)
    committee_weight = forms.DecimalField(
        label=_("大党委评分权重"),
        min_value=Decimal("0"),
        max_value=Decimal("1"),
        decimal_places=2,
        help_text=_("仅“加权”时使用。已有单位定分后，合成规则和权重不能再修改。"),
    )
