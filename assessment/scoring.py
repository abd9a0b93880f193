"""Every write of the R21 joint scoring rounds (双百分联合评分).

A round per county and year on a published scheme; one task per unit; the unit's liaison writes a
self-report and attaches evidence before the deadline; the committee's body and the county
organisation department's body each fill and submit one sheet; review (审核), then finalisation
(定分) combines the two totals by the round's stated rule, grades and converts the score; release
(发布结果) lets units see their own sheet. A finalised score changes only through a recorded
correction (更正) with a reason. Nobody scores or reviews the task of their own unit (recusal).
Every step goes through ``save_audited`` so the history shows who did what when.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from committees.models import Unit
from common.permissions import role_of
from common.services import apply_changes
from common.services import save_audited as _save
from common.text import inner_quotes
from common.uploads import validate_upload
from inbox.models import Message
from inbox.services import message_enqueue

from . import evidence as evidence_mod
from .models import (
    FunctionalDepartment,
    Indicator,
    Round,
    RoundScorer,
    Scheme,
    ScoreCorrection,
    ScoreLine,
    ScoreSheet,
    ScoringTask,
    Sheet,
    TaskEvidence,
)
from .rules import FULL_MARKS, combine, convert, grade_for, plain, quantise, sheet_total
from .scoring_selectors import (
    is_recused,
    may_finalise,
    may_manage_rounds,
    may_review,
    may_self_report,
    scorer_body_for,
)

EVIDENCE_TYPES = ("pdf", "png", "jpg", "jpeg", "docx", "xlsx")


class Refused(PermissionDenied):
    """A refusal the page explains (403 with the message)."""


def _recusal_message() -> str:
    return _("回避：您属于该单位（本单位账号或在该单位任职），不能对本单位评分或审核。")


def _refuse_recused(user, task) -> None:
    """R21 recusal: a unit is never scored or reviewed by its own people."""
    if is_recused(user, task):
        raise Refused(_recusal_message())


def _require_admin(actor) -> None:
    if not may_manage_rounds(actor):
        raise Refused(_("只有系统管理员可以进行此操作。"))


def _lock(task: ScoringTask) -> ScoringTask:
    # Lock the task row only: a functional department's task has no unit, and PostgreSQL cannot
    # lock the nullable side of the outer join that select_related("unit__community") makes.
    return (
        ScoringTask.objects.select_for_update(of=("self",))
        .select_related("round__scheme", "unit__community")
        .get(pk=task.pk)
    )


def _refuse_finalised(task: ScoringTask) -> None:
    """R21: a finalised score is locked; only a correction changes it."""
    if task.status == ScoringTask.Status.FINALISED:
        raise ValidationError(_("该单位已定分，得分不可再修改；如需调整，请登记更正并说明理由。"))


# --- rounds -------------------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    actor,
    scheme: Scheme,
    title: str,
    self_report_deadline,
    scoring_deadline=None,
    combination: str = Round.Combination.AVERAGE,
    committee_weight: Decimal = Decimal("0.50"),
    county_scorers=(),
    committee_scorers=(),
) -> Round:
    """R21: a round of the scheme's county and year, its scorers named and one task per unit."""
    _require_admin(actor)
    if not scheme.is_published:
        raise ValidationError({"scheme": _("只能对已发布的考核方案开展评分。")})
    if scheme.is_refinement:
        raise ValidationError({"scheme": _("评分轮次须基于县级考核方案；镇（街道）细化方案自动用于本镇单位。")})
    if scoring_deadline and scoring_deadline < self_report_deadline:
        raise ValidationError({"scoring_deadline": _("评分截止日期不能早于自评截止日期。")})
    rnd = Round(
        scheme=scheme,
        county_id=scheme.county_id,
        year=scheme.year,
        title=title.strip(),
        self_report_deadline=self_report_deadline,
        scoring_deadline=scoring_deadline,
        combination=combination,
        committee_weight=committee_weight,
    )
    if Round.objects.filter(county_id=scheme.county_id, year=scheme.year).exists():
        raise ValidationError({"scheme": _("该县（区）本年度已有评分轮次。")})
    try:
        with transaction.atomic():
            _save(rnd, actor)
    except IntegrityError as exc:
        raise ValidationError({"scheme": _("该县（区）本年度已有评分轮次。")}) from exc
    for user in county_scorers:
        round_scorer_add(actor=actor, round=rnd, user=user, body=RoundScorer.Body.COUNTY)
    for user in committee_scorers:
        round_scorer_add(actor=actor, round=rnd, user=user, body=RoundScorer.Body.COMMITTEE)
    round_tasks_generate(actor=actor, round=rnd)
    return rnd


