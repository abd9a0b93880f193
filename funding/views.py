"""Thin views over ``funding.selectors`` and ``funding.services`` (issue #5).

Outside the user's scope → 404 (the selectors fetch through ``common.permissions.scoped``);
visible but not changeable (county reviewers) → 403. Liaisons see only their own unit's dues,
payments and receipts.
"""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from committees.models import Committee, Unit
from common import permissions
from common.audit import history_entries
from common.params import id_param, year_param
from common.permissions import role_of as _role
from common.templatetags.portal import cn_date, money
from common.text import inner_quotes
from common.views import add_service_errors, pdf_response, private_file_response

from . import exports, forms, selectors, services
from .models import BudgetLine, Expense, FiscalYear, Income, ShareLine, SharePlan
from .money import rmb_upper


def _require_change(user, obj) -> None:
    permissions.require_change(user, obj)


def _year_for_change(user, pk: int) -> FiscalYear:
    fy = selectors.fiscal_year_get(user=user, pk=pk)
    _require_change(user, fy)
    return fy


def _redirect_back(fy: FiscalYear, anchor: str = ""):
    return redirect(reverse("funding:year_detail", args=[fy.pk]) + anchor)


# --- landing ---------------------------------------------------------------------------------


@login_required
def home(request):
    """Each role lands on its money page: a liaison on their unit's dues, a secretary on the
    committee's money page, township staff on their committees side by side."""
    user = request.user
    role = _role(user)
    if role == "liaison":
        return redirect("funding:unit_dues", pk=user.unit_id)
    if role == "secretary":
        committee = permissions.scoped(user, Committee.objects.filter(is_active=True)).order_by("-term_start").first()
        if committee is None:
            raise Http404
        return redirect("funding:committee_money", pk=committee.pk)
    if role == "township":
        return redirect("funding:township_overview", pk=user.township_id)
    return redirect("funding:township_list")


@login_required
def committee_money(request, pk):
    """The committee's years; the latest opens directly."""
    committee = selectors.committee_get(user=request.user, pk=pk)
    years = selectors.fiscal_year_list(committee=committee)
    if years and "all" not in request.GET:
        return redirect(years[0])
    form = forms.YearOpenForm(initial={"year": timezone.localdate().year})
    return render(
        request,
        "funding/committee_money.html",
        {
            "committee": committee,
            "years": years,
            "form": form,
            "can_change": permissions.can_change(request.user, committee),
        },
    )


