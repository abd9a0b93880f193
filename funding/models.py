"""Funding of the committee (R23–R24, issue #5): a fiscal year per committee with its budget lines,
income by the five sources, spending with receipts, the member units' share plan decided by a
meeting, and the units' payments and refunds.

Money is ``DecimalField(max_digits=14, decimal_places=2)`` everywhere. Amounts are never negative,
except a refund, which is recorded as a negative payment that points at the payment it returns.
Every row keeps its history (who, when, before → after).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from committees.models import Committee, Unit
from common.models import TimeStampedModel

MONEY = {"max_digits": 14, "decimal_places": 2}


class Source(models.TextChoices):
    """R23: the five sources of the committee's funds."""

    CONTRIBUTIONS = "contributions", _("成员单位共同筹资")
    APPROPRIATION = "appropriation", _("县级财政专项拨款")
    DELEGATED = "delegated", _("费随事转")
    SERVICES = "services", _("有偿、低偿服务收入")
    DONATIONS = "donations", _("社会捐赠")


class Category(models.TextChoices):
    ACTIVITIES = "activities", _("党员活动经费")
    ALLOWANCES = "allowances", _("委员工作补贴")
    SERVICES = "services", _("为民服务项目")
    VENUE = "venue", _("阵地建设")
    TRAINING = "training", _("教育培训")
    OFFICE = "office", _("办公及会务")
    OTHER = "other", _("其他支出")


class FiscalYear(TimeStampedModel):
    """One committee's budget year. Closed by ``fiscal_year_close``: read-only afterwards, and its
    closing balance is the next year's opening balance."""

    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结账")

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="fiscal_years", verbose_name=_("大党委")
    )
    year = models.PositiveIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    opening_balance = models.DecimalField(_("上年结转"), default=0, **MONEY)
    closing_balance = models.DecimalField(_("年末结余"), null=True, blank=True, **MONEY)
    closed_at = models.DateTimeField(_("结账时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("结账人"),
    )

    SCOPE_COMMUNITY = "committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("经费年度")
        verbose_name_plural = _("经费年度")
        ordering = ["committee", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "year"], name="fiscal_year_unique"),
            models.CheckConstraint(
                condition=Q(status="open", closing_balance__isnull=True, closed_at__isnull=True)
                | Q(status="closed", closing_balance__isnull=False, closed_at__isnull=False),
                name="fiscal_year_closed_has_balance",
            ),
        ]

    def __str__(self):
        return _("%(committee)s %(year)s年度经费") % {"committee": self.committee, "year": self.year}

    def get_absolute_url(self):
        return reverse("funding:year_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class BudgetLine(TimeStampedModel):
    """A planned income or spending line of the year; R24 presets suggest some of them."""

    class Direction(models.TextChoices):
        INCOME = "income", _("收入")
        EXPENSE = "expense", _("支出")

    class Preset(models.TextChoices):
        NONE = "", _("手工填写")
        ACTIVITIES = "activities_per_member", _("党员活动经费（每名党员每年40元）")
        TAX_SHARE = "tax_share", _("上年度税收分成收入的20%")
        ALLOWANCES = "allowances", _("委员季度补贴")

    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="budget_lines", verbose_name=_("经费年度")
    )
    direction = models.CharField(_("收支"), max_length=8, choices=Direction.choices)
    source = models.CharField(_("收入来源"), max_length=16, choices=Source.choices, blank=True)
    category = models.CharField(_("支出类别"), max_length=16, choices=Category.choices, blank=True)
    title = models.CharField(_("项目"), max_length=100)
    amount = models.DecimalField(_("预算金额"), **MONEY)
    preset = models.CharField(_("测算依据"), max_length=24, choices=Preset.choices, blank=True, default="")
    basis = models.CharField(_("测算说明"), max_length=200, blank=True)

    SCOPE_COMMUNITY = "fiscal_year__committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("预算项目")
        verbose_name_plural = _("预算项目")
        ordering = ["fiscal_year", "direction", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(direction="income", category="") & ~Q(source="")
                | Q(direction="expense", source="") & ~Q(category=""),
                name="budget_line_source_or_category",
            ),
        ]

    def __str__(self):
        return self.title


class LineQuerySet(models.QuerySet):
    def counted(self):
        """The lines that count in totals, balances, charts and exports: not voided (R23)."""
        return self.filter(voided_at__isnull=True)


class VoidableLine(TimeStampedModel):
    """An income or spending line can be voided (作废) with a reason while its year is open: it
    stays on the ledger, struck through, and counts nowhere. Never deleted (the audit trail)."""

    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("作废人"),
    )
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    objects = LineQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


def _void_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(voided_at__isnull=True, voided_by__isnull=True, void_reason="")
        | (Q(voided_at__isnull=False, voided_by__isnull=False) & ~Q(void_reason="")),
        name=name,
    )


