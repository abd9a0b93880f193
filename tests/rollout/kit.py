"""Hand-built fixtures for the rollout tests (R25)."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from committees.models import Grid, Post
from meetings.models import Meeting
from rollout import services
from tests.factories import PostFactory
from tests.meetings.factories import MeetingFactory

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="方案.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def complete_ledger(community):
    """Every active unit of the community gets a grid (the factory fills the other ledger fields)."""
    grid, _ = Grid.objects.get_or_create(community=community, name="第一网格")
    community.units.update(grid=grid)
    return grid


def run_committee(committee, *, held=True, in_force=True):
    """The committee gets a post (in force or only nominated) and a meeting (held or only a draft)."""
    PostFactory(
        committee=committee,
        status=Post.Status.IN_FORCE if in_force else Post.Status.NOMINATED,
        in_force_from=datetime.date(2024, 1, 2) if in_force else None,
    )
    return MeetingFactory(
        committee=committee,
        status=Meeting.Status.HELD if held else Meeting.Status.DRAFT,
        held_on=datetime.date(2024, 3, 1) if held else None,
    )


def through_stage_3(actor, community, unit):
    """Publicity, ledger, plan with one opinion, gathering closed."""
    services.publicity_event_record(
        actor=actor, community=community, held_on=datetime.date(2024, 2, 10), title="动员大会", kind="meeting"
    )
    complete_ledger(community)
    document = services.plan_document_upload(actor=actor, community=community, title="实施方案", file=pdf())
    services.plan_opinion_save(actor=actor, document=document, unit=unit, text="同意")
    services.plan_document_close_opinions(actor=actor, document=document)
    return document
