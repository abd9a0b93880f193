"""Share plans (R23.1; issue #5 §2): largest remainder, activation only by a passed resolution of
the same committee, changes through a new plan and a new resolution, the old plan kept."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from funding import selectors, services
from funding.models import ShareLine, SharePlan
from funding.services import ShareInput

from .factories import resolution_for

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
    def test_activation_refused_without_a_resolution(self, fy, units, secretary_user):
        plan = _draft(secretary_user, fy, _pct(units, ["50", "25", "25"]))
        with pytest.raises(ValidationError) as exc:
            services.share_plan_activate(actor=secretary_user, plan=plan)
        assert exc.value.error_dict["resolution"][0].code == "no_resolution"
        plan.refresh_from_db()
        assert plan.status == SharePlan.Status.DRAFT

    def test_a_failed_motion_cannot_decide_a_plan(self, fy, units, world, secretary_user):
        plan = _draft(secretary_user, fy, _pct(units, ["50", "25", "25"]))
        failed = resolution_for(world.mine, passed=False)
        with pytest.raises(ValidationError) as exc:
            services.share_plan_link_resolution(actor=secretary_user, plan=plan, resolution=failed)
        assert exc.value.error_dict["resolution"][0].code == "resolution_not_passed"

    def test_a_resolution_without_a_vote_is_not_a_passed_one(self, fy, units, world, secretary_user):
        from meetings.models import Resolution

        plan = _draft(secretary_user, fy, _pct(units, ["50", "25", "25"]))
        bare = Resolution.objects.create(meeting=resolution_for(world.mine).meeting, text="口头议定")
        with pytest.raises(ValidationError):
            services.share_plan_link_resolution(actor=secretary_user, plan=plan, resolution=bare)

    def test_another_committees_resolution_is_refused(self, fy, units, world, secretary_user):
        plan = _draft(secretary_user, fy, _pct(units, ["50", "25", "25"]))
        foreign = resolution_for(world.sibling, passed=True)
        with pytest.raises(ValidationError) as exc:
            services.share_plan_link_resolution(actor=secretary_user, plan=plan, resolution=foreign)
        assert exc.value.error_dict["resolution"][0].code == "foreign_resolution"

    def test_a_motion_failed_after_linking_still_blocks_activation(self, fy, units, secretary_user, passed_resolution):
        plan = _draft(secretary_user, fy, _pct(units, ["50", "25", "25"]))
        services.share_plan_link_resolution(actor=secretary_user, plan=plan, resolution=passed_resolution)
        passed_resolution.motion.passed = False
        passed_resolution.motion.save()
        with pytest.raises(ValidationError):
            services.share_plan_activate(actor=secretary_user, plan=plan)

    def test_activation_with_a_passed_resolution(self, active_plan, passed_resolution):
        assert active_plan.status == SharePlan.Status.ACTIVE
        assert active_plan.resolution == passed_resolution
        assert active_plan.activated_at is not None

    def test_an_active_plan_is_not_edited(self, active_plan, units, secretary_user):
        with pytest.raises(ValidationError) as exc:
            services.share_plan_update(
                actor=secretary_user, plan=active_plan, total=D("1.00"), due_on=DUE, lines=_pct(units[:1], ["100"])
            )
        assert exc.value.code == "plan_not_draft"

    def test_changing_an_active_plan_needs_a_new_resolution_and_keeps_the_old(
        self, active_plan, units, world, secretary_user, passed_resolution
    ):
        draft = services.share_plan_revise(actor=secretary_user, plan=active_plan)
        assert draft.version == 2 and draft.supersedes == active_plan and draft.status == "draft"
        assert services.share_plan_revise(actor=secretary_user, plan=active_plan) == draft  # one revision at a time
        services.share_plan_update(
            actor=secretary_user, plan=draft, total=D("12000.00"), due_on=DUE, lines=_pct(units, ["40", "30", "30"])
        )
        with pytest.raises(ValidationError) as exc:  # the old resolution decided the old plan
            services.share_plan_link_resolution(actor=secretary_user, plan=draft, resolution=passed_resolution)
        assert exc.value.error_dict["resolution"][0].code == "resolution_used"
        # the plan in force stays in force until the new one is decided
        assert selectors.share_status(fiscal_year=active_plan.fiscal_year).plan == active_plan
        services.share_plan_link_resolution(
            actor=secretary_user, plan=draft, resolution=resolution_for(world.mine, text="调整出资分摊方案")
        )
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
                activated_at=active_plan.activated_at,
            )

    def test_the_database_refuses_an_active_plan_without_resolution(self, fy):
        with pytest.raises(IntegrityError), transaction.atomic():
            SharePlan.objects.create(fiscal_year=fy, total=D("1.00"), due_on=DUE, status="active")

    def test_editing_a_draft_unlinks_its_resolution(self, fy, units, secretary_user, passed_resolution):
        plan = _draft(secretary_user, fy, _pct(units, ["50", "25", "25"]))
        services.share_plan_link_resolution(actor=secretary_user, plan=plan, resolution=passed_resolution)
        services.share_plan_update(
            actor=secretary_user, plan=plan, total=D("20000.00"), due_on=DUE, lines=_pct(units, ["50", "25", "25"])
        )
        plan.refresh_from_db()
        assert plan.resolution is None
