"""Scheme pages (R21): list, detail (the tree, sums per sheet, bands, the conversion formula,
history), and the administrator's forms. Reads go through the selectors (scoped by county:
outside → 404); only the administrator changes anything (403 for the others)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.audit import history_entries
from common.params import id_param
from common.views import add_service_errors, posted

from . import selectors, services
from .forms import IndicatorForm, RefineForm, SchemeCreateForm, SchemeUpdateForm, bands_text
from .models import Indicator
from .rules import FULL_MARKS, convert, formula_text


def _require_edit(user, scheme=None) -> None:
    allowed = selectors.may_edit_schemes(user) if scheme is None else selectors.may_edit_scheme(user, scheme)
    if not allowed:
        raise PermissionDenied


@login_required
def scheme_list(request):
    return render(
        request,
        "assessment/scheme_list.html",
        {
            "schemes": selectors.scheme_list(user=request.user),
            "may_edit": selectors.may_edit_schemes(request.user),
            "may_read_departments": selectors.may_read_departments(request.user),
        },
    )


@login_required
def scheme_detail(request, pk: int):
    scheme = selectors.scheme_get(user=request.user, pk=pk)
    sheets = selectors.scheme_sheets(scheme=scheme)
    sums = services.sheet_sums(scheme, [i for s in sheets for i in s.all_indicators])
    for sheet in sheets:
        sheet.leaf_sum = sums[sheet.kind]
        sheet.complete = sheet.leaf_sum == FULL_MARKS
    if scheme.is_refinement:  # a county leaf split into sub-items takes new children (R21)
        origin_kinds = dict(Indicator.objects.filter(sheet__scheme_id=scheme.based_on_id).values_list("pk", "kind"))
        for indicator in (i for s in sheets for i in s.all_indicators):
            indicator.split = origin_kinds.get(indicator.origin_id) == Indicator.Kind.LEAF
    context = {
        "scheme": scheme,
        "sheets": sheets,
        "may_edit": selectors.may_edit_scheme(request.user, scheme),
        "may_refine": selectors.may_refine(request.user, scheme),
        "refinements": list(
            selectors.scheme_list(user=request.user).filter(based_on=scheme).order_by("township__name", "-version")
        )
        if not scheme.is_refinement
        else [],
        "full_converted": convert(FULL_MARKS, scheme.weight),
        "formula": formula_text(scheme.weight),
        "history": history_entries(scheme),
    }
    return render(request, "assessment/scheme_detail.html", context)


@login_required
def scheme_create(request):
    _require_edit(request.user)
    form = SchemeCreateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            scheme = services.scheme_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已新建考核方案草稿。"))
            return redirect(scheme)
    return render(request, "assessment/form.html", {"form": form, "title": _("新建考核方案"), "scheme": None})


@login_required
def scheme_update(request, pk: int):
    """R21: the administrator edits a draft's name, weight and grade bands; a published scheme
    is immutable (the service refuses, the page says so)."""
    scheme = selectors.scheme_get(user=request.user, pk=pk)
    _require_edit(request.user, scheme)
    if scheme.is_published:
        messages.error(request, _("已发布的考核方案不可修改；如需调整，请生成新版本。"))
        return redirect(scheme)
    initial = {"title": scheme.title, "weight": scheme.weight, "grade_bands": bands_text(scheme.grade_bands)}
    form = SchemeUpdateForm(posted(request), initial=initial)
    if scheme.is_refinement:  # R21: a refinement keeps the county's weight and bands
        for name in ("weight", "grade_bands"):
            form.fields[name].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.scheme_update(actor=request.user, scheme=scheme, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(scheme)
    context = {"form": form, "title": _("修改考核方案"), "scheme": scheme, "history": history_entries(scheme)}
    return render(request, "assessment/form.html", context)


def _indicator_form(request, *, sheet, indicator=None):
    scheme = sheet.scheme
    if scheme.is_published:
        messages.error(request, _("已发布的考核方案不可修改；如需调整，请生成新版本。"))
        return redirect(scheme)
    initial = {}
    if indicator is not None:
        initial = {f: getattr(indicator, f) for f in services.INDICATOR_FIELDS}
    elif (parent := id_param(request.GET.get("parent"))) is not None:
        initial = {"parent": parent}
    form = IndicatorForm(posted(request), sheet=sheet, indicator=indicator, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if indicator is None:
                services.indicator_create(actor=request.user, sheet=sheet, **data)
            else:
                services.indicator_update(actor=request.user, indicator=indicator, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(scheme)
    title = _("新增指标") if indicator is None else _("修改指标")
    context = {
        "form": form,
        "title": f"{title}（{sheet.get_kind_display()}）",
        "scheme": scheme,
        "history": history_entries(indicator) if indicator is not None else None,
    }
    return render(request, "assessment/form.html", context)


@login_required
def indicator_create(request, pk: int):
    sheet = selectors.sheet_get(user=request.user, pk=pk)
    _require_edit(request.user, sheet.scheme)
    return _indicator_form(request, sheet=sheet)


@login_required
def indicator_update(request, pk: int):
    indicator: Indicator = selectors.indicator_get(user=request.user, pk=pk)
    _require_edit(request.user, indicator.sheet.scheme)
    return _indicator_form(request, sheet=indicator.sheet, indicator=indicator)


@login_required
@require_POST
def scheme_publish(request, pk: int):
    scheme = selectors.scheme_get(user=request.user, pk=pk)
    _require_edit(request.user, scheme)
    try:
        services.scheme_publish(actor=request.user, scheme=scheme)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("考核方案已发布，此后不可修改。"))
    return redirect(scheme)


@login_required
@require_POST
def scheme_new_version(request, pk: int):
    scheme = selectors.scheme_get(user=request.user, pk=pk)
    _require_edit(request.user, scheme)
    try:
        copy = services.scheme_new_version(actor=request.user, scheme=scheme)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(scheme)
    messages.success(request, _("已生成第%(version)s版草稿。") % {"version": copy.version})
    return redirect(copy)


@login_required
def scheme_refine(request, pk: int):
    """R21 "township schemes may refine it": township staff (or the administrator, naming the
    township) copy a published county scheme into a draft refinement of the township."""
    user = request.user
    scheme = selectors.scheme_get(user=user, pk=pk)
    if not selectors.may_refine(user, scheme):
        raise PermissionDenied
    form = RefineForm(posted(request), scheme=scheme, user=user)
    if request.method == "POST" and form.is_valid():
        township = form.cleaned_data.get("township") or user.township
        try:
            copy = services.scheme_refine(
                actor=user, scheme=scheme, township=township, title=form.cleaned_data["title"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "已生成本镇（街道）细化方案草稿，可修改评分标准、佐证材料和数据来源，拆分评分项，增加加分项、扣分项。"
                ),
            )
            return redirect(copy)
    return render(
        request, "assessment/form.html", {"form": form, "title": _("制定镇（街道）细化方案"), "scheme": scheme}
    )
