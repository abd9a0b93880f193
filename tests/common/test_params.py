"""Issue #14 §4: the query-parameter parsers fall back on anything odd instead of raising."""

import datetime

import pytest

from common import params

ODD = [None, "", "abc", "1.5", "1e3", "NaN", "9" * 5000, "a\x00b", "٣", " ", "--1", "0x10"]


@pytest.mark.parametrize("value", ODD)
def test_odd_values_fall_back_to_the_default(value):
    assert params.int_param(value, default=7) == 7
    assert params.id_param(value) is None
    assert params.year_param(value, default=2026) == 2026
    assert params.month_param(value, default="d") == "d"


def test_ids_are_positive_and_fit_a_bigint():
    assert params.id_param("42") == 42
    assert params.id_param(" 42 ") == 42
    assert params.id_param(str(2**63 - 1)) == 2**63 - 1
    assert params.id_param(str(2**63)) is None
    assert params.id_param(str(2**70)) is None
    assert params.id_param("0") is None
    assert params.id_param("-1") is None


def test_years_stay_where_dates_can_be_built():
    assert params.year_param("2026") == 2026
    for value in ("99999", "9999", "-1", "0", "1999", "2101"):
        assert params.year_param(value, default=2026) == 2026
    assert params.year_param(params.MAX_YEAR) == params.MAX_YEAR
    datetime.date(params.MAX_YEAR + 1, 1, 1)  # the year after the last one still builds


def test_months():
    assert params.month_param("2026-03") == datetime.date(2026, 3, 1)
    assert params.month_param("2026-3") == datetime.date(2026, 3, 1)
    for value in ("9999-12", "1-1", "2026-13", "2026-00", "2026-03-01", "2026/03", "0-0"):
        assert params.month_param(value) is None


def test_choices_and_flags():
    assert params.choice_param("open", ["open", "done"], default="open") == "open"
    assert params.choice_param("x\x00", ["open", "done"], default="open") == "open"
    assert params.choice_param(None, ["open"]) is None
    assert params.flag_param("1") and params.flag_param("on") and not params.flag_param("0")
    assert not params.flag_param(None) and not params.flag_param("9" * 5000)


@pytest.mark.django_db
def test_a_nul_in_the_query_string_is_a_400_before_any_view(client, township_user):
    """PostgreSQL refuses NUL in text it compares: without this a search for "a\\x00b" is a 500."""
    from django.urls import reverse

    client.force_login(township_user)
    url = reverse("committees:unit_list")
    assert client.get(url, {"q": "a\x00b"}).status_code == 400
    assert client.get(url, {"a\x00": "1"}).status_code == 400
    response = client.get(url, {"q": "ab"})
    assert response.status_code == 200