class Income(VoidableLine):
    """Income of sources (2)–(5) of R23. Source (1), the units' contributions, is their payments."""

    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="incomes", verbose_name=_("经费年度")
    )
    source = models.CharField(_("收入来源"), max_length=16, choices=Source.choices)
    received_on = models.DateField(_("到账日期"))
    amount = models.DecimalField(_("金额"), **MONEY)
    payer = models.CharField(_("付款方"), max_length=100, blank=True)
    # R23.3 费随事转: the department and the task it delegated.
    delegating_department = models.CharField(_("交办部门"), max_length=100, blank=True)
    delegated_task = models.CharField(_("交办事项"), max_length=200, blank=True)
    # R23.5 donations: a named donor, or anonymous.
    donor = models.CharField(_("捐赠人"), max_length=100, blank=True)
    anonymous = models.BooleanField(_("匿名捐赠"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    SCOPE_COMMUNITY = "fiscal_year__committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("收入")
        verbose_name_plural = _("收入")
        ordering = ["fiscal_year", "received_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="income_amount_positive"),
            models.CheckConstraint(condition=~Q(source="contributions"), name="income_not_contributions"),
            models.CheckConstraint(
                condition=~Q(source="delegated") | ~Q(delegating_department="") | ~Q(delegated_task=""),
                name="income_delegated_names_origin",
            ),
            models.CheckConstraint(
                condition=~Q(source="donations") | Q(anonymous=True) | ~Q(donor=""),
                name="income_donation_names_donor",
            ),
            _void_constraint("income_voided_with_reason"),
        ]

    def __str__(self):
        return f"{self.get_source_display()} {self.amount}"

    @property
    def counterpart(self) -> str:
        if self.source == Source.DONATIONS:
            return str(_("匿名")) if self.anonymous else self.donor
        if self.source == Source.DELEGATED:
            return " · ".join(x for x in (self.delegating_department, self.delegated_task) if x)
        return self.payer


class Expense(VoidableLine):
    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="expenses", verbose_name=_("经费年度")
    )
    category = models.CharField(_("支出类别"), max_length=16, choices=Category.choices)
    spent_on = models.DateField(_("支出日期"))
    amount = models.DecimalField(_("金额"), **MONEY)
    payee = models.CharField(_("收款方"), max_length=100)
    note = models.CharField(_("用途说明"), max_length=200, blank=True)

    SCOPE_COMMUNITY = "fiscal_year__committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("支出")
        verbose_name_plural = _("支出")
        ordering = ["fiscal_year", "spent_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_amount_positive"),
            _void_constraint("expense_voided_with_reason"),
        ]

    def __str__(self):
        return f"{self.get_category_display()} {self.amount}"


def receipt_path(instance, filename):
    return f"funding/{instance.expense.fiscal_year_id}/{instance.expense_id}/{filename}"


class ExpenseReceipt(models.Model):
    """A scanned invoice or receipt of a spending line (served only through a checked view)."""

    expense = models.ForeignKey(Expense, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("支出"))
    file = models.FileField(_("票据"), upload_to=receipt_path)
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    SCOPE_COMMUNITY = "expense__fiscal_year__committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("支出票据")
        verbose_name_plural = _("支出票据")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name