@login_required
@require_POST
def year_open(request, pk):
    committee = selectors.committee_get(user=request.user, pk=pk)
    _require_change(request.user, committee)
    form = forms.YearOpenForm(request.POST)
    if form.is_valid():
        try:
            fy = services.fiscal_year_open(actor=request.user, committee=committee, year=form.cleaned_data["year"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已建立%(year)s年度账目。") % {"year": fy.year})
            return redirect(fy)
    years = selectors.fiscal_year_list(committee=committee)
    return render(
        request,
        "funding/committee_money.html",
        {"committee": committee, "years": years, "form": form, "can_change": True},
        status=400,
    )


# --- the money page ----------------------------------------------------------------------------


def _year_context(request, fy: FiscalYear) -> dict:
    return {
        "fy": fy,
        "committee": fy.committee,
        "years": selectors.fiscal_year_list(committee=fy.committee),
        "can_change": permissions.can_change(request.user, fy) and not fy.is_closed,
    }


@login_required
def year_detail(request, pk):
    """The committee's money page: income by source, spending by category (with charts), the
    balance, the shares and arrears. A fixed number of queries."""
    fy = selectors.fiscal_year_get(user=request.user, pk=pk)
    today = timezone.localdate()
    totals = selectors.year_totals(fiscal_year=fy)
    status = selectors.share_status(fiscal_year=fy, today=today)
    context = _year_context(request, fy)
    context.update(
        {
            "totals": totals,
            "status": status,
            "arrears": status.arrears,
            "income_chart": [(line.label, line.actual) for line in totals.income],
            "expense_chart": [(line.label, line.actual) for line in totals.expense],
            "share_chart": [(r.unit.name, r.due, r.paid) for r in status.rows],
            "plans": selectors.share_plans(fiscal_year=fy),
            "recent": selectors.ledger(fiscal_year=fy)[-8:][::-1],
            "today": today,
        }
    )
    return render(request, "funding/fiscalyear_detail.html", context)


@login_required
def year_close(request, pk):
    fy = _year_for_change(request.user, pk)
    if request.method == "POST":
        try:
            services.fiscal_year_close(actor=request.user, fiscal_year=fy)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(year)s年度已结账，账目转为只读，结余已结转下一年度。") % {"year": fy.year})
        return redirect(fy)
    context = _year_context(request, fy)
    context["totals"] = selectors.year_totals(fiscal_year=fy)
    context["history"] = history_entries(fy)
    return render(request, "funding/fiscalyear_close.html", context)


@login_required
def ledger(request, pk):
    fy = selectors.fiscal_year_get(user=request.user, pk=pk)
    context = _year_context(request, fy)
    context["entries"] = selectors.ledger(fiscal_year=fy, with_voided=True)
    context["totals"] = selectors.year_totals(fiscal_year=fy)
    return render(request, "funding/ledger.html", context)


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
def ledger_xlsx(request, pk):
    fy = selectors.fiscal_year_get(user=request.user, pk=pk)
    content = exports.ledger_workbook(fiscal_year=fy)
    return _xlsx_response(content, f"{fy.committee.name}-{fy.year}年度经费台账.xlsx")


@login_required
def shares_xlsx(request, pk):
    fy = selectors.fiscal_year_get(user=request.user, pk=pk)
    content = exports.shares_workbook(fiscal_year=fy, today=timezone.localdate())
    return _xlsx_response(content, f"{fy.committee.name}-{fy.year}年度出资分摊.xlsx")


# --- income and spending ---------------------------------------------------------------------

INCOME_KEYS = ("source", "received_on", "amount", "payer", "delegating_department", "delegated_task", "donor")
INCOME_KEYS += ("anonymous", "note")


def _form_page(request, context, status=200):
    return render(request, "funding/form.html", context, status=status)


@login_required
def income_create(request, pk):
    fy = _year_for_change(request.user, pk)
    form = forms.IncomeForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in INCOME_KEYS}
        try:
            services.income_record(actor=request.user, fiscal_year=fy, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("收入已登记。"))
            return _redirect_back(fy, "#ledger")
    context = _year_context(request, fy) | {"form": form, "title": _("登记收入")}
    return _form_page(request, context, status=400 if form.errors else 200)


@login_required
def income_update(request, pk):
    try:
        income = permissions.scoped(request.user, Income.objects.select_related("fiscal_year__committee")).get(pk=pk)
    except Income.DoesNotExist as exc:
        raise Http404 from exc
    fy = income.fiscal_year
    _require_change(request.user, income)
    initial = {k: getattr(income, k) for k in INCOME_KEYS}
    form = forms.IncomeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in INCOME_KEYS}
        try:
            services.income_update(actor=request.user, income=income, reason=form.cleaned_data["reason"], **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("收入已修改。"))
            return _redirect_back(fy, "#ledger")
    context = _year_context(request, fy) | {"form": form, "title": _("修改收入"), "history": history_entries(income)}
    return _form_page(request, context, status=400 if form.errors else 200)


def _line_void(request, line, service, kind_label: str):
    """R23: void an income or spending line of an open year, with a reason (a closed year and an
    already voided line are refused with a message on the page)."""
    fy = line.fiscal_year
    _require_change(request.user, line)
    form = forms.VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.user, line=line, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("该笔%(kind)s已作废，不再计入合计与结余。") % {"kind": kind_label})
            return redirect("funding:ledger", pk=fy.pk)
    label = line.get_source_display() if isinstance(line, Income) else line.get_category_display()
    day = line.received_on if isinstance(line, Income) else line.spent_on
    context = _year_context(request, fy) | {
        "form": form,
        "title": _("作废%(kind)s：%(label)s %(amount)s（%(day)s）")
        % {"kind": kind_label, "label": label, "amount": money(line.amount), "day": cn_date(day)},
        "history": history_entries(line),
        "danger": True,
    }
    return _form_page(request, context, status=400 if form.errors else 200)


