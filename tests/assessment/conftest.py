"""A published scheme's round in ``world``'s county with a named county scorer, and the task of
``world.unit`` (the scoring tests; modules may define their own ``task``)."""

import pytest

from assessment.models import ScoringTask

from .scoring_factories import county_scorer, make_round


@pytest.fixture
def zzb(world):
    return county_scorer(world)


@pytest.fixture
def rnd(world, admin_user, zzb):
    return make_round(admin_user, world, county_scorers=[zzb])


@pytest.fixture
def task(rnd, world):
    return ScoringTask.objects.get(round=rnd, unit=world.unit)
