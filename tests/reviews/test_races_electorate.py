"""R22 race on PostgreSQL (issue #11 item 15): two people issuing codes at once never push a
category past its electorate — both lock the campaign row."""

import pytest
from django.core.exceptions import ValidationError

from reviews import services
from reviews.models import BallotCode, Category
from tests.races import together

from .factories import campaign, part_time_member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_r22_concurrent_code_batches_stay_within_the_electorate(world, secretary_user):
    part_time_member(world.mine, name="甲")
    c = campaign(secretary_user, world.mine, electorate={"party_member": 5, "deputy": 0, "resident": 0})
    errors = together(
        *(
            lambda: services.codes_generate(actor=secretary_user, campaign=c, category=Category.PARTY_MEMBER, count=3)
            for _ in range(2)
        )
    )
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert BallotCode.objects.filter(campaign=c).count() == 3
