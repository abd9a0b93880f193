"""Dashboards show what proposals (R27) and residents' needs (R28) wait for: the secretary's counts
and needs by age, the liaison's replies and requests, the township's needs open over 90 days —
each with a fixed number of queries."""

import datetime

from django.urls import reverse
from django.utils import timezone

from needs import services as needs
from proposals import services as proposals

SECRETARY = reverse("dashboards:secretary")
LIAISON = reverse("dashboards:liaison")
TOWNSHIP = reverse("dashboards:township")


def _need(actor, committee, days_ago, title="楼道灯损坏"):
    today = timezone.localdate()
    return needs.need_collect(
        actor=actor,
        committee=committee,
        title=title,
        category="safety",
        asked_by="张大爷",
        collected_on=today - datetime.timedelta(days=days_ago),
    )


def _proposal(actor, committee, title="关于增设充电桩的建议"):
    return proposals.proposal_table(
        actor=actor,
        committee=committee,
        channel="joint",
        title=title,
        problem="问题",
        suggestion="建议",
        lead_proposer="王建国",
        co_signers=["李红", "赵强"],
        tabled_on=timezone.localdate(),
    )


def _assigned(actor, committee, unit, title):
    p = proposals.proposal_register(actor=actor, proposal=_proposal(actor, committee, title))
    today = timezone.localdate()
    return proposals.proposal_assign(
        actor=actor, proposal=p, units=[unit], due_on=today + datetime.timedelta(days=30), today=today
    )


def test_r27_r28_secretary_sees_waiting_proposals_and_needs_by_age(world, secretary_user, login):
    _proposal(secretary_user, world.mine)
    _need(secretary_user, world.mine, 5)
    _need(secretary_user, world.mine, 40)
    _need(secretary_user, world.mine, 120)
    page = login(secretary_user).get(SECRETARY).content.decode()
    assert "待立案的建议案 1 件" in page
    assert "未办结的居民需求：30天内 1 件，30至90天 1 件，超过90天 1 件" in page


def test_r27_r28_liaison_sees_replies_and_requests_of_own_unit_only(world, secretary_user, liaison_user, login):
    _assigned(secretary_user, world.mine, world.unit, "本单位承办的建议")
    _assigned(secretary_user, world.mine, world.sibling_unit, "别的单位承办的建议")
    need = _need(secretary_user, world.mine, 3, title="请本单位认领的需求")
    needs.need_request(actor=secretary_user, need=need, unit=world.unit)
    page = login(liaison_user).get(LIAISON).content.decode()
    assert "答复建议案：本单位承办的建议" in page and "别的单位承办的建议" not in page
    assert "请认领居民需求：请本单位认领的需求" in page


def test_r28_township_sees_needs_open_over_90_days(world, secretary_user, township_user, login):
    _need(secretary_user, world.mine, 100)
    _need(secretary_user, world.mine, 10)
    page = login(township_user).get(TOWNSHIP).content.decode()
    assert "居民需求超过90天未办结 1 件" in page


def test_the_new_parts_keep_the_query_counts_fixed(
    world, secretary_user, liaison_user, township_user, login, django_assert_max_num_queries
):
    _assigned(secretary_user, world.mine, world.unit, "建议0")
    needs.need_request(actor=secretary_user, need=_need(secretary_user, world.mine, 100, "需求0"), unit=world.unit)
    counts = {}
    for user, url in ((secretary_user, SECRETARY), (liaison_user, LIAISON), (township_user, TOWNSHIP)):
        client = login(user)
        with django_assert_max_num_queries(60) as captured:
            assert client.get(url).status_code == 200
        counts[url] = len(captured.captured_queries)
    for i in range(1, 8):
        _assigned(secretary_user, world.mine, world.unit, f"建议{i}")
        needs.need_request(
            actor=secretary_user, need=_need(secretary_user, world.mine, 100 + i, f"需求{i}"), unit=world.unit
        )
    for user, url in ((secretary_user, SECRETARY), (liaison_user, LIAISON), (township_user, TOWNSHIP)):
        client = login(user)
        with django_assert_max_num_queries(counts[url]):
            response = client.get(url)
        assert response.status_code == 200
    assert "请认领居民需求：需求7" in login(liaison_user).get(LIAISON).content.decode()
