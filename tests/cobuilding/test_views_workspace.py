"""The liaison workspace: only their unit, a clear next step at the top, fixed query count."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from cobuilding import selectors, services

from .conftest import pdf

pytestmark = pytest.mark.django_db


def _step(client):
    r = client.get(reverse("cobuilding:workspace"))
    assert r.status_code == 200
    return r.context["ws"].next_step


def test_liaison_lands_on_the_dashboard(login, liaison_user):
    client = login(liaison_user)
    r = client.get(reverse("home"))  # issue #7: the dashboard carries the workspace's next step
    assert r.status_code == 302 and r["Location"] == reverse("dashboards:liaison")


def test_other_roles_are_sent_to_overview(login, secretary_user):
    r = login(secretary_user).get(reverse("cobuilding:workspace"))
    assert r.status_code == 302 and r["Location"] == reverse("cobuilding:overview")


def test_next_step_follows_the_liaisons_year(login, liaison_user, secretary_user, make_pledge, world, today):
    client = login(liaison_user)
    step = _step(client)
    assert step.url == reverse("cobuilding:pledge_create") and "共建承诺" in step.text
    services.pledge_call_open(
        actor=secretary_user, committee=world.mine, year=today.year, submit_by=today + datetime.timedelta(days=5)
    )
    assert "前填写" in _step(client).text
    pledge = make_pledge(liaison_user)
    assert _step(client).url == reverse("cobuilding:pledge_detail", args=[pledge.pk])
    services.pledge_submit(actor=liaison_user, pledge=pledge)
    services.pledge_return(actor=secretary_user, pledge=pledge, comment="金额请核实")
    step = _step(client)
    assert step.tone == "danger" and step.url == reverse("cobuilding:pledge_update", args=[pledge.pk])
    services.pledge_submit(actor=liaison_user, pledge=pledge)
    services.pledge_accept(actor=secretary_user, pledge=pledge)
    assert _step(client).url == reverse("cobuilding:fulfilment_create", args=[pledge.pk])
    agreement = services.agreement_create(
        actor=secretary_user,
        unit=world.unit,
        period_start=today.replace(month=1, day=1),
        period_end=today.replace(month=12, day=31),
        **dict.fromkeys(services.PRINCIPLE_FIELDS, "承诺内容"),
    )
    services.agreement_send(actor=secretary_user, agreement=agreement)
    assert _step(client).url == reverse("cobuilding:agreement_sign", args=[agreement.pk])
    services.agreement_sign(actor=liaison_user, agreement=agreement, signed_on=today, scan=pdf())
    report = services.fulfilment_report(
        actor=liaison_user, pledge=pledge, delivered_on=today, text="x", amount=Decimal("10000")
    )
    services.fulfilment_confirm(actor=secretary_user, fulfilment=report)
    assert _step(client).tone == "success"
    body = client.get(reverse("cobuilding:workspace")).content.decode()
    assert "100%" in body and "已签订" in body


def test_workspace_shows_only_own_unit(login, liaison_user, sibling_liaison, make_pledge):
    make_pledge(sibling_liaison, title="别家的承诺")
    make_pledge(liaison_user, title="自家的承诺")
    body = login(liaison_user).get(reverse("cobuilding:workspace")).content.decode()
    assert "自家的承诺" in body and "别家的承诺" not in body


def test_workspace_deadlines(liaison_user, secretary_user, world, today):
    services.pledge_call_open(
        actor=secretary_user, committee=world.mine, year=today.year, submit_by=today + datetime.timedelta(days=3)
    )
    ws = selectors.workspace_get(user=liaison_user)
    assert [d.days_left for d in ws.deadlines] == [3]


def test_workspace_query_count_fixed(
    login, liaison_user, secretary_user, make_pledge, world, today, django_assert_max_num_queries
):
    client = login(liaison_user)
    make_pledge(liaison_user)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("cobuilding:workspace"))
    for i in range(12):
        p = make_pledge(liaison_user, status="submitted", title=f"承诺{i}")
        if i % 2:
            services.pledge_accept(actor=secretary_user, pledge=p)
        else:
            services.pledge_return(actor=secretary_user, pledge=p, comment="改")
        services.project_publish(
            actor=secretary_user,
            committee=world.mine,
            title=f"项目{i}",
            need="n",
            place="p",
            budget=Decimal("1"),
            claim_by=today + datetime.timedelta(days=10),
            deadline=today + datetime.timedelta(days=30),
            places=2,
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        r = client.get(reverse("cobuilding:workspace"))
    assert r.content.decode().count("承诺") > 12


def test_workspace_fits_a_phone(login, liaison_user):
    body = login(liaison_user).get(reverse("cobuilding:workspace")).content.decode()
    assert 'name="viewport"' in body and "next-step" in body
