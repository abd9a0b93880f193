"""R21 pure rules: grade bands and the conversion (折算)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessment.rules import convert, default_bands, formula_text, grade_for, validate_bands


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100", "优秀"),
        ("95", "优秀"),
        ("94.99", "良好"),
        ("85", "良好"),
        ("84.99", "合格"),
        ("60", "合格"),
        ("59.99", "不合格"),
        ("0", "不合格"),
        ("-3", "不合格"),
    ],
)
def test_r21_grade_band_edges(score, grade):
    assert grade_for(Decimal(score), default_bands()) == grade


def test_r21_grade_bands_custom():
    bands = [{"label": "好", "min": "80"}, {"label": "差", "min": None}]
    assert grade_for(Decimal("80"), bands) == "好"
    assert grade_for(Decimal("79.99"), bands) == "差"


@pytest.mark.parametrize(
    "bands",
    [
        [{"label": "优秀", "min": "85"}, {"label": "良好", "min": "95"}, {"label": "差", "min": None}],
        [{"label": "优秀", "min": "95"}, {"label": "良好", "min": "95"}, {"label": "差", "min": None}],
        [{"label": "优秀", "min": "95"}, {"label": "差", "min": "10"}],
        [{"label": "", "min": "95"}, {"label": "差", "min": None}],
        [{"label": "优秀", "min": "abc"}, {"label": "差", "min": None}],
        [{"label": "差", "min": None}],
    ],
)
def test_r21_grade_bands_must_be_ordered_and_complete(bands):
    with pytest.raises(ValidationError):
        validate_bands(bands)


def test_r21_default_bands_are_valid():
    validate_bands(default_bands())


@pytest.mark.parametrize(
    ("score", "weight", "converted"),
    [
        ("100", "0.2", Decimal("20.00")),
        ("87.5", "0.15", Decimal("13.13")),  # 13.125 rounds half up
        ("0", "0.3", Decimal("0.00")),
        ("95", "1", Decimal("95.00")),
    ],
)
def test_r21_conversion(score, weight, converted):
    result = convert(Decimal(score), Decimal(weight))
    assert result == converted
    assert result.as_tuple().exponent == -2


def test_r21_formula_is_stated():
    assert formula_text(Decimal("0.2000")) == "折算分 = 得分 × 权重 0.2"


def test_r21_sheet_total_caps_each_bonus_and_deduction_at_its_limit():
    from assessment.rules import sheet_total

    assert sheet_total([50, 40], [(8, 5)], [(3, 10)]) == Decimal("92.00")
    assert sheet_total([10], [], [(30, None)]) == Decimal("0.00")  # never below 0