ROUND_FIELDS = ("title", "self_report_deadline", "scoring_deadline", "combination", "committee_weight")


@transaction.atomic
def round_update(*, actor, round: Round, **fields) -> Round:
    """The administrator edits a round until its results are released: the name and the
    deadlines (e.g. extends the scoring deadline); the combination rule and the committee's
    weight only while no task is finalised (a finalised score was combined by the old rule, R21)."""
    _require_admin(actor)
    rnd = Round.objects.select_for_update(of=("self",)).get(pk=round.pk)
    _refuse_released(rnd)
    if "title" in fields:
        fields["title"] = (fields["title"] or "").strip()
    changed = apply_changes(rnd, fields, ROUND_FIELDS)
    rule_changed = [f for f in changed if f in ("combination", "committee_weight")]
    if rule_changed and rnd.tasks.filter(status=ScoringTask.Status.FINALISED).exists():
        raise ValidationError(
            {
                "combination": _(
                    "本轮已有单位定分，合成规则和权重不能再修改（已定分的得分是按原规则合成的）；如需调整，请登记更正。"
                )
            }
        )
    if rnd.scoring_deadline and rnd.scoring_deadline < rnd.self_report_deadline:
        raise ValidationError({"scoring_deadline": _("评分截止日期不能早于自评截止日期。")})
    if changed:
        _save(rnd, actor, update_fields=changed, reason=_("修改评分轮次"))
    return rnd


def _refuse_released(rnd: Round) -> None:
    if rnd.is_released:
        raise ValidationError(_("本轮结果已发布，不能再修改。"))


@transaction.atomic
def round_scorer_add(*, actor, round: Round, user, body: str) -> RoundScorer:
    """Name a scorer (at creation or later, until the results are released). The county
    organisation department's scorers are county reviewers of the round's county (or
    administrators); the committee's named scorers are secretaries or township staff of the
    round's county (or administrators); liaisons never score. Audited (RoundScorer history)."""
    _require_admin(actor)
    round = Round.objects.select_for_update(of=("self",)).get(pk=round.pk)  # noqa: A001 - the services' keyword
    _refuse_released(round)
    role = role_of(user)
    if role == "liaison":
        raise ValidationError(_("单位联络员不能作为评分人。"))
    if body == RoundScorer.Body.COUNTY and not (
        role == "admin" or (role == "county" and user.county_id == round.county_id)
    ):
        raise ValidationError(
            _("“%(user)s”不是本县（区）县委组织部审核员，不能作为县委组织部评分人。") % {"user": user}
        )
    if body == RoundScorer.Body.COMMITTEE and not (
        role == "admin"
        or (role == "township" and user.township_id and user.township.county_id == round.county_id)
        or (role == "secretary" and user.community_id and user.community.township.county_id == round.county_id)
    ):
        raise ValidationError(
            _("“%(user)s”不是本县（区）的社区书记或镇（街道）组织干部，不能作为大党委评分人。") % {"user": user}
        )
    if body not in RoundScorer.Body.values:
        raise ValidationError(_("请选择评分方。"))
    scorer = RoundScorer.objects.filter(round=round, user=user).first()
    if scorer is None:
        scorer = RoundScorer(round=round, user=user, body=body)
        return _save(scorer, actor, reason=_("指定评分人"))
    if scorer.body != body:
        scorer.body = body
        _save(scorer, actor, update_fields=["body"], reason=_("调整评分方"))
    return scorer


@transaction.atomic
def round_scorer_remove(*, actor, scorer: RoundScorer) -> None:
    """Remove a named scorer. What they scored stays: a submitted sheet remains submitted; a draft
    sheet stays with the task and passes to whoever of the same body saves it next (the sheet's
    ``scorer`` is reassigned on that save, see :func:`scoresheet_save`). Audited."""
    _require_admin(actor)
    _refuse_released(Round.objects.select_for_update(of=("self",)).get(pk=scorer.round_id))
    scorer._history_user = actor
    scorer._change_reason = _("取消评分人")
    scorer.delete()


