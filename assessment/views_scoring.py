"""R21 joint scoring pages: rounds, tasks, the scoring form per body, self-report and evidence,
and the POST steps (submit, return, review, finalise, correct, release). Thin: reads through
``scoring_selectors`` (outside scope → 404), writes through ``scoring`` (refusals → 403 page
with the reason, bad input → the message on the page)."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.audit import history_entries
from common.permissions import role_of
from common.views import add_service_errors, posted, private_file_response

from . import evidence as evidence_mod
from . import scoring
from . import scoring_selectors as sel
from .models import RoundScorer, ScoreSheet, ScoringTask
from .rules import combination_text, formula_text
from .scoring import Refused
from .scoring_forms import (
    CorrectionForm,
    EvidenceForm,
    ReturnForm,
    RoundCreateForm,
    RoundScorerForm,
    RoundUpdateForm,
    ScoreForm,
    SelfReportForm,
    TaskFilterForm,
)

PAGE_SIZE = 30


def explain_refusal(view):
    """A service's refusal (recusal, not a scorer…) is a 403 page that says why."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Refused as refusal:
            return render(request, "assessment/scoring/refused.html", {"message": str(refusal)}, status=403)

    return wrapped


def _flash_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- rounds -------------------------------------------------------------------------------------


@login_required
def round_list(request):
    user = request.user
    context = {
        "rounds": list(sel.round_list(user=user)),
        "may_manage": sel.may_manage_rounds(user),
        "my_tasks": list(sel.liaison_tasks(user=user)) if role_of(user) == "liaison" else [],
    }
    return render(request, "assessment/scoring/round_list.html", context)


@login_required
@explain_refusal
def round_create(request):
    if not sel.may_manage_rounds(request.user):
        raise Refused(_("只有系统管理员可以创建评分轮次。"))
    form = RoundCreateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            rnd = scoring.round_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已创建评分轮次，生成 %(n)s 个单位的评分任务。") % {"n": rnd.tasks.count()})
            return redirect("assessment:round_detail", pk=rnd.pk)
    return render(request, "assessment/scoring/form.html", {"form": form, "title": _("新建评分轮次"), "round": None})


@login_required
def round_detail(request, pk: int):
    user = request.user
    rnd = sel.round_get(user=user, pk=pk)
    tasks = sel.round_tasks(user=user, round=rnd)
    progress = sel.round_progress(tasks)
    filter_form = TaskFilterForm(request.GET or None, round=rnd)
    mine = sel.awaiting_me(user=user, round=rnd)  # R21: a named scorer's own to-do
    only_mine = request.GET.get("mine") == "1"
    paginator = Paginator(filter_form.apply(mine if only_mine else tasks), PAGE_SIZE)
    if not only_mine and not filter_form.filters:
        paginator.count = sum(n for _s, _l, n in progress)  # counted already: no second COUNT of the round
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "round": rnd,
        "page": page,
        "progress": progress,
        "total": sum(n for _s, _l, n in progress),
        "filter": filter_form,
        "scores_visible": role_of(user) != "liaison" or rnd.is_released,
        "may_manage": sel.may_manage_rounds(user),
        "combination": combination_text(rnd.combination, rnd.committee_weight),
        "formula": formula_text(rnd.scheme.weight),
        "scorers": list(rnd.scorers.select_related("user").order_by("body", "user__username")),
        "mine_count": mine.count() if sel.named_body(user, rnd) else None,
        "only_mine": only_mine,
    }
    return render(request, "assessment/scoring/round_detail.html", context)


def _require_manage(user) -> None:
    if not sel.may_manage_rounds(user):
        raise Refused(_("只有系统管理员可以进行此操作。"))


