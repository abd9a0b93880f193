"""Every non-trivial read of the committee's funds, scoped to the user where a user asks.

Each page's reads are a fixed number of grouped queries, whatever the number of units and ledger
lines (issue #5: tests assert the counts).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import Committee, Post, Township, Unit
from common.permissions import role_of, scoped
from meetings.models import Meeting, Motion, Resolution

from .models import BudgetLine, Category, Expense, FiscalYear, Income, Payment, ShareLine, SharePlan, Source
from .money import to_fen

ZERO = Decimal("0.00")
ACTIVITY_YUAN_PER_MEMBER = Decimal(40)  # R24: 40 yuan per party member per year
TAX_SHARE_RATE = Decimal("0.20")  # R24: 20 % of last year's tax-sharing income
QUARTERS = 4


def fen(value) -> Decimal:
    """A summed amount back to the fen. SQLite sums decimals in binary floating point and hands
    back e.g. 1000.01000000000; PostgreSQL sums ``numeric`` exactly. Either way the result is a
    ``Decimal`` with two places."""
    return ZERO if value is None else to_fen(value)


# --- fiscal years --------------------------------------------------------------------------


def fiscal_year_get(*, user, pk: int) -> FiscalYear:
    qs = scoped(user, FiscalYear.objects.select_related("committee__community__township", "closed_by"))
    try:
        return qs.get(pk=pk)
    except FiscalYear.DoesNotExist as exc:
        raise Http404 from exc


def fiscal_year_list(*, committee: Committee) -> list[FiscalYear]:
    return list(FiscalYear.objects.filter(committee=committee).order_by("-year"))


def committee_get(*, user, pk: int) -> Committee:
    try:
        return scoped(user, Committee.objects.select_related("community__township")).get(pk=pk)
    except Committee.DoesNotExist as exc:
        raise Http404 from exc


@dataclass
class Line:
    key: str
    label: str
    budget: Decimal = ZERO
    actual: Decimal = ZERO


@dataclass
class YearTotals:
    opening: Decimal
    income: list[Line]
    expense: list[Line]
    income_total: Decimal
    expense_total: Decimal
    balance: Decimal
    budget_income: Decimal
    budget_expense: Decimal


def year_totals(*, fiscal_year: FiscalYear) -> YearTotals:
    """Income by the five sources (R23; source 1 is the units' payments net of refunds), spending
    by category, each beside its budget, and the balance. Four queries."""
    income = {s.value: Line(s.value, str(s.label)) for s in Source}
    expense = {c.value: Line(c.value, str(c.label)) for c in Category}
    for row in Income.objects.counted().filter(fiscal_year=fiscal_year).values("source").annotate(s=Sum("amount")):
        income[row["source"]].actual = fen(row["s"])
    paid = fen(Payment.objects.filter(fiscal_year=fiscal_year).aggregate(s=Sum("amount"))["s"])
    income[Source.CONTRIBUTIONS].actual = paid
    for row in Expense.objects.counted().filter(fiscal_year=fiscal_year).values("category").annotate(s=Sum("amount")):
        expense[row["category"]].actual = fen(row["s"])
    for row in (
        BudgetLine.objects.filter(fiscal_year=fiscal_year)
        .values("direction", "source", "category")
        .annotate(s=Sum("amount"))
    ):
        if row["direction"] == BudgetLine.Direction.INCOME:
            income[row["source"]].budget += fen(row["s"])
        else:
            expense[row["category"]].budget += fen(row["s"])
    income_total = sum((x.actual for x in income.values()), ZERO)
    expense_total = sum((x.actual for x in expense.values()), ZERO)
    return YearTotals(
        opening=fiscal_year.opening_balance,
        income=list(income.values()),
        expense=list(expense.values()),
        income_total=income_total,
        expense_total=expense_total,
        balance=fiscal_year.opening_balance + income_total - expense_total,
        budget_income=sum((x.budget for x in income.values()), ZERO),
        budget_expense=sum((x.budget for x in expense.values()), ZERO),
    )


# --- the ledger ------------------------------------------------------------------------------


@dataclass
class LedgerEntry:
    day: datetime.date
    kind: str  # "income" | "payment" | "expense"
    label: str
    counterpart: str
    note: str
    amount: Decimal  # signed: income positive, spending negative
    obj: object
    balance: Decimal = ZERO
    voided: bool = False


def ledger(*, fiscal_year: FiscalYear, with_voided: bool = False) -> list[LedgerEntry]:
    """Every line of the year in date order with the running balance. Four queries (the spending
    receipts are prefetched in one). Voided lines (R23) count nowhere: they are left out, or with
    ``with_voided`` listed (struck through on the ledger page) without moving the balance."""
    incomes = Income.objects.filter(fiscal_year=fiscal_year).select_related("voided_by")
    expenses = Expense.objects.filter(fiscal_year=fiscal_year).select_related("voided_by")
    if not with_voided:
        incomes, expenses = incomes.counted(), expenses.counted()
    entries = [
        LedgerEntry(
            i.received_on, "income", i.get_source_display(), i.counterpart, i.note, i.amount, i, voided=i.is_voided
        )
        for i in incomes
    ]
    entries += [
        LedgerEntry(
            p.paid_on,
            "payment",
            _("成员单位退款") if p.is_refund else str(Source.CONTRIBUTIONS.label),
            p.unit.name,
            _("收据 %(no)s") % {"no": p.receipt_no},
            p.amount,
            p,
        )
        for p in Payment.objects.filter(fiscal_year=fiscal_year).select_related("unit")
    ]
    entries += [
        LedgerEntry(e.spent_on, "expense", e.get_category_display(), e.payee, e.note, -e.amount, e, voided=e.is_voided)
        for e in expenses.prefetch_related("receipts")
    ]
    order = {"income": 0, "payment": 1, "expense": 2}
    entries.sort(key=lambda e: (e.day, order[e.kind], e.obj.pk))
    balance = fiscal_year.opening_balance
    for e in entries:
        if not e.voided:
            balance += e.amount
        e.balance = balance
    return entries


def budget_lines(*, fiscal_year: FiscalYear) -> list[BudgetLine]:
    return list(BudgetLine.objects.filter(fiscal_year=fiscal_year).order_by("direction", "pk"))


# --- R24 presets -----------------------------------------------------------------------------


@dataclass
class Suggestion:
    preset: str
    title: str
    direction: str
    source: str
    category: str
    amount: Decimal
    basis: str


def preset_suggestion(
    *,
    fiscal_year: FiscalYear,
    preset: str,
    tax_income: Decimal | None = None,
    allowance_per_quarter: Decimal | None = None,
    members: int | None = None,
    posts: int | None = None,
) -> Suggestion | None:
    """R24 (P2 norms, optional): the suggested line for one preset, or None without its figure."""
    committee = fiscal_year.committee
    if preset == BudgetLine.Preset.ACTIVITIES:
        if members is None:
            members = party_member_count(committee=committee)
        amount = to_fen(ACTIVITY_YUAN_PER_MEMBER * members)
        return Suggestion(
            preset,
            _("党员活动经费"),
            BudgetLine.Direction.EXPENSE,
            "",
            Category.ACTIVITIES,
            amount,
            _("40元/人·年 × %(n)s名党员（成员单位台账：直属、在职、流动党员合计）") % {"n": members},
        )
    if preset == BudgetLine.Preset.TAX_SHARE:
        if tax_income is None:
            return None
        amount = to_fen(Decimal(tax_income) * TAX_SHARE_RATE)
        return Suggestion(
            preset,
            _("税收分成专项经费"),
            BudgetLine.Direction.INCOME,
            Source.APPROPRIATION,
            "",
            amount,
            _("上年度税收分成收入 %(income)s 元 × 20%%") % {"income": to_fen(tax_income)},
        )
    if preset == BudgetLine.Preset.ALLOWANCES:
        if allowance_per_quarter is None:
            return None
        if posts is None:
            posts = committee_member_count(committee=committee)
        amount = to_fen(Decimal(allowance_per_quarter) * posts * QUARTERS)
        return Suggestion(
            preset,
            _("委员季度补贴"),
            BudgetLine.Direction.EXPENSE,
            "",
            Category.ALLOWANCES,
            amount,
            _("每人每季度 %(each)s 元 × %(n)s名在任委员 × 4个季度")
            % {"each": to_fen(allowance_per_quarter), "n": posts},
        )
    return None


def party_member_count(*, committee: Committee) -> int:
    row = Unit.objects.filter(community_id=committee.community_id, is_active=True).aggregate(
        d=Sum("members_direct"), s=Sum("members_in_service"), f=Sum("members_floating")
    )
    return (row["d"] or 0) + (row["s"] or 0) + (row["f"] or 0)


def committee_member_count(*, committee: Committee) -> int:
    return Post.objects.filter(committee=committee, status=Post.Status.IN_FORCE).count()


def preset_suggestions(
    *, fiscal_year: FiscalYear, tax_income: Decimal | None, allowance_per_quarter: Decimal | None
) -> list[tuple[str, str, Suggestion | None]]:
    members = party_member_count(committee=fiscal_year.committee)
    posts = committee_member_count(committee=fiscal_year.committee)
    out = []
    for preset in (BudgetLine.Preset.ACTIVITIES, BudgetLine.Preset.TAX_SHARE, BudgetLine.Preset.ALLOWANCES):
        s = preset_suggestion(
            fiscal_year=fiscal_year,
            preset=preset,
            tax_income=tax_income,
            allowance_per_quarter=allowance_per_quarter,
            members=members,
            posts=posts,
        )
        out.append((preset.value, str(preset.label), s))
    return out


# --- meetings: the resolution that decides a plan ---------------------------------------------


@dataclass(frozen=True)
class ResolutionInfo:
    committee_id: int
    passed: bool
    motion_id: int | None = None


def resolution_info(*, resolution_id: int) -> ResolutionInfo | None:
    """What funding needs of a resolution (#3): its committee, and whether its motion passed."""
    row = (
        Resolution.objects.filter(pk=resolution_id)
        .values("meeting__committee_id", "motion_id", "motion__passed")
        .first()
    )
    if row is None:
        return None
    return ResolutionInfo(
        committee_id=row["meeting__committee_id"], passed=row["motion__passed"] is True, motion_id=row["motion_id"]
    )


def passed_resolutions(*, committee: Committee) -> QuerySet[Resolution]:
    """Resolutions of this committee's meetings whose motion passed, newest first."""
    return (
        Resolution.objects.filter(meeting__committee=committee, motion__passed=True)
        .select_related("meeting")
        .order_by("-meeting__starts_at", "-pk")
    )


def proposable_meetings(*, committee: Committee) -> QuerySet[Meeting]:
    """The committee's meetings that can still take a motion (not cancelled, minutes not approved)."""
    return Meeting.objects.filter(
        committee=committee, status__in=(Meeting.Status.DRAFT, Meeting.Status.NOTIFIED, Meeting.Status.HELD)
    ).order_by("-starts_at", "-pk")


def plan_motion(*, plan: SharePlan):
    """The motion made from the plan, with its meeting and resolution (issue #11 item 12)."""
    if plan.motion_id is None:
        return None
    return Motion.objects.select_related("meeting", "resolution").filter(pk=plan.motion_id).first()


# --- share plans and what each unit owes -----------------------------------------------------


def share_plan_get(*, user, pk: int) -> SharePlan:
    qs = scoped(
        user,
        SharePlan.objects.select_related(
            "fiscal_year__committee__community__township", "resolution__meeting", "resolution__motion", "supersedes"
        ),
    )
    try:
        return qs.get(pk=pk)
    except SharePlan.DoesNotExist as exc:
        raise Http404 from exc


def share_plans(*, fiscal_year: FiscalYear) -> list[SharePlan]:
    return list(
        SharePlan.objects.filter(fiscal_year=fiscal_year)
        .select_related("resolution__meeting")
        .annotate(unit_count=Count("lines"))
        .order_by("-version")
    )


def share_lines(*, plan: SharePlan) -> list[ShareLine]:
    return list(plan.lines.select_related("unit").order_by("unit__name", "pk"))


@dataclass
class DueRow:
    unit: Unit
    line: ShareLine | None
    due: Decimal
    paid: Decimal
    due_on: datetime.date | None
    days_overdue: int = 0

    @property
    def outstanding(self) -> Decimal:
        return max(self.due - self.paid, ZERO)

    @property
    def overpaid(self) -> Decimal:
        return max(self.paid - self.due, ZERO)

    @property
    def percent_paid(self) -> int:
        if self.due <= 0:
            return 100
        return min(100, int(self.paid * 100 / self.due))


@dataclass
class ShareStatus:
    plan: SharePlan | None
    rows: list[DueRow] = field(default_factory=list)

    @property
    def due(self) -> Decimal:
        return sum((r.due for r in self.rows), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((r.paid for r in self.rows), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return sum((r.outstanding for r in self.rows), ZERO)

    @property
    def arrears(self) -> list[DueRow]:
        return sorted((r for r in self.rows if r.outstanding > 0), key=lambda r: (-r.days_overdue, r.unit.name))


def share_status(*, fiscal_year: FiscalYear, today: datetime.date | None = None, unit_id: int | None = None):
    """Due, paid and outstanding per unit under the plan in force; days overdue after its due
    date. Three queries whatever the number of units."""
    today = today or timezone.localdate()
    plan = SharePlan.objects.filter(fiscal_year=fiscal_year, status=SharePlan.Status.ACTIVE).first()
    lines_qs = ShareLine.objects.filter(plan=plan).select_related("unit") if plan else ShareLine.objects.none()
    pay_qs = Payment.objects.filter(fiscal_year=fiscal_year)
    if unit_id is not None:
        lines_qs, pay_qs = lines_qs.filter(unit_id=unit_id), pay_qs.filter(unit_id=unit_id)
    rows: dict[int, DueRow] = {}
    for line in lines_qs:
        rows[line.unit_id] = DueRow(line.unit, line, line.amount, ZERO, plan.due_on)
    paid = {r["unit_id"]: fen(r["s"]) for r in pay_qs.values("unit_id").annotate(s=Sum("amount"))}
    missing = [uid for uid in paid if uid not in rows]
    if missing:  # a unit that paid without a share in the plan in force
        for unit in Unit.objects.filter(pk__in=missing):
            rows[unit.pk] = DueRow(unit, None, ZERO, ZERO, plan.due_on if plan else None)
    for uid, amount in paid.items():
        rows[uid].paid = amount
    for row in rows.values():
        if row.outstanding > 0 and row.due_on is not None and today > row.due_on:
            row.days_overdue = (today - row.due_on).days
    return ShareStatus(plan=plan, rows=sorted(rows.values(), key=lambda r: r.unit.name))


def payment_get(*, user, pk: int) -> Payment:
    qs = scoped(
        user,
        Payment.objects.select_related(
            "unit", "fiscal_year__committee__community__township", "recorded_by", "refund_of"
        ),
    )
    try:
        return qs.get(pk=pk)
    except Payment.DoesNotExist as exc:
        raise Http404 from exc


def payments(*, fiscal_year: FiscalYear, unit_id: int | None = None) -> list[Payment]:
    qs = Payment.objects.filter(fiscal_year=fiscal_year).select_related("unit", "recorded_by")
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    return list(qs.order_by("-paid_on", "-pk"))


def refunded_amount(*, payment: Payment) -> Decimal:
    return -fen(payment.refunds.aggregate(s=Sum("amount"))["s"])


# --- a unit's own dues (liaisons see only theirs) -------------------------------------------


@dataclass
class UnitYear:
    fiscal_year: FiscalYear
    due: Decimal
    paid: Decimal
    due_on: datetime.date | None
    payments: list[Payment]

    @property
    def outstanding(self) -> Decimal:
        return max(self.due - self.paid, ZERO)

    @property
    def days_overdue(self) -> int:
        today = timezone.localdate()
        if self.outstanding > 0 and self.due_on and today > self.due_on:
            return (today - self.due_on).days
        return 0


def unit_get(*, user, pk: int) -> Unit:
    try:
        return scoped(user, Unit.objects.select_related("community__township")).get(pk=pk)
    except Unit.DoesNotExist as exc:
        raise Http404 from exc


def unit_dues(*, unit: Unit) -> list[UnitYear]:
    """Every year's due, paid and outstanding of one unit, newest first. Three queries."""
    lines = {
        ln.plan.fiscal_year_id: ln
        for ln in ShareLine.objects.filter(unit=unit, plan__status=SharePlan.Status.ACTIVE).select_related("plan")
    }
    by_year: dict[int, list[Payment]] = defaultdict(list)
    for p in Payment.objects.filter(unit=unit).select_related("fiscal_year").order_by("-paid_on", "-pk"):
        by_year[p.fiscal_year_id].append(p)
    years = FiscalYear.objects.filter(pk__in=set(lines) | set(by_year)).select_related("committee").order_by("-year")
    out = []
    for fy in years:
        line = lines.get(fy.pk)
        pays = by_year.get(fy.pk, [])
        out.append(
            UnitYear(
                fiscal_year=fy,
                due=line.amount if line else ZERO,
                paid=sum((p.amount for p in pays), ZERO),
                due_on=line.plan.due_on if line else None,
                payments=pays,
            )
        )
    return out


# --- the township's committees side by side ------------------------------------------------


def township_get(*, user, pk: int) -> Township:
    qs = Township.objects.select_related("county")
    role = role_of(user)
    if role == "county":
        qs = qs.filter(county_id=user.county_id)
    elif role == "township":
        qs = qs.filter(pk=user.township_id)
    elif role != "admin":
        qs = qs.none()
    try:
        return qs.get(pk=pk)
    except Township.DoesNotExist as exc:
        raise Http404 from exc


def township_list(*, user) -> list[Township]:
    qs = Township.objects.select_related("county").order_by("county__name", "name")
    role = role_of(user)
    if role == "county":
        return list(qs.filter(county_id=user.county_id))
    if role == "township":
        return list(qs.filter(pk=user.township_id))
    return list(qs) if role == "admin" else []


@dataclass
class CommitteeColumn:
    committee: Committee
    fiscal_year: FiscalYear | None
    income: Decimal = ZERO
    expense: Decimal = ZERO
    balance: Decimal = ZERO
    due: Decimal = ZERO
    paid: Decimal = ZERO
    outstanding: Decimal = ZERO
    units_in_arrears: int = 0
    plan_status: str = ""


def township_overview(*, user, township: Township, year: int, today: datetime.date | None = None):
    """Each active committee of the township for one year: income, spending, balance, shares due,
    paid and outstanding. Seven queries whatever the number of committees and units."""
    today = today or timezone.localdate()
    committees = list(
        scoped(user, Committee.objects.filter(community__township=township, is_active=True))
        .select_related("community")
        .order_by("community__name")
    )
    years = {fy.committee_id: fy for fy in FiscalYear.objects.filter(committee__in=committees, year=year)}
    fy_ids = [fy.pk for fy in years.values()]
    income = {r["fiscal_year_id"]: fen(r["s"]) for r in _by_year(Income, fy_ids)}
    paid = {r["fiscal_year_id"]: fen(r["s"]) for r in _by_year(Payment, fy_ids)}
    expense = {r["fiscal_year_id"]: fen(r["s"]) for r in _by_year(Expense, fy_ids)}
    plans = {
        p.fiscal_year_id: p for p in SharePlan.objects.filter(fiscal_year_id__in=fy_ids, status=SharePlan.Status.ACTIVE)
    }
    due_by_year: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for r in ShareLine.objects.filter(plan__in=plans.values()).values("plan__fiscal_year_id", "unit_id", "amount"):
        due_by_year[r["plan__fiscal_year_id"]].append((r["unit_id"], fen(r["amount"])))
    paid_by_unit = {
        (r["fiscal_year_id"], r["unit_id"]): fen(r["s"])
        for r in Payment.objects.filter(fiscal_year_id__in=fy_ids)
        .values("fiscal_year_id", "unit_id")
        .annotate(s=Sum("amount"))
    }
    columns = []
    for committee in committees:
        fy = years.get(committee.pk)
        col = CommitteeColumn(committee=committee, fiscal_year=fy)
        if fy is not None:
            col.income = income.get(fy.pk, ZERO) + paid.get(fy.pk, ZERO)
            col.expense = expense.get(fy.pk, ZERO)
            col.balance = fy.opening_balance + col.income - col.expense
            col.paid = paid.get(fy.pk, ZERO)
            plan = plans.get(fy.pk)
            col.plan_status = _("执行中") if plan else _("无生效方案")
            for unit_id, amount in due_by_year.get(fy.pk, []):
                col.due += amount
                owed = amount - paid_by_unit.get((fy.pk, unit_id), ZERO)
                if owed > 0:
                    col.outstanding += owed
                    if plan and today > plan.due_on:
                        col.units_in_arrears += 1
        columns.append(col)
    return columns


def _by_year(model, fy_ids):
    qs = model.objects.counted() if model in (Income, Expense) else model.objects.all()  # voided lines count nowhere
    return qs.filter(fiscal_year_id__in=fy_ids).values("fiscal_year_id").annotate(s=Sum("amount"))


def receipts_for(*, expense: Expense):
    return list(expense.receipts.all())


def expense_receipt_get(*, user, pk: int):
    from .models import ExpenseReceipt

    try:
        return scoped(user, ExpenseReceipt.objects.select_related("expense__fiscal_year")).get(pk=pk)
    except ExpenseReceipt.DoesNotExist as exc:
        raise Http404 from exc


def open_years_with_plans(*, today: datetime.date | None = None) -> QuerySet[FiscalYear]:
    """Open years whose plan in force is past due (for the periodic reminder task)."""
    today = today or timezone.localdate()
    return FiscalYear.objects.filter(
        Q(status=FiscalYear.Status.OPEN),
        share_plans__status=SharePlan.Status.ACTIVE,
        share_plans__due_on__lt=today,
    ).distinct()
