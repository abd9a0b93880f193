"""Forms of the committee (R1, R4, R6): input validation and layout only; views call services."""

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from committees.models import Committee, Community

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _helper(*rows) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(*rows)
    return helper


class CommitteeCreateForm(forms.Form):
    """R6: the term defaults to 5 years from its start (the community party-org term)."""

    community = forms.ModelChoiceField(label=_("社区"), queryset=Community.objects.none())
    name = forms.CharField(label=_("名称"), max_length=100, required=False, help_text=_("留空则为“社区名称＋大党委”。"))
    term_start = forms.DateField(label=_("任期开始"), widget=DATE)
    term_end = forms.DateField(
        label=_("任期届满"), widget=DATE, required=False, help_text=_("留空则按 5 年任期计算（与社区党组织任期一致）。")
    )
    mode = forms.ChoiceField(label=_("组成方式"), choices=Committee.Mode.choices, initial=Committee.Mode.ROTATING)
    meeting_frequency = forms.ChoiceField(
        label=_("会议频次"), choices=Committee.Frequency.choices, initial=Committee.Frequency.QUARTERLY
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["community"].empty_label = _("（请选择本镇/街道的社区）")
        self.fields["term_start"].initial = timezone.localdate()
        self.helper = _helper(
            Row(Column("community", css_class="col-md-6"), Column("name", css_class="col-md-6")),
            Row(Column("term_start", css_class="col-md-6"), Column("term_end", css_class="col-md-6")),
            "mode",
            "meeting_frequency",
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("term_start"), data.get("term_end")
        if start and end and end <= start:
            self.add_error("term_end", _("任期届满日期必须晚于任期开始日期。"))
        return data


class CommitteeUpdateForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    term_start = forms.DateField(label=_("任期开始"), widget=DATE)
    term_end = forms.DateField(label=_("任期届满"), widget=DATE)
    mode = forms.ChoiceField(label=_("组成方式"), choices=Committee.Mode.choices)
    meeting_frequency = forms.ChoiceField(label=_("会议频次"), choices=Committee.Frequency.choices)
    rotation_approver = forms.ChoiceField(
        label=_("轮值安排批准机关"),
        choices=Committee.RotationApprover.choices,
        help_text=_("书记轮值安排由社区或镇（街道）提出，由此处选定的机关批准，提出人不能自己批准。"),
        required=False,
    )

    FIELDS = ("name", "term_start", "term_end", "mode", "meeting_frequency", "rotation_approver")

    def __init__(self, *args, committee: Committee, **kwargs):
        kwargs.setdefault("initial", {name: getattr(committee, name) for name in self.FIELDS})
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            "name",
            Row(Column("term_start", css_class="col-md-6"), Column("term_end", css_class="col-md-6")),
            "mode",
            "meeting_frequency",
            "rotation_approver",
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("term_start"), data.get("term_end")
        if isinstance(start, datetime.date) and isinstance(end, datetime.date) and end <= start:
            self.add_error("term_end", _("任期届满日期必须晚于任期开始日期。"))
        if not data.get("rotation_approver"):  # not sent: the setting stays as it is
            data.pop("rotation_approver", None)
        return data


class CommitteeRenewForm(forms.Form):
    """R6 换届: the next committee's term (the old one closes the day before)."""

    term_start = forms.DateField(label=_("新一届任期开始"), widget=DATE)
    term_end = forms.DateField(
        label=_("新一届任期届满"), widget=DATE, required=False, help_text=_("留空则按 5 年任期计算。")
    )
    name = forms.CharField(
        label=_("新一届名称"), max_length=100, required=False, help_text=_("留空则为“社区名称＋大党委”。")
    )

    def __init__(self, *args, committee: Committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term_start"].initial = min(committee.term_end + datetime.timedelta(days=1), timezone.localdate())
        self.helper = _helper(
            Row(Column("term_start", css_class="col-md-6"), Column("term_end", css_class="col-md-6")), "name"
        )
