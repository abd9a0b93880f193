"""Demo funding (R23–R24) of the pilot committee 陵园社区 for the demo year (the current year).

What ``seed(demo)`` builds, all through ``funding.services`` (validated, audited):

- last year's accounts, closed early in January, so the year opens with a carried balance;
- the demo year (经费年度) with a budget, income from each of the five sources of R23 (the
  units' contributions are their payments; the county appropriation, funds that followed
  delegated tasks, income from low-cost services, a named and an anonymous donation) and
  spending in every category;
- the units' share plan (R23.1): a draft with percentages and two fixed amounts, put to the first
  quarterly meeting as a motion made from the plan (``share_plan_propose``, called by
  ``meetings.demo`` through its ``MOTION_MAKERS`` hook while it holds that meeting), and
  activated the day after by the resolution formed from that motion;
- the units' payments: most paid in full before the due date, one unit paid part of its share
  late, one has paid nothing (in arrears).

Run after ``meetings.demo.seed`` (the plan needs its resolution). The past is written under
``committees.demo.demo_clock`` so every entry is recorded on its day; an entry later than
today is left out, and so is the plan when the meeting that decides it has not happened yet.

Idempotent by natural keys: a fiscal year by (committee, year), a budget line by title, an
income by (source, date, amount), an expense by (date, payee), a payment by (unit, date); the
share plan is made only when the year has none.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from committees.demo import LINGYUAN, Demo, build_demo, demo_clock, moment
from meetings import demo as meetings_demo

from . import services
from .models import BudgetLine, Category, Expense, FiscalYear, Income, Payment, ShareLine, SharePlan, Source

D = Decimal
SHARE_TOTAL = D("60000")
# (unit index, percent) of what is left after the fixed amounts; (unit index, fixed yuan).
PERCENT_SHARES = ((1, 18), (2, 18), (3, 14), (4, 12), (5, 12), (6, 10), (7, 8), (8, 8))
FIXED_SHARES = ((9, "2000"), (10, "3000"))
# (unit index, (month, day), fraction of the share, method); unit 8 pays nothing (arrears).
PAYMENTS = (
    (1, (4, 20), 1, "transfer"),
    (2, (6, 12), 1, "transfer"),
    (3, (5, 8), 1, "transfer"),
    (4, (4, 28), 1, "transfer"),
    (5, (4, 10), 1, "transfer"),
    (6, (6, 26), 1, "transfer"),
    (7, (7, 20), D("0.45"), "wechat"),  # part of its share, after the due date
    (9, (5, 15), 1, "cash"),
    (10, (6, 3), 1, "alipay"),
)
BUDGET = (
    ("income", Source.CONTRIBUTIONS, "成员单位共同筹资", "60000"),
    ("income", Source.APPROPRIATION, "县级财政专项拨款", "50000"),
    ("income", Source.DELEGATED, "费随事转", "15000"),
    ("income", Source.SERVICES, "有偿、低偿服务收入", "5000"),
    ("income", Source.DONATIONS, "社会捐赠", "5000"),
    ("expense", Category.ACTIVITIES, "党员活动经费", "18000"),
    ("expense", Category.ALLOWANCES, "委员工作补贴", "24000"),
    ("expense", Category.SERVICES, "为民服务项目", "45000"),
    ("expense", Category.VENUE, "阵地建设", "20000"),
    ("expense", Category.TRAINING, "教育培训", "6000"),
    ("expense", Category.OFFICE, "办公及会务", "4000"),
)
INCOMES = (
    {
        "source": Source.APPROPRIATION,
        "received_on": (3, 6),
        "amount": "50000",
        "payer": "示范县财政局",
        "note": "年度大党委工作专项经费",
    },
    {
        "source": Source.DELEGATED,
        "received_on": (4, 21),
        "amount": "12000",
        "delegating_department": "示范县民政局",
        "delegated_task": "社区居家养老服务站运营",
    },
    {
        "source": Source.DELEGATED,
        "received_on": (8, 18),
        "amount": "3000",
        "delegating_department": "示范县卫生健康委员会",
        "delegated_task": "健康知识进社区宣传",
    },
    {
        "source": Source.SERVICES,
        "received_on": (6, 30),
        "amount": "2860",
        "payer": "社区老年食堂",
        "note": "上半年低偿助餐收入",
    },
    {
        "source": Source.SERVICES,
        "received_on": (9, 30),
        "amount": "1200",
        "payer": "示范县老年大学",
        "note": "活动室场地使用费",
    },
    {"source": Source.DONATIONS, "received_on": (5, 12), "amount": "5000", "donor": "示范县华联购物中心有限公司"},
    {
        "source": Source.DONATIONS,
        "received_on": (8, 3),
        "amount": "800",
        "anonymous": True,
        "note": "捐赠用于困难群众帮扶",
    },
)
EXPENSES = (
    (Category.OFFICE, (1, 20), "1260", "示范县文印中心", "年度工作要点印制、会议材料"),
    (Category.VENUE, (4, 16), "15000", "示范县宏远装饰工程有限公司", "党群服务中心二楼会议室改造"),
    (Category.ALLOWANCES, (3, 31), "4500", "大党委兼职委员（9人）", "第一季度委员工作补贴"),
    (Category.SERVICES, (5, 26), "8600", "示范县明亮照明器材经营部", "楼道照明改造材料"),
    (Category.TRAINING, (6, 9), "2400", "中共示范县委党校", "党员骨干培训班"),
    (Category.ALLOWANCES, (6, 30), "4500", "大党委兼职委员（9人）", "第二季度委员工作补贴"),
    (Category.ACTIVITIES, (7, 1), "3200", "陵园社区党委", "“七一”主题党日和表彰活动"),
    (Category.SERVICES, (9, 20), "6300", "示范县惠民家政服务有限公司", "“一老一小”服务驿站开办物资"),
    (Category.ALLOWANCES, (9, 30), "4500", "大党委兼职委员（9人）", "第三季度委员工作补贴"),
    (Category.ACTIVITIES, (10, 1), "2650", "陵园社区党委", "“迎双节 邻里情”文化活动"),
    (Category.OTHER, (11, 10), "380", "示范县邮政分公司", "邮寄缴费通知和慰问信"),
)


class _Builder:
    def __init__(self, demo: Demo):
        self.demo = demo
        self.committee = demo.committees[LINGYUAN.name]
        self.units = demo.units[LINGYUAN.name]
        self.secretary = demo.users["secretary"]
        self.today = timezone.localdate()
        self.year = self.today.year
        self.now = timezone.now()

    def when(self, md: tuple[int, int], hour: int = 10, year: int | None = None):
        at = moment(datetime.date(year or self.year, *md), hour)
        return at if at < self.now else None

    def last_year(self) -> None:
        """Last year's accounts, closed in January: their balance opens this year."""
        year = self.year - 1
        if FiscalYear.objects.filter(committee=self.committee, year=year).exists():
            return
        actor = self.secretary
        with demo_clock(self.when((1, 6), year=year)):
            fy = services.fiscal_year_open(actor=actor, committee=self.committee, year=year)
        with demo_clock(self.when((3, 10), year=year)):
            services.income_record(
                actor=actor,
                fiscal_year=fy,
                source=Source.APPROPRIATION,
                received_on=datetime.date(year, 3, 10),
                amount=D("40000"),
                payer="示范县财政局",
            )
        with demo_clock(self.when((12, 20), year=year)):
            services.expense_record(
                actor=actor,
                fiscal_year=fy,
                category=Category.SERVICES,
                spent_on=datetime.date(year, 12, 20),
                amount=D("31580"),
                payee="陵园社区党委",
                note="全年为民服务项目支出合计",
            )
        at = self.when((1, 8))
        if at is not None:
            with demo_clock(at):
                services.fiscal_year_close(actor=actor, fiscal_year=fy)
        self.demo.count("经费年度")

    def this_year(self) -> FiscalYear | None:
        fy = FiscalYear.objects.filter(committee=self.committee, year=self.year).first()
        if fy is not None:
            return fy
        at = self.when((1, 9))
        if at is None:
            return None
        with demo_clock(at):
            fy = services.fiscal_year_open(actor=self.secretary, committee=self.committee, year=self.year)
        self.demo.count("经费年度")
        return fy

    def budget(self, fy: FiscalYear) -> None:
        at = self.when((1, 12))
        if at is None:
            return
        titles = set(BudgetLine.objects.filter(fiscal_year=fy).values_list("title", flat=True))
        with demo_clock(at):
            for direction, key, title, amount in BUDGET:
                if title in titles:
                    continue
                services.budget_line_create(
                    actor=self.secretary,
                    fiscal_year=fy,
                    direction=direction,
                    title=title,
                    amount=D(amount),
                    source=key if direction == "income" else "",
                    category=key if direction == "expense" else "",
                )
                self.demo.count("预算项目")

    def incomes(self, fy: FiscalYear) -> None:
        for row in INCOMES:
            fields = dict(row)
            at = self.when(fields["received_on"], 15)
            if at is None:
                continue
            fields["received_on"] = at.date()
            fields["amount"] = D(fields["amount"])
            if Income.objects.filter(
                fiscal_year=fy, source=fields["source"], received_on=at.date(), amount=fields["amount"]
            ).exists():
                continue
            with demo_clock(at):
                services.income_record(actor=self.secretary, fiscal_year=fy, **fields)
            self.demo.count("收入")

    def expenses(self, fy: FiscalYear) -> None:
        for category, md, amount, payee, note in EXPENSES:
            at = self.when(md, 15)
            if at is None or Expense.objects.filter(fiscal_year=fy, spent_on=at.date(), payee=payee).exists():
                continue
            with demo_clock(at):
                services.expense_record(
                    actor=self.secretary,
                    fiscal_year=fy,
                    category=category,
                    spent_on=at.date(),
                    amount=D(amount),
                    payee=payee,
                    note=note,
                )
            self.demo.count("支出")

    def draft_plan(self, fy: FiscalYear) -> SharePlan:
        lines = [
            services.ShareInput(unit=self.units[i], kind=ShareLine.Kind.PERCENT, value=D(p)) for i, p in PERCENT_SHARES
        ]
        lines += [
            services.ShareInput(unit=self.units[i], kind=ShareLine.Kind.FIXED, value=D(v)) for i, v in FIXED_SHARES
        ]
        return services.share_plan_create(
            actor=self.secretary,
            fiscal_year=fy,
            total=SHARE_TOTAL,
            due_on=datetime.date(self.year, 6, 30),
            lines=lines,
            note="社区党委不参与分摊；陵园管理所、金盾物业按固定金额，其余单位按比例分摊。",
        )

    def share_plan(self, fy: FiscalYear) -> SharePlan | None:
        """Activate the draft whose own motion passed, the day after its meeting (R23.1)."""
        plan = SharePlan.objects.filter(fiscal_year=fy).order_by("-version").first()
        if plan is None or plan.status != SharePlan.Status.DRAFT:
            return plan if plan is not None and plan.status == SharePlan.Status.ACTIVE else None
        if plan.motion is None or not plan.motion.passed:
            return None
        day = timezone.localdate(plan.motion.meeting.starts_at) + datetime.timedelta(days=1)
        at = moment(day, 10, 20)
        if at >= self.now:
            return None
        with demo_clock(at):
            plan = services.share_plan_activate(actor=self.secretary, plan=plan)
        self.demo.count("分摊方案")
        return plan

    def payments(self, fy: FiscalYear, plan: SharePlan) -> None:
        shares = {line.unit_id: line.amount for line in plan.lines.all()}
        for index, md, fraction, method in PAYMENTS:
            unit = self.units[index]
            at = self.when(md, 14)
            if at is None or Payment.objects.filter(fiscal_year=fy, unit=unit, paid_on=at.date()).exists():
                continue
            amount = (shares[unit.pk] * D(fraction)).quantize(D("0.01"))
            with demo_clock(at):
                services.payment_record(
                    actor=self.secretary,
                    fiscal_year=fy,
                    unit=unit,
                    amount=amount,
                    paid_on=at.date(),
                    method=method,
                    note="" if fraction == 1 else "先缴部分，余款待单位财务审批后缴纳",
                )
            self.demo.count("缴款")


def propose_share_plan(*, demo: Demo, meeting, agenda_item, actor):
    """``meetings.demo`` hook: while the first quarterly meeting is being prepared, the pilot's
    draft share plan is made and put to it; the motion is created from the plan (R23.1)."""
    b = _Builder(demo)
    if meeting.committee_id != b.committee.pk:
        return None
    fy = b.this_year()
    if fy is None or SharePlan.objects.filter(fiscal_year=fy).exists():
        return None
    plan = b.draft_plan(fy)
    motion = services.share_plan_propose(actor=actor, plan=plan, meeting=meeting, agenda_item=agenda_item)
    demo.count("分摊方案草案")
    return motion


meetings_demo.MOTION_MAKERS["share_plan"] = propose_share_plan


@transaction.atomic
def seed(demo: Demo | None = None) -> None:
    """The pilot committee's funds of the demo year (see the module docstring). Idempotent."""
    demo = demo or build_demo()
    b = _Builder(demo)
    b.last_year()
    fy = b.this_year()
    if fy is None:
        return
    b.budget(fy)
    b.incomes(fy)
    b.expenses(fy)
    plan = b.share_plan(fy)
    if plan is not None:
        b.payments(fy, plan)
