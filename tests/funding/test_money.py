"""Largest-remainder rounding (R23.1, issue #5 §2/§6): property-based, and the 大写 amount."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funding.money import allocate, rmb_upper

D = Decimal

totals = st.integers(min_value=0, max_value=10**12).map(lambda fen: D(fen) / 100)
weights = st.lists(
    st.integers(min_value=0, max_value=10**6).map(lambda w: D(w) / 10**4), min_size=1, max_size=40
).filter(lambda ws: sum(ws) > 0)


@settings(deadline=None, max_examples=300)  # no timing limit: CI machines are shared
@given(total=totals, ws=weights)
def test_amounts_sum_to_the_total_to_the_fen(total, ws):
    assert sum(a.amount for a in allocate(total, ws)) == total


@settings(deadline=None, max_examples=300)  # no timing limit: CI machines are shared
@given(total=totals, ws=weights)
def test_no_share_is_a_fen_or_more_off_its_exact_value(total, ws):
    weight_sum = sum(Fraction(w) for w in ws)
    for a, w in zip(allocate(total, ws), ws, strict=True):
        exact = Fraction(total) * Fraction(w) / weight_sum
        assert a.exact == exact
        assert abs(Fraction(a.amount) - exact) < Fraction(1, 100)
        assert a.amount == a.amount.quantize(D("0.01"))


@settings(deadline=None, max_examples=300)  # no timing limit: CI machines are shared
@given(total=totals, ws=weights)
def test_amounts_are_never_negative_and_zero_weight_gets_nothing(total, ws):
    for a, w in zip(allocate(total, ws), ws, strict=True):
        assert a.amount >= 0
        if w == 0:
            assert a.amount == 0


def test_thirds_give_the_extra_fen_to_the_first_largest_remainder():
    amounts = [a.amount for a in allocate(D("100.00"), [D(1), D(1), D(1)])]
    assert amounts == [D("33.34"), D("33.33"), D("33.33")]


def test_largest_remainder_wins_not_the_first_line():
    # exact: 16.666…, 33.333…, 50.00 → floors 16.66, 33.33, 50.00; one fen left to the line with .666
    amounts = [a.amount for a in allocate(D("100.00"), [D(1), D(2), D(3)])]
    assert amounts == [D("16.67"), D("33.33"), D("50.00")]


def test_the_rounding_is_shown_per_line():
    first, second, _ = allocate(D("100.00"), [D(1), D(1), D(1)])
    assert first.exact_decimal == D("33.33333333")
    assert first.adjustment == D("0.00666667")
    assert second.adjustment == D("-0.00333333")


@pytest.mark.parametrize(
    "bad",
    [(D("-1.00"), [D(1)]), (D("1.00"), [D(-1), D(2)]), (D("1.00"), [D(0)]), (D("1.001"), [D(1)])],
)
def test_bad_inputs_are_refused(bad):
    with pytest.raises(ValueError):
        allocate(*bad)


def test_no_float_anywhere():
    for a in allocate(D("0.05"), [D(1), D(1)]):
        assert isinstance(a.amount, Decimal)
        assert isinstance(a.exact, Fraction)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("1234.50", "壹仟贰佰叁拾肆元伍角整"),
        ("10005", "壹万零伍元整"),
        ("100100", "壹拾万零壹佰元整"),
        ("100.05", "壹佰元零伍分"),
        ("0.05", "伍分"),
        ("3333.34", "叁仟叁佰叁拾叁元叁角肆分"),
        ("120000000", "壹亿贰仟万元整"),
        ("-30", "负叁拾元整"),
        ("0", "零元整"),
    ],
)
def test_rmb_upper(amount, text):
    assert rmb_upper(D(amount)) == text
