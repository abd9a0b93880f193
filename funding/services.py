"""Every write to the committee's funds (R23–R24, issue #5).

Each service is atomic, locks the fiscal year it changes (``select_for_update``), refuses a
closed year, validates with ``full_clean()`` and records who made the change (common.audit), so
every change of money shows who, when, before → after.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from committees.models import Committee, Unit
from common.audit import set_actor
from common.services import save_audited as _save
from common.text import inner_quotes
from common.uploads import validate_upload
from inbox.services import message_enqueue
from meetings.models import Meeting, Motion, Resolution
from meetings.services.votes import motion_create, motion_update

from . import selectors
from .models import (
    BudgetLine,
    Category,
    Expense,
    ExpenseReceipt,
    FiscalYear,
    Income,
    Payment,
    ShareLine,
    SharePlan,
    Source,
)
from .money import FEN, allocate, fraction_to_decimal

HUNDRED = Decimal(100)


def _lock_open(fiscal_year: FiscalYear) -> FiscalYear:
    """Lock the year for a read-modify-write; a closed year is read-only (issue #5 §1)."""
    locked = FiscalYear.objects.select_for_update().select_related("committee").get(pk=fiscal_year.pk)
    if locked.is_closed:
        raise ValidationError(
            _("%(year)s年度已结账，账目只读，不能再修改。") % {"year": locked.year}, code="year_closed"
        )
    return locked


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(value)
    except Exception as exc:  # noqa: BLE001 - any unparsable input
        raise ValidationError({field: _("请输入有效的金额。")}) from exc
    if amount != amount.quantize(FEN):
        raise ValidationError({field: _("金额最多保留两位小数（精确到分）。")})
    return amount.quantize(FEN)


# --- fiscal years ----------------------------------------------------------------------------


@transaction.atomic
def fiscal_year_open(*, actor, committee: Committee, year: int) -> FiscalYear:
    """Open a budget year. Its opening balance is the previous year's closing balance once that
    year is closed (``fiscal_year_close`` carries it over if it closes later)."""
    Committee.objects.select_for_update().get(pk=committee.pk)
    if FiscalYear.objects.filter(committee=committee, year=year).exists():
        raise ValidationError({"year": _("%(year)s年度的账目已经建立。") % {"year": year}})
    previous = FiscalYear.objects.filter(committee=committee, year=year - 1).first()
    opening = previous.closing_balance if previous is not None and previous.is_closed else Decimal("0.00")
    fiscal_year = FiscalYear(committee=committee, year=year, opening_balance=opening)
    try:
        with transaction.atomic():
            return _save(fiscal_year, actor)
    except IntegrityError as exc:
        raise ValidationError({"year": _("%(year)s年度的账目已经建立。") % {"year": year}}) from exc


@transaction.atomic
def fiscal_year_close(*, actor, fiscal_year: FiscalYear) -> FiscalYear:
    """Close the year: it becomes read-only and its closing balance carries into the next year.
    Years close in order, so every carried balance is final."""
    fiscal_year = _lock_open(fiscal_year)
    earlier_open = FiscalYear.objects.filter(
        committee_id=fiscal_year.committee_id, year__lt=fiscal_year.year, status=FiscalYear.Status.OPEN
    ).order_by("year")
    first_open = earlier_open.first()
    if first_open is not None:
        raise ValidationError(_("请先结账%(year)s年度，再结账本年度。") % {"year": first_open.year})
    totals = selectors.year_totals(fiscal_year=fiscal_year)
    fiscal_year.status = FiscalYear.Status.CLOSED
    fiscal_year.closing_balance = totals.balance
    fiscal_year.closed_at = timezone.now()
    fiscal_year.closed_by = actor
    _save(
        fiscal_year,
        actor,
        update_fields=["status", "closing_balance", "closed_at", "closed_by"],
        reason=_("年度结账"),
    )
    following = (
        FiscalYear.objects.select_for_update()
        .filter(committee_id=fiscal_year.committee_id, year=fiscal_year.year + 1)
        .first()
    )
    if following is not None and following.opening_balance != fiscal_year.closing_balance:
        following.opening_balance = fiscal_year.closing_balance
        _save(
            following,
            actor,
            update_fields=["opening_balance"],
            reason=_("结转%(year)s年度结余") % {"year": fiscal_year.year},
        )
    return fiscal_year


# --- budget lines and the R24 presets --------------------------------------------------------


@transaction.atomic
def budget_line_create(
    *,
    actor,
    fiscal_year: FiscalYear,
    direction: str,
    title: str,
    amount: Decimal,
    source: str = "",
    category: str = "",
    preset: str = "",
    basis: str = "",
) -> BudgetLine:
    fiscal_year = _lock_open(fiscal_year)
    if direction == BudgetLine.Direction.INCOME:
        category = ""
        if not source:
            raise ValidationError({"source": _("请选择收入来源。")})
    else:
        source = ""
        if not category:
            raise ValidationError({"category": _("请选择支出类别。")})
    amount = _money(amount, "amount")
    if amount < 0:
        raise ValidationError({"amount": _("预算金额不能为负数。")})
    line = BudgetLine(
        fiscal_year=fiscal_year,
        direction=direction,
        source=source,
        category=category,
        title=title.strip(),
        amount=amount,
        preset=preset,
        basis=basis,
    )
    return _save(line, actor)


@transaction.atomic
def budget_line_delete(*, actor, line: BudgetLine) -> None:
    _lock_open(line.fiscal_year)
    set_actor(line, actor, _("删除预算项目"))
    line.delete()


@transaction.atomic
def budget_line_adopt_preset(
    *,
    actor,
    fiscal_year: FiscalYear,
    preset: str,
    tax_income: Decimal | None = None,
    allowance_per_quarter: Decimal | None = None,
) -> BudgetLine:
    """R24: turn one computed suggestion into a budget line (the figures behind it are kept in
    the line's basis)."""
    suggestion = selectors.preset_suggestion(
        fiscal_year=fiscal_year, preset=preset, tax_income=tax_income, allowance_per_quarter=allowance_per_quarter
    )
    if suggestion is None:
        raise ValidationError(_("请先填写测算所需的数字。"))
    return budget_line_create(
        actor=actor,
        fiscal_year=fiscal_year,
        direction=suggestion.direction,
        source=suggestion.source,
        category=suggestion.category,
        title=suggestion.title,
        amount=suggestion.amount,
        preset=preset,
        basis=suggestion.basis,
    )


# --- income (sources 2–5) and spending ------------------------------------------------------

INCOME_FIELDS = ("source", "received_on", "amount", "payer", "delegating_department", "delegated_task", "donor")
INCOME_FIELDS += ("anonymous", "note")


def _check_income(income: Income) -> None:
    if income.source == Source.CONTRIBUTIONS:
        raise ValidationError({"source": _("成员单位出资请在“单位缴款”中登记。")})
    income.amount = _money(income.amount, "amount")
    if income.amount <= 0:
        raise ValidationError({"amount": _("金额必须大于零。")})
    if income.source == Source.DELEGATED and not (income.delegating_department or income.delegated_task):
        raise ValidationError({"delegating_department": _("费随事转的收入请填写交办部门或交办事项。")})
    if income.source == Source.DONATIONS:
        if income.anonymous:
            income.donor = ""
        elif not income.donor.strip():
            raise ValidationError({"donor": _("请填写捐赠人，或勾选“匿名捐赠”。")})
    if income.source != Source.DELEGATED:
        income.delegating_department = income.delegated_task = ""
    if income.source != Source.DONATIONS:
        income.donor, income.anonymous = "", False


def _check_date_in_year(day: datetime.date, fiscal_year: FiscalYear, field: str) -> None:
    if day.year != fiscal_year.year:
        raise ValidationError({field: _("日期必须在%(year)s年度之内。") % {"year": fiscal_year.year}})


@transaction.atomic
def income_record(*, actor, fiscal_year: FiscalYear, **fields) -> Income:
    """R23 (2)–(5): county appropriation, delegated-task funds, service income, donations."""
    fiscal_year = _lock_open(fiscal_year)
    income = Income(fiscal_year=fiscal_year, **{k: v for k, v in fields.items() if k in INCOME_FIELDS})
    _check_income(income)
    _check_date_in_year(income.received_on, fiscal_year, "received_on")
    return _save(income, actor)


@transaction.atomic
def income_update(*, actor, income: Income, reason: str = "", **fields) -> Income:
    _lock_open(income.fiscal_year)
    income = Income.objects.select_for_update().get(pk=income.pk)
    _refuse_voided(income)
    for name, value in fields.items():
        if name in INCOME_FIELDS:
            setattr(income, name, value)
    _check_income(income)
    _check_date_in_year(income.received_on, income.fiscal_year, "received_on")
    return _save(income, actor, update_fields=list(INCOME_FIELDS), reason=reason)


EXPENSE_FIELDS = ("category", "spent_on", "amount", "payee", "note")


def _check_expense(expense: Expense) -> None:
    expense.amount = _money(expense.amount, "amount")
    if expense.amount <= 0:
        raise ValidationError({"amount": _("金额必须大于零。")})
    if expense.category not in Category.values:
        raise ValidationError({"category": _("请选择支出类别。")})
    _check_date_in_year(expense.spent_on, expense.fiscal_year, "spent_on")


@transaction.atomic
def expense_record(*, actor, fiscal_year: FiscalYear, receipts: Iterable = (), **fields) -> Expense:
    fiscal_year = _lock_open(fiscal_year)
    expense = Expense(fiscal_year=fiscal_year, **{k: v for k, v in fields.items() if k in EXPENSE_FIELDS})
    _check_expense(expense)
    _save(expense, actor)
    for f in receipts:
        _receipt_save(actor=actor, expense=expense, file=f)
    return expense


@transaction.atomic
def expense_update(*, actor, expense: Expense, receipts: Iterable = (), reason: str = "", **fields) -> Expense:
    _lock_open(expense.fiscal_year)
    expense = Expense.objects.select_for_update().select_related("fiscal_year").get(pk=expense.pk)
    _refuse_voided(expense)
    for name, value in fields.items():
        if name in EXPENSE_FIELDS:
            setattr(expense, name, value)
    _check_expense(expense)
    _save(expense, actor, update_fields=list(EXPENSE_FIELDS), reason=reason)
    for f in receipts:
        _receipt_save(actor=actor, expense=expense, file=f)
    return expense


def _refuse_voided(line) -> None:
    if line.is_voided:
        raise ValidationError(_("该笔账目已作废，不能再修改。"), code="voided")


def _line_void(*, actor, model, line, reason: str):
    """R23: a recorded line of an open year is voided, never deleted: it stays on the ledger with
    who, when and why, and counts in no total, balance, chart or export. A closed year refuses."""
    fiscal_year = _lock_open(line.fiscal_year)
    line = model.objects.select_for_update().get(pk=line.pk)
    _refuse_voided(line)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写作废原因。")})
    line.fiscal_year = fiscal_year
    line.voided_at, line.voided_by, line.void_reason = timezone.now(), actor, reason[:200]
    return _save(
        line,
        actor,
        update_fields=["voided_at", "voided_by", "void_reason"],
        reason=_("作废：%(reason)s") % {"reason": reason},
    )


@transaction.atomic
def income_void(*, actor, income: Income, reason: str) -> Income:
    return _line_void(actor=actor, model=Income, line=income, reason=reason)


@transaction.atomic
def expense_void(*, actor, expense: Expense, reason: str) -> Expense:
    return _line_void(actor=actor, model=Expense, line=expense, reason=reason)


def _receipt_save(*, actor, expense: Expense, file) -> ExpenseReceipt:
    try:
        validate_upload(file, ("pdf", "png", "jpg", "jpeg"))
    except ValidationError as exc:
        raise ValidationError({"receipts": exc.messages}) from exc
    receipt = ExpenseReceipt(expense=expense, file=file, name=file.name[:200], uploaded_by=actor)
    set_actor(receipt, actor)
    receipt.save()
    return receipt


# --- share plans (R23.1) ---------------------------------------------------------------------


@dataclass(frozen=True)
class ShareInput:
    unit: Unit
    kind: str  # ShareLine.Kind
    value: Decimal | None = None  # a percentage or a fixed amount in yuan; for MEMBERS the ledger count


def _member_count(ln: ShareInput) -> int:
    """The party members a MEMBERS line is weighted by: the unit's ledger count (direct,
    in-service and floating members, R2), unless the caller passes the count it was shown."""
    return int(ln.value) if ln.value is not None else ln.unit.members_total


def compute_shares(*, total: Decimal, lines: Sequence[ShareInput]) -> list[tuple[Decimal, Decimal]]:
    """(exact, amount) per line. Fixed amounts are taken as they are; the rest of the total is split
    by the percentages — or by the units' party-member counts — with largest-remainder rounding,
    so the amounts add up to the total to the fen. Percentages must add up to 100 (or, with fixed
    amounts only, these must make the total).

    Issue #11 item 13: shares by party members are computed from the counts themselves
    (rest × count ÷ all counts, as exact fractions), never from percentages rounded first; the
    stored ``exact`` is that true value."""
    total = _money(total, "total")
    if total < 0:
        raise ValidationError({"total": _("应筹总额不能为负数。")})
    if not lines:
        raise ValidationError(_("请至少填写一个参与分摊的单位。"))
    fixed = [ln for ln in lines if ln.kind == ShareLine.Kind.FIXED]
    percent = [ln for ln in lines if ln.kind == ShareLine.Kind.PERCENT]
    members = [ln for ln in lines if ln.kind == ShareLine.Kind.MEMBERS]
    if percent and members:
        raise ValidationError(
            {"lines": _("同一方案中“按比例”和“按党员人数”不能混用：剩余金额只能按一种方式分摊。")},
            code="mixed_kinds",
        )
    for ln in fixed:
        if _money(ln.value, "lines") < 0:
            raise ValidationError({"lines": _("%(unit)s：固定金额不能为负数。") % {"unit": ln.unit}})
    for ln in percent:
        if not (Decimal(0) < Decimal(ln.value) <= HUNDRED):
            raise ValidationError({"lines": _("%(unit)s：比例必须大于0且不超过100。") % {"unit": ln.unit}})
    for ln in members:
        if _member_count(ln) <= 0:
            raise ValidationError(
                {"lines": _("%(unit)s：台账中党员人数为0，不能按党员人数分摊。") % {"unit": ln.unit}},
                code="no_members",
            )
    fixed_sum = sum((Decimal(ln.value) for ln in fixed), Decimal("0.00"))
    rest = total - fixed_sum
    if rest < 0:
        raise ValidationError(
            {
                "lines": _("固定金额合计 %(fixed)s 元超过了应筹总额 %(total)s 元。")
                % {"fixed": fixed_sum, "total": total}
            }
        )
    shared = percent or members
    if not shared and rest != 0:
        raise ValidationError(
            {
                "lines": _("固定金额合计 %(fixed)s 元与应筹总额 %(total)s 元不一致。")
                % {"fixed": fixed_sum, "total": total}
            }
        )
    percent_sum = sum((Decimal(ln.value) for ln in percent), Decimal(0))
    if percent and percent_sum != HUNDRED:
        raise ValidationError(
            {"lines": _("各单位比例合计为 %(sum)s%%，应为 100%%。") % {"sum": percent_sum.normalize()}}
        )
    weights = [Decimal(ln.value) for ln in percent] or [Decimal(_member_count(ln)) for ln in members]
    allocations = iter(allocate(rest, weights) if shared else [])
    result = []
    for ln in lines:
        if ln.kind == ShareLine.Kind.FIXED:
            value = _money(ln.value, "lines")
            result.append((value, value))
        else:
            a = next(allocations)
            result.append((fraction_to_decimal(a.exact), a.amount))
    return result


def _check_total(total) -> Decimal:
    total = _money(total, "total")
    if total < 0:
        raise ValidationError({"total": _("应筹总额不能为负数。")})
    return total


def _write_lines(plan: SharePlan, lines: Sequence[ShareInput], actor) -> None:
    units = [ln.unit for ln in lines]
    if len({u.pk for u in units}) != len(units):
        raise ValidationError({"lines": _("同一单位只能出现一次。")})
    community_id = plan.fiscal_year.committee.community_id
    for u in units:
        if u.community_id != community_id:
            raise ValidationError({"lines": _("%(unit)s 不是本社区的成员单位。") % {"unit": u}})
    computed = compute_shares(total=plan.total, lines=lines)
    for old in plan.lines.all():
        set_actor(old, actor)
        old.delete()
    for ln, (exact, amount) in zip(lines, computed, strict=True):
        line = ShareLine(
            plan=plan,
            unit=ln.unit,
            kind=ln.kind,
            percent=Decimal(ln.value) if ln.kind == ShareLine.Kind.PERCENT else None,
            fixed_amount=_money(ln.value, "lines") if ln.kind == ShareLine.Kind.FIXED else None,
            members=_member_count(ln) if ln.kind == ShareLine.Kind.MEMBERS else None,
            exact=exact,
            amount=amount,
        )
        _save(line, actor)


@transaction.atomic
def share_plan_create(
    *,
    actor,
    fiscal_year: FiscalYear,
    total: Decimal,
    due_on: datetime.date,
    lines: Sequence[ShareInput],
    note: str = "",
    supersedes: SharePlan | None = None,
) -> SharePlan:
    """A draft plan; it has no effect until a passed resolution is linked and it is activated."""
    fiscal_year = _lock_open(fiscal_year)
    total = _check_total(total)
    version = (SharePlan.objects.filter(fiscal_year=fiscal_year).aggregate(v=Max("version"))["v"] or 0) + 1
    plan = SharePlan(
        fiscal_year=fiscal_year,
        version=version,
        total=total,
        due_on=due_on,
        note=note,
        supersedes=supersedes,
    )
    _save(plan, actor)
    _write_lines(plan, lines, actor)
    return plan


def _lock_draft(plan: SharePlan) -> SharePlan:
    _lock_open(plan.fiscal_year)
    plan = SharePlan.objects.select_for_update().select_related("fiscal_year__committee").get(pk=plan.pk)
    if plan.status != SharePlan.Status.DRAFT:
        raise ValidationError(
            _("已生效的分摊方案不能修改；如需调整，请新建调整方案并关联新的会议决议。"), code="plan_not_draft"
        )
    return plan


def _motion_of(plan: SharePlan):
    if plan.motion_id is None:
        return None
    return Motion.objects.select_related("meeting").get(pk=plan.motion_id)


def plan_motion_text(plan: SharePlan) -> tuple[str, str]:
    """The title and text of the motion made from ``plan``: they name the plan, its year and
    its figures, so the members vote on exactly this plan (issue #11 item 12)."""
    title = _("审议%(committee)s%(year)s年度成员单位出资分摊方案（第%(version)s版）") % {
        "committee": plan.fiscal_year.committee.name,
        "year": plan.fiscal_year.year,
        "version": plan.version,
    }
    lines = "；".join(
        _("%(unit)s %(amount)s 元") % {"unit": ln.unit.name, "amount": ln.amount}
        for ln in plan.lines.select_related("unit").order_by("unit__name")
    )
    text = _("%(year)s年度应筹总额 %(total)s 元，缴纳期限 %(due)s。各单位分摊额：%(lines)s。") % {
        "year": plan.fiscal_year.year,
        "total": plan.total,
        "due": plan.due_on.isoformat(),
        "lines": lines,
    }
    return title, text


@transaction.atomic
def share_plan_update(
    *, actor, plan: SharePlan, total: Decimal, due_on: datetime.date, lines: Sequence[ShareInput], note: str = ""
) -> SharePlan:
    """Edit a draft. Once its motion is being voted on (or was), the figures are frozen; a failed
    motion lets the draft be edited and proposed again. A motion not yet opened follows the edit."""
    plan = _lock_draft(plan)
    motion = _motion_of(plan)
    if motion is not None and motion.status != motion.Status.CREATED and motion.passed is not False:
        raise ValidationError(
            _("本方案已提交会议表决，不能再修改；如需调整，请在表决未通过后修改，或新建调整方案。"),
            code="plan_voted",
        )
    plan.total, plan.due_on, plan.note = _check_total(total), due_on, note
    plan.resolution = None  # the figures changed: the decision must be linked again
    fields = ["total", "due_on", "note", "resolution"]
    if motion is not None and motion.passed is False:
        plan.motion = None  # the failed vote stays in the meeting; the edited plan is proposed anew
        fields.append("motion")
    _save(plan, actor, update_fields=fields)
    _write_lines(plan, lines, actor)
    if motion is not None and motion.status == motion.Status.CREATED:
        title, text = plan_motion_text(plan)
        motion_update(actor=actor, motion=motion, title=title, text=text)
    return plan


@transaction.atomic
def share_plan_propose(*, actor, plan: SharePlan, meeting: Meeting, agenda_item=None) -> Motion:
    """R23.1 (issue #11 item 12): put the draft to a meeting of its own committee. The motion is
    created from the plan (through the meetings services), names the plan and its year, and is
    linked to it; only the resolution formed from this motion can activate the plan."""
    plan = _lock_draft(plan)
    if meeting.committee_id != plan.fiscal_year.committee_id:
        raise ValidationError({"meeting": ValidationError(_("只能提交本大党委的会议表决。"), code="foreign_meeting")})
    if not plan.lines.exists():
        raise ValidationError(_("方案中没有参与分摊的单位。"))
    motion = _motion_of(plan)
    if motion is not None and motion.passed is not False:
        raise ValidationError(
            _("本方案已提交“%(meeting)s”表决，不能重复提交。") % {"meeting": inner_quotes(motion.meeting.title)},
            code="already_proposed",
        )
    title, text = plan_motion_text(plan)
    motion = motion_create(actor=actor, meeting=meeting, title=title, text=text, agenda_item=agenda_item)
    plan.motion = motion
    plan.resolution = None
    try:
        with transaction.atomic():
            _save(plan, actor, update_fields=["motion", "resolution"], reason=_("提交会议表决"))
    except IntegrityError as exc:
        raise ValidationError(_("该表决事项已用于其他分摊方案。")) from exc
    return motion


def _check_resolution(plan: SharePlan, resolution) -> None:
    """R23.1 (issue #11 item 12): the shares are decided by a committee meeting on this plan: the
    resolution must be the one formed from the motion made from this plan, and that motion passed."""
    if plan.motion_id is None:
        raise ValidationError(
            {
                "resolution": ValidationError(
                    _("本方案尚未提交大党委会议表决。请先将本方案提交会议表决，表决通过并形成决议后才能生效。"),
                    code="no_motion",
                )
            }
        )
    if resolution is None:
        raise ValidationError(
            {
                "resolution": ValidationError(
                    _("本方案的表决事项尚未形成会议决议：请在表决通过后于会议中登记决议。"), code="no_resolution"
                )
            }
        )
    info = selectors.resolution_info(resolution_id=resolution.pk)
    if info is None or info.committee_id != plan.fiscal_year.committee_id:
        raise ValidationError(
            {"resolution": ValidationError(_("该决议不是本大党委会议形成的决议。"), code="foreign_resolution")}
        )
    if info.motion_id != plan.motion_id:
        raise ValidationError(
            {
                "resolution": ValidationError(
                    _("该决议不是就本方案作出的：分摊方案只能依据由本方案提交表决并通过的决议生效。"),
                    code="resolution_not_for_plan",
                )
            }
        )
    if not info.passed:
        raise ValidationError(
            {
                "resolution": ValidationError(
                    _("该决议对应的表决事项未获通过，不能据此生效。"), code="resolution_not_passed"
                )
            }
        )
    taken = SharePlan.objects.filter(resolution_id=resolution.pk).exclude(pk=plan.pk).first()
    if taken is not None:
        raise ValidationError(
            {
                "resolution": ValidationError(
                    _("该决议已用于%(plan)s；调整方案需要新的会议决议。") % {"plan": taken}, code="resolution_used"
                )
            }
        )


def _resolution_of_motion(plan: SharePlan):
    if plan.motion_id is None:
        return None
    return Resolution.objects.filter(motion_id=plan.motion_id).first()


@transaction.atomic
def share_plan_link_resolution(*, actor, plan: SharePlan, resolution) -> SharePlan:
    plan = _lock_draft(plan)
    _check_resolution(plan, resolution)
    plan.resolution = resolution
    try:
        with transaction.atomic():
            return _save(plan, actor, update_fields=["resolution"], reason=_("关联会议决议"))
    except IntegrityError as exc:
        raise ValidationError({"resolution": _("该决议已用于其他分摊方案。")}) from exc


@transaction.atomic
def share_plan_activate(*, actor, plan: SharePlan) -> SharePlan:
    """Activate a draft. Only the resolution formed from the plan's own motion, which passed,
    activates it (issue #11 item 12); the plan in force (if any) becomes ``superseded`` and stays
    in the history."""
    plan = _lock_draft(plan)
    if plan.resolution_id is None or plan.resolution.motion_id != plan.motion_id:
        plan.resolution = _resolution_of_motion(plan)
    _check_resolution(plan, plan.resolution)
    if not plan.lines.exists():
        raise ValidationError(_("方案中没有参与分摊的单位。"))
    current = (
        SharePlan.objects.select_for_update()
        .filter(fiscal_year=plan.fiscal_year, status=SharePlan.Status.ACTIVE)
        .first()
    )
    fields = ["status", "activated_at", "resolution"]
    if current is not None:
        current.status = SharePlan.Status.SUPERSEDED
        _save(current, actor, update_fields=["status"], reason=_("被第%(v)s版方案取代") % {"v": plan.version})
        if plan.supersedes_id is None and not SharePlan.objects.filter(supersedes=current).exists():
            plan.supersedes = current
            fields.append("supersedes")
    plan.status = SharePlan.Status.ACTIVE
    plan.activated_at = timezone.now()
    try:
        with transaction.atomic():
            return _save(plan, actor, update_fields=fields, reason=_("依据会议决议生效"))
    except IntegrityError as exc:  # a concurrent activation won
        raise ValidationError(_("本年度已有生效的分摊方案，请刷新后重试。")) from exc


@transaction.atomic
def share_plan_revise(*, actor, plan: SharePlan) -> SharePlan:
    """Start changing an active plan: a new draft with the same lines, to be decided by a new
    resolution. The plan in force stays in force until the new one is activated."""
    _lock_open(plan.fiscal_year)
    plan = SharePlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != SharePlan.Status.ACTIVE:
        raise ValidationError(_("只有执行中的方案才能调整。"))
    existing = SharePlan.objects.filter(supersedes=plan).first()
    if existing is not None:
        return existing
    lines = [
        ShareInput(
            unit=ln.unit,
            kind=ln.kind,
            value={ShareLine.Kind.PERCENT: ln.percent, ShareLine.Kind.MEMBERS: ln.members}.get(
                ln.kind, ln.fixed_amount
            ),
        )
        for ln in plan.lines.select_related("unit")
    ]
    return share_plan_create(
        actor=actor,
        fiscal_year=plan.fiscal_year,
        total=plan.total,
        due_on=plan.due_on,
        lines=lines,
        note=plan.note,
        supersedes=plan,
    )


# --- payments, refunds and reminders ---------------------------------------------------------


def _next_receipt_no(fiscal_year: FiscalYear) -> str:
    """The year's next free number (the year row is locked by the caller)."""
    taken = set(Payment.objects.filter(fiscal_year=fiscal_year).values_list("receipt_no", flat=True))
    n = len(taken) + 1
    while f"{fiscal_year.year}-{n:04d}" in taken:
        n += 1
    return f"{fiscal_year.year}-{n:04d}"


def _save_payment(payment: Payment, actor) -> Payment:
    try:
        with transaction.atomic():
            return _save(payment, actor)
    except IntegrityError as exc:
        raise ValidationError({"receipt_no": _("收据编号已被使用，请换一个。")}) from exc


@transaction.atomic
def payment_record(
    *,
    actor,
    fiscal_year: FiscalYear,
    unit: Unit,
    amount: Decimal,
    paid_on: datetime.date,
    method: str = Payment.Method.TRANSFER,
    receipt_no: str = "",
    note: str = "",
    confirm_overpay: bool = True,
) -> Payment:
    """A unit pays (part of) its share (R23.1). Partial payments are fine; the outstanding amount
    is what the active plan asks minus what was paid. A payment above what the unit still owes is
    kept only when confirmed (the form asks, issue #15 item 10); the surplus stays recorded."""
    fiscal_year = _lock_open(fiscal_year)
    if unit.community_id != fiscal_year.committee.community_id:
        raise ValidationError({"unit": _("该单位不是本社区的成员单位。")})
    amount = _money(amount, "amount")
    if amount <= 0:
        raise ValidationError({"amount": _("缴款金额必须大于零；退款请在原缴款记录上办理。")})
    _check_date_in_year(paid_on, fiscal_year, "paid_on")
    if not confirm_overpay:
        _check_overpay(fiscal_year, unit, amount)
    receipt_no = receipt_no.strip()
    if receipt_no and Payment.objects.filter(fiscal_year=fiscal_year, receipt_no=receipt_no).exists():
        raise ValidationError({"receipt_no": _("收据编号已被使用，请换一个。")})
    payment = Payment(
        fiscal_year=fiscal_year,
        unit=unit,
        amount=amount,
        paid_on=paid_on,
        method=method,
        receipt_no=receipt_no or _next_receipt_no(fiscal_year),
        note=note,
        recorded_by=actor,
    )
    return _save_payment(payment, actor)


def _check_overpay(fiscal_year: FiscalYear, unit: Unit, amount: Decimal) -> None:
    """Issue #15 item 10: under a plan in force, more than the unit still owes asks for a confirmation."""
    status = selectors.share_status(fiscal_year=fiscal_year, unit_id=unit.pk)
    if status.plan is None:
        return
    row = status.rows[0] if status.rows else None
    due, paid = (row.due, row.paid) if row else (Decimal("0.00"), Decimal("0.00"))
    owed = max(due - paid, Decimal("0.00"))
    if amount > owed:
        raise ValidationError(
            {
                "amount": _(
                    "缴款金额 %(amount)s 元超过该单位尚欠的 %(owed)s 元（应缴 %(due)s 元，已缴 %(paid)s 元）。"
                    "如确属多缴，请勾选“确认多缴”后再保存，多缴部分将保留在账上。"
                )
                % {"amount": amount, "owed": owed, "due": due, "paid": paid}
            }
        )


@transaction.atomic
def payment_refund(
    *,
    actor,
    payment: Payment,
    amount: Decimal,
    paid_on: datetime.date,
    method: str = Payment.Method.TRANSFER,
    note: str = "",
) -> Payment:
    """A refund is a recorded negative entry that points at the payment it returns; together the
    refunds of a payment never exceed it."""
    fiscal_year = _lock_open(payment.fiscal_year)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.is_refund:
        raise ValidationError(_("退款记录不能再退款。"))
    amount = _money(amount, "amount")
    if amount <= 0:
        raise ValidationError({"amount": _("请填写退款金额（正数）。")})
    refunded = selectors.refunded_amount(payment=payment)
    if refunded + amount > payment.amount:
        raise ValidationError(
            {
                "amount": _("退款合计不能超过原缴款金额 %(paid)s 元（已退 %(refunded)s 元）。")
                % {"paid": payment.amount, "refunded": refunded}
            }
        )
    _check_date_in_year(paid_on, fiscal_year, "paid_on")
    if paid_on < payment.paid_on:
        raise ValidationError({"paid_on": _("退款日期不能早于原缴款日期。")})
    refund = Payment(
        fiscal_year=fiscal_year,
        unit_id=payment.unit_id,
        kind=Payment.Kind.REFUND,
        amount=-amount,
        paid_on=paid_on,
        method=method,
        receipt_no=_next_receipt_no(fiscal_year),
        refund_of=payment,
        note=note,
        recorded_by=actor,
    )
    return _save_payment(refund, actor)


@transaction.atomic
def arrears_remind(*, actor, fiscal_year: FiscalYear, today: datetime.date | None = None) -> int:
    """Remind every unit past its due date by e-mail and in the portal: each liaison account of the
    unit and the unit's contact address. Idempotent per unit and day (the outbox's keys)."""
    today = today or timezone.localdate()
    rows = [r for r in selectors.share_status(fiscal_year=fiscal_year, today=today).rows if r.days_overdue > 0]
    if not rows:
        return 0
    liaisons: dict[int, list[User]] = {}
    for user in User.objects.filter(
        role=User.Role.LIAISON, unit_id__in=[r.unit.pk for r in rows], is_active=True
    ).order_by("pk"):
        liaisons.setdefault(user.unit_id, []).append(user)
    count = 0
    for row in rows:
        subject = _("经费缴纳提醒：%(unit)s %(year)s年度尚欠 %(amount)s 元") % {
            "unit": row.unit.name,
            "year": fiscal_year.year,
            "amount": row.outstanding,
        }
        body = _(
            "%(unit)s：\n根据大党委会议决议，贵单位%(year)s年度应缴共建经费 %(due)s 元，已缴 %(paid)s 元，"
            "尚欠 %(outstanding)s 元，已逾期 %(days)s 天（缴纳期限：%(due_on)s）。请尽快缴纳。\n%(committee)s"
        ) % {
            "unit": row.unit.name,
            "year": fiscal_year.year,
            "due": row.due,
            "paid": row.paid,
            "outstanding": row.outstanding,
            "days": row.days_overdue,
            "due_on": row.due_on.isoformat(),
            "committee": fiscal_year.committee.name,
        }
        url = reverse("funding:unit_dues", args=[row.unit.pk])
        base = f"funding:arrears:{fiscal_year.pk}:unit:{row.unit.pk}:{today.isoformat()}"
        for user in liaisons.get(row.unit.pk, []):
            message_enqueue(
                key=f"{base}:user:{user.pk}", recipient=user, subject=subject, body=body, url=url, kind="arrears"
            )
            count += 1
        if row.unit.contact_email:
            message_enqueue(
                key=f"{base}:email", email=row.unit.contact_email, subject=subject, body=body, url=url, kind="arrears"
            )
            count += 1
    return count
