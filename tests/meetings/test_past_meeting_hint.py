"""Issue #15 item 10: scheduling a meeting in the past is refused (R12.2 asks for notice ahead)
and the form points to the 补录 path for a meeting already held offline; nothing is saved."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting

pytestmark = pytest.mark.django_db


def test_r12_past_meeting_is_refused_with_the_record_past_path(login, secretary_user, board):
    client = login(secretary_user)
    url = reverse("meetings:meeting_create", args=[board.committee.pk])
    past = timezone.localtime(timezone.now() - datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    data = {"kind": "work", "title": "线下已开的会", "starts_at": past, "duration_minutes": 60, "place": "会议室"}
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200 and "会议时间已过" in page
    assert 'data-testid="record-past-hint"' in page
    assert reverse("meetings:meeting_record_past", args=[board.committee.pk]) in page
    assert not Meeting.objects.filter(title="线下已开的会").exists()
    response = client.get(url)
    assert 'data-testid="record-past-hint"' not in response.content.decode()
