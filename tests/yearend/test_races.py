"""R14 on PostgreSQL: two secretaries asking for the report at the same moment build one report
(the row lock makes the second request find the first one queued)."""

import pytest

from accounts.models import User
from tests.factories import UserFactory
from tests.races import together
from yearend import services
from yearend.models import YearEndReport

from .conftest import YEAR

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_r14_simultaneous_requests_enqueue_one_build(world, secretary_user, enqueued):
    other = UserFactory(username="secretary2", role=User.Role.SECRETARY, community=world.mine.community)
    calls = [
        lambda user=user: services.report_request(actor=user, committee=world.mine, year=YEAR)
        for user in (secretary_user, other, secretary_user, other)
    ]
    assert together(*calls) == []
    report = YearEndReport.objects.get(committee=world.mine, year=YEAR)
    assert report.status == YearEndReport.Status.QUEUED
    assert enqueued == [report.pk]
