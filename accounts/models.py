"""Users, their role and their scope (township / community / unit / county)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    class Role(models.TextChoices):
        TOWNSHIP = "township", _("镇/街道组织干部")
        SECRETARY = "secretary", _("社区书记")
        LIAISON = "liaison", _("驻区单位联络员")
        COUNTY = "county", _("县委组织部审核员")
        ADMIN = "admin", _("系统管理员")
        # 三员分立 (issue #14 item 7, accounts.roles): accounts / security / audit, no business data
        SYSADMIN = "sysadmin", _("系统管理员（账号）")
        SECADMIN = "secadmin", _("安全管理员")
        AUDITOR = "auditor", _("审计管理员")

    class CountyBody(models.TextChoices):
        """R5: the two county bodies that decide on a nomination (same values as
        ``committees.PostApproval.Body``); a county user marked with one records its decisions."""

        ORG_DEPT = "org_dept", _("县委组织部")
        CIVIL_AFFAIRS = "civil_affairs", _("县民政局")

    full_name = models.CharField(_("姓名"), max_length=40, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    role = models.CharField(_("角色"), max_length=12, choices=Role.choices, default=Role.ADMIN)
    county_body = models.CharField(
        _("代表机关"),
        max_length=16,
        choices=CountyBody.choices,
        blank=True,
        help_text=_("县级用户代表哪个机关登记提名的审核、批准结果；留空为只读审核员。"),
    )
    # Issue #14 item 6: a password issued by an administrator is changed at the first log-in;
    # administrators change theirs every PASSWORD_MAX_AGE_DAYS.
    must_change_password = models.BooleanField(_("须修改密码"), default=False)
    password_changed_at = models.DateTimeField(_("密码修改时间"), default=timezone.now)
    county = models.ForeignKey(
        "committees.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("县（区）"),
    )
    township = models.ForeignKey(
        "committees.Township",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("镇/街道"),
    )
    community = models.ForeignKey(
        "committees.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="secretaries",
        verbose_name=_("社区"),
    )
    unit = models.ForeignKey(
        "committees.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="liaisons",
        verbose_name=_("单位"),
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            # Every role carries the scope it works in.
            models.CheckConstraint(
                condition=~Q(role="township") | Q(township__isnull=False), name="user_township_scoped"
            ),
            models.CheckConstraint(
                condition=~Q(role="secretary") | Q(community__isnull=False), name="user_secretary_scoped"
            ),
            models.CheckConstraint(condition=~Q(role="liaison") | Q(unit__isnull=False), name="user_liaison_scoped"),
            models.CheckConstraint(condition=~Q(role="county") | Q(county__isnull=False), name="user_county_scoped"),
            # R5: only a county user acts for a county body.
            models.CheckConstraint(condition=Q(county_body="") | Q(role="county"), name="user_county_body_is_county"),
        ]

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords: the last PASSWORD_HISTORY_COUNT are not reused
    (issue #14 item 6; written by ``accounts.validators.PasswordHistoryValidator``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class UserSession(models.Model):
    """Which sessions belong to whom, so the security administrator can end a user's sessions."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")

    def __str__(self):
        return f"{self.user_id} {self.started_at:%Y-%m-%d %H:%M}"


class RevokedLink(models.Model):
    """A signed e-mail link revoked (issue #14 item 10): links of ``kind`` for ``object_id``
    signed before ``revoked_at`` no longer open (e.g. a meeting reply link that was forwarded)."""

    kind = models.CharField(_("链接类型"), max_length=40)
    object_id = models.PositiveBigIntegerField(_("对象"))
    revoked_at = models.DateTimeField(_("撤销时间"), default=timezone.now)
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("撤销人")
    )

    class Meta:
        verbose_name = _("已撤销的链接")
        verbose_name_plural = _("已撤销的链接")
        indexes = [models.Index(fields=["kind", "object_id"], name="revokedlink_kind_object")]

    def __str__(self):
        return f"{self.kind}:{self.object_id}"
