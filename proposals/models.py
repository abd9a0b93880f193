"""Proposals (建议案, R27): tabled by a party congress representative during a congress, or
between sessions jointly by three or more party members; registered (立案) with a number or
declined with a reason; handled by member units or the committee with a reply; the proposers'
satisfaction recorded, an unsatisfied one reopened once; the best commended at year end."""

import uuid

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.models import TimeStampedModel

ATTACHMENT_TYPES = ("pdf", "png", "jpg", "jpeg", "docx")
MIN_JOINT_PROPOSERS = 3  # R27: between sessions, three or more party members jointly


@deconstructible
class AttachmentUploadTo:
    """Stored under MEDIA_ROOT with a random name; only the extension of the user's name is kept."""

    def __call__(self, instance, filename: str) -> str:
        ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
        return f"proposals/{uuid.uuid4().hex}.{ext}"

    def __eq__(self, other):
        return isinstance(other, AttachmentUploadTo)


class Proposal(TimeStampedModel):
    class Channel(models.TextChoices):
        CONGRESS = "congress", _("党代会期间由党代表提出")
        JOINT = "joint", _("闭会期间由党员联名提出")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待立案")
        REGISTERED = "registered", _("已立案")
        DECLINED = "declined", _("不予立案")
        HANDLING = "handling", _("办理中")
        ANSWERED = "answered", _("已答复")
        CLOSED = "closed", _("已办结")

    class Satisfaction(models.TextChoices):
        NONE = "", _("尚未评价")
        SATISFIED = "satisfied", _("满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    OPEN = (Status.SUBMITTED, Status.REGISTERED, Status.HANDLING, Status.ANSWERED)

    committee = models.ForeignKey(
        "committees.Committee", on_delete=models.PROTECT, related_name="proposals", verbose_name=_("大党委")
    )
    year = models.PositiveIntegerField(_("年度"))
    channel = models.CharField(_("提出方式"), max_length=10, choices=Channel.choices)
    title = models.CharField(_("案由"), max_length=120)
    problem = models.TextField(_("问题和原因"))
    suggestion = models.TextField(_("建议和措施"))
    lead_proposer = models.CharField(_("领衔人"), max_length=40)
    lead_is_representative = models.BooleanField(_("领衔人是党代表"), default=False)
    tabled_on = models.DateField(_("提出日期"))
    units = models.ManyToManyField(
        "committees.Unit", blank=True, related_name="proposals_concerning", verbose_name=_("涉及单位")
    )
    submitted_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("录入人")
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    number_seq = models.PositiveIntegerField(_("立案序号"), null=True, blank=True)
    registered_at = models.DateTimeField(_("立案/不予立案时间"), null=True, blank=True)
    registered_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("立案人")
    )
    decline_reason = models.TextField(_("不予立案理由"), blank=True)
    due_on = models.DateField(_("办理期限"), null=True, blank=True)
    satisfaction = models.CharField(
        _("提案人评价"), max_length=12, choices=Satisfaction.choices, default=Satisfaction.NONE, blank=True
    )
    feedback_note = models.TextField(_("评价意见"), blank=True)
    reopened = models.BooleanField(_("已重新办理"), default=False)
    commended = models.BooleanField(_("优秀建议案"), default=False)

    SCOPE_COMMUNITY = "committee__community"

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("建议案")
        verbose_name_plural = _("建议案")
        ordering = ["-year", "-tabled_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "year", "number_seq"],
                condition=Q(number_seq__isnull=False),
                name="proposal_number_unique",
                violation_error_message=_("该年度已有相同编号的建议案。"),
            ),
            # A registered proposal has its number; one that was never registered has none.
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "declined"]) | Q(number_seq__isnull=False),
                name="proposal_registered_has_number",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="proposal_declined_has_reason"
            ),
            models.CheckConstraint(condition=Q(commended=False) | Q(status="closed"), name="proposal_commended_closed"),
        ]
        indexes = [models.Index(fields=["committee", "year", "status"], name="proposal_committee_year")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("proposals:proposal_detail", args=[self.pk])

    @property
    def number(self) -> str:
        """建〔2026〕3号 — empty until registered."""
        if self.number_seq is None:
            return ""
        return f"建〔{self.year}〕{self.number_seq}号"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class ProposalSigner(models.Model):
    """A named co-signer of a joint proposal (the lead proposer is on the proposal itself)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="signers", verbose_name=_("建议案"))
    name = models.CharField(_("姓名"), max_length=40)
    organisation = models.CharField(_("所在党组织"), max_length=80, blank=True)

    SCOPE_COMMUNITY = "proposal__committee__community"

    class Meta:
        verbose_name = _("联名人")
        verbose_name_plural = _("联名人")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "name"], name="proposal_signer_once"),
        ]

    def __str__(self):
        return self.name


class ProposalAttachment(models.Model):
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("建议案")
    )
    file = models.FileField(_("附件"), upload_to=AttachmentUploadTo())
    name = models.CharField(_("文件名"), max_length=120)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    SCOPE_COMMUNITY = "proposal__committee__community"

    class Meta:
        verbose_name = _("建议案附件")
        verbose_name_plural = _("建议案附件")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class Assignment(TimeStampedModel):
    """One handler of a registered proposal: a member unit, or the committee itself (no unit).
    The handler writes the reply (答复) and what was done; a reopened proposal asks again."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("建议案")
    )
    unit = models.ForeignKey(
        "committees.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposal_assignments",
        verbose_name=_("承办单位"),
    )
    reply = models.TextField(_("答复"), blank=True)
    action_taken = models.TextField(_("办理情况"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("答复人")
    )

    SCOPE_COMMUNITY = "proposal__committee__community"
    SCOPE_UNIT = "unit"
    LIAISON_EDITABLE = True  # the unit's liaison writes its reply

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("承办")
        verbose_name_plural = _("承办")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "unit"], name="proposal_assignment_unit_once", condition=Q(unit__isnull=False)
            ),
            models.UniqueConstraint(
                fields=["proposal"], name="proposal_assignment_committee_once", condition=Q(unit__isnull=True)
            ),
            models.CheckConstraint(
                condition=Q(replied_at__isnull=True) | ~Q(reply=""), name="proposal_assignment_reply_text"
            ),
        ]

    def __str__(self):
        return self.handler_name

    @property
    def handler_name(self) -> str:
        return self.unit.name if self.unit_id else str(_("大党委"))

    @property
    def replied(self) -> bool:
        return self.replied_at is not None
