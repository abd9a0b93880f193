"""R21 (issue #11 item 14): a scheme publishes only when every group's points equal the sum of its
children; a group left without points takes the sum when published."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessment import services
from assessment.models import Indicator, Scheme

from .factories import scheme_with_sheets

D = Decimal
pytestmark = pytest.mark.django_db


def test_r21_a_group_left_at_zero_takes_its_childrens_sum_on_publish(world, admin_user):
    scheme = scheme_with_sheets(admin_user, world.county)
    services.scheme_publish(actor=admin_user, scheme=scheme)
    group = Indicator.objects.get(sheet__scheme=scheme, kind="group")
    assert group.max_points == D("100")
    assert group.history.first().history_change_reason == "发布：分组分值取各子项合计"


def test_r21_a_group_whose_points_differ_from_its_children_is_refused(world, admin_user):
    scheme = scheme_with_sheets(admin_user, world.county)
    group = Indicator.objects.get(sheet__scheme=scheme, kind="group")
    services.indicator_update(actor=admin_user, indicator=group, max_points=D("90"))
    with pytest.raises(ValidationError) as exc:
        services.scheme_publish(actor=admin_user, scheme=scheme)
    assert any("分组“组织共建”为 90 分，其下各评分项合计 100 分" in m for m in exc.value.messages)
    scheme.refresh_from_db()
    assert scheme.status == Scheme.Status.DRAFT
    assert Indicator.objects.get(pk=group.pk).max_points == D("90")


def test_r21_a_group_matching_its_children_publishes(world, admin_user):
    scheme = scheme_with_sheets(admin_user, world.county)
    group = Indicator.objects.get(sheet__scheme=scheme, kind="group")
    services.indicator_update(actor=admin_user, indicator=group, max_points=D("100"))
    assert services.scheme_publish(actor=admin_user, scheme=scheme).status == Scheme.Status.PUBLISHED


def test_r21_an_empty_group_is_refused(world, admin_user):
    scheme = scheme_with_sheets(admin_user, world.county)
    services.indicator_create(
        actor=admin_user, sheet=scheme.sheets.get(kind="departments"), title="空分组", kind="group"
    )
    with pytest.raises(ValidationError) as exc:
        services.scheme_publish(actor=admin_user, scheme=scheme)
    assert any("分组“空分组”下没有评分项" in m for m in exc.value.messages)
    assert Scheme.objects.get(pk=scheme.pk).status == Scheme.Status.DRAFT
