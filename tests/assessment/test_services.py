"""R21 scheme services: the 100-point check, limits, immutability, new versions."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from assessment import services
from assessment.models import Indicator, Scheme

from .factories import scheme_with_sheets

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(world):
    return world.county


@pytest.mark.parametrize(("units", "ok"), [("99.5", False), ("100", True), ("100.5", False)])
def test_r21_publish_requires_leaves_to_sum_to_exactly_100(admin_user, county, units, ok):
    scheme = scheme_with_sheets(admin_user, county, units=Decimal(units))
    if ok:
        scheme = services.scheme_publish(actor=admin_user, scheme=scheme)
        assert scheme.status == Scheme.Status.PUBLISHED
        assert scheme.published_by == admin_user and scheme.published_at
    else:
        with pytest.raises(ValidationError) as excinfo:
            services.scheme_publish(actor=admin_user, scheme=scheme)
        assert excinfo.value.messages == [f"“驻区单位共驻共建”评分表各评分项合计 {units} 分，应恰好为 100 分。"]
        scheme.refresh_from_db()
        assert scheme.status == Scheme.Status.DRAFT


def test_r21_publish_names_every_failing_sheet(admin_user, county):
    scheme = services.scheme_create(actor=admin_user, county=county, year=2026, title="空方案")
    with pytest.raises(ValidationError) as excinfo:
        services.scheme_publish(actor=admin_user, scheme=scheme)
    assert len(excinfo.value.messages) == 2
    assert "合计 0 分" in excinfo.value.messages[0]


def test_r21_bonus_and_deduction_items_need_a_limit(admin_user, county):
    scheme = services.scheme_create(actor=admin_user, county=county, year=2026, title="方案")
    sheet = scheme.sheets.get(kind="units")
    for kind in ("bonus", "deduction"):
        with pytest.raises(ValidationError) as excinfo:
            services.indicator_create(actor=admin_user, sheet=sheet, title="x", kind=kind, max_points=Decimal("1"))
        assert "limit" in excinfo.value.error_dict


def test_r21_limits_are_not_negative(admin_user, county):
    scheme = services.scheme_create(actor=admin_user, county=county, year=2026, title="方案")
    sheet = scheme.sheets.get(kind="units")
    with pytest.raises(ValidationError):
        services.indicator_create(
            actor=admin_user, sheet=sheet, title="违纪", kind="deduction", max_points=Decimal("1"), limit=Decimal("-1")
        )
    with pytest.raises(IntegrityError):
        Indicator.objects.create(sheet=sheet, title="违纪", kind="deduction", limit=Decimal("-1"))


def test_r21_db_refuses_bonus_without_limit_and_negative_points(admin_user, county):
    scheme = services.scheme_create(actor=admin_user, county=county, year=2026, title="方案")
    sheet = scheme.sheets.get(kind="units")
    with pytest.raises(IntegrityError):
        Indicator.objects.create(sheet=sheet, title="加分", kind="bonus", limit=None)


def test_r21_bonus_and_deduction_do_not_count_towards_100(admin_user, county):
    scheme = scheme_with_sheets(admin_user, county)  # has a bonus item of 1 point on top of 100
    assert services.sheet_sums(scheme)["units"] == Decimal("100")


def test_r21_only_groups_can_be_parents(admin_user, county):
    scheme_with_sheets(admin_user, county)
    leaf = Indicator.objects.get(title="参加会议")
    with pytest.raises(ValidationError):
        services.indicator_create(actor=admin_user, sheet=leaf.sheet, parent=leaf, title="子项")


def test_r21_grade_bands_must_be_ordered(admin_user, county):
    with pytest.raises(ValidationError):
        services.scheme_create(
            actor=admin_user,
            county=county,
            year=2026,
            title="方案",
            grade_bands=[{"label": "良", "min": "60"}, {"label": "优", "min": "90"}, {"label": "差", "min": None}],
        )


def test_r21_published_scheme_is_immutable(admin_user, county):
    scheme = services.scheme_publish(actor=admin_user, scheme=scheme_with_sheets(admin_user, county))
    leaf = Indicator.objects.get(title="参加会议")
    with pytest.raises(ValidationError, match="已发布"):
        services.indicator_update(actor=admin_user, indicator=leaf, max_points=Decimal("30"))
    with pytest.raises(ValidationError, match="已发布"):
        services.indicator_create(actor=admin_user, sheet=leaf.sheet, title="新增")
    with pytest.raises(ValidationError, match="已发布"):
        services.scheme_update(actor=admin_user, scheme=scheme, weight=Decimal("0.5"))
    with pytest.raises(ValidationError, match="已发布"):
        services.scheme_publish(actor=admin_user, scheme=scheme)
    leaf.refresh_from_db()
    assert leaf.max_points == Decimal("40")


def test_r21_new_version_copies_the_whole_tree_as_a_draft(admin_user, county):
    scheme = services.scheme_publish(actor=admin_user, scheme=scheme_with_sheets(admin_user, county))
    copy = services.scheme_new_version(actor=admin_user, scheme=scheme)
    assert (copy.version, copy.status, copy.year, copy.county_id) == (2, "draft", 2026, county.pk)
    assert copy.weight == scheme.weight and copy.grade_bands == scheme.grade_bands

    def tree(s):
        return sorted(
            (i.sheet.kind, i.title, i.kind, i.max_points, i.limit, i.parent.title if i.parent else None)
            for i in Indicator.objects.filter(sheet__scheme=s).select_related("sheet", "parent")
        )

    assert tree(copy) == tree(scheme)
    assert not Indicator.objects.filter(sheet__scheme=copy, parent__sheet__scheme=scheme).exists()
    # the draft may now change; the published version stays as it was
    leaf = Indicator.objects.get(sheet__scheme=copy, title="参加会议")
    services.indicator_update(actor=admin_user, indicator=leaf, max_points=Decimal("30"))
    assert Indicator.objects.get(sheet__scheme=scheme, title="参加会议").max_points == Decimal("40")
    assert services.scheme_new_version(actor=admin_user, scheme=scheme).version == 3


def test_r21_versions_are_unique_per_county_and_year(admin_user, county):
    scheme = services.scheme_create(actor=admin_user, county=county, year=2026, title="方案")
    with pytest.raises(IntegrityError):
        Scheme.objects.create(county=county, year=2026, version=scheme.version, title="重复")


def test_r21_edits_are_in_the_history(admin_user, county):
    scheme = scheme_with_sheets(admin_user, county)
    leaf = Indicator.objects.get(title="参加会议")
    services.indicator_update(actor=admin_user, indicator=leaf, max_points=Decimal("35"))
    assert leaf.history.count() == 2
    assert leaf.history.first().history_user == admin_user
    other = Indicator.objects.get(title="认领项目")
    services.indicator_update(actor=admin_user, indicator=other, max_points=Decimal("65"))
    services.scheme_publish(actor=admin_user, scheme=scheme)
    assert scheme.history.first().history_change_reason == "发布"


def test_r21_changing_kind_away_from_bonus_clears_the_limit(admin_user, county):
    scheme_with_sheets(admin_user, county)
    bonus = Indicator.objects.get(title="获上级表彰")
    bonus = services.indicator_update(actor=admin_user, indicator=bonus, kind="leaf")
    bonus.refresh_from_db()
    assert bonus.limit is None