def _sheet_kind_for(unit: Unit) -> str:
    return Sheet.Kind.DEPARTMENTS if unit.unit_type == Unit.Type.ORGAN else Sheet.Kind.UNITS


def _sheets_by_township(rnd: Round) -> tuple[dict, dict]:
    """The round's county sheets {kind: Sheet}, and for each township with a published refinement
    of the round's scheme (its latest version) {township id: {kind: Sheet}} (R21)."""
    county = {s.kind: s for s in Sheet.objects.filter(scheme_id=rnd.scheme_id)}
    refined: dict = {}
    refinements = Scheme.objects.filter(based_on_id=rnd.scheme_id, status=Scheme.Status.PUBLISHED).order_by(
        "township_id", "-version"
    )
    latest = {}
    for scheme in refinements:
        latest.setdefault(scheme.township_id, scheme.pk)
    for sheet in Sheet.objects.filter(scheme_id__in=latest.values()).select_related("scheme"):
        refined.setdefault(sheet.scheme.township_id, {})[sheet.kind] = sheet
    return county, refined


def _sheet_for(unit: Unit, county: dict, refined: dict) -> Sheet:
    return refined.get(unit.community.township_id, county)[_sheet_kind_for(unit)]


def _retarget_empty_tasks(actor, rnd: Round, county: dict, refined: dict) -> int:
    """R21 refinements: a task nobody has started scoring (no score sheet, not finalised) follows
    its township's latest published refinement (or the county's sheet). A task already being
    scored keeps the sheet it is scored on. Returns how many tasks moved."""
    moved = 0
    tasks = (
        ScoringTask.objects.filter(round=rnd, scoresheets__isnull=True, unit__isnull=False)
        .exclude(status=ScoringTask.Status.FINALISED)
        .select_related("unit__community")
        .order_by("pk")
    )
    for task in tasks:
        sheet = _sheet_for(task.unit, county, refined)
        if task.sheet_id != sheet.pk:
            task.sheet = sheet
            _save(task, actor, update_fields=["sheet"], reason=_("改用镇（街道）细化方案"))
            moved += 1
    return moved


@transaction.atomic
def round_tasks_generate(*, actor, round: Round) -> int:
    """One task per active unit of the county (the community party organisations excepted) and
    per active functional department of the county's list (R21, on the county's "departments"
    sheet):
    organs on the "departments" sheet, the others on the "units" sheet — of the unit's township's
    published refinement of the round's scheme, if there is one (R21), else of the county's.
    Idempotent: called again it adds only the units that have none yet (and moves the tasks
    nobody has started scoring to their township's current refinement). Returns how many were
    added."""
    _require_admin(actor)
    county, refined = _sheets_by_township(round)
    _retarget_empty_tasks(actor, round, county, refined)
    have = set(ScoringTask.objects.filter(round=round).values_list("unit_id", flat=True))
    units = (
        Unit.objects.filter(community__township__county_id=round.county_id, is_active=True)
        .exclude(unit_type=Unit.Type.COMMUNITY_ORG)
        .exclude(pk__in=have)
        .select_related("community")
        .order_by("pk")
    )
    # A county has thousands of units: one bulk insert with one history row each (the rows are
    # valid by construction; the unique (round, unit) constraint guards a concurrent call).
    tasks = [ScoringTask(round=round, unit=unit, sheet=_sheet_for(unit, county, refined)) for unit in units]
    # R21: every active functional department of the county's list, on the county scheme's
    # "departments" sheet (a county department belongs to no township's refinement).
    have_departments = ScoringTask.objects.filter(round=round, department__isnull=False).values("department_id")
    tasks += [
        ScoringTask(round=round, department=department, sheet=county[Sheet.Kind.DEPARTMENTS])
        for department in FunctionalDepartment.objects.filter(county_id=round.county_id, is_active=True)
        .exclude(pk__in=have_departments)
        .order_by("order", "pk")
    ]
    bulk_create_with_history(
        tasks, ScoringTask, batch_size=500, default_user=actor, default_change_reason=_("生成评分任务")
    )
    return len(tasks)


