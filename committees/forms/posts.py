"""Forms of posts, approvals and vacancies (R3–R6): input validation and layout only."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from committees.models import Committee, Post, PostApproval, Unit
from common.forms import MobileField

PHONE_HELP = _("可选：任职人本人的手机。没有平台账号和邮箱时，会议通知以短信发到这个号码。")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _helper(*rows) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(*rows)
    return helper


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.get_unit_type_display()}）"


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name}（{obj.username}）"


class PostNominateForm(forms.Form):
    """R3–R5: who, from which unit, for which post, recommended by whom."""

    kind = forms.ChoiceField(label=_("职务"), choices=Post.Kind.choices)
    holder_name = forms.CharField(label=_("姓名"), max_length=40)
    unit = UnitChoiceField(label=_("所在单位"), queryset=Unit.objects.none())
    holder_title = forms.CharField(label=_("单位职务"), max_length=60, required=False)
    phone = MobileField(label=_("手机号码"), help_text=PHONE_HELP)
    is_unit_party_head = forms.BooleanField(label=_("是单位党组织负责人"), required=False)
    is_part_time = forms.BooleanField(
        label=_("兼职"), required=False, initial=True, help_text=_("专职副书记不是兼职，保存时自动取消。")
    )
    recommended_by = forms.MultipleChoiceField(
        label=_("推荐方（协商推荐）"),
        choices=Post.Recommender.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一个推荐方（协商推荐）。")},
    )
    user = UserChoiceField(
        label=_("平台账号"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("可选：任职人登录平台的账号，用于会议通知、回执和本人表决。"),
    )
    nominated_on = forms.DateField(label=_("提名日期"), widget=DATE)

    def __init__(self, *args, committee: Committee, **kwargs):
        super().__init__(*args, **kwargs)
        community = committee.community
        self.fields["unit"].queryset = Unit.objects.filter(community=community, is_active=True).order_by(
            "unit_type", "name"
        )
        self.fields["unit"].empty_label = _("（请选择本社区的成员单位）")
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(Q(community=community) | Q(unit__community=community) | Q(township=community.township_id))
            .order_by("full_name", "username")
        )
        self.fields["user"].empty_label = _("（不关联）")
        self.fields["nominated_on"].initial = timezone.localdate()
        self.helper = _helper(
            Row(
                Column("kind", css_class="col-md-4"),
                Column("holder_name", css_class="col-md-4"),
                Column("nominated_on", css_class="col-md-4"),
            ),
            Row(
                Column("unit", css_class="col-md-5"),
                Column("holder_title", css_class="col-md-3"),
                Column("phone", css_class="col-md-4"),
            ),
            Row(Column("is_unit_party_head", css_class="col-md-6"), Column("is_part_time", css_class="col-md-6")),
            "recommended_by",
            "user",
        )


class PostPhoneForm(forms.Form):
    """Issue #15 item 7: the holder's own mobile, for the SMS meeting notices."""

    phone = MobileField(label=_("手机号码"), help_text=PHONE_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("phone")


class PostApprovalForm(forms.Form):
    """R5: one county body's decision on a nomination."""

    body = forms.ChoiceField(label=_("审批机关"), choices=PostApproval.Body.choices)
    decision = forms.ChoiceField(label=_("审批结果"), choices=PostApproval.Decision.choices, widget=forms.RadioSelect)
    decided_on = forms.DateField(label=_("审批日期"), widget=DATE)
    remark = forms.CharField(label=_("备注"), max_length=200, required=False, help_text=_("不批准时必须写明理由。"))

    def __init__(self, *args, post: Post, body: str, **kwargs):
        """``body``: the county body the user acts for (R5): the only one offered."""
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [(v, label) for v, label in PostApproval.Body.choices if v == body]
        self.fields["body"].initial = body
        self.fields["decided_on"].initial = timezone.localdate()
        self.helper = _helper(
            Row(
                Column("body", css_class="col-md-4"),
                Column("decision", css_class="col-md-4"),
                Column("decided_on", css_class="col-md-4"),
            ),
            "remark",
        )


class PostEndForm(forms.Form):
    """R6: ending a post in force opens a vacancy."""

    ended_on = forms.DateField(label=_("卸任日期"), widget=DATE)
    end_reason = forms.CharField(label=_("卸任原因"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate()
        self.helper = _helper("ended_on", "end_reason")


class VacancyForm(forms.Form):
    """R6: a vacancy recorded by hand (e.g. a seat never filled since the committee was formed)."""

    kind = forms.ChoiceField(label=_("职务"), choices=Post.Kind.choices)
    opened_on = forms.DateField(label=_("出缺日期"), widget=DATE)
    reason = forms.CharField(label=_("出缺原因"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opened_on"].initial = timezone.localdate()
        self.helper = _helper(
            Row(Column("kind", css_class="col-md-6"), Column("opened_on", css_class="col-md-6")), "reason"
        )