@login_required
def income_void(request, pk):
    try:
        income = permissions.scoped(request.user, Income.objects.select_related("fiscal_year__committee")).get(pk=pk)
    except Income.DoesNotExist as exc:
        raise Http404 from exc
    return _line_void(
        request,
        income,
        lambda *, actor, line, reason: services.income_void(actor=actor, income=line, reason=reason),
        _("收入"),
    )


@login_required
def expense_void(request, pk):
    try:
        expense = permissions.scoped(request.user, Expense.objects.select_related("fiscal_year__committee")).get(pk=pk)
    except Expense.DoesNotExist as exc:
        raise Http404 from exc
    return _line_void(
        request,
        expense,
        lambda *, actor, line, reason: services.expense_void(actor=actor, expense=line, reason=reason),
        _("支出"),
    )


EXPENSE_KEYS = ("category", "spent_on", "amount", "payee", "note")


@login_required
def expense_create(request, pk):
    fy = _year_for_change(request.user, pk)
    form = forms.ExpenseForm(request.POST or None, request.FILES or None, initial={"spent_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in EXPENSE_KEYS}
        try:
            services.expense_record(actor=request.user, fiscal_year=fy, receipts=form.cleaned_data["receipts"], **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("支出已登记。"))
            return _redirect_back(fy, "#ledger")
    context = _year_context(request, fy) | {"form": form, "title": _("登记支出"), "multipart": True}
    return _form_page(request, context, status=400 if form.errors else 200)


@login_required
def expense_update(request, pk):
    try:
        expense = permissions.scoped(request.user, Expense.objects.select_related("fiscal_year__committee")).get(pk=pk)
    except Expense.DoesNotExist as exc:
        raise Http404 from exc
    fy = expense.fiscal_year
    _require_change(request.user, expense)
    form = forms.ExpenseForm(
        request.POST or None, request.FILES or None, initial={k: getattr(expense, k) for k in EXPENSE_KEYS}
    )
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in EXPENSE_KEYS}
        try:
            services.expense_update(
                actor=request.user,
                expense=expense,
                receipts=form.cleaned_data["receipts"],
                reason=form.cleaned_data["reason"],
                **data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("支出已修改。"))
            return _redirect_back(fy, "#ledger")
    context = _year_context(request, fy) | {
        "form": form,
        "title": _("修改支出"),
        "multipart": True,
        "receipts": selectors.receipts_for(expense=expense),
        "history": history_entries(expense),
    }
    return _form_page(request, context, status=400 if form.errors else 200)


@login_required
def receipt_file(request, pk):
    """A spending receipt, only through this permission-checked view (uploads are not served)."""
    receipt = selectors.expense_receipt_get(user=request.user, pk=pk)
    return private_file_response(receipt.file, filename=receipt.name)


# --- budget and the R24 presets --------------------------------------------------------------


@login_required
def budget(request, pk):
    fy = selectors.fiscal_year_get(user=request.user, pk=pk)
    context = _year_context(request, fy)
    preset_form = forms.PresetForm(request.GET or None)
    figures = preset_form.cleaned_data if preset_form.is_valid() else {}
    line_form = forms.BudgetLineForm(request.POST or None)
    if request.method == "POST":
        _require_change(request.user, fy)
        if line_form.is_valid():
            try:
                services.budget_line_create(actor=request.user, fiscal_year=fy, **line_form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(line_form, exc)
            else:
                messages.success(request, _("预算项目已添加。"))
                return redirect("funding:budget", pk=fy.pk)
    context.update(
        {
            "lines": selectors.budget_lines(fiscal_year=fy),
            "totals": selectors.year_totals(fiscal_year=fy),
            "preset_form": preset_form,
            "line_form": line_form,
            "suggestions": selectors.preset_suggestions(
                fiscal_year=fy,
                tax_income=figures.get("tax_income"),
                allowance_per_quarter=figures.get("allowance_per_quarter"),
            ),
            "figures": figures,
        }
    )
    return render(request, "funding/budget.html", context, status=400 if line_form.errors else 200)


@login_required
@require_POST
def budget_adopt(request, pk):
    fy = _year_for_change(request.user, pk)
    preset_form = forms.PresetForm(request.POST)
    if not preset_form.is_valid():
        messages.error(request, _("测算数字有误，请检查后重试。"))
        return redirect("funding:budget", pk=fy.pk)
    try:
        line = services.budget_line_adopt_preset(
            actor=request.user,
            fiscal_year=fy,
            preset=request.POST.get("preset", ""),
            tax_income=preset_form.cleaned_data.get("tax_income"),
            allowance_per_quarter=preset_form.cleaned_data.get("allowance_per_quarter"),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已采纳建议：%(title)s。") % {"title": line.title})
    return redirect("funding:budget", pk=fy.pk)


@login_required
@require_POST
def budget_line_delete(request, pk):
    try:
        line = permissions.scoped(request.user, BudgetLine.objects.select_related("fiscal_year")).get(pk=pk)
    except BudgetLine.DoesNotExist as exc:
        raise Http404 from exc
    _require_change(request.user, line)
    try:
        services.budget_line_delete(actor=request.user, line=line)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("funding:budget", pk=line.fiscal_year_id)


# --- share plans -----------------------------------------------------------------------------


def _share_units(fy: FiscalYear):
    return Unit.objects.filter(community_id=fy.committee.community_id, is_active=True).order_by("name")


def _share_inputs(form) -> list:
    return [services.ShareInput(unit=u, kind=k, value=v) for u, k, v in form.cleaned_data["lines"]]


def _plan_form_page(request, fy, form, plan=None, status=200):
    context = _year_context(request, fy) | {"form": form, "plan": plan}
    return render(request, "funding/shareplan_form.html", context, status=status)


@login_required
def share_plan_create(request, pk):
    fy = _year_for_change(request.user, pk)
    units = list(_share_units(fy))
    initial = {"due_on": datetime.date(fy.year, 6, 30)}
    if request.GET.get("prefill") == "members":
        # Issue #11 item 13: by the counts themselves, not by percentages rounded first.
        for unit in units:
            if unit.members_total:
                initial[f"kind_{unit.pk}"] = ShareLine.Kind.MEMBERS
    form = forms.SharePlanForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.share_plan_create(
                actor=request.user,
                fiscal_year=fy,
                total=form.cleaned_data["total"],
                due_on=form.cleaned_data["due_on"],
                note=form.cleaned_data["note"],
                lines=_share_inputs(form),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("分摊方案草案已保存。请关联决定它的会议决议后生效。"))
            return redirect(plan)
    return _plan_form_page(request, fy, form, status=400 if form.errors else 200)


def _plan_for_change(user, pk) -> SharePlan:
    plan = selectors.share_plan_get(user=user, pk=pk)
    _require_change(user, plan)
    return plan


@login_required
def share_plan_update(request, pk):
    plan = _plan_for_change(request.user, pk)
    fy = plan.fiscal_year
    units = list(_share_units(fy))
    initial = {"total": plan.total, "due_on": plan.due_on, "note": plan.note}
    for line in plan.lines.all():
        initial[f"kind_{line.unit_id}"] = line.kind
        initial[f"value_{line.unit_id}"] = line.percent if line.kind == ShareLine.Kind.PERCENT else line.fixed_amount
    form = forms.SharePlanForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.share_plan_update(
                actor=request.user,
                plan=plan,
                total=form.cleaned_data["total"],
                due_on=form.cleaned_data["due_on"],
                note=form.cleaned_data["note"],
                lines=_share_inputs(form),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("分摊方案已修改。"))
            return redirect(plan)
    return _plan_form_page(request, fy, form, plan=plan, status=400 if form.errors else 200)


@login_required
def share_plan_detail(request, pk):
    plan = selectors.share_plan_get(user=request.user, pk=pk)
    fy = plan.fiscal_year
    context = _year_context(request, fy)
    lines = selectors.share_lines(plan=plan)
    can_edit = context["can_change"] and plan.status == SharePlan.Status.DRAFT
    context.update(
        {
            "plan": plan,
            "lines": lines,
            "sum_amount": sum((ln.amount for ln in lines), Decimal("0.00")),
            "sum_exact": sum((ln.exact for ln in lines), Decimal("0")),
            "can_edit": can_edit,
            "motion": selectors.plan_motion(plan=plan),
            "propose_form": forms.ProposeForm(meetings=selectors.proposable_meetings(committee=fy.committee))
            if can_edit
            else None,
            "revision": SharePlan.objects.filter(supersedes=plan).first(),
            "history": history_entries(plan),
        }
    )
    return render(request, "funding/shareplan_detail.html", context)


@login_required
@require_POST
def share_plan_link(request, pk):
    plan = _plan_for_change(request.user, pk)
    form = forms.ResolutionForm(
        request.POST, resolutions=selectors.passed_resolutions(committee=plan.fiscal_year.committee)
    )
    if form.is_valid():
        try:
            services.share_plan_link_resolution(
                actor=request.user, plan=plan, resolution=form.cleaned_data["resolution"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已关联会议决议。"))
    else:
        messages.error(request, " ".join(m for errs in form.errors.values() for m in errs))
    return redirect(plan)


@login_required
@require_POST
def share_plan_propose(request, pk):
    """R23.1 (issue #11 item 12): put the draft to a meeting; the motion is made from the plan."""
    plan = _plan_for_change(request.user, pk)
    form = forms.ProposeForm(request.POST, meetings=selectors.proposable_meetings(committee=plan.fiscal_year.committee))
    if form.is_valid():
        try:
            motion = services.share_plan_propose(actor=request.user, plan=plan, meeting=form.cleaned_data["meeting"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("已提交“%(meeting)s”表决：%(title)s。表决通过并形成决议后，方案即可生效。")
                % {"meeting": inner_quotes(motion.meeting.title), "title": motion.title},
            )
    else:
        messages.error(request, " ".join(m for errs in form.errors.values() for m in errs))
    return redirect(plan)


@login_required
@require_POST
def share_plan_activate(request, pk):
    plan = _plan_for_change(request.user, pk)
    try:
        services.share_plan_activate(actor=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("分摊方案已依据会议决议生效。"))
    return redirect(plan)


@login_required
@require_POST
def share_plan_revise(request, pk):
    plan = _plan_for_change(request.user, pk)
    try:
        draft = services.share_plan_revise(actor=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(plan)
    messages.info(request, _("已建立调整方案草案；原方案在新决议生效前继续执行。"))
    return redirect("funding:share_plan_update", pk=draft.pk)


# --- payments, arrears, receipts ----------------------------------------------------------------


@login_required
def arrears(request, pk):
    fy = selectors.fiscal_year_get(user=request.user, pk=pk)
    today = timezone.localdate()
    status = selectors.share_status(fiscal_year=fy, today=today)
    context = _year_context(request, fy) | {
        "status": status,
        "arrears": status.arrears,
        "today": today,
        "payments": selectors.payments(fiscal_year=fy),
    }
    return render(request, "funding/arrears.html", context)


@login_required
@require_POST
def arrears_remind(request, pk):
    fy = _year_for_change(request.user, pk)
    count = services.arrears_remind(actor=request.user, fiscal_year=fy)
    if count:
        messages.success(request, _("已向逾期单位发出 %(n)s 条提醒（邮件及站内消息）。") % {"n": count})
    else:
        messages.info(request, _("没有需要提醒的逾期单位。"))
    return redirect("funding:arrears", pk=fy.pk)


@login_required
def payment_create(request, pk):
    fy = _year_for_change(request.user, pk)
    units = _share_units(fy)
    initial = {"paid_on": timezone.localdate(), "unit": id_param(request.GET.get("unit"))}
    form = forms.PaymentForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.payment_record(actor=request.user, fiscal_year=fy, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记缴款，收据编号 %(no)s。") % {"no": payment.receipt_no})
            return redirect(payment)
    context = _year_context(request, fy) | {"form": form, "title": _("登记单位缴款")}
    return _form_page(request, context, status=400 if form.errors else 200)


@login_required
def payment_detail(request, pk):
    payment = selectors.payment_get(user=request.user, pk=pk)
    fy = payment.fiscal_year
    role = _role(request.user)
    context = {
        "payment": payment,
        "fy": fy,
        "committee": fy.committee,
        "can_refund": role != "liaison"
        and permissions.can_change(request.user, payment)
        and not fy.is_closed
        and not payment.is_refund,
        "refunds": list(payment.refunds.all()),
        "history": history_entries(payment),
        "amount_upper": rmb_upper(payment.amount),
    }
    return render(request, "funding/payment_detail.html", context)


@login_required
def payment_refund(request, pk):
    payment = selectors.payment_get(user=request.user, pk=pk)
    _require_change(request.user, payment)
    if _role(request.user) == "liaison":
        raise PermissionDenied
    fy = payment.fiscal_year
    form = forms.RefundForm(request.POST or None, initial={"paid_on": timezone.localdate(), "method": payment.method})
    if request.method == "POST" and form.is_valid():
        try:
            refund = services.payment_refund(actor=request.user, payment=payment, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("退款已登记（负数冲减）。"))
            return redirect(refund)
    context = _year_context(request, fy) | {
        "form": form,
        "title": _("办理退款：收据 %(no)s（%(unit)s）") % {"no": payment.receipt_no, "unit": payment.unit},
    }
    return _form_page(request, context, status=400 if form.errors else 200)


@login_required
def payment_receipt_pdf(request, pk):
    """The printable receipt (收款收据) of one payment or refund, A4."""
    from common.pdf import render_pdf

    payment = selectors.payment_get(user=request.user, pk=pk)
    pdf = render_pdf(
        "reports/receipt.html",
        {
            "payment": payment,
            "fy": payment.fiscal_year,
            # a refund voucher states the sum returned; the ledger keeps it as a negative entry
            "amount": abs(payment.amount),
            "amount_upper": rmb_upper(abs(payment.amount)),
            "copies": [
                _("第一联　领款单位收执") if payment.is_refund else _("第一联　交款单位收执"),
                _("第二联　记账联"),
            ],
        },
    )
    return pdf_response(pdf, f"收据-{payment.receipt_no}.pdf", as_attachment=False)


@login_required
def unit_dues(request, pk):
    """What one unit owes and paid, year by year (liaisons: their own unit only, 404 otherwise)."""
    unit = selectors.unit_get(user=request.user, pk=pk)
    return render(request, "funding/unit_dues.html", {"unit": unit, "years": selectors.unit_dues(unit=unit)})


# --- township and county -----------------------------------------------------------------------


@login_required
def township_overview(request, pk):
    township = selectors.township_get(user=request.user, pk=pk)
    today = timezone.localdate()
    year = year_param(request.GET.get("year"), default=today.year)
    columns = selectors.township_overview(user=request.user, township=township, year=year, today=today)
    context = {
        "township": township,
        "year": year,
        "years": range(today.year + 1, today.year - 5, -1),
        "columns": columns,
        "chart": [(c.committee.community.name, c.income, c.expense) for c in columns],
        "totals": {
            k: sum((getattr(c, k) for c in columns), Decimal("0.00"))
            for k in ("income", "expense", "balance", "due", "paid", "outstanding")
        },
    }
    return render(request, "funding/township_overview.html", context)


@login_required
def township_list(request):
    townships = selectors.township_list(user=request.user)
    if _role(request.user) not in ("county", "admin"):
        raise Http404
    return render(request, "funding/township_list.html", {"townships": townships})