@transaction.atomic
def tasks_follow_refinements(*, actor, scheme: Scheme) -> int:
    """After a township publishes a refinement of ``scheme``: the tasks of every round on it that
    nobody has started scoring move to the refinement's sheets (see _retarget_empty_tasks)."""
    moved = 0
    for rnd in Round.objects.filter(scheme=scheme, released_at__isnull=True):
        county, refined = _sheets_by_township(rnd)
        moved += _retarget_empty_tasks(actor, rnd, county, refined)
    return moved


@transaction.atomic
def round_release(*, actor, round: Round) -> Round:
    """R21 发布结果: a deliberate step, only once every task is finalised; then each unit sees its
    own sheet."""
    _require_admin(actor)
    rnd = Round.objects.select_for_update(of=("self",)).get(pk=round.pk)
    if rnd.is_released:
        raise ValidationError(_("本轮结果已发布。"))
    pending = rnd.tasks.exclude(status=ScoringTask.Status.FINALISED).count()
    if pending:
        raise ValidationError(_("尚有 %(n)s 个单位未定分，不能发布结果。") % {"n": pending})
    if not rnd.tasks.exists():
        raise ValidationError(_("本轮没有评分任务，无结果可发布。"))
    rnd.released_at = timezone.now()
    rnd.released_by = actor
    _save(rnd, actor, update_fields=["released_at", "released_by"], reason=_("发布结果"))
    round_release_notify(round=rnd)
    return rnd


def release_notice_key(rnd: Round, unit_id: int, user_id: int) -> str:
    return f"assessment:round:{rnd.pk}:released:unit:{unit_id}:user:{user_id}"


@transaction.atomic
def round_release_notify(*, round: Round) -> int:
    """R21: once the results are released, each unit's liaisons get a portal notice and an e-mail
    (inbox outbox) with the unit's final score, grade and a link to its task page. Exactly once
    per round, unit and liaison (the outbox's unique key): running it again adds nothing.
    Returns how many notices were newly recorded."""
    if not round.is_released:
        return 0
    tasks = list(
        ScoringTask.objects.filter(round=round, status=ScoringTask.Status.FINALISED, unit__isnull=False).select_related(
            "unit"
        )
    )
    liaisons: dict[int, list] = {}
    for user in User.objects.filter(
        role=User.Role.LIAISON, is_active=True, unit_id__in=[t.unit_id for t in tasks]
    ).order_by("pk"):
        liaisons.setdefault(user.unit_id, []).append(user)
    keys = [release_notice_key(round, t.unit_id, u.pk) for t in tasks for u in liaisons.get(t.unit_id, [])]
    existing = set(Message.objects.filter(key__in=keys).values_list("key", flat=True))
    added = 0
    subject = _("%(round)s结果已发布") % {"round": round}
    for task in tasks:
        url = reverse("assessment:task_detail", args=[task.pk])
        body = _(
            "%(unit)s：\n%(round)s结果已发布。"
            "贵单位最终得分 %(score)s 分，等次：%(grade)s，折算分 %(converted)s 分。"
            "\n请登录平台查看本单位评分详情。"
        ) % {
            "unit": task.unit.name,
            "round": round,
            "score": task.final_score,
            "grade": task.grade,
            "converted": task.converted,
        }
        for user in liaisons.get(task.unit_id, []):
            key = release_notice_key(round, task.unit_id, user.pk)
            if key in existing:
                continue
            message_enqueue(key=key, recipient=user, subject=subject, body=body, url=url, kind="assessment_result")
            added += 1
    return added


# --- self-report and evidence (the unit's liaison) -------------------------------------------------


def _require_self_report(actor, task: ScoringTask) -> None:
    if not may_self_report(actor, task):
        raise Refused(_("只有本单位联络员可以填写自评报告和上传佐证材料。"))
    if timezone.localdate() > task.round.self_report_deadline:
        raise ValidationError(
            _("自评截止日期（%(date)s）已过，不能再修改自评报告和佐证材料。")
            % {"date": task.round.self_report_deadline.strftime("%Y年%-m月%-d日")}
        )
    _refuse_finalised(task)


