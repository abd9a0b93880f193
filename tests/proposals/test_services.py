"""Proposals (建议案, R27): tabling, registration, handling, feedback, reopening once, commendation."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from inbox.models import Message
from proposals import services
from proposals.models import Assignment, Proposal
from tests.factories import UnitFactory, UserFactory

TODAY = datetime.date(2026, 5, 10)


def table(actor, committee, **overrides) -> Proposal:
    fields = {
        "channel": Proposal.Channel.JOINT,
        "title": "关于增设小区充电桩的建议",
        "problem": "电动车楼道充电，存在火灾隐患。",
        "suggestion": "在小区空地集中建设充电桩。",
        "lead_proposer": "王建国",
        "co_signers": ["李红", "赵强"],
        "tabled_on": TODAY,
    }
    fields.update(overrides)
    return services.proposal_table(actor=actor, committee=committee, **fields)


def assigned(actor, proposal, units, **kwargs) -> Proposal:
    proposal = services.proposal_register(actor=actor, proposal=proposal)
    return services.proposal_assign(
        actor=actor, proposal=proposal, units=units, due_on=TODAY + datetime.timedelta(days=30), today=TODAY, **kwargs
    )


# --- R27: who may table, with how many co-signers --------------------------------------------------


def test_r27_between_sessions_three_party_members_table_jointly(world, secretary_user):
    proposal = table(secretary_user, world.mine)
    assert proposal.status == Proposal.Status.SUBMITTED
    assert [s.name for s in proposal.signers.all()] == ["李红", "赵强"]
    assert proposal.year == 2026


def test_r27_fewer_than_three_proposers_is_refused_with_the_reason(world, secretary_user):
    with pytest.raises(ValidationError) as exc:
        table(secretary_user, world.mine, co_signers=["李红"])
    assert "3名以上党员联名" in str(exc.value) and "只有2人" in str(exc.value)
    assert Proposal.objects.count() == 0


def test_r27_the_lead_named_again_or_twice_does_not_count_as_a_co_signer(world, secretary_user):
    with pytest.raises(ValidationError):
        table(secretary_user, world.mine, co_signers=["王建国", "李红", "李红", " "])
    assert Proposal.objects.count() == 0


def test_r27_during_a_congress_only_a_representative_tables(world, secretary_user):
    with pytest.raises(ValidationError) as exc:
        table(secretary_user, world.mine, channel=Proposal.Channel.CONGRESS, co_signers=[])
    assert "党代表" in str(exc.value)
    proposal = table(
        secretary_user, world.mine, channel=Proposal.Channel.CONGRESS, co_signers=[], lead_is_representative=True
    )
    assert proposal.signers.count() == 0


def test_r27_units_concerned_belong_to_the_committee(world, secretary_user):
    with pytest.raises(ValidationError):
        table(secretary_user, world.mine, units=[world.other_unit])
    proposal = table(secretary_user, world.mine, units=[world.unit])
    assert list(proposal.units.all()) == [world.unit]


def test_r27_a_liaison_tables_for_their_own_community_only(world, liaison_user):
    assert table(liaison_user, world.mine).submitted_by == liaison_user
    with pytest.raises(PermissionDenied):
        table(liaison_user, world.other)


def test_r27_county_reviewers_and_other_townships_cannot_table(world, county_user):
    with pytest.raises(PermissionDenied):
        table(county_user, world.mine)
    outsider = UserFactory(role="township", township=world.other_township)
    with pytest.raises(PermissionDenied):
        table(outsider, world.mine)
    assert Proposal.objects.count() == 0


def test_r27_tabling_tells_the_community_secretary_once(world, secretary_user, liaison_user):
    table(liaison_user, world.mine)
    assert Message.objects.filter(recipient=secretary_user, kind="proposal").count() == 1


# --- registration -------------------------------------------------------------------------------------


def test_r27_registration_numbers_per_committee_and_year(world, secretary_user, township_user):
    first = services.proposal_register(actor=secretary_user, proposal=table(secretary_user, world.mine))
    second = services.proposal_register(actor=township_user, proposal=table(secretary_user, world.mine))
    elsewhere = services.proposal_register(actor=township_user, proposal=table(township_user, world.sibling))
    assert (first.number, second.number, elsewhere.number) == ("建〔2026〕1号", "建〔2026〕2号", "建〔2026〕1号")


def test_r27_registration_tells_the_one_who_entered_it(world, secretary_user, liaison_user):
    proposal = services.proposal_register(actor=secretary_user, proposal=table(liaison_user, world.mine))
    message = Message.objects.get(recipient=liaison_user, key__endswith=f"registered:user:{liaison_user.pk}")
    assert "建〔2026〕1号" in message.body
    assert proposal.registered_by == secretary_user
    assert proposal.history.first().history_user == secretary_user  # the audit trail names who registered


def test_r27_a_proposal_is_registered_once(world, secretary_user):
    proposal = services.proposal_register(actor=secretary_user, proposal=table(secretary_user, world.mine))
    with pytest.raises(ValidationError):
        services.proposal_register(actor=secretary_user, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.number_seq == 1


def test_r27_declining_needs_a_written_reason(world, secretary_user):
    proposal = table(secretary_user, world.mine)
    with pytest.raises(ValidationError):
        services.proposal_decline(actor=secretary_user, proposal=proposal, reason="  ")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED
    proposal = services.proposal_decline(
        actor=secretary_user, proposal=proposal, reason="属于个人诉求，请通过信访渠道反映。"
    )
    assert proposal.status == Proposal.Status.DECLINED and proposal.number == ""
    assert Message.objects.filter(recipient=secretary_user, key__contains=":declined:").count() == 1


@pytest.mark.parametrize("who", ["liaison_user", "county_user"])
def test_r27_liaisons_and_county_reviewers_do_not_register(world, secretary_user, who, request):
    proposal = table(secretary_user, world.mine)
    with pytest.raises(PermissionDenied):
        services.proposal_register(actor=request.getfixturevalue(who), proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED and proposal.number_seq is None


# --- handling, replies, feedback, reopening --------------------------------------------------------------


def test_r27_assignment_tells_the_units_liaisons(world, secretary_user, liaison_user):
    proposal = assigned(secretary_user, table(secretary_user, world.mine), [world.unit], to_committee=True)
    assert proposal.status == Proposal.Status.HANDLING
    assert [a.handler_name for a in proposal.assignments.all()] == ["县供电公司", "大党委"]
    assert Message.objects.filter(recipient=liaison_user, key__contains=":assigned:").count() == 1


def test_r27_assignment_needs_a_handler_and_a_future_due_date(world, secretary_user):
    proposal = services.proposal_register(actor=secretary_user, proposal=table(secretary_user, world.mine))
    with pytest.raises(ValidationError):
        services.proposal_assign(actor=secretary_user, proposal=proposal, units=[], due_on=TODAY, today=TODAY)
    with pytest.raises(ValidationError):
        services.proposal_assign(
            actor=secretary_user,
            proposal=proposal,
            units=[world.unit],
            due_on=TODAY - datetime.timedelta(days=1),
            today=TODAY,
        )
    with pytest.raises(ValidationError):
        services.proposal_assign(
            actor=secretary_user, proposal=proposal, units=[world.other_unit], due_on=TODAY, today=TODAY
        )
    assert Assignment.objects.count() == 0


def test_r27_an_unregistered_proposal_is_not_assigned(world, secretary_user):
    proposal = table(secretary_user, world.mine)
    with pytest.raises(ValidationError):
        services.proposal_assign(actor=secretary_user, proposal=proposal, units=[world.unit], due_on=TODAY, today=TODAY)


def test_r27_only_the_units_liaison_replies_for_the_unit(world, secretary_user, liaison_user):
    proposal = assigned(secretary_user, table(secretary_user, world.mine), [world.unit, world.sibling_unit])
    mine, sibling = proposal.assignments.order_by("pk")
    with pytest.raises(PermissionDenied):
        services.assignment_reply(actor=liaison_user, assignment=sibling, reply="已办理")
    services.assignment_reply(actor=liaison_user, assignment=mine, reply="已协调场地，建设12个充电桩。")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.HANDLING  # the sibling unit has not replied yet
    services.assignment_reply(actor=secretary_user, assignment=sibling, reply="按书面答复录入。")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ANSWERED


def test_r27_a_reply_needs_text(world, secretary_user, liaison_user):
    proposal = assigned(secretary_user, table(secretary_user, world.mine), [world.unit])
    with pytest.raises(ValidationError):
        services.assignment_reply(actor=liaison_user, assignment=proposal.assignments.get(), reply="")
    assert proposal.assignments.get().replied_at is None


def _answered(world, secretary_user, liaison_user):
    proposal = assigned(secretary_user, table(secretary_user, world.mine), [world.unit])
    services.assignment_reply(actor=liaison_user, assignment=proposal.assignments.get(), reply="已建设充电桩。")
    proposal.refresh_from_db()
    return proposal


def test_r27_satisfied_proposers_close_it(world, secretary_user, liaison_user):
    proposal = services.proposal_feedback(
        actor=secretary_user, proposal=_answered(world, secretary_user, liaison_user), satisfied=True
    )
    assert proposal.status == Proposal.Status.CLOSED and proposal.satisfaction == "satisfied"


def test_r27_unsatisfied_is_reopened_once_then_closed_as_it_stands(world, secretary_user, liaison_user):
    proposal = _answered(world, secretary_user, liaison_user)
    with pytest.raises(ValidationError):  # unsatisfied needs the proposers' words
        services.proposal_feedback(actor=secretary_user, proposal=proposal, satisfied=False)
    proposal = services.proposal_feedback(actor=secretary_user, proposal=proposal, satisfied=False, note="数量不够")
    assert proposal.status == Proposal.Status.ANSWERED
    proposal = services.proposal_reopen(
        actor=secretary_user, proposal=proposal, due_on=TODAY + datetime.timedelta(days=20), today=TODAY
    )
    assert proposal.status == Proposal.Status.HANDLING and proposal.reopened
    assert proposal.assignments.get().replied_at is None
    assert proposal.assignments.get().history.filter(reply="已建设充电桩。").exists()  # the first reply is kept
    services.assignment_reply(actor=liaison_user, assignment=proposal.assignments.get(), reply="再增建8个。")
    proposal.refresh_from_db()
    proposal = services.proposal_feedback(actor=secretary_user, proposal=proposal, satisfied=False, note="仍不够")
    assert proposal.status == Proposal.Status.CLOSED and proposal.satisfaction == "unsatisfied"
    with pytest.raises(ValidationError):
        services.proposal_reopen(actor=secretary_user, proposal=proposal, due_on=TODAY, today=TODAY)


def test_r27_a_satisfied_answer_is_not_reopened(world, secretary_user, liaison_user):
    proposal = _answered(world, secretary_user, liaison_user)
    with pytest.raises(ValidationError):
        services.proposal_reopen(actor=secretary_user, proposal=proposal, due_on=TODAY, today=TODAY)


def test_r27_only_closed_proposals_are_commended(world, secretary_user, liaison_user, county_user):
    proposal = _answered(world, secretary_user, liaison_user)
    with pytest.raises(ValidationError):
        services.proposal_commend(actor=secretary_user, proposal=proposal)
    proposal = services.proposal_feedback(actor=secretary_user, proposal=proposal, satisfied=True)
    with pytest.raises(PermissionDenied):
        services.proposal_commend(actor=county_user, proposal=proposal)
    assert services.proposal_commend(actor=secretary_user, proposal=proposal).commended


# --- review at meetings ---------------------------------------------------------------------------------


def test_r27_open_proposals_go_on_the_agenda_as_one_topic(world, secretary_user):
    import datetime as dt

    from django.utils import timezone

    from meetings.services.scheduling import meeting_schedule

    services.proposal_register(actor=secretary_user, proposal=table(secretary_user, world.mine))
    table(secretary_user, world.mine, title="关于加装电梯的建议")
    closed = table(secretary_user, world.mine, title="已经办结的")
    Proposal.objects.filter(pk=closed.pk).update(status=Proposal.Status.DECLINED, decline_reason="重复")
    meeting = meeting_schedule(
        actor=secretary_user,
        committee=world.mine,
        kind="work",
        title="第二季度工作会议",
        starts_at=timezone.now() + dt.timedelta(days=5),
        duration_minutes=120,
        place="社区党群服务中心",
    )
    item = services.proposals_to_agenda(actor=secretary_user, meeting=meeting, category="c")
    assert item.title == "审议未办结建议案（2件）"
    assert "建〔2026〕1号关于增设小区充电桩的建议" in item.description and "已经办结的" not in item.description


def test_r27_a_unit_of_another_community_cannot_be_a_handler(world, secretary_user):
    stranger = UnitFactory(community=world.other.community)
    proposal = services.proposal_register(actor=secretary_user, proposal=table(secretary_user, world.mine))
    with pytest.raises(ValidationError):
        services.proposal_assign(actor=secretary_user, proposal=proposal, units=[stranger], due_on=TODAY, today=TODAY)
