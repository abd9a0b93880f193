"""Issue #17 item 4: every role's main pages keep the same number of SQL queries whatever the
volume of activity. ``seed_scale --activity`` builds a county with a year of meetings, votes,
minutes, tasks, pledges, money and a scored round twice, small and about four times larger; each
page is requested as its role on both and the query counts must be equal (and under a ceiling).
"""

import io
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from assessment.models import Round, ScoringTask
from committees.models import Committee, Post
from committees.scale_activity import MESSAGE_PREFIX
from funding.models import FiscalYear, Payment, ShareLine, SharePlan
from inbox.models import Message
from meetings.models import Attendee, FollowUpTask, Meeting, Minutes, Motion, Vote

pytestmark = pytest.mark.django_db

YEAR = 2026
SMALL = {"townships": 1, "committees": 2, "units": 40}
LARGE = {"townships": 2, "committees": 4, "units": 240}
CEILING = 45  # no page of a role needs more, at any size


def _seed(size: dict) -> None:
    call_command("seed_scale", reset=True, activity=True, year=YEAR, stdout=io.StringIO(), **size)


def _pages() -> tuple[list[tuple[str, str, str, str]], dict]:
    """(username, page, url, a text that must be on it) for each role's main pages, on the
    first committee of the scale county (the busiest of the seed: it is the largest)."""
    committee = Committee.objects.filter(community__township__county__name="规模测试县").order_by("pk").first()
    community, township = committee.community, committee.community.township
    county = township.county
    secretary = User.objects.get(role=User.Role.SECRETARY, community=community)
    liaison = User.objects.filter(role=User.Role.LIAISON, unit__community=community).order_by("pk").first()
    township_user = User.objects.filter(role=User.Role.TOWNSHIP, township=township).first()
    meeting = Meeting.objects.filter(committee=committee).order_by("starts_at").first()
    motion = Motion.objects.filter(meeting=meeting).order_by("pk").first()
    minutes = Minutes.objects.get(meeting=meeting)
    task = FollowUpTask.objects.filter(committee=committee).order_by("pk").first()
    fiscal_year = FiscalYear.objects.get(committee=committee, year=YEAR)
    plan = SharePlan.objects.get(fiscal_year=fiscal_year)
    scoring = ScoringTask.objects.get(round__county=county, unit=liaison.unit)
    r = Round.objects.get(county=county, year=YEAR)

    def ranking(kind, pk):
        return reverse("assessment:ranking") + "?" + urlencode({"year": YEAR, "scope": kind, "id": pk})

    return [
        ("township", "dashboard", reverse("dashboards:township"), community.name),
        ("township", "meetings", reverse("meetings:meeting_list"), meeting.title),
        ("township", "tasks", reverse("meetings:task_list"), ""),
        ("township", "pledges", reverse("cobuilding:pledge_list"), ""),
        ("township", "money overview", reverse("funding:township_overview", args=[township.pk]), community.name),
        ("township", "ranking", ranking("township", township.pk), ""),
        ("secretary", "dashboard", reverse("dashboards:secretary"), ""),
        ("secretary", "meeting", meeting.get_absolute_url(), meeting.title),
        ("secretary", "motion", motion.get_absolute_url(), motion.title),
        ("secretary", "minutes", reverse("meetings:minutes_detail", args=[minutes.pk]), ""),
        ("secretary", "task", task.get_absolute_url(), task.title[:20]),
        ("secretary", "pledges", reverse("cobuilding:pledge_list"), ""),
        ("secretary", "money year", fiscal_year.get_absolute_url(), ""),
        ("secretary", "share plan", plan.get_absolute_url(), ""),
        ("secretary", "arrears", reverse("funding:arrears", args=[fiscal_year.pk]), ""),
        ("secretary", "ledger", reverse("funding:ledger", args=[fiscal_year.pk]), ""),
        ("secretary", "ranking", ranking("committee", committee.pk), ""),
        ("liaison", "dashboard", reverse("dashboards:liaison"), ""),
        ("liaison", "pledges", reverse("cobuilding:pledge_list"), ""),
        ("liaison", "dues", reverse("funding:unit_dues", args=[liaison.unit_id]), ""),
        ("liaison", "scoring task", reverse("assessment:task_detail", args=[scoring.pk]), ""),
        ("county", "dashboard", reverse("dashboards:county"), ""),
        ("county", "co-building overview", reverse("cobuilding:overview"), ""),
        ("county", "money townships", reverse("funding:township_list"), township.name),
        ("county", "ranking", ranking("county", county.pk), ""),
        ("county", "round", reverse("assessment:round_detail", args=[r.pk]), ""),
        ("scorer", "scoring task", reverse("assessment:task_detail", args=[scoring.pk]), ""),
        ("scorer", "score", reverse("assessment:task_score", args=[scoring.pk]), ""),
    ], {
        "township": township_user,
        "secretary": secretary,
        "liaison": liaison,
        "county": User.objects.get(username="scale_county"),
        "scorer": User.objects.get(username="scale_scorer"),
    }


def _measure(client) -> dict[tuple[str, str], int]:
    pages, users = _pages()
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
