"""Shares by party-member count (R23.1, issue #11 item 13): computed from the counts themselves —
largest remainder on the exact fractions — never from percentages rounded first; the stored
``exact`` is the true value."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from funding import services
from funding.models import ShareLine, SharePlan
from funding.money import fraction_to_decimal
from funding.services import ShareInput
from tests.factories import UnitFactory

D = Decimal
pytestmark = pytest.mark.django_db
DUE = datetime.date(2026, 3, 31)


@pytest.fixture
def counted_units(world):
    """Members 7, 11 and 13 (31 in all): no percentage of these is a whole number of 0.0001 %."""
    community = world.mine.community
    return [
        UnitFactory(community=community, name="甲单位", members_direct=7, members_in_service=0, members_floating=0),
        UnitFactory(community=community, name="乙单位", members_direct=5, members_in_service=6, members_floating=0),
        UnitFactory(community=community, name="丙单位", members_direct=10, members_in_service=2, members_floating=1),
    ]


def _plan(actor, fy, units, total="10000.00", extra=()):
    lines = [ShareInput(unit=u, kind=ShareLine.Kind.MEMBERS) for u in units] + list(extra)
    return services.share_plan_create(actor=actor, fiscal_year=fy, total=D(total), due_on=DUE, lines=lines)


def test_r23_member_shares_store_the_true_exact_value_from_the_counts(fy, counted_units, secretary_user):
    plan = _plan(secretary_user, fy, counted_units)
    lines = {ln.unit_id: ln for ln in plan.lines.all()}
    for unit, count in zip(counted_units, (7, 11, 13), strict=True):
        line = lines[unit.pk]
        assert line.kind == "members" and line.members == count
        assert line.exact == fraction_to_decimal(Fraction(10000) * count / 31)
        assert abs(line.amount - line.exact) < D("0.01")
    # 10000 × 7/31 = 2258.0645…, × 11/31 = 3548.3870…, × 13/31 = 4193.5483…: floors leave 0.02, one
    # fen each to the two largest remainders (0.83 and 0.70 of a fen)
    assert [lines[u.pk].amount for u in counted_units] == [D("2258.06"), D("3548.39"), D("4193.55")]
    assert sum(ln.amount for ln in lines.values()) == D("10000.00")


def test_r23_member_shares_differ_from_shares_by_percentages_rounded_first(fy, counted_units, secretary_user):
    """The old way (percentages to 4 places, then shares of those) is off at this scale; the
    stored exact value is the one from the counts."""
    total = D("1000000.00")
    plan = _plan(secretary_user, fy, counted_units, total=str(total))
    rounded_pct = [(D(100) * c / 31).quantize(D("0.0001")) for c in (7, 11, 13)]
    exact_from_rounded = [total * p / 100 for p in rounded_pct]
    stored = [plan.lines.get(unit=u).exact for u in counted_units]
    assert stored != exact_from_rounded
    assert stored[0] == fraction_to_decimal(Fraction(1000000) * 7 / 31)


def test_r23_member_shares_take_the_rest_after_fixed_amounts(fy, counted_units, world, secretary_user):
    fixed = ShareInput(unit=world.unit, kind=ShareLine.Kind.FIXED, value=D("3800.00"))
    plan = _plan(secretary_user, fy, counted_units, total="10000.00", extra=[fixed])
    assert plan.lines.get(unit=world.unit).amount == D("3800.00")
    assert sum(ln.amount for ln in plan.lines.all()) == D("10000.00")
    assert plan.lines.get(unit=counted_units[0]).exact == fraction_to_decimal(Fraction(6200) * 7 / 31)


def test_r23_member_and_percentage_shares_do_not_mix(fy, counted_units, world, secretary_user):
    pct = ShareInput(unit=world.unit, kind=ShareLine.Kind.PERCENT, value=D("100"))
    with pytest.raises(ValidationError) as exc:
        _plan(secretary_user, fy, counted_units, extra=[pct])
    assert "不能混用" in exc.value.messages[0]
    assert not SharePlan.objects.exists()


def test_r23_a_unit_without_party_members_is_refused(fy, counted_units, world, secretary_user):
    empty = UnitFactory(
        community=world.mine.community, name="空单位", members_direct=0, members_in_service=0, members_floating=0
    )
    with pytest.raises(ValidationError) as exc:
        _plan(secretary_user, fy, [*counted_units, empty])
    assert "党员人数为0" in exc.value.messages[0]
    assert not SharePlan.objects.exists()


def test_r23_the_database_refuses_a_member_share_without_a_count(fy, counted_units, secretary_user):
    plan = _plan(secretary_user, fy, counted_units[:1])
    with pytest.raises(IntegrityError), transaction.atomic():
        ShareLine.objects.create(
            plan=plan, unit=counted_units[1], kind="members", members=None, exact=D("1"), amount=D("1.00")
        )
    assert plan.lines.count() == 1


def test_r23_a_revision_keeps_the_counts_it_was_decided_on(fy, counted_units, secretary_user):
    from .factories import decide

    plan = _plan(secretary_user, fy, counted_units)
    decide(plan, secretary_user)
    plan = services.share_plan_activate(actor=secretary_user, plan=plan)
    revision = services.share_plan_revise(actor=secretary_user, plan=plan)
    assert sorted(revision.lines.values_list("members", flat=True)) == [7, 11, 13]


def test_r23_the_shares_workbook_shows_the_member_counts(fy, counted_units, secretary_user):
    import io

    from openpyxl import load_workbook

    from funding.exports import shares_workbook

    from .factories import decide

    plan = _plan(secretary_user, fy, counted_units)
    decide(plan, secretary_user)
    services.share_plan_activate(actor=secretary_user, plan=plan)
    ws = load_workbook(io.BytesIO(shares_workbook(fiscal_year=fy, today=DUE))).active
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["乙单位"][1] == "按党员人数" and rows["乙单位"][2] == 11
