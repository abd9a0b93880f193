"""The organisation: county → township → community → committee (大党委), its member units
(the ledger, R2), grids (R26), posts with their nomination and approval (R3–R6) and the rotating
secretary (R7).

Every model that belongs to one community names the path to it in ``SCOPE_COMMUNITY`` (and to
its unit in ``SCOPE_UNIT``); ``common.permissions`` builds every role's filter from those paths.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.models import TimeStampedModel
from common.validators import validate_mobile

TERM_YEARS_DEFAULT = 5  # community party organisations have had 5-year terms since 2018 (R6)


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class County(models.Model):
    name = models.CharField(_("县（区）"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("县（区）")
        verbose_name_plural = _("县（区）")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Township(models.Model):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="townships", verbose_name=_("县（区）"))
    name = models.CharField(_("镇/街道"), max_length=60)

    class Meta:
        verbose_name = _("镇/街道")
        verbose_name_plural = _("镇/街道")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="township_unique_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("committees:township_detail", args=[self.pk])


class Community(models.Model):
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="communities", verbose_name=_("镇/街道")
    )
    name = models.CharField(_("社区"), max_length=60)
    party_org_name = models.CharField(_("社区党组织名称"), max_length=100, blank=True)
    party_org_secretary = models.CharField(_("社区党组织书记"), max_length=40, blank=True)
    is_pilot = models.BooleanField(_("试点社区"), default=False)

    SCOPE_COMMUNITY = ""

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("社区")
        verbose_name_plural = _("社区")
        ordering = ["township__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["township", "name"], name="community_unique_name"),
            # R25.4: one pilot community per township.
            models.UniqueConstraint(fields=["township"], condition=Q(is_pilot=True), name="community_one_pilot"),
        ]

    def __str__(self):
        return self.name


class Committee(TimeStampedModel):
    """R1: the community's big Party committee for one term (= the community party-org term, R6)."""

    class Mode(models.TextChoices):
        ROTATING = "p1", _("驻区单位党组织书记轮值任书记")
        ONE_PLUS_X = "p3", _("社区党组织书记任书记、单位负责人兼职委员（“1+X”模式）")

    class Frequency(models.TextChoices):
        QUARTERLY = "quarterly", _("每季度至少一次")
        HALF_YEARLY = "half_yearly", _("每半年至少一次")

    class RotationApprover(models.TextChoices):
        # R7: the rotation plan is approved by the township (default) or the county.
        TOWNSHIP = "township", _("镇（街道）党委")
        COUNTY = "county", _("县委组织部")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="committees", verbose_name=_("社区")
    )
    name = models.CharField(_("名称"), max_length=100)
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期届满"))
    mode = models.CharField(_("组成方式"), max_length=4, choices=Mode.choices, default=Mode.ROTATING)
    meeting_frequency = models.CharField(
        _("会议频次"), max_length=12, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    is_active = models.BooleanField(_("本届"), default=True)
    rotation_approver = models.CharField(
        _("轮值安排批准机关"),
        max_length=12,
        choices=RotationApprover.choices,
        default=RotationApprover.TOWNSHIP,
        help_text=_("书记轮值安排由社区或镇（街道）提出，由此处选定的机关批准，提出人不能自己批准。"),
    )

    SCOPE_COMMUNITY = "community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("大党委")
        verbose_name_plural = _("大党委")
        ordering = ["community__township__name", "community__name", "-term_start"]
        constraints = [
            models.CheckConstraint(condition=Q(term_end__gt=models.F("term_start")), name="committee_term_ordered"),
            models.UniqueConstraint(fields=["community"], condition=Q(is_active=True), name="committee_one_active"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("committees:committee_detail", args=[self.pk])

    @property
    def term_overdue(self) -> bool:
        """R6: a term past its due date must be renewed (换届)."""
        return self.is_active and self.term_end < timezone.localdate()


class Grid(models.Model):
    """R26: a grid (网格) with its grid party branch."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="grids", verbose_name=_("社区"))
    name = models.CharField(_("网格"), max_length=60)
    area = models.CharField(_("范围"), max_length=200, blank=True)
    branch_name = models.CharField(_("网格党支部"), max_length=100, blank=True)
    party_members = models.PositiveIntegerField(_("党员人数"), default=0)

    SCOPE_COMMUNITY = "community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="grid_unique_name")]

    def __str__(self):
        return self.name


class BuildingGroup(models.Model):
    """R26: a building party group (楼栋党小组) inside a grid."""

    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="building_groups", verbose_name=_("网格"))
    name = models.CharField(_("楼栋党小组"), max_length=60)
    buildings = models.CharField(_("楼栋"), max_length=200, blank=True)
    leader = models.CharField(_("组长"), max_length=40, blank=True)
    party_members = models.PositiveIntegerField(_("党员人数"), default=0)

    SCOPE_COMMUNITY = "grid__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("楼栋党小组")
        verbose_name_plural = _("楼栋党小组")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["grid", "name"], name="building_group_unique_name")]

    def __str__(self):
        return self.name


class Unit(TimeStampedModel):
    """R1/R2: a member unit of the committee and its ledger (台账) entry."""

    class Type(models.TextChoices):
        COMMUNITY_ORG = "community_org", _("社区党组织")
        ORGAN = "organ", _("机关")
        ENTERPRISE = "enterprise", _("企业")
        INSTITUTION = "institution", _("事业单位")
        PROPERTY = "property", _("物业公司")
        OWNERS = "owners", _("业主委员会")
        SOCIAL = "social", _("社会组织")
        OTHER = "other", _("其他")

    class Industry(models.TextChoices):
        # GB/T 4754-2017 sections, the categories a ledger uses.
        AGRICULTURE = "A", _("农、林、牧、渔业")
        MANUFACTURING = "C", _("制造业")
        UTILITIES = "D", _("电力、热力、燃气及水生产和供应业")
        CONSTRUCTION = "E", _("建筑业")
        TRADE = "F", _("批发和零售业")
        TRANSPORT = "G", _("交通运输、仓储和邮政业")
        HOSPITALITY = "H", _("住宿和餐饮业")
        IT = "I", _("信息传输、软件和信息技术服务业")
        FINANCE = "J", _("金融业")
        REAL_ESTATE = "K", _("房地产业")
        BUSINESS = "L", _("租赁和商务服务业")
        RESIDENT_SERVICES = "O", _("居民服务、修理和其他服务业")
        EDUCATION = "P", _("教育")
        HEALTH = "Q", _("卫生和社会工作")
        CULTURE = "R", _("文化、体育和娱乐业")
        PUBLIC = "S", _("公共管理、社会保障和社会组织")
        OTHER = "X", _("其他")

    class PartyOrgKind(models.TextChoices):
        COMMITTEE = "committee", _("党委")
        GENERAL_BRANCH = "general_branch", _("党总支")
        BRANCH = "branch", _("党支部")
        NONE = "none", _("未建立党组织")

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="units", verbose_name=_("社区"))
    name = models.CharField(_("单位名称"), max_length=100)
    unit_type = models.CharField(_("单位类型"), max_length=16, choices=Type.choices)
    industry = models.CharField(_("所属行业"), max_length=2, choices=Industry.choices, blank=True)
    grid = models.ForeignKey(
        Grid, on_delete=models.SET_NULL, null=True, blank=True, related_name="units", verbose_name=_("所在网格")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    party_org_name = models.CharField(_("党组织名称"), max_length=100, blank=True)
    party_org_kind = models.CharField(
        _("党组织类别"), max_length=16, choices=PartyOrgKind.choices, default=PartyOrgKind.NONE
    )
    party_org_secretary = models.CharField(_("党组织书记"), max_length=40, blank=True)
    members_direct = models.PositiveIntegerField(_("直属党员数"), default=0)
    members_in_service = models.PositiveIntegerField(_("在职党员数"), default=0)
    members_floating = models.PositiveIntegerField(_("流动党员数"), default=0)
    liaison_name = models.CharField(_("联络员"), max_length=40, blank=True)
    liaison_phone = models.CharField(_("联络员电话"), max_length=20, blank=True)
    contact_phone = models.CharField(_("单位联系电话"), max_length=20, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    is_active = models.BooleanField(_("在册"), default=True)
    deactivated_on = models.DateField(_("停用日期"), null=True, blank=True)
    deactivation_reason = models.CharField(_("停用原因"), max_length=200, blank=True)

    SCOPE_COMMUNITY = "community"
    SCOPE_UNIT = ""

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("成员单位")
        verbose_name_plural = _("成员单位")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="unit_unique_name"),
            models.CheckConstraint(
                condition=Q(is_active=True) | Q(deactivated_on__isnull=False), name="unit_deactivation_dated"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("committees:unit_detail", args=[self.pk])

    @property
    def members_total(self) -> int:
        return self.members_direct + self.members_in_service + self.members_floating

    @property
    def is_resident_unit(self) -> bool:
        """驻区单位: every member unit except the community party organisation itself."""
        return self.unit_type != self.Type.COMMUNITY_ORG

    @property
    def ledger_complete(self) -> bool:
        """R2/R25.2: type, industry, grid, party-org kind and counts are filled in."""
        return bool(self.unit_type and self.industry and self.grid_id and self.party_org_kind)


class Post(TimeStampedModel):
    """R3–R5: a seat on the committee held by a named person of a member unit.

    A nomination is in force only once both county bodies approved it (R5).
    """

    class Kind(models.TextChoices):
        SECRETARY = "secretary", _("书记")
        FULLTIME_DEPUTY = "fulltime_deputy", _("专职副书记")
        DEPUTY = "deputy", _("副书记")
        MEMBER = "member", _("委员")

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("待审批")
        IN_FORCE = "in_force", _("在任")
        REJECTED = "rejected", _("未获批准")
        ENDED = "ended", _("已卸任")

    class Recommender(models.TextChoices):
        # R5: the consultation parties.
        TOWNSHIP = "township", _("镇（街道）党委")
        COMMUNITY = "community", _("社区党组织")
        UNITS = "units", _("驻区单位")
        PROPERTY = "property", _("物业公司")
        OWNERS = "owners", _("业主委员会")

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="posts", verbose_name=_("大党委"))
    kind = models.CharField(_("职务"), max_length=16, choices=Kind.choices)
    holder_name = models.CharField(_("姓名"), max_length=40)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="posts", verbose_name=_("所在单位"))
    holder_title = models.CharField(_("单位职务"), max_length=60, blank=True)
    phone = models.CharField(
        _("手机号码"),
        max_length=20,
        blank=True,
        validators=[validate_mobile],
        help_text=_("任职人本人的手机：没有平台账号和邮箱时，会议通知以短信发到这个号码。"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("平台账号"),
        help_text=_("任职人登录平台的账号：用于会议通知、回执和本人表决。"),
    )
    is_unit_party_head = models.BooleanField(_("是单位党组织负责人"), default=False)
    is_part_time = models.BooleanField(_("兼职"), default=True)
    recommended_by = models.JSONField(_("推荐方"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.NOMINATED)
    nominated_on = models.DateField(_("提名日期"), default=datetime.date.today)
    in_force_from = models.DateField(_("任职日期"), null=True, blank=True)
    ended_on = models.DateField(_("卸任日期"), null=True, blank=True)
    end_reason = models.CharField(_("卸任原因"), max_length=200, blank=True)

    SCOPE_COMMUNITY = "committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("职务")
        verbose_name_plural = _("职务")
        ordering = ["committee", "kind", "holder_name"]
        constraints = [
            # R3: one secretary and one full-time deputy in force at a time.
            models.UniqueConstraint(
                fields=["committee"], condition=Q(kind="secretary", status="in_force"), name="post_one_secretary"
            ),
            models.UniqueConstraint(
                fields=["committee"],
                condition=Q(kind="fulltime_deputy", status="in_force"),
                name="post_one_fulltime_deputy",
            ),
            # R3: one person holds at most one post in a committee (in force or awaiting approval).
            models.UniqueConstraint(
                fields=["committee", "holder_name"],
                condition=Q(status__in=["nominated", "in_force"]),
                name="post_one_per_person",
                violation_error_message=_("一人只能担任一个职务。"),
            ),
            models.CheckConstraint(
                condition=Q(status="in_force", in_force_from__isnull=False) | ~Q(status="in_force"),
                name="post_in_force_dated",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(in_force_from__isnull=True)
                | Q(ended_on__gte=models.F("in_force_from")),
                name="post_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.holder_name}"

    def get_absolute_url(self):
        return reverse("committees:post_detail", args=[self.pk])

    def get_recommended_by_display(self) -> str:
        labels = dict(self.Recommender.choices)
        return "、".join(str(labels.get(r, r)) for r in self.recommended_by)


class PostApproval(models.Model):
    """R5: one decision of one county body on one nomination (rejections are kept)."""

    class Body(models.TextChoices):
        ORG_DEPT = "org_dept", _("县委组织部")
        CIVIL_AFFAIRS = "civil_affairs", _("县民政局")

    class Decision(models.TextChoices):
        APPROVED = "approved", _("批准")
        REJECTED = "rejected", _("不批准")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("职务"))
    body = models.CharField(_("审批机关"), max_length=16, choices=Body.choices)
    decision = models.CharField(_("审批结果"), max_length=10, choices=Decision.choices)
    decided_on = models.DateField(_("审批日期"))
    remark = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    SCOPE_COMMUNITY = "post__committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("审批记录")
        verbose_name_plural = _("审批记录")
        ordering = ["post", "body"]
        constraints = [models.UniqueConstraint(fields=["post", "body"], name="post_approval_once_per_body")]

    def __str__(self):
        return f"{self.get_body_display()}：{self.get_decision_display()}"


class Vacancy(models.Model):
    """R6: an open seat, shown from the day it opens until a post in force fills it."""

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="vacancies", verbose_name=_("大党委")
    )
    kind = models.CharField(_("职务"), max_length=16, choices=Post.Kind.choices)
    opened_on = models.DateField(_("出缺日期"))
    reason = models.CharField(_("出缺原因"), max_length=200)
    previous_post = models.ForeignKey(
        Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("原任职务")
    )
    filled_by = models.OneToOneField(
        Post,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="filled_vacancy",
        verbose_name=_("补充人选"),
    )
    filled_on = models.DateField(_("补齐日期"), null=True, blank=True)

    SCOPE_COMMUNITY = "committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("空缺")
        verbose_name_plural = _("空缺")
        ordering = ["opened_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(filled_on__isnull=True) | Q(filled_on__gte=models.F("opened_on")),
                name="vacancy_filled_after_opened",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}（{self.opened_on:%Y-%m-%d}起）"

    @property
    def is_open(self) -> bool:
        return self.filled_on is None

    @property
    def days_open(self) -> int:
        end = self.filled_on or timezone.localdate()
        return (end - self.opened_on).days


class RotationTerm(models.Model):
    """R7: one year of the rotating secretary. Terms of one committee never overlap (enforced by
    the database: an exclusion constraint on PostgreSQL, triggers on SQLite; see migration 0002)
    and leave no gap inside the committee's term (checked by ``rotation_gaps``)."""

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="rotation_terms", verbose_name=_("大党委")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="rotation_terms", verbose_name=_("单位"))
    holder_name = models.CharField(_("轮值书记"), max_length=40)
    start = models.DateField(_("开始"))
    end = models.DateField(_("结束"), help_text=_("含当日"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提出人"),
    )
    approved_on = models.DateField(_("批准日期"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("批准人"),
    )

    SCOPE_COMMUNITY = "committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("轮值安排")
        verbose_name_plural = _("轮值安排")
        ordering = ["committee", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="rotation_term_ordered"),
            models.UniqueConstraint(fields=["committee", "start"], name="rotation_term_unique_start"),
        ]

    def __str__(self):
        return f"{self.holder_name}（{self.start:%Y.%m.%d}—{self.end:%Y.%m.%d}）"

    @property
    def is_approved(self) -> bool:
        return self.approved_on is not None
