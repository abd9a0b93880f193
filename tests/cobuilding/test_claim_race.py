"""R17: two liaisons claiming the last place of a project at the same moment cannot both succeed.

Needs PostgreSQL (row locks and real concurrency); skipped on SQLite outside CI."""

import datetime
import os
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from cobuilding import services
from cobuilding.models import ProjectClaim
from tests.factories import UnitFactory, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql" and os.environ.get("CI") != "true",
        reason="race tests need PostgreSQL (DATABASE_URL=postgres://...)",
    ),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("places", [1, 2])
def test_r17_concurrent_claims_for_the_last_place(world, secretary_user, places):
    today = datetime.date.today()
    project = services.project_publish(
        actor=secretary_user,
        committee=world.mine,
        title="最后一个名额",
        need="n",
        place="p",
        budget=Decimal("0"),
        claim_by=today + datetime.timedelta(days=3),
        deadline=today + datetime.timedelta(days=9),
        places=places,
    )
    if places == 2:  # one place already taken: the race is for the last one
        first = UnitFactory(community=world.mine.community)
        services.project_claim(actor=UserFactory(role="liaison", unit=first), project=project, unit=first)
    racers = []
    for _ in range(4):
        unit = UnitFactory(community=world.mine.community)
        racers.append((UserFactory(role="liaison", unit=unit), unit))
    barrier = threading.Barrier(len(racers))
    results = []

    def claim(user, unit):
        try:
            barrier.wait()
            services.project_claim(actor=user, project=project, unit=unit)
            results.append("ok")
        except ValidationError as e:
            results.append(e.messages[0])
        except Exception as e:  # noqa: BLE001 - a 500 would be a failure of the test
            results.append(repr(e))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=r) for r in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1, results
    assert all(r == "ok" or "名额已满" in r for r in results), results
    assert ProjectClaim.objects.filter(project=project).count() == places
