"""Proposal pages (R27) through the client, with each role; fixed query counts on the lists."""

import datetime

import pytest
from django.urls import reverse

from proposals import services
from proposals.models import Proposal
from tests.factories import UnitFactory

TODAY = datetime.date(2026, 5, 10)


def table(actor, committee, title="关于增设小区充电桩的建议", **overrides) -> Proposal:
    fields = {
        "channel": Proposal.Channel.JOINT,
        "title": title,
        "problem": "电动车楼道充电，存在火灾隐患。",
        "suggestion": "在小区空地集中建设充电桩。",
        "lead_proposer": "王建国",
        "co_signers": ["李红", "赵强"],
        "tabled_on": TODAY,
    }
    fields.update(overrides)
    return services.proposal_table(actor=actor, committee=committee, **fields)


def assigned(actor, proposal, units):
    proposal = services.proposal_register(actor=actor, proposal=proposal)
    return services.proposal_assign(
        actor=actor, proposal=proposal, units=units, due_on=TODAY + datetime.timedelta(days=30), today=TODAY
    )


def test_r27_two_co_signers_missing_is_shown_on_the_form_and_nothing_is_saved(world, secretary_user, login):
    client = login(secretary_user)
    response = client.post(
        reverse("proposals:proposal_create"),
        {
            "committee": world.mine.pk,
            "channel": "joint",
            "title": "关于加装电梯的建议",
            "problem": "老旧小区无电梯。",
            "suggestion": "分批加装。",
            "lead_proposer": "王建国",
            "co_signers": "李红",
            "tabled_on": "2026-05-10",
        },
    )
    assert response.status_code == 400
    assert "闭会期间须由3名以上党员联名提出，目前只有2人" in response.content.decode()
    assert "关于加装电梯的建议" in response.content.decode()  # what was typed is kept
    assert Proposal.objects.count() == 0


def test_r27_a_secretary_tables_a_joint_proposal_through_the_form(world, secretary_user, login):
    client = login(secretary_user)
    response = client.post(
        reverse("proposals:proposal_create"),
        {
            "committee": world.mine.pk,
            "channel": "joint",
            "title": "关于加装电梯的建议",
            "problem": "老旧小区无电梯。",
            "suggestion": "分批加装。",
            "lead_proposer": "王建国",
            "co_signers": "李红、赵强",
            "units": [world.unit.pk],
            "tabled_on": "2026-05-10",
        },
    )
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == proposal.get_absolute_url()
    assert [s.name for s in proposal.signers.all()] == ["李红", "赵强"]


def test_the_list_runs_a_fixed_number_of_queries(world, secretary_user, login, django_assert_max_num_queries):
    client = login(secretary_user)
    for i in range(2):
        assigned(secretary_user, table(secretary_user, world.mine, title=f"建议{i}"), [world.unit])
    with django_assert_max_num_queries(12) as few:
        response = client.get(reverse("proposals:proposal_list"))
    assert response.status_code == 200 and "建议1" in response.content.decode()
    for i in range(2, 12):
        unit = UnitFactory(community=world.mine.community)
        assigned(secretary_user, table(secretary_user, world.mine, title=f"建议{i}"), [world.unit, unit])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("proposals:proposal_list"))
    assert response.status_code == 200 and "建议11" in response.content.decode()


def test_r27_a_liaison_sees_only_what_their_unit_handles_or_they_entered(world, secretary_user, liaison_user, login):
    mine = assigned(secretary_user, table(secretary_user, world.mine, title="本单位承办的"), [world.unit])
    assigned(secretary_user, table(secretary_user, world.mine, title="别的单位承办的"), [world.sibling_unit])
    entered = table(liaison_user, world.mine, title="本人录入的")
    client = login(liaison_user)
    page = client.get(reverse("proposals:proposal_list")).content.decode()
    assert "本单位承办的" in page and "本人录入的" in page and "别的单位承办的" not in page
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(entered.get_absolute_url()).status_code == 200
    other = Proposal.objects.get(title="别的单位承办的")
    assert client.get(other.get_absolute_url()).status_code == 404


def test_r27_the_liaison_replies_on_the_detail_page(world, secretary_user, liaison_user, login):
    proposal = assigned(secretary_user, table(secretary_user, world.mine), [world.unit])
    client = login(liaison_user)
    assignment = proposal.assignments.get()
    url = reverse("proposals:assignment_reply", args=[assignment.pk])
    response = client.post(url, {"reply": "", "action_taken": ""})
    assert response.status_code == 400 and "请填写答复内容" in response.content.decode()
    response = client.post(url, {"reply": "已建设12个充电桩。", "action_taken": "5月底完工"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ANSWERED


def test_r27_county_reviewers_read_but_cannot_register(world, secretary_user, county_user, login):
    proposal = table(secretary_user, world.mine)
    client = login(county_user)
    assert client.get(proposal.get_absolute_url()).status_code == 200
    assert client.post(reverse("proposals:proposal_register", args=[proposal.pk])).status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED


def test_r27_the_half_year_report_lists_every_proposal_and_prints(world, secretary_user, login):
    registered = services.proposal_register(actor=secretary_user, proposal=table(secretary_user, world.mine))
    table(secretary_user, world.mine, title="关于加装电梯的建议", tabled_on=datetime.date(2026, 3, 1))
    table(secretary_user, world.mine, title="下半年的建议", tabled_on=datetime.date(2026, 8, 1))
    client = login(secretary_user)
    url = reverse("proposals:half_year_report", args=[world.mine.pk])
    page = client.get(url, {"year": 2026, "half": 1}).content.decode()
    assert registered.number in page and "关于加装电梯的建议" in page and "下半年的建议" not in page
    assert "本期共提出建议案2件，待立案1件，已立案1件。" in page
    response = client.get(reverse("proposals:half_year_report_pdf", args=[world.mine.pk]), {"year": 2026, "half": 1})
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''%E5%BB%BA%E8%AE%AE%E6%A1%88" in response["Content-Disposition"]  # 建议案…
    assert response.content.startswith(b"%PDF-")


@pytest.mark.parametrize("year", ["99999", "-1", "abc", str(2**70)])
def test_odd_years_fall_back(world, secretary_user, login, year):
    client = login(secretary_user)
    assert client.get(reverse("proposals:proposal_list"), {"year": year, "committee": year}).status_code in (200, 404)
    assert client.get(reverse("proposals:half_year_report", args=[world.mine.pk]), {"year": year}).status_code == 200
