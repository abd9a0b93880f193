"""R18 dedication days (two a year, missing shown, participation per unit), R20 in-service members
(register, services, count per unit), R19 two-way commitments (both sides, status, per unit)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cobuilding import selectors, services
from cobuilding.models import Commitment, DedicationParticipation, InServiceMember
from tests.factories import GridFactory

from .conftest import xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(secretary_user, world, today):
    return services.dedication_day_record(
        actor=secretary_user, committee=world.mine, held_on=today.replace(month=3, day=5), theme="学雷锋"
    )


# --- R18 --------------------------------------------------------------------------------


def test_r18_two_days_a_year_third_refused(day, secretary_user, world, today):
    assert day.sequence == 1 and day.year == today.year
    second = services.dedication_day_record(
        actor=secretary_user, committee=world.mine, held_on=today.replace(month=9, day=1), theme="重阳敬老"
    )
    assert second.sequence == 2
    with pytest.raises(ValidationError):
        services.dedication_day_record(
            actor=secretary_user, committee=world.mine, held_on=today.replace(month=10, day=1), theme="第三次"
        )


def test_r18_missing_days_shown(login, secretary_user, world, day, today):
    assert selectors.dedication_year(committee=world.mine, year=today.year).missing == [2]
    assert selectors.dedication_year(committee=world.mine, year=today.year - 1).missing == [1, 2]
    body = login(secretary_user).get(reverse("cobuilding:dedication_list")).content.decode()
    assert "还缺 1 次党员奉献日" in body
    body = login(secretary_user).get(reverse("cobuilding:overview")).content.decode()
    assert "缺 1 次" in body


def test_r18_names_give_the_count(day, liaison_user, world):
    p = services.dedication_participation_record(
        actor=liaison_user, day=day, unit=world.unit, names="张三\n李四\n\n王五"
    )
    assert p.count == 3 and p.name_list == ["张三", "李四", "王五"]


def test_r18_count_needs_roster(day, liaison_user, world):
    with pytest.raises(ValidationError) as e:
        services.dedication_participation_record(actor=liaison_user, day=day, unit=world.unit, count=12)
    assert "roster" in e.value.message_dict
    p = services.dedication_participation_record(actor=liaison_user, day=day, unit=world.unit, count=12, roster=xlsx())
    assert p.count == 12 and p.roster.name.endswith(".xlsx")
    again = services.dedication_participation_record(actor=liaison_user, day=day, unit=world.unit, count=15)
    assert again.pk == p.pk and again.count == 15  # the earlier roster still counts


def test_r18_nothing_given_refused(day, liaison_user, world):
    with pytest.raises(ValidationError):
        services.dedication_participation_record(actor=liaison_user, day=day, unit=world.unit)


def test_r18_liaison_only_own_unit(day, liaison_user, world):
    with pytest.raises(PermissionDenied):
        services.dedication_participation_record(actor=liaison_user, day=day, unit=world.sibling_unit, names="甲")


def test_r18_participation_on_unit_page_and_overview(login, day, liaison_user, secretary_user, world):
    services.dedication_participation_record(actor=liaison_user, day=day, unit=world.unit, names="张三\n李四")
    client = login(secretary_user)
    body = client.get(reverse("cobuilding:unit_cobuilding", args=[world.unit.pk])).content.decode()
    assert "2 人" in body
    row = next(r for r in client.get(reverse("cobuilding:overview")).context["ov"].rows if r.unit == world.unit)
    assert row.dedication == {1: 2}


def test_r18_pages_scope(login, client, day, liaison_user, sibling_liaison, other_liaison, world):
    services.dedication_participation_record(actor=sibling_liaison, day=day, unit=world.sibling_unit, names="赵六")
    login(liaison_user)
    body = client.get(day.get_absolute_url()).content.decode()
    assert "赵六" not in body  # another unit's names stay hidden
    r = client.post(reverse("cobuilding:participation_record", args=[day.pk]), {"names": "张三"})
    assert r.status_code == 302
    assert DedicationParticipation.objects.get(unit=world.unit).count == 1
    login(other_liaison)
    assert client.get(day.get_absolute_url()).status_code == 404


def test_r18_roster_upload_checked_on_page(login, day, liaison_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(liaison_user)
    r = client.post(
        reverse("cobuilding:participation_record", args=[day.pk]),
        {"count": "8", "roster": SimpleUploadedFile("roster.xlsx", b"not a zip")},
    )
    assert r.status_code == 200 and "文件内容与扩展名" in r.content.decode()


# --- R20 --------------------------------------------------------------------------------


def test_r20_register_and_serve(liaison_user, world, today):
    grid = GridFactory(community=world.mine.community)
    m = services.member_register(actor=liaison_user, unit=world.unit, name="刘党员", reported_on=today, grid=grid)
    services.member_service_add(actor=liaison_user, member=m, served_on=today, content="义诊", hours=Decimal("2"))
    assert m.services.count() == 1
    with pytest.raises(ValidationError):
        services.member_register(actor=liaison_user, unit=world.unit, name="刘党员", reported_on=today)


def test_r20_grid_of_another_community_refused(liaison_user, world, today):
    grid = GridFactory(community=world.other.community)
    with pytest.raises(ValidationError):
        services.member_register(actor=liaison_user, unit=world.unit, name="x", reported_on=today, grid=grid)


def test_r20_count_per_unit(login, liaison_user, sibling_liaison, secretary_user, world, today):
    for name in ("甲", "乙"):
        services.member_register(actor=liaison_user, unit=world.unit, name=name, reported_on=today)
    services.member_register(actor=sibling_liaison, unit=world.sibling_unit, name="丙", reported_on=today)
    r = login(secretary_user).get(reverse("cobuilding:member_list"))
    assert (world.unit.name, 2) in r.context["per_unit"] and (world.sibling_unit.name, 1) in r.context["per_unit"]
    r = login(liaison_user).get(reverse("cobuilding:member_list"))
    assert r.context["per_unit"] == [(world.unit.name, 2)]


def test_r20_other_units_member_404(login, sibling_liaison, liaison_user, world, today):
    m = services.member_register(actor=sibling_liaison, unit=world.sibling_unit, name="丙", reported_on=today)
    client = login(liaison_user)
    assert client.get(reverse("cobuilding:member_detail", args=[m.pk])).status_code == 404
    r = client.post(reverse("cobuilding:member_service_add", args=[m.pk]), {"served_on": today, "content": "x"})
    assert r.status_code == 404


def test_r20_register_through_page(login, liaison_user, today):
    client = login(liaison_user)
    r = client.post(
        reverse("cobuilding:member_create"), {"name": "周党员", "phone": "", "reported_on": today.isoformat()}
    )
    assert r.status_code == 302 and InServiceMember.objects.get().unit == liaison_user.unit


# --- R19 --------------------------------------------------------------------------------


def test_r19_both_sides_with_status(liaison_user, secretary_user, world, today):
    unit_side = services.commitment_create(
        actor=liaison_user,
        unit=world.unit,
        year=today.year,
        side="unit",
        kind="promise",
        area="venues",
        content="开放会议室",
    )
    community_side = services.commitment_create(
        actor=secretary_user,
        unit=world.unit,
        year=today.year,
        side="community",
        kind="promise",
        area="problems",
        content="协调停车",
    )
    with pytest.raises(PermissionDenied):
        services.commitment_create(
            actor=liaison_user,
            unit=world.unit,
            year=today.year,
            side="community",
            kind="need",
            area="education",
            content="x",
        )
    with pytest.raises(PermissionDenied):
        services.commitment_set_status(actor=liaison_user, commitment=community_side, status="done")
    done = services.commitment_set_status(actor=liaison_user, commitment=unit_side, status="done", note="已开放")
    assert done.status == Commitment.Status.DONE and done.history.count() == 2


def test_r19_listed_per_unit_and_scoped(login, client, liaison_user, sibling_liaison, secretary_user, world, today):
    services.commitment_create(
        actor=liaison_user,
        unit=world.unit,
        year=today.year,
        side="unit",
        kind="need",
        area="education",
        content="自家需求",
    )
    services.commitment_create(
        actor=sibling_liaison,
        unit=world.sibling_unit,
        year=today.year,
        side="unit",
        kind="need",
        area="education",
        content="别家需求",
    )
    login(secretary_user)
    groups = client.get(reverse("cobuilding:commitment_list")).context["groups"]
    assert [u.name for u, _rows in groups] == sorted([world.unit.name, world.sibling_unit.name])
    login(liaison_user)
    body = client.get(reverse("cobuilding:commitment_list")).content.decode()
    assert "自家需求" in body and "别家需求" not in body
    other = Commitment.objects.get(content="别家需求")
    assert client.post(reverse("cobuilding:commitment_status", args=[other.pk]), {"status": "done"}).status_code == 404


def test_pages_query_counts_fixed(
    login, secretary_user, liaison_user, day, world, today, many_units, django_assert_max_num_queries
):
    client = login(secretary_user)
    urls = [
        reverse("cobuilding:dedication_list"),
        day.get_absolute_url(),
        reverse("cobuilding:member_list"),
        reverse("cobuilding:commitment_list"),
    ]
    small = {}
    for url in urls:
        with django_assert_max_num_queries(15) as q:
            client.get(url)
        small[url] = len(q.captured_queries)
    for i, unit in enumerate(many_units(10)):
        services.dedication_participation_record(actor=secretary_user, day=day, unit=unit, names="甲\n乙")
        m = services.member_register(actor=secretary_user, unit=unit, name=f"党员{i}", reported_on=today)
        services.member_service_add(actor=secretary_user, member=m, served_on=today, content="服务")
        services.commitment_create(
            actor=secretary_user, unit=unit, year=today.year, side="community", kind="need", area="venues", content="c"
        )
    for url in urls:
        with django_assert_max_num_queries(small[url]):
            client.get(url)
