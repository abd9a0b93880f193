"""Users, their role and their scope (township / community / unit / county)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    class Role(models.TextChoices):
        TOWNSHIP = "township", _("镇/街道组织干部")
        SECRETARY = "secretary", _("社区书记")
        LIAISON = "liaison", _("驻区单位联络员")
        COUNTY = "county", _("县委组织部审核员")
        ADMIN = "admin", _("系统管理员")

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
