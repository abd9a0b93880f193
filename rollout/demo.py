"""Demo rollout (R25) for the demo township made by ``committees.demo``: this year's plan with the
default months, 陵园社区 as the pilot in stage 4, the other communities as far as their
deliverables take them (waiting at the pilot gate). Idempotent: nothing happens when the plan
exists. Not wired into ``seed_demo`` here (the lead does that)."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from committees.demo import COUNTY, TOWNSHIP
from committees.models import Community, Township, Unit

from . import services
from .models import CommunityProgress, PublicityEvent, RolloutPlan

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@transaction.atomic
def seed() -> None:
    township = Township.objects.filter(county__name=COUNTY, name=TOWNSHIP).first()
    admin = User.objects.filter(username="admin").first()
    if township is None or admin is None:
        return
    year = timezone.localdate().year
    if RolloutPlan.objects.filter(township=township, year=year).exists():
        return
    plan = services.plan_create(actor=admin, township=township, year=year)
    for community in Community.objects.filter(township=township).order_by("pk"):
        if not PublicityEvent.objects.filter(community=community).exists():
            services.publicity_event_record(
                actor=admin,
                community=community,
                held_on=datetime.date(year, 2, 20),
                title=f"{community.name}“大党委”建设动员大会",
                kind="meeting",
                participants=60,
            )
        unit = Unit.objects.filter(community=community, is_active=True).exclude(unit_type="community_org").first()
        document = services.plan_document_upload(
            actor=admin, community=community, title=f"{community.name}“大党委”建设实施方案", file=_pdf("方案.pdf")
        )
        if unit is not None:
            services.plan_opinion_save(
                actor=admin, document=document, unit=unit, text="建议明确成员单位出资比例和议事频次。"
            )
            services.plan_document_close_opinions(actor=admin, document=document)
    if plan.pilot_id is not None:
        progress = CommunityProgress.objects.get(plan=plan, community=plan.pilot_id)
        if progress.stage < 4:
            services.stage_set(actor=admin, progress=progress, stage=4, reason="演示：试点社区大党委已组建运行")