@transaction.atomic
def task_self_report_save(*, actor, task: ScoringTask, text: str) -> ScoringTask:
    """R21: the liaison's self-report, until the round's self-report deadline."""
    task = _lock(task)
    _require_self_report(actor, task)
    text = text.strip()
    if not text:
        raise ValidationError({"self_report": _("请填写自评报告。")})
    task.self_report = text
    task.self_report_at = timezone.now()
    return _save(task, actor, update_fields=["self_report", "self_report_at"], reason=_("填写自评报告"))


@transaction.atomic
def task_evidence_add(*, actor, task: ScoringTask, title: str, file) -> TaskEvidence:
    task = _lock(task)
    _require_self_report(actor, task)
    try:
        validate_upload(file, EVIDENCE_TYPES)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    item = TaskEvidence(task=task, title=title.strip() or file.name, file=file, uploaded_by=actor)
    return _save(item, actor)


@transaction.atomic
def task_evidence_delete(*, actor, evidence: TaskEvidence) -> None:
    task = _lock(evidence.task)
    _require_self_report(actor, task)
    evidence.file.delete(save=False)
    evidence._history_user = actor
    evidence.delete()


# --- scoring (one body's sheet) -----------------------------------------------------------------


def _points(raw, indicator: Indicator, errors: dict) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = quantise(Decimal(str(raw)))
    except (InvalidOperation, ValueError):
        errors[f"points_{indicator.pk}"] = _("“%(title)s”的得分不是有效的数字。") % {
            "title": inner_quotes(indicator.title)
        }
        return None
    if value < 0 or value > indicator.entry_max:
        errors[f"points_{indicator.pk}"] = _("“%(title)s”的得分应在 0 至 %(max)s 分之间。") % {
            "title": inner_quotes(indicator.title),
            "max": plain(indicator.entry_max),
        }
        return None
    return value


def scored_indicators(task: ScoringTask) -> list[Indicator]:
    return list(Indicator.objects.filter(sheet_id=task.sheet_id).exclude(kind=Indicator.Kind.GROUP).order_by("order"))


def total_of(lines: list[tuple[Indicator, Decimal]]) -> Decimal:
    """One body's total (R21): leaves plus bonuses minus deductions, each item within its limit."""
    leaves, bonuses, deductions = [], [], []
    for indicator, points in lines:
        if indicator.kind == Indicator.Kind.BONUS:
            bonuses.append((points, indicator.limit))
        elif indicator.kind == Indicator.Kind.DEDUCTION:
            deductions.append((points, indicator.limit))
        else:
            leaves.append(points)
    return sheet_total(leaves, bonuses, deductions)


def scoring_closed(rnd: Round, today=None) -> bool:
    """R21: the round's scoring deadline (评分截止日期) has passed (the deadline day itself is open)."""
    return rnd.scoring_deadline is not None and (today or timezone.localdate()) > rnd.scoring_deadline


def scoring_deadline_message(rnd: Round) -> str:
    return _(
        "评分截止日期（%(date)s）已过，不能再保存或提交评分；如需延期，请联系系统管理员在评分轮次中修改截止日期。"
    ) % {"date": rnd.scoring_deadline.strftime("%Y年%-m月%-d日")}


def refuse_after_scoring_deadline(rnd: Round) -> None:
    if scoring_closed(rnd):
        raise ValidationError(scoring_deadline_message(rnd))


