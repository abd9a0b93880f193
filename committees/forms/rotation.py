"""Forms of the rotating secretary (R7): input validation and layout only."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from committees.models import Committee, RotationTerm, Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def rotation_candidates(committee: Committee):
    """R7: resident units of the community whose party organisation has a secretary."""
    return (
        Unit.objects.filter(community_id=committee.community_id, is_active=True)
        .exclude(unit_type=Unit.Type.COMMUNITY_ORG)
        .exclude(party_org_secretary="")
        .order_by("name")
    )


class RotationGenerateForm(forms.Form):
    """R7: the units whose secretaries take turns and their order (1, 2, 3 …; empty = not in
    the rotation). One field per candidate unit, named ``order_<unit id>``."""

    start = forms.DateField(
        label=_("从哪天起安排"),
        widget=DATE,
        required=False,
        help_text=_("留空：从已开始的交接历史之后（或大党委任期开始）起安排。"),
    )

    def __init__(self, *args, committee: Committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(rotation_candidates(committee))
        # the current plan's order, as a starting point for a new one
        planned = committee.rotation_terms.order_by("start").values_list("unit_id", flat=True)
        current_order = {unit_id: i for i, unit_id in enumerate(dict.fromkeys(planned), start=1)}
        self.order_fields = []
        for unit in self.candidates:
            name = f"order_{unit.pk}"
            self.fields[name] = forms.IntegerField(
                label=f"{unit.name}（{unit.party_org_secretary}）",
                required=False,
                min_value=1,
                max_value=99,
                initial=current_order.get(unit.pk),
            )
            self.order_fields.append((self[name], unit))

    def clean(self):
        data = super().clean()
        chosen = [(data.get(f"order_{u.pk}"), u.name, u) for u in self.candidates]
        chosen = sorted((c for c in chosen if c[0] is not None), key=lambda c: (c[0], c[1]))
        if not chosen and not self.errors:
            raise forms.ValidationError(_("请至少为一个单位填写轮值顺序。"))
        data["units"] = [c[2] for c in chosen]
        return data


class RotationTermForm(forms.Form):
    """R7: one term of the plan: who and when."""

    unit = forms.ModelChoiceField(label=_("轮值单位"), queryset=Unit.objects.none())
    holder_name = forms.CharField(label=_("轮值书记"), max_length=40)
    start = forms.DateField(label=_("开始"), widget=DATE)
    end = forms.DateField(label=_("结束（含当日）"), widget=DATE)

    FIELDS = ("unit", "holder_name", "start", "end")

    def __init__(self, *args, term: RotationTerm, **kwargs):
        kwargs.setdefault("initial", {name: getattr(term, name) for name in self.FIELDS})
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            Unit.objects.filter(community_id=term.committee.community_id, is_active=True)
            .exclude(unit_type=Unit.Type.COMMUNITY_ORG)
            .order_by("name")
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("unit", css_class="col-md-6"), Column("holder_name", css_class="col-md-6")),
            Row(Column("start", css_class="col-md-6"), Column("end", css_class="col-md-6")),
        )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        return data