class SharePlan(TimeStampedModel):
    """R23.1: the member units' shares of the year, decided by a committee meeting.

    A draft is edited freely; it becomes active only once a passed resolution of the same
    committee is linked. An active plan is never edited: a revision is a new plan with a new
    resolution, and the old one stays as ``superseded``.

    R23.1 (issue #11 item 12): the motion that decides a plan is created *from* the plan
    (``share_plan_propose``), so it names the plan and its year; only the resolution formed from
    that motion activates it — an unrelated resolution cannot fund it. Plans activated before
    this rule carry ``decision_unverified`` instead (shown on the page).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草案")
        ACTIVE = "active", _("执行中")
        SUPERSEDED = "superseded", _("已被调整")

    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="share_plans", verbose_name=_("经费年度")
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    total = models.DecimalField(_("应筹总额"), **MONEY)
    due_on = models.DateField(_("缴纳期限"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    resolution = models.ForeignKey(
        "meetings.Resolution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("会议决议"),
    )
    # The motion made from this plan (issue #11 item 12). SET_NULL: a motion not yet voted on may
    # be deleted in the meeting; a voted one never is, so an active plan always keeps it.
    motion = models.OneToOneField(
        "meetings.Motion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="share_plan",
        verbose_name=_("表决事项"),
    )
    decision_unverified = models.BooleanField(
        _("决议未指明本方案（历史数据）"),
        default=False,
        help_text=_("本方案在“由方案提交会议表决”实行之前生效，所依据的决议未指明本方案。"),
    )
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("调整前方案"),
    )
    activated_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    SCOPE_COMMUNITY = "fiscal_year__committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("出资分摊方案")
        verbose_name_plural = _("出资分摊方案")
        ordering = ["fiscal_year", "-version"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="share_plan_total_not_negative"),
            models.UniqueConstraint(fields=["fiscal_year", "version"], name="share_plan_unique_version"),
            models.UniqueConstraint(
                fields=["fiscal_year"], condition=Q(status="active"), name="share_plan_one_active_per_year"
            ),
            # A revision needs a new resolution: one resolution decides one plan.
            models.UniqueConstraint(
                fields=["resolution"], condition=Q(resolution__isnull=False), name="share_plan_one_per_resolution"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(resolution__isnull=False, activated_at__isnull=False),
                name="share_plan_active_has_resolution",
            ),
            # R23.1 (issue #11 item 12): a plan in force was decided on its own motion.
            models.CheckConstraint(
                condition=Q(status="draft") | Q(motion__isnull=False) | Q(decision_unverified=True),
                name="share_plan_in_force_has_own_motion",
            ),
        ]

    def __str__(self):
        return _("%(year)s年度出资分摊方案（第%(version)s版）") % {
            "year": self.fiscal_year.year,
            "version": self.version,
        }

    def get_absolute_url(self):
        return reverse("funding:share_plan_detail", args=[self.pk])


class ShareLine(models.Model):
    """One unit's share: a fixed amount, a percentage of what is left after the fixed amounts, or
    (issue #11 item 13) a part of that rest in proportion to the unit's party members, computed
    from the counts themselves (largest remainder on the exact fractions, never from percentages
    rounded first). ``amount`` is the rounded share; ``exact`` the true value to 8 places."""

    class Kind(models.TextChoices):
        PERCENT = "percent", _("按比例")
        FIXED = "fixed", _("固定金额")
        MEMBERS = "members", _("按党员人数")

    plan = models.ForeignKey(SharePlan, on_delete=models.CASCADE, related_name="lines", verbose_name=_("方案"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="share_lines", verbose_name=_("单位"))
    kind = models.CharField(_("方式"), max_length=8, choices=Kind.choices)
    percent = models.DecimalField(_("比例（%）"), max_digits=7, decimal_places=4, null=True, blank=True)
    fixed_amount = models.DecimalField(_("固定金额"), null=True, blank=True, **MONEY)
    members = models.PositiveIntegerField(_("党员人数"), null=True, blank=True)
    exact = models.DecimalField(_("精确值"), max_digits=24, decimal_places=8)
    amount = models.DecimalField(_("应缴金额"), **MONEY)

    SCOPE_COMMUNITY = "plan__fiscal_year__committee__community"
    SCOPE_UNIT = "unit"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("单位分摊额")
        verbose_name_plural = _("单位分摊额")
        ordering = ["plan", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit"], name="share_line_once_per_unit"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="share_line_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(
                    kind="percent", percent__gt=0, percent__lte=100, fixed_amount__isnull=True, members__isnull=True
                )
                | Q(kind="fixed", fixed_amount__gte=0, percent__isnull=True, members__isnull=True)
                | Q(
                    kind="members",
                    members__isnull=False,
                    members__gt=0,
                    percent__isnull=True,
                    fixed_amount__isnull=True,
                ),
                name="share_line_percent_or_fixed",
            ),
        ]

    def __str__(self):
        return f"{self.unit}：{self.amount}"

    @property
    def adjustment(self):
        return self.amount - self.exact


class Payment(TimeStampedModel):
    """A unit's payment towards its share, or a refund (a negative entry pointing at the payment
    it returns). Never edited: a mistake is corrected by a refund, so the ledger keeps both."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("缴款")
        REFUND = "refund", _("退款")

    class Method(models.TextChoices):
        TRANSFER = "transfer", _("银行转账")
        CASH = "cash", _("现金")
        WECHAT = "wechat", _("微信支付")
        ALIPAY = "alipay", _("支付宝")
        OTHER = "other", _("其他")

    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="payments", verbose_name=_("经费年度")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="payments", verbose_name=_("缴款单位"))
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices, default=Kind.PAYMENT)
    paid_on = models.DateField(_("日期"), default=timezone.localdate)
    amount = models.DecimalField(_("金额"), **MONEY)
    method = models.CharField(_("方式"), max_length=10, choices=Method.choices, default=Method.TRANSFER)
    receipt_no = models.CharField(_("收据编号"), max_length=30)
    refund_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="refunds", verbose_name=_("原缴款")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人")
    )

    SCOPE_COMMUNITY = "fiscal_year__committee__community"
    SCOPE_UNIT = "unit"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("单位缴款")
        verbose_name_plural = _("单位缴款")
        ordering = ["fiscal_year", "paid_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="payment", amount__gt=0, refund_of__isnull=True)
                | Q(kind="refund", amount__lt=0, refund_of__isnull=False),
                name="payment_positive_or_recorded_refund",
            ),
            models.UniqueConstraint(fields=["fiscal_year", "receipt_no"], name="payment_unique_receipt_no"),
        ]

    def __str__(self):
        return f"{self.receipt_no} {self.unit} {self.amount}"

    def get_absolute_url(self):
        return reverse("funding:payment_detail", args=[self.pk])

    @property
    def is_refund(self) -> bool:
        return self.kind == self.Kind.REFUND