@login_required
@explain_refusal
def round_scorers(request, pk: int):
    """Name and remove scorers after the round is created (the administrator)."""
    user = request.user
    rnd = sel.round_get(user=user, pk=pk)
    _require_manage(user)
    form = RoundScorerForm(posted(request), round=rnd)
    if request.method == "POST" and form.is_valid():
        try:
            scoring.round_scorer_add(actor=user, round=rnd, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已指定评分人。"))
            return redirect("assessment:round_scorers", pk=rnd.pk)
    scorers = list(rnd.scorers.select_related("user").order_by("body", "user__username"))
    drafts = dict(
        ScoreSheet.objects.filter(task__round=rnd, status=ScoreSheet.Status.DRAFT)
        .values_list("scorer_id")
        .annotate(n=Count("pk"))
    )
    for scorer in scorers:
        scorer.drafts = drafts.get(scorer.user_id, 0)
    history = RoundScorer.history.filter(round_id=rnd.pk).select_related("history_user", "user")
    context = {
        "round": rnd,
        "form": form,
        "scorers": scorers,
        "history": list(history.order_by("-history_date")[:50]),
    }
    return render(request, "assessment/scoring/round_scorers.html", context)


@login_required
@require_POST
@explain_refusal
def round_scorer_remove(request, pk: int):
    user = request.user
    scorer = get_object_or_404(
        RoundScorer.objects.select_related("round", "user").filter(round__in=sel.round_list(user=user).values("pk")),
        pk=pk,
    )
    _require_manage(user)
    try:
        scoring.round_scorer_remove(actor=user, scorer=scorer)
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(
            request,
            _("已取消“%(user)s”的评分人资格；其已保存的评分草稿保留，由该方下一位保存的评分人接续。")
            % {"user": scorer.user.display_name},
        )
    return redirect("assessment:round_scorers", pk=scorer.round_id)


@login_required
@explain_refusal
def round_update(request, pk: int):
    """R21: deadlines (extend the scoring deadline), and the combination while nothing is final."""
    user = request.user
    rnd = sel.round_get(user=user, pk=pk)
    _require_manage(user)
    initial = {f: getattr(rnd, f) for f in scoring.ROUND_FIELDS}
    form = RoundUpdateForm(posted(request), initial=initial)
    finalised = rnd.tasks.filter(status=ScoringTask.Status.FINALISED).exists()
    if finalised:
        for name in ("combination", "committee_weight"):
            form.fields[name].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            scoring.round_update(actor=user, round=rnd, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存评分轮次。"))
            return redirect("assessment:round_detail", pk=rnd.pk)
    context = {"form": form, "title": _("修改评分轮次"), "round": rnd, "history": history_entries(rnd)}
    return render(request, "assessment/scoring/form.html", context)


@login_required
@require_POST
@explain_refusal
def round_sync(request, pk: int):
    rnd = sel.round_get(user=request.user, pk=pk)
    added = scoring.round_tasks_generate(actor=request.user, round=rnd)
    messages.success(request, _("已补充 %(n)s 个单位的评分任务。") % {"n": added})
    return redirect("assessment:round_detail", pk=rnd.pk)


@login_required
@require_POST
@explain_refusal
def round_release(request, pk: int):
    rnd = sel.round_get(user=request.user, pk=pk)
    try:
        scoring.round_release(actor=request.user, round=rnd)
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(request, _("已发布评分结果，各单位可查看本单位评分。"))
    return redirect("assessment:round_detail", pk=rnd.pk)


# --- one task -----------------------------------------------------------------------------------


@login_required
def task_detail(request, pk: int):
    user = request.user
    task = sel.task_get(user=user, pk=pk)
    show_scores = sel.scores_visible(user, task)
    sheets = sel.task_scoresheets(task) if show_scores else {}
    rows = []
    if show_scores:
        indicators = sel.sheet_indicators(task.sheet)
        suggestions = evidence_mod.suggestions_for(task=task, indicators=[i for i in indicators if i.kind != "group"])
        rows = sel.task_rows(task, sheets, suggestions)
    recused = sel.is_recused(user, task)
    rnd = task.round
    context = {
        "task": task,
        "round": rnd,
        "show_scores": show_scores,
        "rows": rows,
        "sheets": [(body, label, sheets.get(body)) for body, label in RoundScorer.Body.choices],
        "evidence": list(task.evidence.select_related("uploaded_by")),
        "corrections": list(task.corrections.select_related("corrected_by")) if show_scores else [],
        "history": history_entries(task) if show_scores else [],
        "combination": combination_text(rnd.combination, rnd.committee_weight),
        "formula": formula_text(rnd.scheme.weight),
        "recused": recused,
        "my_body": None if recused else sel.scorer_body_for(user, task),
        "may_review": sel.may_review(user, task),
        "may_finalise": sel.may_finalise(user, task),
        "may_self_report": sel.may_self_report(user, task),
        "return_form": ReturnForm(),
    }
    return render(request, "assessment/scoring/task_detail.html", context)


@login_required
@explain_refusal
def task_score(request, pk: int):
    """One body's sheet: a line per leaf, bonus and deduction item, grouped by the tree."""
    user = request.user
    task = sel.task_get(user=user, pk=pk)
    if sel.is_recused(user, task):
        raise Refused(scoring._recusal_message())
    body = sel.scorer_body_for(user, task)
    if body is None:
        raise Refused(_("您不是该单位的评分人：县委组织部审核员须经管理员指定后方可评分。"))
    sheet = ScoreSheet.objects.filter(task=task, body=body).prefetch_related("lines").first()
    indicators = sel.sheet_indicators(task.sheet)
    scored = [i for i in indicators if i.kind != "group"]
    suggestions = evidence_mod.suggestions_for(task=task, indicators=scored)
    lines = {line.indicator_id: line for line in sheet.lines.all()} if sheet else {}
    form = ScoreForm(posted(request), indicators=scored, initial_lines=lines, suggestions=suggestions)
    closed = scoring.scoring_closed(task.round)
    locked = (
        closed or task.status != task.Status.OPEN or (sheet is not None and sheet.status == ScoreSheet.Status.SUBMITTED)
    )
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            scoring.scoresheet_save(actor=user, task=task, scores=form.scores(), submit=submit)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("本方评分已提交。") if submit else _("已保存评分草稿。"))
            return redirect("assessment:task_detail" if submit else "assessment:task_score", pk=task.pk)
    rows = sel.indicator_rows(indicators)
    for row in rows:
        row.suggestion = suggestions.get(row.indicator.pk)
        if not row.is_group:
            row.points_field = form[f"points_{row.indicator.pk}"]
            row.reason_field = form[f"reason_{row.indicator.pk}"]
    context = {
        "task": task,
        "round": task.round,
        "body_label": RoundScorer.Body(body).label,
        "sheet": sheet,
        "form": form,
        "rows": rows,
        "locked": locked,
        "closed_message": scoring.scoring_deadline_message(task.round) if closed else "",
    }
    return render(request, "assessment/scoring/task_score.html", context)


@login_required
@explain_refusal
def task_self_report(request, pk: int):
    user = request.user
    task = sel.task_get(user=user, pk=pk)
    if not sel.may_self_report(user, task):
        raise Refused(_("只有本单位联络员可以填写自评报告和上传佐证材料。"))
    form = SelfReportForm(posted(request), initial={"self_report": task.self_report})
    if request.method == "POST" and form.is_valid():
        try:
            scoring.task_self_report_save(actor=user, task=task, text=form.cleaned_data["self_report"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存自评报告。"))
            return redirect("assessment:task_detail", pk=task.pk)
    return render(
        request,
        "assessment/scoring/form.html",
        {"form": form, "title": _("单位自评报告"), "task": task, "round": task.round, "deadline": True},
    )


@login_required
@explain_refusal
def task_evidence_add(request, pk: int):
    user = request.user
    task = sel.task_get(user=user, pk=pk)
    if not sel.may_self_report(user, task):
        raise Refused(_("只有本单位联络员可以填写自评报告和上传佐证材料。"))
    form = EvidenceForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            scoring.task_evidence_add(actor=user, task=task, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已上传佐证材料。"))
            return redirect("assessment:task_detail", pk=task.pk)
    return render(
        request,
        "assessment/scoring/form.html",
        {"form": form, "title": _("上传佐证材料"), "task": task, "round": task.round, "deadline": True, "files": True},
    )


@login_required
def evidence_download(request, pk: int):
    item = sel.evidence_get(user=request.user, pk=pk)
    return private_file_response(item.file)


@login_required
@require_POST
@explain_refusal
def evidence_delete(request, pk: int):
    item = sel.evidence_get(user=request.user, pk=pk)
    task_pk = item.task_id
    try:
        scoring.task_evidence_delete(actor=request.user, evidence=item)
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(request, _("已删除佐证材料。"))
    return redirect("assessment:task_detail", pk=task_pk)


def _task_step(service, done_message):
    @login_required
    @require_POST
    @explain_refusal
    def view(request, pk: int):
        task = sel.task_get(user=request.user, pk=pk)
        try:
            service(actor=request.user, task=task)
        except ValidationError as error:
            _flash_errors(request, error)
        else:
            messages.success(request, done_message())
        return redirect("assessment:task_detail", pk=task.pk)

    return view


task_review = _task_step(scoring.task_review, lambda: _("已审核。"))
task_finalise = _task_step(scoring.task_finalise, lambda: _("已定分。"))


@login_required
@require_POST
@explain_refusal
def scoresheet_return(request, pk: int):
    task = sel.task_get(user=request.user, pk=pk)
    sheet = ScoreSheet.objects.filter(task=task, body=request.POST.get("body", "")).first()
    if sheet is None:
        messages.error(request, _("该方尚未评分，无需退回。"))
        return redirect("assessment:task_detail", pk=task.pk)
    try:
        scoring.scoresheet_return(actor=request.user, sheet=sheet, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(request, _("已退回%(body)s评分。") % {"body": sheet.get_body_display()})
    return redirect("assessment:task_detail", pk=task.pk)


@login_required
@explain_refusal
def task_correct(request, pk: int):
    """R21 更正: the only change to a finalised score, with a reason."""
    user = request.user
    task = sel.task_get(user=user, pk=pk)
    if sel.is_recused(user, task):
        raise Refused(scoring._recusal_message())
    if not sel.may_finalise(user, task):
        raise Refused(_("只有系统管理员或县委组织部评分人可以更正得分。"))
    form = CorrectionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            scoring.task_correct(actor=user, task=task, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记更正。"))
            return redirect("assessment:task_detail", pk=task.pk)
    return render(
        request,
        "assessment/scoring/form.html",
        {"form": form, "title": _("更正得分"), "task": task, "round": task.round, "correcting": True},
    )
