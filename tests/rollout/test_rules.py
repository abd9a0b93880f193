"""R25 stage rules against hand-built fixtures: each stage's deliverables, automatic and manual
moves, THE PILOT GATE, lateness with a fixed "today"."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from committees.models import Unit
from meetings.models import Meeting
from rollout import rules, selectors, services
from rollout.models import CommunityProgress, RuleDocument, StageChange
from tests.factories import UnitFactory
from tests.meetings.factories import MeetingFactory

from .kit import complete_ledger, pdf, run_committee, through_stage_3

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2024, 3, 15)


@pytest.fixture
def plan(world, township_user):
    """2024 plan of 城关镇, pilot 陵园社区 (world.mine), created before February: nobody started."""
    return services.plan_create(actor=township_user, township=world.township, year=2030, pilot=world.mine.community)


def progress(community):
    return CommunityProgress.objects.get(community=community)


def checks(plan, community):
    return selectors.deliverables(community=community, plan=plan)


# --- plan ----------------------------------------------------------------------------------------


def test_plan_has_the_default_months_and_a_row_per_community(plan, world):
    assert {s.stage: (s.start_month, s.end_month) for s in plan.stages.all()} == {
        1: (2, 3),
        2: (3, 3),
        3: (4, 4),
        4: (4, 11),
        5: (12, 12),
    }
    assert set(plan.progress.values_list("community", flat=True)) == {
        world.mine.community.pk,
        world.sibling.community.pk,
    }
    assert plan.progress.filter(stage=0).count() == 2  # the year has not come


def test_only_township_staff_make_plans(world, secretary_user):
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=secretary_user, township=world.township, year=2030)


def test_months_must_be_ordered(plan, township_user):
    with pytest.raises(ValidationError):
        services.plan_months_update(actor=township_user, plan=plan, months={2: (5, 3)})
    services.plan_months_update(actor=township_user, plan=plan, months={2: (3, 5)})
    assert plan.stages.get(stage=2).end_month == 5


# --- stage 1 → 2 → 3 -----------------------------------------------------------------------------


def test_stage_one_starts_when_its_month_comes_automatically(plan, world):
    p = services.progress_refresh(community=world.mine.community, today=datetime.date(2030, 1, 31))
    assert p.stage == 0
    p = services.progress_refresh(community=world.mine.community, today=datetime.date(2030, 2, 1))
    assert p.stage == 1
    change = StageChange.objects.get(progress=p)
    assert change.by is None and change.automatic and change.reason.startswith("自动：")


def test_publicity_event_completes_stage_one(plan, world, secretary_user):
    services.progress_refresh(community=world.mine.community, today=datetime.date(2030, 2, 1))
    assert not checks(plan, world.mine.community)[1].done
    services.publicity_event_record(
        actor=secretary_user, community=world.mine.community, held_on=MARCH, title="动员会", kind="meeting"
    )
    assert checks(plan, world.mine.community)[1].done
    # the write refreshed the community: stage 2 now (the ledger lacks grids, so it stops there)
    assert progress(world.mine.community).stage == 2
    assert StageChange.objects.filter(to_stage=2, by=None, reason="自动：宣传活动已登记").exists()


def test_ledger_complete_vs_one_unit_missing_its_grid(plan, world):
    complete_ledger(world.mine.community)
    check = checks(plan, world.mine.community)[2]
    assert check.done and not check.items
    world.sibling_unit.grid = None
    world.sibling_unit.save()
    check = checks(plan, world.mine.community)[2]
    assert not check.done
    assert [(u, missing) for u, missing in check.items] == [(world.sibling_unit, ["所在网格"])]


def test_ledger_counts_recorded_means_members_for_a_unit_with_a_party_org(plan, world):
    complete_ledger(world.mine.community)
    Unit.objects.filter(pk=world.unit.pk).update(members_direct=0, members_in_service=0, members_floating=0)
    check = checks(plan, world.mine.community)[2]
    assert not check.done and check.items[0][1] == ["党员人数"]
    # a unit without a party organisation may have no members: its zeros are the record
    Unit.objects.filter(pk=world.unit.pk).update(party_org_kind=Unit.PartyOrgKind.NONE)
    assert checks(plan, world.mine.community)[2].done


def test_ledger_of_a_community_without_units_is_not_complete(plan, world):
    check = checks(plan, world.sibling.community)[2]
    assert not check.done and check.missing


def test_inactive_units_do_not_count(plan, world):
    complete_ledger(world.mine.community)
    UnitFactory(community=world.mine.community, grid=None, is_active=False, deactivated_on=MARCH)
    assert checks(plan, world.mine.community)[2].done


def test_opinions_gathered_needs_an_opinion_and_the_gathering_closed(plan, world, secretary_user, liaison_user):
    document = services.plan_document_upload(
        actor=secretary_user, community=world.mine.community, title="陵园社区实施方案", file=pdf()
    )
    assert not checks(plan, world.mine.community)[3].done
    with pytest.raises(ValidationError):  # nobody commented yet
        services.plan_document_close_opinions(actor=secretary_user, document=document)
    services.plan_opinion_save(actor=liaison_user, document=document, unit=world.unit, text="建议增加停车位")
    assert not checks(plan, world.mine.community)[3].done  # still open
    services.plan_document_close_opinions(actor=secretary_user, document=document)
    assert checks(plan, world.mine.community)[3].done
    with pytest.raises(ValidationError):  # closed: no more opinions
        services.plan_opinion_save(actor=liaison_user, document=document, unit=world.unit, text="再补充")


def test_a_liaison_writes_only_their_own_units_opinion(plan, world, secretary_user, liaison_user):
    document = services.plan_document_upload(
        actor=secretary_user, community=world.mine.community, title="方案", file=pdf()
    )
    with pytest.raises(PermissionDenied):
        services.plan_opinion_save(actor=liaison_user, document=document, unit=world.sibling_unit, text="代写")
    services.plan_opinion_save(actor=liaison_user, document=document, unit=world.unit, text="第一稿")
    services.plan_opinion_save(actor=liaison_user, document=document, unit=world.unit, text="第二稿")
    assert list(document.opinions.values_list("text", flat=True)) == ["第二稿"]


def test_a_plan_document_must_be_a_real_file(plan, world, secretary_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError):
        services.plan_document_upload(
            actor=secretary_user,
            community=world.mine.community,
            title="方案",
            file=SimpleUploadedFile("方案.pdf", b"not a pdf"),
        )


# --- stage 4: pilot running and THE PILOT GATE ---------------------------------------------------------


def test_pilot_running_needs_posts_in_force_and_a_held_meeting(plan, world):
    community = world.mine.community
    assert "组建大党委" not in checks(plan, community)[4].missing
    run_committee(world.mine, held=False, in_force=False)
    missing = checks(plan, community)[4].missing
    assert "大党委职务经审批生效" in missing and "召开至少一次大党委会议" in missing
    run_committee(world.mine, held=True, in_force=False)
    missing = checks(plan, community)[4].missing
    assert "大党委职务经审批生效" in missing and "召开至少一次大党委会议" not in missing
    run_committee(world.mine, held=False, in_force=True)
    assert checks(plan, community)[4].missing == ["镇（街道）确认试点总结"]  # running; summary pending


def test_the_pilot_advances_to_stage_four_automatically(plan, world, secretary_user):
    through_stage_3(secretary_user, world.mine.community, world.unit)
    p = services.progress_refresh(community=world.mine.community, today=datetime.date(2030, 4, 2))
    assert p.stage == 4 and not p.stage_done
    reasons = list(StageChange.objects.filter(progress=p).order_by("pk").values_list("to_stage", "by", "reason"))
    assert [r[0] for r in reasons] == [1, 2, 3, 4]
    assert all(by is None and reason.startswith("自动：") for _s, by, reason in reasons)


def test_pilot_gate_holds_until_the_pilot_is_summarised(plan, world, township_user, secretary_user):
    sibling = world.sibling.community
    unit = UnitFactory(community=sibling)
    through_stage_3(township_user, sibling, unit)
    p = services.progress_refresh(community=sibling, today=datetime.date(2030, 5, 2))
    assert p.stage == 3 and p.stage_done  # waiting at the gate, not automatically past it
    assert "等待试点社区总结（试点先行）" in checks(plan, sibling)[4].missing
    with pytest.raises(ValidationError, match="试点先行"):
        services.stage_advance(actor=township_user, progress=p, reason="推进")
    with pytest.raises(ValidationError, match="试点先行"):
        services.stage_set(actor=township_user, progress=p, stage=5, reason="直接建章立制")
    assert progress(sibling).stage == 3
    # the pilot must be running before the township may mark it summarised
    with pytest.raises(ValidationError, match="试点社区尚未运行"):
        services.pilot_mark_summarised(actor=township_user, plan=plan, summary="试点经验")
    run_committee(world.mine)
    with pytest.raises(ValidationError):
        services.pilot_mark_summarised(actor=township_user, plan=plan, summary="  ")
    with pytest.raises(PermissionDenied):
        services.pilot_mark_summarised(actor=secretary_user, plan=plan, summary="试点经验")
    services.pilot_mark_summarised(actor=township_user, plan=plan, summary="试点经验：先建台账再议事")
    plan.refresh_from_db()
    assert plan.pilot_summarised and plan.pilot_summarised_by == township_user
    p = progress(sibling)
    assert p.stage == 4  # the gate opened: the waiting community started stage 4 at once
    change = StageChange.objects.get(progress=p, to_stage=4)
    assert change.by is None and change.reason.startswith("自动：")


def test_manual_stage_four_for_a_non_pilot_after_the_summary(plan, world, township_user):
    run_committee(world.mine)
    services.pilot_mark_summarised(actor=township_user, plan=plan, summary="总结")
    p = progress(world.sibling.community)
    p = services.stage_set(actor=township_user, progress=p, stage=4, reason="已线下完成前三阶段")
    assert p.stage == 4
    change = StageChange.objects.get(progress=p, to_stage=4)
    assert change.by == township_user and change.reason == "已线下完成前三阶段"
    assert p.history.first().history_user == township_user


def test_manual_changes_need_a_reason_and_township_staff(plan, world, township_user, secretary_user):
    p = progress(world.mine.community)
    with pytest.raises(ValidationError):
        services.stage_advance(actor=township_user, progress=p, reason="")
    with pytest.raises(PermissionDenied):
        services.stage_advance(actor=secretary_user, progress=p, reason="推进")
    p = services.stage_advance(actor=township_user, progress=p, reason="宣传已开展")
    assert p.stage == 1


def test_the_pilot_itself_is_not_gated(plan, world, township_user):
    p = services.stage_set(actor=township_user, progress=progress(world.mine.community), stage=4, reason="试点启动")
    assert p.stage == 4


def test_pilot_cannot_change_after_the_summary(plan, world, township_user):
    services.plan_set_pilot(actor=township_user, plan=plan, community=world.sibling.community)
    world.sibling.community.refresh_from_db()
    assert world.sibling.community.is_pilot
    services.plan_set_pilot(actor=township_user, plan=plan, community=world.mine.community)
    run_committee(world.mine)
    services.pilot_mark_summarised(actor=township_user, plan=plan, summary="总结")
    with pytest.raises(ValidationError):
        services.plan_set_pilot(actor=township_user, plan=plan, community=world.sibling.community)
    with pytest.raises(ValidationError):
        services.plan_set_pilot(actor=township_user, plan=plan, community=world.other.community)


# --- stage 5: the three rules approved in a held meeting ---------------------------------------------


def test_rules_need_all_three_kinds_approved_in_a_held_meeting(plan, world, secretary_user):
    community = world.mine.community
    held = MeetingFactory(committee=world.mine, status=Meeting.Status.HELD, held_on=MARCH)
    draft = MeetingFactory(committee=world.mine, status=Meeting.Status.DRAFT)
    docs = {
        kind: services.rule_document_upload(
            actor=secretary_user, community=community, kind=kind, title=label, file=pdf()
        )
        for kind, label in RuleDocument.Kind.choices
    }
    assert len(checks(plan, community)[5].missing) == 3
    with pytest.raises(ValidationError, match="尚未召开"):
        services.rule_document_approve(actor=secretary_user, document=docs["meeting"], meeting=draft)
    other_meeting = MeetingFactory(committee=world.sibling, status=Meeting.Status.HELD, held_on=MARCH)
    with pytest.raises(ValidationError, match="本社区"):
        services.rule_document_approve(actor=secretary_user, document=docs["meeting"], meeting=other_meeting)
    services.rule_document_approve(actor=secretary_user, document=docs["meeting"], meeting=held)
    services.rule_document_approve(actor=secretary_user, document=docs["deliberation"], meeting=held)
    assert checks(plan, community)[5].missing == ["“考核办法”经会议审议通过"]
    assert not checks(plan, community)[5].done
    services.rule_document_approve(actor=secretary_user, document=docs["assessment"], meeting=held)
    assert checks(plan, community)[5].done


def test_a_community_that_finished_stage_five_is_done_and_never_late(plan, world, township_user, secretary_user):
    community = world.mine.community
    meeting = run_committee(world.mine)  # its post's unit joins the ledger first
    through_stage_3(secretary_user, community, world.unit)
    services.pilot_mark_summarised(actor=township_user, plan=plan, summary="总结")
    for kind, label in RuleDocument.Kind.choices:
        services.rule_document_upload(
            actor=secretary_user, community=community, kind=kind, title=label, file=pdf(), approved_in=meeting
        )
    p = services.progress_refresh(community=community, today=datetime.date(2030, 12, 1))
    assert (p.stage, p.stage_done) == (5, True)
    status = selectors.community_stages(community_ids=[community.pk], today=datetime.date(2031, 6, 1))[community.pk]
    assert status.stage == 5 and not status.late


# --- lateness and the contract --------------------------------------------------------------------------


def test_lateness_against_planned_months_with_a_fixed_today(plan, world, township_user):
    mine, sibling = world.mine.community, world.sibling.community
    services.stage_set(actor=township_user, progress=progress(mine), stage=2, reason="开始摸底")
    # stage 2 planned for March: on 31 March not late, on 1 April late
    assert not selectors.community_stages(community_ids=[mine.pk], today=datetime.date(2030, 3, 31))[mine.pk].late
    status = selectors.community_stages(community_ids=[mine.pk, sibling.pk], today=datetime.date(2030, 4, 1))
    assert status[mine.pk].late and status[mine.pk].stage == 2
    assert status[mine.pk].label == "2 调查摸底，打好基础" and status[mine.pk].plan_id == plan.pk
    assert status[mine.pk].is_pilot
    # not started: late once stage 1 (Feb–Mar) is over
    assert status[sibling.pk].label == "未开始" and status[sibling.pk].late
    # moved months: stage 2 until May → not late in April
    services.plan_months_update(actor=township_user, plan=plan, months={2: (3, 5)})
    assert not selectors.community_stages(community_ids=[mine.pk], today=datetime.date(2030, 4, 1))[mine.pk].late


def test_rules_is_late_directly():
    months = {1: (2, 3), 4: (4, 11)}
    assert not rules.is_late(stage=4, done=False, months=months, year=2030, today=datetime.date(2030, 11, 30))
    assert rules.is_late(stage=4, done=False, months=months, year=2030, today=datetime.date(2030, 12, 1))
    assert not rules.is_late(stage=4, done=True, months=months, year=2030, today=datetime.date(2030, 12, 1))
    assert rules.is_late(stage=1, done=False, months=months, year=2029, today=datetime.date(2030, 1, 1))


def test_community_stages_without_a_plan(world):
    status = selectors.community_stages(community_ids=[world.other.community.pk])[world.other.community.pk]
    assert (status.stage, status.label, status.late, status.plan_id) == (0, "未开始", False, None)


def test_community_stages_runs_three_queries_for_any_number(plan, world, township_user, django_assert_num_queries):
    from tests.factories import CommunityFactory

    ids = [world.mine.community.pk, world.sibling.community.pk]
    with django_assert_num_queries(3):
        assert len(selectors.community_stages(community_ids=ids)) == 2
    more = [CommunityFactory(township=world.township).pk for _ in range(18)]
    for cid in more[:5]:
        services.progress_refresh(community=type(world.mine.community).objects.get(pk=cid))
    with django_assert_num_queries(3):
        assert len(selectors.community_stages(community_ids=ids + more)) == 20


def test_refresh_task_sweeps_every_planned_township(plan, world):
    from rollout.tasks import refresh

    assert refresh() == 2