@transaction.atomic
def scoresheet_save(*, actor, task: ScoringTask, scores: dict, submit: bool = False) -> ScoreSheet:
    """Save (保存, a draft) or submit (提交, locks it and stores the total) the actor's body's sheet.

    ``scores`` is ``{indicator id: (points or None, reason)}``. Points lie in 0..max points of the
    item; a score that differs from the portal's suggestion needs a reason; submitting needs every
    item scored. When both bodies have submitted, the task is submitted with both totals (R21)."""
    task = _lock(task)
    _refuse_recused(actor, task)
    body = scorer_body_for(actor, task)
    if body is None:
        raise Refused(_("您不是该单位的评分人。"))
    _refuse_finalised(task)
    refuse_after_scoring_deadline(task.round)
    if task.status != ScoringTask.Status.OPEN:
        raise ValidationError(_("该单位的评分已提交审核，如需修改请先退回。"))
    sheet = ScoreSheet.objects.select_for_update(of=("self",)).filter(task=task, body=body).first()
    if sheet is not None and sheet.status == ScoreSheet.Status.SUBMITTED:
        raise ValidationError(_("本方评分已提交，如需修改请先退回。"))
    indicators = scored_indicators(task)
    suggestions = evidence_mod.suggestions_for(task=task, indicators=indicators)
    errors: dict = {}
    cleaned = []
    for indicator in indicators:
        raw, reason = scores.get(indicator.pk, (None, ""))
        reason = (reason or "").strip()
        points = _points(raw, indicator, errors)
        suggestion = suggestions.get(indicator.pk)
        if points is None:
            if submit and f"points_{indicator.pk}" not in errors:
                errors[f"points_{indicator.pk}"] = _("请为“%(title)s”评分。") % {"title": inner_quotes(indicator.title)}
            continue
        overridden = suggestion is not None and suggestion.points is not None and points != quantise(suggestion.points)
        if overridden and not reason:
            errors[f"reason_{indicator.pk}"] = _("“%(title)s”的得分与建议分 %(s)s 不同，请说明理由。") % {
                "title": inner_quotes(indicator.title),
                "s": quantise(suggestion.points),
            }
            continue
        cleaned.append((indicator, points, reason, suggestion))
    if errors:
        raise ValidationError(errors)
    if sheet is None:
        sheet = ScoreSheet(task=task, body=body, scorer=actor)
        _save(sheet, actor, reason=_("开始评分"))
    existing = {line.indicator_id: line for line in sheet.lines.all()}
    for indicator, points, reason, suggestion in cleaned:
        line = existing.get(indicator.pk) or ScoreLine(scoresheet=sheet, indicator=indicator)
        values = {
            "points": points,
            "reason": reason,
            "suggested": quantise(suggestion.points) if suggestion and suggestion.points is not None else None,
            "suggestion_text": (suggestion.text[:200] if suggestion else ""),
        }
        changed = [name for name, value in values.items() if getattr(line, name) != value]
        if line.pk is None or changed:
            for name, value in values.items():
                setattr(line, name, value)
            _save(line, actor, update_fields=None if line.pk is None else changed)
    sheet.scorer = actor
    fields = ["scorer"]
    if submit:
        sheet.status = ScoreSheet.Status.SUBMITTED
        sheet.total = total_of([(i, p) for i, p, _r, _s in cleaned])
        sheet.submitted_at = timezone.now()
        fields += ["status", "total", "submitted_at"]
    _save(sheet, actor, update_fields=fields, reason=_("提交评分") if submit else _("保存评分"))
    if submit:
        _task_collect(task, actor)
    return sheet


def _task_collect(task: ScoringTask, actor) -> None:
    """Both bodies submitted → the task is submitted and carries both totals."""
    sheets = {s.body: s for s in ScoreSheet.objects.filter(task=task, status=ScoreSheet.Status.SUBMITTED)}
    if len(sheets) < 2:
        return
    task.committee_total = sheets[RoundScorer.Body.COMMITTEE].total
    task.county_total = sheets[RoundScorer.Body.COUNTY].total
    task.status = ScoringTask.Status.SUBMITTED
    _save(task, actor, update_fields=["committee_total", "county_total", "status"], reason=_("两方评分均已提交"))


@transaction.atomic
def scoresheet_return(*, actor, sheet: ScoreSheet, reason: str) -> ScoreSheet:
    """退回: a body's submitted sheet goes back to draft with a reason, before finalisation. The
    task goes back to scoring (its review, if any, is undone)."""
    task = _lock(sheet.task)
    _refuse_recused(actor, task)
    if not may_review(actor, task):
        raise Refused(_("您无权退回评分。"))
    _refuse_finalised(task)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写退回理由。")})
    sheet = ScoreSheet.objects.select_for_update(of=("self",)).get(pk=sheet.pk)
    if sheet.status != ScoreSheet.Status.SUBMITTED:
        raise ValidationError(_("该方评分尚未提交，无需退回。"))
    sheet.status = ScoreSheet.Status.DRAFT
    sheet.total = None
    sheet.submitted_at = None
    _save(sheet, actor, update_fields=["status", "total", "submitted_at"], reason=_("退回：%(r)s") % {"r": reason})
    field = "committee_total" if sheet.body == RoundScorer.Body.COMMITTEE else "county_total"
    setattr(task, field, None)
    task.status = ScoringTask.Status.OPEN
    task.reviewed_at = None
    task.reviewed_by = None
    _save(
        task,
        actor,
        update_fields=[field, "status", "reviewed_at", "reviewed_by"],
        reason=_("退回%(body)s评分：%(r)s") % {"body": sheet.get_body_display(), "r": reason},
    )
    return sheet


