"""Issue #17 item 4: every role's main pages keep the same number of SQL queries whatever the
volume of activity. ``seed_scale --activity`` builds a county with a year of meetings, votes,
minutes, tasks, pledges, money and a scored round twice, small and about four times larger; each
page is requested as its role on both and the query counts must be equal (and under a ceiling).
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.models import ScoringTask
from committees.models import Post
from committees.scale_activity import MESSAGE_PREFIX, main_pages
from funding.models import Payment, ShareLine, SharePlan
from inbox.models import Message
from meetings.models import Attendee, FollowUpTask, Meeting, Vote

pytestmark = pytest.mark.django_db

YEAR = 2026
SMALL = {"townships": 1, "committees": 2, "units": 40}
LARGE = {"townships": 2, "committees": 4, "units": 240}
CEILING = 45  # no page of a role needs more, at any size


def _seed(size: dict) -> None:
    call_command("seed_scale", reset=True, activity=True, year=YEAR, stdout=io.StringIO(), **size)


def _measure(client) -> dict[tuple[str, str], int]:
    pages, users = main_pages(YEAR)
    counts = {}
    for role, page, url, text in pages:
        client.force_login(users[role])
        client.get(url)  # warm-up: per-process caches (content types, permissions) are not the page's
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (role, page, url, response.status_code)
        if text:
            assert text in response.content.decode(), (role, page, text)
        counts[(role, page)] = len(queries)
    return counts


def test_issue17_activity_seed_keeps_the_rules():
    """R8/R12.3/R13/R17/R21/R23: the bulk year of activity is what the services would leave."""
    _seed(SMALL)
    assert Meeting.objects.count() == 4 * SMALL["committees"]
    # votes only by members whose post is in force, present at the meeting
    assert Vote.objects.exclude(attendee__role=Attendee.Role.MEMBER).count() == 0
    assert Vote.objects.exclude(attendee__post__status=Post.Status.IN_FORCE).count() == 0
    assert Vote.objects.exclude(attendee__attendance=Attendee.Attendance.PRESENT).count() == 0
    assert Vote.objects.exists()
    # posts in force approved by both county bodies
    for post in Post.objects.filter(status=Post.Status.IN_FORCE):
        assert post.approvals.filter(decision="approved").count() == 2
    # pledges in every state; tasks done, open, overdue
    from cobuilding.models import Pledge

    assert set(Pledge.objects.values_list("status", flat=True)) == set(Pledge.Status.values)
    assert FollowUpTask.objects.filter(status="done").exists()
    assert FollowUpTask.objects.filter(status="open", due_on__lt=f"{YEAR}-12-01").exists()
    # a share line for every member unit, arrears exist, an active plan per committee with its own motion
    assert SharePlan.objects.filter(status="active", motion__isnull=False).count() == SMALL["committees"]
    assert ShareLine.objects.count() == SMALL["units"] - SMALL["committees"]
    assert Payment.objects.count() < ShareLine.objects.count()
    # a scoring task for every unit, two sheets each
    assert ScoringTask.objects.count() == SMALL["units"]
    assert Message.objects.filter(key__startswith=MESSAGE_PREFIX, state="pending").exists()


def test_issue17_each_roles_pages_keep_their_query_count_at_activity_scale(client):
    """Every page a fixed number of queries whatever the data size (issue #17 item 4)."""
    _seed(SMALL)
    small = _measure(client)
    _seed(LARGE)  # --reset: the small county is deleted first (also proves the delete works)
    large = _measure(client)
    grown = {page: (small[page], large[page]) for page in small if small[page] != large[page]}
    assert not grown, f"query counts grew with the data (small, large): {grown}"
    too_many = {page: n for page, n in large.items() if n > CEILING}
    assert not too_many, too_many
