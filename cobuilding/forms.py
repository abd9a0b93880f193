"""Forms of co-building: input validation and layout only; the views call the services.

Fields are listed explicitly; dates use the phone's date picker (``type=date``).
"""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from committees.models import Grid
from common.forms import DateInput

from .models import (
    Agreement,
    Commitment,
    DedicationDay,
    Fulfilment,
    InServiceMember,
    MemberService,
    Pledge,
    PledgeCall,
    Project,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/png,image/jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class _Crispy:
    def _helper(self, layout=None):
        helper = FormHelper()
        helper.form_tag = False
        if layout is not None:
            helper.layout = layout
        return helper


class UnitChoiceMixin:
    """The community side picks the unit; a liaison's unit is fixed and the field is absent."""

    def _unit_field(self, units):
        if units is None:
            return
        self.fields = {
            "unit": forms.ModelChoiceField(queryset=units, label=_("单位"), empty_label=_("（请选择单位）")),
            **self.fields,
        }


class PledgeForm(_Crispy, UnitChoiceMixin, forms.ModelForm):
    class Meta:
        model = Pledge
        fields = [
            "year",
            "kind",
            "title",
            "description",
            "quantity",
            "value",
            "period_start",
            "period_end",
            "contact_name",
            "contact_phone",
        ]
        widgets = {
            "period_start": DateInput(),
            "period_end": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "kind": forms.RadioSelect,
        }

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._unit_field(units)
        self.fields["kind"].choices = Pledge._meta.get_field("kind").choices
        self.fields["value"].widget.attrs.update({"inputmode": "decimal", "step": "0.01", "min": "0"})
        self.fields["contact_phone"].widget.attrs.update({"inputmode": "tel"})
        self.helper = self._helper(
            Layout(
                *(["unit"] if units is not None else []),
                InlineRadios("kind"),
                Row(Column("title", css_class="col-md-8"), Column("year", css_class="col-md-4")),
                "description",
                Row(Column("quantity", css_class="col-md-6"), Column("value", css_class="col-md-6")),
                Row(Column("period_start", css_class="col-md-6"), Column("period_end", css_class="col-md-6")),
                Row(Column("contact_name", css_class="col-md-6"), Column("contact_phone", css_class="col-md-6")),
            )
        )

    def clean(self):
        data = super().clean()
        if not (data.get("quantity") or "").strip() and data.get("value") is None:
            self.add_error("value", _("数量与价值至少填写一项。"))
        return data

    def _post_clean(self):
        # Model-level checks run in the service, which reports them in Chinese on this form.
        pass


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("退回意见"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("请写明需要修改的地方，联络员会看到这段话。"),
        error_messages={"required": _("退回时请写明需要修改的地方。")},
    )


class FulfilmentForm(_Crispy, forms.ModelForm):
    photos = MultipleFileField(
        label=_("现场照片"), required=False, help_text=_("PNG 或 JPG，最多 6 张，每张不超过 10 MB")
    )

    class Meta:
        model = Fulfilment
        fields = ["delivered_on", "text", "amount", "is_final"]
        widgets = {"delivered_on": DateInput(), "text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].widget.attrs.update({"inputmode": "decimal", "step": "0.01", "min": "0"})
        self.fields["amount"].help_text = _("本次兑现的资金或折算价值；没有可填 0")
        self.helper = self._helper()

    def _post_clean(self):
        pass


class PledgeCallForm(_Crispy, forms.ModelForm):
    class Meta:
        model = PledgeCall
        fields = ["year", "submit_by", "note"]
        widgets = {"submit_by": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()

    def _post_clean(self):
        pass


class AgreementForm(_Crispy, UnitChoiceMixin, forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "community_party",
            "unit_party",
            "period_start",
            "period_end",
            "org_joint",
            "member_joint",
            "activity_joint",
            "resource_joint",
            "service_joint",
            "support_joint",
        ]
        widgets = {
            "period_start": DateInput(),
            "period_end": DateInput(),
            **{name: forms.Textarea(attrs={"rows": 2}) for name, _label in Agreement.PRINCIPLES},
        }

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._unit_field(units)
        self.fields["community_party"].required = False
        self.fields["unit_party"].required = False
        self.fields["community_party"].help_text = _("不填则为社区党组织名称")
        self.fields["unit_party"].help_text = _("不填则为单位党组织名称")
        self.helper = self._helper()

    def _post_clean(self):
        pass


class SignForm(_Crispy, forms.Form):
    signed_on = forms.DateField(label=_("签订日期"), widget=DateInput())
    scan = forms.FileField(
        label=_("签字盖章的扫描件"),
        help_text=_("PDF、PNG 或 JPG，不超过 10 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


class ProjectForm(_Crispy, forms.ModelForm):
    class Meta:
        model = Project
        fields = ["title", "need", "place", "budget", "places", "claim_by", "deadline"]
        widgets = {"claim_by": DateInput(), "deadline": DateInput(), "need": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()

    def _post_clean(self):
        pass


class ProgressForm(_Crispy, forms.Form):
    happened_on = forms.DateField(label=_("日期"), widget=DateInput())
    text = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("照片或 PDF，不超过 10 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )
    asks_completion = forms.BooleanField(label=_("项目已完成，申请社区验收"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


class DedicationDayForm(_Crispy, forms.ModelForm):
    class Meta:
        model = DedicationDay
        fields = ["held_on", "theme", "place"]
        widgets = {"held_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()

    def _post_clean(self):
        pass


class ParticipationForm(_Crispy, UnitChoiceMixin, forms.Form):
    names = forms.CharField(
        label=_("参加党员名单"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个姓名；人数按名单自动统计"),
    )
    count = forms.IntegerField(label=_("参加人数"), required=False, min_value=1, help_text=_("不填名单时填写"))
    roster = forms.FileField(
        label=_("名单附件"),
        required=False,
        help_text=_("只填人数时必传：Excel、PDF 或图片"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.pdf,.png,.jpg,.jpeg"}),
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._unit_field(units)
        self.helper = self._helper()


class MemberForm(_Crispy, UnitChoiceMixin, forms.ModelForm):
    class Meta:
        model = InServiceMember
        fields = ["name", "phone", "grid", "reported_on"]
        widgets = {"reported_on": DateInput()}

    def __init__(self, *args, community_id: int, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._unit_field(units)
        self.fields["grid"].queryset = Grid.objects.filter(community_id=community_id)
        self.fields["grid"].empty_label = _("（未指定网格）")
        self.helper = self._helper()

    def _post_clean(self):
        pass


class MemberServiceForm(_Crispy, forms.ModelForm):
    class Meta:
        model = MemberService
        fields = ["served_on", "content", "hours"]
        widgets = {"served_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()

    def _post_clean(self):
        pass


class CommitmentForm(_Crispy, UnitChoiceMixin, forms.ModelForm):
    class Meta:
        model = Commitment
        fields = ["year", "side", "kind", "area", "content", "due_on"]
        widgets = {"due_on": DateInput(), "content": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, units=None, liaison: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self._unit_field(units)
        if liaison:
            self.fields["side"].choices = [(Commitment.Side.UNIT, Commitment.Side.UNIT.label)]
        self.helper = self._helper()

    def _post_clean(self):
        pass


class CommitmentStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=Commitment.Status.choices)
    note = forms.CharField(label=_("进展说明"), required=False, max_length=200)


class WithdrawClaimForm(_Crispy, forms.Form):
    reason = forms.CharField(
        label=_("撤回原因"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("必填，社区书记会收到通知"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()