# --- review, finalisation, correction -----------------------------------------------------------


@transaction.atomic
def task_review(*, actor, task: ScoringTask) -> ScoringTask:
    """R21 审核: both bodies' sheets are submitted; the reviewer confirms them."""
    task = _lock(task)
    _refuse_recused(actor, task)
    if not may_review(actor, task):
        raise Refused(_("您无权审核该单位的评分。"))
    _refuse_finalised(task)
    if task.status != ScoringTask.Status.SUBMITTED:
        raise ValidationError(_("两方评分均提交后才能审核。"))
    task.status = ScoringTask.Status.REVIEWED
    task.reviewed_at = timezone.now()
    task.reviewed_by = actor
    return _save(task, actor, update_fields=["status", "reviewed_at", "reviewed_by"], reason=_("审核"))


def _apply_score(task: ScoringTask, score: Decimal) -> None:
    scheme = task.round.scheme
    task.final_score = quantise(score)
    task.grade = grade_for(task.final_score, scheme.grade_bands)
    task.converted = convert(task.final_score, scheme.weight)


@transaction.atomic
def task_finalise(*, actor, task: ScoringTask) -> ScoringTask:
    """R21 定分: final = combine(committee, county) by the round's rule; grade by the scheme's
    bands; converted = final × the scheme's weight. Locked from then on."""
    task = _lock(task)
    _refuse_recused(actor, task)
    if not may_finalise(actor, task):
        raise Refused(_("只有系统管理员或县委组织部评分人可以定分。"))
    _refuse_finalised(task)
    if task.status != ScoringTask.Status.REVIEWED:
        raise ValidationError(_("审核后才能定分。"))
    rnd = task.round
    _apply_score(task, combine(task.committee_total, task.county_total, rnd.combination, rnd.committee_weight))
    task.status = ScoringTask.Status.FINALISED
    task.finalised_at = timezone.now()
    task.finalised_by = actor
    return _save(
        task,
        actor,
        update_fields=["final_score", "grade", "converted", "status", "finalised_at", "finalised_by"],
        reason=_("定分"),
    )


def max_score(task: ScoringTask) -> Decimal:
    """100 plus the bonus items' limits of the task's sheet."""
    bonus = Indicator.objects.filter(sheet_id=task.sheet_id, kind=Indicator.Kind.BONUS).aggregate(s=Sum("limit"))
    return FULL_MARKS + (bonus["s"] or Decimal("0"))


@transaction.atomic
def task_correct(*, actor, task: ScoringTask, new_score, reason: str) -> ScoreCorrection:
    """R21 更正: the only way a finalised score changes — a recorded correction with a reason;
    the grade and the converted score follow; the history keeps the old values."""
    task = _lock(task)
    _refuse_recused(actor, task)
    if not may_finalise(actor, task):
        raise Refused(_("只有系统管理员或县委组织部评分人可以更正得分。"))
    if task.status != ScoringTask.Status.FINALISED:
        raise ValidationError(_("定分后才能更正；定分前请退回评分修改。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("更正须说明理由。")})
    try:
        new_score = quantise(Decimal(str(new_score)))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"new_score": _("请输入有效的分数。")}) from exc
    top = max_score(task)
    if new_score < 0 or new_score > top:
        raise ValidationError({"new_score": _("得分应在 0 至 %(max)s 分之间。") % {"max": plain(top)}})
    if new_score == task.final_score:
        raise ValidationError({"new_score": _("更正后得分与原得分相同。")})
    correction = ScoreCorrection(
        task=task,
        old_score=task.final_score,
        old_grade=task.grade,
        new_score=new_score,
        reason=reason,
        corrected_by=actor,
    )
    _apply_score(task, new_score)
    correction.new_grade = task.grade
    correction.full_clean()
    correction.save()
    _save(task, actor, update_fields=["final_score", "grade", "converted"], reason=_("更正：%(r)s") % {"r": reason})
    return correction
