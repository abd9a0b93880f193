"""R21 joint scoring services: tasks per unit, combination rules, caps, recusal, deadlines,
immutability after finalisation, correction, release."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from assessment import scoring
from assessment import scoring_selectors as sel
from assessment.models import Round, ScoreCorrection, ScoreSheet, ScoringTask, TaskEvidence
from assessment.rules import combine
from committees.models import Post, Unit
from tests.factories import PostFactory, UnitFactory, UserFactory
from tests.matrix_builders import pdf

from .scoring_factories import (
    finalised,
    full_marks,
    indicators,
    make_round,
    scores_for,
    submit_both,
)

pytestmark = pytest.mark.django_db


# --- round and tasks ------------------------------------------------------------------------------


def test_round_generates_a_task_per_active_unit_of_the_county_with_the_right_sheet(world, admin_user):
    organ = UnitFactory(community=world.mine.community, unit_type=Unit.Type.ORGAN, name="县民政局")
    UnitFactory(community=world.mine.community, unit_type=Unit.Type.COMMUNITY_ORG, name="陵园社区党委")
    UnitFactory(
        community=world.mine.community, is_active=False, deactivated_on=datetime.date(2026, 1, 1), name="已停用单位"
    )
    rnd = make_round(admin_user, world)
    tasks = {t.unit.name: t.sheet.kind for t in rnd.tasks.select_related("unit", "sheet")}
    assert tasks == {"县供电公司": "units", "县第一中学": "units", "河西医院": "units", "县民政局": "departments"}
    assert organ.pk in set(rnd.tasks.values_list("unit_id", flat=True))
    # idempotent: called again it adds only the new unit
    UnitFactory(community=world.other.community, name="河西超市")
    assert scoring.round_tasks_generate(actor=admin_user, round=rnd) == 1
    assert scoring.round_tasks_generate(actor=admin_user, round=rnd) == 0
    assert rnd.tasks.count() == 5


def test_round_refuses_a_draft_scheme_and_a_second_round_of_the_year(world, admin_user):
    from tests.assessment.factories import scheme_with_sheets

    draft = scheme_with_sheets(admin_user, world.county, year=2030)
    with pytest.raises(ValidationError, match="已发布"):
        scoring.round_create(actor=admin_user, scheme=draft, title="x", self_report_deadline=datetime.date(2030, 6, 1))
    make_round(admin_user, world)
    with pytest.raises(ValidationError, match="已有评分轮次"):
        make_round(admin_user, world)
    assert Round.objects.count() == 1


def test_only_county_reviewers_of_the_county_are_county_scorers(world, admin_user, rnd, liaison_user):
    foreign = UserFactory(role=User.Role.COUNTY, county=world.foreign.community.township.county)
    with pytest.raises(ValidationError, match="不是本县"):
        scoring.round_scorer_add(actor=admin_user, round=rnd, user=foreign, body="county")
    with pytest.raises(ValidationError, match="联络员"):
        scoring.round_scorer_add(actor=admin_user, round=rnd, user=liaison_user, body="committee")


# --- who scores ---------------------------------------------------------------------------------


def test_scorer_body_comes_from_naming_or_the_units_scope_never_the_county_role(
    task, zzb, secretary_user, township_user, county_user, admin_user, liaison_user
):
    assert sel.scorer_body_for(secretary_user, task) == "committee"
    assert sel.scorer_body_for(township_user, task) == "committee"
    assert sel.scorer_body_for(zzb, task) == "county"
    assert sel.scorer_body_for(county_user, task) is None  # a county reviewer not named only reads
    assert sel.scorer_body_for(admin_user, task) is None
    assert sel.scorer_body_for(liaison_user, task) is None


def test_unnamed_county_reviewer_cannot_score(task, county_user):
    with pytest.raises(scoring.Refused):
        scoring.scoresheet_save(actor=county_user, task=task, scores=full_marks(task))


# --- R21 recusal --------------------------------------------------------------------------------


def test_recusal_own_unit_account(world, task, admin_user):
    """R21 recusal: a user whose account belongs to the unit is refused, even when named."""
    insider = UserFactory(role=User.Role.COUNTY, county=world.county, unit=world.unit)
    scoring.round_scorer_add(actor=admin_user, round=task.round, user=insider, body="county")
    assert sel.scorer_body_for(insider, task) is None
    with pytest.raises(scoring.Refused, match="回避"):
        scoring.scoresheet_save(actor=insider, task=task, scores=full_marks(task))
    assert not ScoreSheet.objects.exists()


def test_recusal_post_held_in_the_unit(world, task, secretary_user, zzb, admin_user):
    """R21 recusal: a secretary holding a committee post for the unit neither scores nor reviews it."""
    PostFactory(
        committee=world.mine,
        unit=world.unit,
        user=secretary_user,
        status=Post.Status.IN_FORCE,
        in_force_from=datetime.date(2024, 1, 2),
    )
    with pytest.raises(scoring.Refused, match="回避"):
        scoring.scoresheet_save(actor=secretary_user, task=task, scores=full_marks(task))
    other_task = ScoringTask.objects.get(round=task.round, unit=world.sibling_unit)
    assert sel.scorer_body_for(secretary_user, other_task) == "committee"  # only their own unit
    # the same rule for review: a named county scorer holding a post in the unit
    PostFactory(
        committee=world.mine,
        unit=world.unit,
        user=zzb,
        status=Post.Status.IN_FORCE,
        in_force_from=datetime.date(2024, 1, 2),
    )
    assert not sel.may_review(zzb, task)
    assert not sel.may_finalise(zzb, task)


def test_ended_post_no_longer_recuses(world, task, secretary_user):
    PostFactory(committee=world.mine, unit=world.unit, user=secretary_user, status=Post.Status.ENDED)
    assert sel.scorer_body_for(secretary_user, task) == "committee"


# --- scoring a sheet ------------------------------------------------------------------------------


def test_points_must_lie_within_each_items_max(task, secretary_user):
    scores = scores_for(task, 参加会议=41)
    with pytest.raises(ValidationError) as err:
        scoring.scoresheet_save(actor=secretary_user, task=task, scores=scores)
    ind = indicators(task)["参加会议"]
    assert "0 至 40 分" in str(err.value.message_dict[f"points_{ind.pk}"])
    assert not ScoreSheet.objects.exists()


def test_draft_keeps_partial_lines_and_submit_needs_every_item(task, secretary_user):
    ind = indicators(task)
    sheet = scoring.scoresheet_save(actor=secretary_user, task=task, scores={ind["参加会议"].pk: (Decimal("30"), "")})
    assert sheet.status == "draft" and sheet.lines.count() == 1 and sheet.total is None
    with pytest.raises(ValidationError, match="请为"):
        scoring.scoresheet_save(
            actor=secretary_user, task=task, scores={ind["参加会议"].pk: (Decimal("30"), "")}, submit=True
        )


def test_bonus_and_deduction_caps_through_the_service(task, secretary_user, zzb):
    """R21: a bonus or deduction item is entered as its accumulated points (``max_points`` per
    occurrence), up to its limit: 获上级表彰 1 per award, 3 at most; 志愿服务 up to 2; 违反 up to 3."""
    scores = scores_for(task, 参加会议=40, 认领项目=50, 获上级表彰=3, 志愿服务=2, 违反共建协议=3)
    sheet = scoring.scoresheet_save(actor=secretary_user, task=task, scores=scores, submit=True)
    assert sheet.total == Decimal("92.00")  # 40 + 50 + 3 + 2 − 3
    sheet = scoring.scoresheet_save(
        actor=zzb, task=task, scores=scores_for(task, 参加会议=40, 认领项目=60), submit=True
    )
    assert sheet.total == Decimal("100.00")
    task.refresh_from_db()
    assert task.status == "submitted"
    assert (task.committee_total, task.county_total) == (Decimal("92.00"), Decimal("100.00"))


def test_bonus_beyond_its_limit_is_refused(task, secretary_user):
    """R21: 志愿服务 (limit 2) given 5 is refused with the range, nothing saved."""
    scores = scores_for(task, 参加会议=40, 认领项目=50, 获上级表彰=1, 志愿服务=5, 违反共建协议=0)
    with pytest.raises(ValidationError, match="0 至 2 分"):
        scoring.scoresheet_save(actor=secretary_user, task=task, scores=scores, submit=True)
    assert not ScoreSheet.objects.filter(task=task).exists()


def test_a_submitted_sheet_is_locked_until_returned(task, secretary_user, zzb, admin_user):
    scoring.scoresheet_save(actor=secretary_user, task=task, scores=full_marks(task), submit=True)
    with pytest.raises(ValidationError, match="已提交"):
        scoring.scoresheet_save(actor=secretary_user, task=task, scores=full_marks(task, 5))
    sheet = ScoreSheet.objects.get(task=task, body="committee")
    with pytest.raises(ValidationError, match="退回理由"):
        scoring.scoresheet_return(actor=admin_user, sheet=sheet, reason=" ")
    scoring.scoresheet_return(actor=admin_user, sheet=sheet, reason="佐证材料不足")
    sheet.refresh_from_db()
    assert sheet.status == "draft" and sheet.total is None
    assert sheet.history.first().history_change_reason == "退回：佐证材料不足"
    scoring.scoresheet_save(actor=secretary_user, task=task, scores=full_marks(task, 5), submit=True)
    assert ScoreSheet.objects.get(task=task, body="committee").total == Decimal("95.00")


def test_a_suggestion_needs_a_reason_to_be_overridden(task, secretary_user, monkeypatch):
    from assessment import evidence

    ind = indicators(task)["参加会议"]

    def fake(*, task, indicators):
        return {ind.pk: evidence.Suggestion(points=Decimal("30"), text="参加会议 3/4 次 → 30/40 分")}

    monkeypatch.setattr(evidence, "suggestions_for", fake)
    scores = full_marks(task)
    with pytest.raises(ValidationError) as err:
        scoring.scoresheet_save(actor=secretary_user, task=task, scores=scores)
    assert "请说明理由" in str(err.value.message_dict[f"reason_{ind.pk}"])
    scores[ind.pk] = (Decimal("40"), "另有两次专题会议未录入")
    sheet = scoring.scoresheet_save(actor=secretary_user, task=task, scores=scores)
    line = sheet.lines.get(indicator=ind)
    assert (line.suggested, line.suggestion_text, line.reason) == (
        Decimal("30.00"),
        "参加会议 3/4 次 → 30/40 分",
        "另有两次专题会议未录入",
    )
    # agreeing with the suggestion needs no reason
    scores[ind.pk] = (Decimal("30"), "")
    scoring.scoresheet_save(actor=secretary_user, task=task, scores=scores)


# --- combination rules (R21) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "weight", "expected", "grade"),
    [
        ("average", "0.50", "92.50", "良好"),
        ("min", "0.50", "90.00", "良好"),
        ("max", "0.50", "95.00", "优秀"),
        ("weighted", "0.70", "91.50", "良好"),
    ],
)
def test_finalise_combines_by_the_rounds_rule(world, admin_user, zzb, secretary_user, rule, weight, expected, grade):
    """R21 combination rules: average (default), min, max, weighted; grade and conversion follow."""
    rnd = make_round(admin_user, world, county_scorers=[zzb], combination=rule, weight=Decimal(weight))
    task = rnd.tasks.get(unit=world.unit)
    task = finalised(task, committee=secretary_user, county=zzb, admin=admin_user, committee_minus=10, county_minus=5)
    assert task.status == "finalised"
    assert task.final_score == Decimal(expected) == combine(Decimal("90"), Decimal("95"), rule, Decimal(weight))
    assert task.grade == grade
    assert task.converted == (Decimal(expected) * Decimal("0.2")).quantize(Decimal("0.01"))
    assert task.finalised_by == admin_user


def test_review_and_finalise_order_and_who(task, secretary_user, zzb, county_user, township_user, admin_user):
    with pytest.raises(ValidationError, match="两方评分"):
        scoring.task_review(actor=admin_user, task=task)
    submit_both(
        task, committee=secretary_user, county=zzb, committee_scores=full_marks(task), county_scores=full_marks(task)
    )
    with pytest.raises(ValidationError, match="审核后"):
        scoring.task_finalise(actor=admin_user, task=task)
    with pytest.raises(scoring.Refused):
        scoring.task_review(actor=county_user, task=task)  # not named: reads only
    with pytest.raises(scoring.Refused):
        scoring.task_review(actor=secretary_user, task=task)
    scoring.task_review(actor=township_user, task=task)
    with pytest.raises(scoring.Refused):
        scoring.task_finalise(actor=township_user, task=task)
    task = scoring.task_finalise(actor=zzb, task=task)
    assert task.final_score == Decimal("100.00") and task.grade == "优秀"
    actions = [h.history_change_reason for h in task.history.order_by("history_date")]
    assert actions[-3:] == ["两方评分均已提交", "审核", "定分"]


# --- immutability and correction (R21) ----------------------------------------------------------


@pytest.fixture
def done(task, secretary_user, zzb, admin_user):
    return finalised(task, committee=secretary_user, county=zzb, admin=admin_user, committee_minus=10)


def test_finalised_score_is_immutable(done, secretary_user, zzb, admin_user, liaison_user):
    """R21: after finalisation every service refuses; only a correction changes the score."""
    sheet = ScoreSheet.objects.get(task=done, body="committee")
    with pytest.raises(ValidationError, match="已定分"):
        scoring.scoresheet_save(actor=secretary_user, task=done, scores=full_marks(done))
    with pytest.raises(ValidationError, match="已定分"):
        scoring.scoresheet_return(actor=admin_user, sheet=sheet, reason="重评")
    with pytest.raises(ValidationError, match="已定分"):
        scoring.task_review(actor=admin_user, task=done)
    with pytest.raises(ValidationError, match="已定分"):
        scoring.task_finalise(actor=admin_user, task=done)
    with pytest.raises(ValidationError, match="已定分"):
        scoring.task_self_report_save(actor=liaison_user, task=done, text="补充")
    done.refresh_from_db()
    assert done.final_score == Decimal("95.00")


def test_correction_needs_a_reason_and_recomputes_grade_and_conversion(done, admin_user, secretary_user):
    with pytest.raises(ValidationError, match="理由"):
        scoring.task_correct(actor=admin_user, task=done, new_score=Decimal("80"), reason="  ")
    with pytest.raises(scoring.Refused):
        scoring.task_correct(actor=secretary_user, task=done, new_score=Decimal("80"), reason="x")
    with pytest.raises(ValidationError, match="0 至 105"):
        scoring.task_correct(actor=admin_user, task=done, new_score=Decimal("120"), reason="x")
    correction = scoring.task_correct(actor=admin_user, task=done, new_score=Decimal("84"), reason="复核发现重复计分")
    done.refresh_from_db()
    assert (done.final_score, done.grade, done.converted) == (Decimal("84.00"), "合格", Decimal("16.80"))
    assert (correction.old_score, correction.old_grade, correction.new_grade) == (Decimal("95.00"), "优秀", "合格")
    assert ScoreCorrection.objects.get().corrected_by == admin_user
    assert done.history.first().history_change_reason == "更正：复核发现重复计分"
    assert done.history.filter(final_score=Decimal("95.00")).exists()  # the old value is kept


def test_correction_only_after_finalisation(task, admin_user):
    with pytest.raises(ValidationError, match="定分后"):
        scoring.task_correct(actor=admin_user, task=task, new_score=Decimal("80"), reason="x")


# --- release ------------------------------------------------------------------------------------


def test_release_gate_counts_the_tasks_not_finalised(done, admin_user, secretary_user):
    rnd = done.round
    with pytest.raises(ValidationError, match="尚有 2 个单位未定分"):
        scoring.round_release(actor=admin_user, round=rnd)
    with pytest.raises(scoring.Refused):
        scoring.round_release(actor=secretary_user, round=rnd)
    ScoringTask.objects.filter(round=rnd).exclude(pk=done.pk).delete()
    rnd = scoring.round_release(actor=admin_user, round=rnd)
    assert rnd.is_released and rnd.released_by == admin_user
    with pytest.raises(ValidationError, match="已发布"):
        scoring.round_release(actor=admin_user, round=rnd)


def test_a_liaison_sees_only_their_own_released_sheet(done, admin_user, liaison_user, world):
    """R21: a liaison sees their own task always, its scores only after release, and no other."""
    visible = ScoringTask.objects.filter(sel.task_visible_q(liaison_user))
    assert list(visible) == [done]
    assert not ScoringTask.objects.filter(sel.task_scores_visible_q(liaison_user)).exists()
    ScoringTask.objects.filter(round=done.round).exclude(pk=done.pk).delete()
    scoring.round_release(actor=admin_user, round=done.round)
    assert list(ScoringTask.objects.filter(sel.task_scores_visible_q(liaison_user))) == [done]


# --- self-report and evidence -------------------------------------------------------------------


def test_self_report_and_evidence_until_the_deadline(task, liaison_user, secretary_user):
    scoring.task_self_report_save(actor=liaison_user, task=task, text="全年参加大党委会议4次。")
    item = scoring.task_evidence_add(actor=liaison_user, task=task, title="会议签到表", file=pdf())
    task.refresh_from_db()
    assert task.self_report == "全年参加大党委会议4次。" and task.self_report_at
    with pytest.raises(scoring.Refused):
        scoring.task_self_report_save(actor=secretary_user, task=task, text="代写")
    Round.objects.filter(pk=task.round_id).update(
        self_report_deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    task = ScoringTask.objects.get(pk=task.pk)
    with pytest.raises(ValidationError, match="自评截止日期"):
        scoring.task_self_report_save(actor=liaison_user, task=task, text="补充")
    with pytest.raises(ValidationError, match="自评截止日期"):
        scoring.task_evidence_add(actor=liaison_user, task=task, title="补充", file=pdf())
    with pytest.raises(ValidationError, match="自评截止日期"):
        scoring.task_evidence_delete(actor=liaison_user, evidence=item)
    assert TaskEvidence.objects.count() == 1


def test_evidence_upload_is_validated(task, liaison_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("签到表.pdf", b"not a pdf")
    with pytest.raises(ValidationError, match="不符"):
        scoring.task_evidence_add(actor=liaison_user, task=task, title="签到表", file=bad)
    assert not TaskEvidence.objects.exists()
