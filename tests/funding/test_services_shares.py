"""Share plans (R23.1; issue #5 §2): largest remainder, activation only by a passed resolution of
the same committee, changes through a new plan and a new resolution, the old plan kept."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from funding import selectors, services
from funding.models import ShareLine, SharePlan
from funding.services import ShareInput
from meetings.models import Motion

from .factories import MeetingFactory, decide, resolution_for

D = Decimal
pytestmark = pytest.mark.django_db
DUE = datetime.date(2026, 3, 31)


def _draft(actor, fy, lines, total="10000.00"):
    return services.share_plan_create(actor=actor, fiscal_year=fy, total=D(total), due_on=DUE, lines=lines)


def _pct(units, values):
    return [ShareInput(unit=u, kind="percent", value=D(v)) for u, v in zip(units, values, strict=True)]


class TestComputation:
    def test_percentages_use_largest_remainder_and_show_the_rounding(self, fy, units, secretary_user):
        plan = _draft(secretary_user, fy, _pct(units, ["33.3334", "33.3333", "33.3333"]), total="100.00")
        lines = selectors.share_lines(plan=plan)
        assert sum(ln.amount for ln in lines) == D("100.00")
        by_unit = {ln.unit: ln for ln in lines}
        assert by_unit[units[0]].amount == D("33.34")
        assert by_unit[units[0]].exact == D("33.33340000")
        assert by_unit[units[1]].amount == D("33.33")
        assert by_unit[units[1]].adjustment == D("-0.00330000")  # 33.33 − 33.3333

    def test_fixed_amounts_then_percentages_of_the_rest(self, fy, units, secretary_user):
        lines = [
            ShareInput(unit=units[0], kind="fixed", value=D("5000.00")),
            *_pct(units[1:], ["50", "50"]),
        ]
        plan = _draft(secretary_user, fy, lines, total="10000.01")
        amounts = {ln.unit: ln.amount for ln in plan.lines.all()}
        assert amounts[units[0]] == D("5000.00")
        assert sorted([amounts[units[1]], amounts[units[2]]]) == [D("2500.00"), D("2500.01")]
        assert sum(amounts.values()) == D("10000.01")

    @pytest.mark.parametrize(
        ("lines", "total", "message"),
        [
            ([("percent", "50"), ("percent", "40")], "100.00", "100%"),
            ([("fixed", "60.00"), ("fixed", "30.00")], "100.00", "不一致"),
            ([("fixed", "160.00"), ("percent", "100")], "100.00", "超过"),
            ([("percent", "0")], "100.00", "大于0"),
            ([("percent", "101")], "100.00", "不超过100"),
            ([("fixed", "-1.00")], "-1.00", "负数"),
        ],
    )
    def test_bad_plans_are_refused(self, fy, units, secretary_user, lines, total, message):
        inputs = [ShareInput(unit=units[i], kind=k, value=D(v)) for i, (k, v) in enumerate(lines)]
        with pytest.raises(ValidationError) as exc:
            _draft(secretary_user, fy, inputs, total=total)
        assert message in " ".join(exc.value.messages)
        assert not SharePlan.objects.exists()

    def test_a_unit_once_and_only_units_of_the_community(self, fy, units, world, secretary_user):
        with pytest.raises(ValidationError, match="只能出现一次"):
            _draft(secretary_user, fy, _pct([units[0], units[0]], ["50", "50"]))
        with pytest.raises(ValidationError, match="不是本社区"):
            _draft(secretary_user, fy, _pct([units[0], world.other_unit], ["50", "50"]))


class TestActivation:
    """R23.1 (issue #11 item 12): a plan is activated only by the passed resolution formed from the
    motion made from that plan; an unrelated resolution cannot fund it."""

    def test_r23_activation_refused_before_the_plan_is_put_to_a_meeting(self, fy, units, secretary_user):
        plan = _draft(secretary_user, fy, _pct(units, ["50", "25", "25"]))
        with pytest.raises(ValidationError) as exc:
            services.share_plan_activate(actor=secretary_user, plan=plan)
        assert exc.value.error_dict["resolution"][0].code == "no_motion"
        assert "尚未提交大党委会议表决" in exc.value.messages[0]
        plan.refresh_from_db()
        assert plan.status == SharePlan.Status.DRAFT and plan.resolution is None

    def test_r23_the_motion_is_made_from_the_plan_and_names_it_and_its_year(self, fy, units, world, secretary_user):
        plan = _draft(secretary_user, fy, _pct(units, ["50", "25", "25"]))
        meeting = MeetingFactory(committee=world.mine)
        motion = services.share_plan_propose(actor=secretary_user, plan=plan, meeting=meeting)
        plan.refresh_from_db()
        assert plan.motion == motion and motion.meeting == meeting
        assert "2026年度" in motion.title and "第1版" in motion.title
        assert "10000.00" in motion.text and units[0].name in motion.text
        with pytest.raises(ValidationError) as exc:  # once is enough while it is pending
            services.share_plan_propose(actor=secretary_user, plan=plan, meeting=meeting)
        assert exc.value.code == "already_proposed"
        assert Motion.objects.filter(meeting=meeting).count() == 1

    def test_r23_an_unrelated_passed_resolution_cannot_fund_the_plan(
        self, fy, units, secretary_user, passed_resolution
    ):
        plan = _draft(secretary_user, fy, _pct(units, ["50", "25", "25"]))
        decide(plan, secretary_user, resolve=False)  # its own motion passed, no resolution yet
        with pytest.raises(ValidationError) as exc:
            services.share_plan_link_resolution(actor=secretary_user, plan=plan, resolution=passed_resolution)
        assert exc.value.error_dict["resolution"][0].code == "resolution_not_for_plan"
        assert "只能依据由本方案提交表决并通过的决议生效" in exc.value.messages[0]
        with pytest.raises(ValidationError) as exc:
            services.share_plan_activate(actor=secretary_user, plan=plan)
        assert exc.value.error_dict["resolution"][0].code == "no_resolution"
        plan.refresh_from_db()
        assert plan.status == SharePlan.Status.DRAFT and plan.resolution is None

    def test_r23_a_failed_motion_cannot_decide_a_plan_and_the_draft_may_be_proposed_again(
        self, fy, units, world, secretary_user
    ):
        plan = _draft(secretary_user, fy, _pct(units, ["50", "25", "25"]))
        decide(plan, secretary_user, passed=False)
        with pytest.raises(ValidationError) as exc:
            services.share_plan_activate(actor=secretary_user, plan=plan)
        assert exc.value.error_dict["resolution"][0].code == "no_resolution"
        services.share_plan_update(
            actor=secretary_user, plan=plan, total=D("9000.00"), due_on=DUE, lines=_pct(units, ["50", "25", "25"])
        )
        plan.refresh_from_db()
        assert plan.motion is None  # the failed vote stays in its meeting
        decide(plan, secretary_user)
        assert services.share_plan_activate(actor=secretary_user, plan=plan).status == SharePlan.Status.ACTIVE

    def test_r23_another_committees_meeting_cannot_vote_on_the_plan(self, fy, units, world, secretary_user):
        plan = _draft(secretary_user, fy, _pct(units, ["50", "25", "25"]))
        with pytest.raises(ValidationError) as exc:
            services.share_plan_propose(
                actor=secretary_user, plan=plan, meeting=MeetingFactory(committee=world.sibling)
            )
        assert exc.value.error_dict["meeting"][0].code == "foreign_meeting"
        plan.refresh_from_db()
        assert plan.motion is None and not Motion.objects.exists()

    def test_r23_a_motion_failed_after_the_resolution_still_blocks_activation(self, fy, units, secretary_user):
        plan = _draft(secretary_user, fy, _pct(units, ["50", "25", "25"]))
        resolution = decide(plan, secretary_user)
        Motion.objects.filter(pk=resolution.motion_id).update(passed=False)
        with pytest.raises(ValidationError):
            services.share_plan_activate(actor=secretary_user, plan=plan)
        plan.refresh_from_db()
        assert plan.status == SharePlan.Status.DRAFT

    def test_r23_activation_by_the_plans_own_resolution(self, active_plan):
        assert active_plan.status == SharePlan.Status.ACTIVE
        assert active_plan.resolution.motion_id == active_plan.motion_id
        assert active_plan.activated_at is not None

    def test_r23_a_pending_motion_follows_an_edit_of_the_draft(self, fy, units, world, secretary_user):
        plan = _draft(secretary_user, fy, _pct(units, ["50", "25", "25"]))
        motion = services.share_plan_propose(
            actor=secretary_user, plan=plan, meeting=MeetingFactory(committee=world.mine)
        )
        services.share_plan_update(
            actor=secretary_user, plan=plan, total=D("20000.00"), due_on=DUE, lines=_pct(units, ["50", "25", "25"])
        )
        motion.refresh_from_db()
        assert "20000.00" in motion.text

    def test_r23_a_draft_under_vote_is_frozen(self, fy, units, world, secretary_user):
        plan = _draft(secretary_user, fy, _pct(units, ["50", "25", "25"]))
        motion = services.share_plan_propose(
            actor=secretary_user, plan=plan, meeting=MeetingFactory(committee=world.mine)
        )
        Motion.objects.filter(pk=motion.pk).update(status=Motion.Status.OPEN)
        with pytest.raises(ValidationError) as exc:
            services.share_plan_update(
                actor=secretary_user, plan=plan, total=D("1.00"), due_on=DUE, lines=_pct(units[:1], ["100"])
            )
        assert exc.value.code == "plan_voted"
        plan.refresh_from_db()
        assert plan.total == D("10000.00")

    def test_an_active_plan_is_not_edited(self, active_plan, units, secretary_user):
        with pytest.raises(ValidationError) as exc:
            services.share_plan_update(
                actor=secretary_user, plan=active_plan, total=D("1.00"), due_on=DUE, lines=_pct(units[:1], ["100"])
            )
        assert exc.value.code == "plan_not_draft"

    def test_changing_an_active_plan_needs_a_new_resolution_and_keeps_the_old(
        self, active_plan, units, world, secretary_user
    ):
        draft = services.share_plan_revise(actor=secretary_user, plan=active_plan)
        assert draft.version == 2 and draft.supersedes == active_plan and draft.status == "draft"
        assert services.share_plan_revise(actor=secretary_user, plan=active_plan) == draft  # one revision at a time
        services.share_plan_update(
            actor=secretary_user, plan=draft, total=D("12000.00"), due_on=DUE, lines=_pct(units, ["40", "30", "30"])
        )
        with pytest.raises(ValidationError) as exc:  # the old resolution decided the old plan
            services.share_plan_link_resolution(actor=secretary_user, plan=draft, resolution=active_plan.resolution)
        assert exc.value.error_dict["resolution"][0].code == "no_motion"
        # the plan in force stays in force until the new one is decided
        assert selectors.share_status(fiscal_year=active_plan.fiscal_year).plan == active_plan
        decide(draft, secretary_user)
        services.share_plan_activate(actor=secretary_user, plan=draft)
        active_plan.refresh_from_db()
        assert active_plan.status == SharePlan.Status.SUPERSEDED
        assert ShareLine.objects.filter(plan=active_plan).count() == 3  # the old plan is kept whole
        status = selectors.share_status(fiscal_year=active_plan.fiscal_year)
        assert status.plan == draft and status.due == D("12000.00")
        history = [h.status for h in active_plan.history.order_by("history_date")]
        assert history[-1] == "superseded"

    def test_the_database_allows_one_active_plan_per_year(self, active_plan, secretary_user):
        with pytest.raises(IntegrityError), transaction.atomic():
            SharePlan.objects.create(
                fiscal_year=active_plan.fiscal_year,
                version=9,
                total=D("1.00"),
                due_on=DUE,
                status="active",
                resolution=resolution_for(active_plan.fiscal_year.committee),
                decision_unverified=True,
                activated_at=active_plan.activated_at,
            )

    def test_the_database_refuses_an_active_plan_without_resolution(self, fy):
        with pytest.raises(IntegrityError), transaction.atomic():
            SharePlan.objects.create(fiscal_year=fy, total=D("1.00"), due_on=DUE, status="active")

    def test_r23_the_database_refuses_a_plan_in_force_without_its_own_motion(self, fy):
        with pytest.raises(IntegrityError), transaction.atomic():
            SharePlan.objects.create(
                fiscal_year=fy,
                total=D("1.00"),
                due_on=DUE,
                status="active",
                resolution=resolution_for(fy.committee),
                activated_at=timezone.now(),
            )
        assert not SharePlan.objects.exists()
