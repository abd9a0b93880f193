"""Input of the needs list (R28): validation and layout only; the views call the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import DateInput

from .models import Category, Need, ResourceKind


class NeedForm(forms.Form):
    committee = forms.ModelChoiceField(label=_("大党委"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("需求"), max_length=100)
    description = forms.CharField(label=_("具体情况"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Need.Urgency.choices, initial=Need.Urgency.NORMAL)
    grid = forms.ModelChoiceField(label=_("网格"), queryset=None, required=False, empty_label=_("（不限）"))
    building = forms.CharField(label=_("楼栋"), max_length=60, required=False)
    asked_by = forms.CharField(label=_("提出人"), max_length=40)
    asked_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    collected_on = forms.DateField(label=_("收集日期"), widget=DateInput())

    def __init__(self, *args, committees, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees
        self.fields["grid"].queryset = grids
        self.fields["grid"].label_from_instance = lambda g: f"{g.community.name} · {g.name}"


class RequestForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("请哪个单位认领"), queryset=None, empty_label=None)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: u.name


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("婉拒理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("婉拒须说明理由。")},
    )


class ProjectForm(forms.Form):
    place = forms.CharField(label=_("地点"), max_length=120, required=False)
    claim_by = forms.DateField(label=_("认领截止日期"), widget=DateInput())
    deadline = forms.DateField(label=_("完成期限"), widget=DateInput())


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(label=_("合并到"), queryset=None, empty_label=None)

    def __init__(self, *args, needs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = needs
        self.fields["into"].label_from_instance = lambda n: f"{n.title}（{n.asked_by}，{n.collected_on:%Y-%m-%d}）"


class DoneForm(forms.Form):
    done_on = forms.DateField(label=_("办结日期"), widget=DateInput())
    note = forms.CharField(
        label=_("办理结果"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请写明办理结果。")},
    )


class VisitForm(forms.Form):
    satisfied = forms.TypedChoiceField(
        label=_("居民是否满意"),
        choices=(("1", _("满意")), ("0", _("不满意"))),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("回访意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ResourceKind.choices)
    title = forms.CharField(label=_("资源"), max_length=100)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    categories = forms.MultipleChoiceField(
        label=_("适合的需求类别"), choices=Category.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    available = forms.BooleanField(label=_("目前可提供"), required=False, initial=True)
