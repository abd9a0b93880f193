"""Thin views of the rollout (R25) over ``rollout.selectors`` and ``rollout.services``.

Scope: township staff change their township's plan, pilot and stages; secretaries record their
community's deliverables; liaisons read their community's plan documents and write their own
unit's opinion; county reviewers read their county (403 on every change); administrators all.
Outside the scope → 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from committees.models import Township, Unit
from common.audit import history_entries
from common.permissions import role_of, scoped
from common.views import add_service_errors, private_file_response

from . import forms, rules, selectors, services
from .models import PublicityEvent, RuleDocument


def _township_side(user) -> None:
    if role_of(user) not in ("township", "admin"):
        raise PermissionDenied


def _community_side(user) -> None:
    if role_of(user) not in ("township", "secretary", "admin"):
        raise PermissionDenied


@login_required
def home(request):
    """Each role lands where its rollout work is."""
    user = request.user
    role = role_of(user)
    if role == "township":
        plan = selectors.plan_list(user=user).first()
        if plan is None:
            return redirect("rollout:plan_create", township_id=user.township_id)
        return redirect(plan)
    if role == "secretary":
        progress = selectors.progress_for_user(user=user)
        if progress is None:
            raise Http404(_("本镇（街道）尚未制定推进计划。"))
        return redirect(progress)
    if role == "liaison":
        return redirect("rollout:document_list")
    return redirect("rollout:plan_list")


@login_required
def plan_list(request):
    if role_of(request.user) not in ("township", "county", "admin"):
        raise Http404
    return render(request, "rollout/plan_list.html", {"plans": selectors.plan_list(user=request.user)})


@login_required
def plan_create(request, township_id):
    user = request.user
    role = role_of(user)
    if role not in ("township", "county", "admin"):
        raise Http404
    if role == "township" and township_id != user.township_id:
        raise Http404
    township = get_object_or_404(
        Township.objects.filter(county_id=user.county_id) if role == "county" else Township.objects, pk=township_id
    )
    _township_side(user)
    form = forms.PlanCreateForm(request.POST or None, township=township)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                actor=user, township=township, year=form.cleaned_data["year"], pilot=form.cleaned_data["pilot"]
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("推进计划已制定。"))
            return redirect(plan)
    return render(request, "rollout/plan_create.html", {"form": form, "township": township})


def _plan_page(request, plan, **bound):
    user = request.user
    can_change = role_of(user) in ("township", "admin")
    context = {
        "plan": plan,
        "can_change": can_change,
        "months_form": bound.get("months_form") or forms.PlanMonthsForm(plan=plan),
        "pilot_form": bound.get("pilot_form") or forms.PilotForm(plan=plan),
        "summary_form": bound.get("summary_form") or forms.PilotSummaryForm(),
        "pilot_locked": selectors.pilot_locked(plan=plan),
        "history": history_entries(plan, limit=10),
        **selectors.timeline(plan=plan),
    }
    return render(request, "rollout/plan_detail.html", context, status=400 if bound else 200)


@login_required
def plan_detail(request, pk):
    return _plan_page(request, selectors.plan_get(user=request.user, pk=pk))


@login_required
@require_POST
def plan_months(request, pk):
    plan = selectors.plan_get(user=request.user, pk=pk)
    _township_side(request.user)
    form = forms.PlanMonthsForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            services.plan_months_update(actor=request.user, plan=plan, months=form.months())
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("计划月份已保存。"))
            return redirect(plan)
    return _plan_page(request, plan, months_form=form)


@login_required
@require_POST
def plan_pilot(request, pk):
    plan = selectors.plan_get(user=request.user, pk=pk)
    _township_side(request.user)
    form = forms.PilotForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            services.plan_set_pilot(actor=request.user, plan=plan, community=form.cleaned_data["community"])
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("试点社区已确定。"))
            return redirect(plan)
    return _plan_page(request, plan, pilot_form=form)


@login_required
@require_POST
def pilot_summarise(request, pk):
    plan = selectors.plan_get(user=request.user, pk=pk)
    _township_side(request.user)
    form = forms.PilotSummaryForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.pilot_mark_summarised(
                actor=request.user, plan=plan, summary=form.cleaned_data["summary"], file=form.cleaned_data["file"]
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("已确认试点总结，其他社区可进入第4阶段。"))
            return redirect(plan)
    return _plan_page(request, plan, summary_form=form)


@login_required
def pilot_summary_file(request, pk):
    plan = selectors.plan_get(user=request.user, pk=pk)
    return private_file_response(plan.pilot_summary_file, title=_("试点工作总结"))


# --- a community's progress ---------------------------------------------------------------------


def _progress_page(request, progress, **bound):
    user = request.user
    role = role_of(user)
    community = progress.community
    meetings = selectors.held_meetings(community=community)
    checks = selectors.deliverables(community=community, plan=progress.plan)
    context = {
        "progress": progress,
        "plan": progress.plan,
        "community": community,
        "is_pilot": progress.plan.pilot_id == community.pk,
        # R25.4 (issue #11 item 17): the stage-4 section says the gate is closed
        "gate_closed": progress.plan.pilot_id != community.pk and not progress.plan.pilot_summarised,
        "status": selectors.community_stages(community_ids=[community.pk])[community.pk],
        "checks": [(n, rules.label(n), checks[n]) for n in range(1, 6)],
        "stages": {s.stage: s for s in progress.plan.stages.all()},
        "changes": selectors.stage_changes(progress=progress),
        "can_record": role in ("township", "secretary", "admin"),
        "can_move": role in ("township", "admin"),
        "event_form": bound.get("event_form") or forms.PublicityEventForm(),
        "document_form": bound.get("document_form") or forms.PlanDocumentForm(),
        "rule_form": bound.get("rule_form") or forms.RuleDocumentForm(meetings=meetings),
        "approve_form": forms.RuleApproveForm(meetings=meetings),
        "stage_form": bound.get("stage_form") or forms.StageChangeForm(initial={"stage": progress.stage}),
    }
    return render(request, "rollout/progress_detail.html", context, status=400 if bound else 200)


@login_required
def progress_detail(request, pk):
    return _progress_page(request, selectors.progress_get(user=request.user, pk=pk))


@login_required
@require_POST
def stage_change(request, pk):
    progress = selectors.progress_get(user=request.user, pk=pk)
    _township_side(request.user)
    form = forms.StageChangeForm(request.POST)
    if form.is_valid():
        try:
            services.stage_set(
                actor=request.user,
                progress=progress,
                stage=form.cleaned_data["stage"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("阶段已调整。"))
            return redirect(progress)
    return _progress_page(request, progress, stage_form=form)


@login_required
@require_POST
def progress_refresh(request, pk):
    """Re-check the deliverables now (the ledger and the committee change in other apps)."""
    progress = selectors.progress_get(user=request.user, pk=pk)
    _community_side(request.user)
    services.progress_refresh(community=progress.community)
    messages.success(request, _("已重新核对交付成果。"))
    return redirect(progress)


def _record_deliverable(request, pk, *, form, record, message: str, form_key: str, anchor: str = ""):
    """A deliverable recorded from a community's progress page (R25): the form, the service that
    records it, then the stage's place on the page (or the new object); refused → the page again
    with the form's errors, nothing lost."""
    progress = selectors.progress_get(user=request.user, pk=pk)
    _community_side(request.user)
    form = form(progress)
    if form.is_valid():
        try:
            made = record(actor=request.user, community=progress.community, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, message)
            if anchor:
                return redirect(reverse("rollout:progress_detail", args=[progress.pk]) + anchor)
            return redirect(made)
    return _progress_page(request, progress, **{form_key: form})


@login_required
@require_POST
def publicity_create(request, pk):
    return _record_deliverable(
        request,
        pk,
        form=lambda progress: forms.PublicityEventForm(request.POST, request.FILES),
        record=services.publicity_event_record,
        message=_("宣传活动已登记。"),
        form_key="event_form",
        anchor="#stage-1",
    )


@login_required
def publicity_file(request, pk):
    event = get_object_or_404(scoped(request.user, PublicityEvent.objects.all()), pk=pk)
    return private_file_response(event.file, title=event.title)


@login_required
@require_POST
def document_upload(request, pk):
    return _record_deliverable(
        request,
        pk,
        form=lambda progress: forms.PlanDocumentForm(request.POST, request.FILES),
        record=services.plan_document_upload,
        message=_("实施方案已上传，成员单位可提出意见。"),
        form_key="document_form",
    )


@login_required
@require_POST
def rule_upload(request, pk):
    return _record_deliverable(
        request,
        pk,
        form=lambda progress: forms.RuleDocumentForm(
            request.POST, request.FILES, meetings=selectors.held_meetings(community=progress.community)
        ),
        record=services.rule_document_upload,
        message=_("制度文件已上传。"),
        form_key="rule_form",
        anchor="#stage-5",
    )


@login_required
@require_POST
def rule_approve(request, pk):
    document = get_object_or_404(scoped(request.user, RuleDocument.objects.select_related("community")), pk=pk)
    _community_side(request.user)
    progress = selectors.progress_for_community(community=document.community)
    form = forms.RuleApproveForm(request.POST, meetings=selectors.held_meetings(community=document.community))
    if form.is_valid():
        try:
            services.rule_document_approve(
                actor=request.user, document=document, meeting=form.cleaned_data["approved_in"]
            )
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
        else:
            messages.success(request, _("已登记审议通过。"))
    else:
        messages.error(request, _("请选择已召开的会议。"))
    if progress is None:
        raise Http404
    return redirect(reverse("rollout:progress_detail", args=[progress.pk]) + "#stage-5")


@login_required
def rule_file(request, pk):
    document = get_object_or_404(scoped(request.user, RuleDocument.objects.all()), pk=pk)
    return private_file_response(document.file, title=document.title)


# --- plan documents and the units' opinions (R25.3) ---------------------------------------------


@login_required
def document_list(request):
    return render(request, "rollout/document_list.html", {"documents": selectors.document_list(user=request.user)})


def _opinion_units(user, document):
    units = Unit.objects.filter(community=document.community_id, is_active=True).order_by("name")
    if role_of(user) == "liaison":
        units = units.filter(pk=user.unit_id)
    return units


def _document_page(request, document, form=None):
    user = request.user
    role = role_of(user)
    can_write = role in ("township", "secretary", "admin", "liaison") and document.opinions_open
    if form is None and can_write:
        initial = {"unit": user.unit_id} if role == "liaison" else {}
        own = next(
            (o for o in selectors.opinions_visible(user=user, document=document) if o.unit_id == user.unit_id), None
        )
        if own is not None:
            initial["text"] = own.text
        form = forms.OpinionForm(initial=initial, units=_opinion_units(user, document))
    progress = selectors.progress_for_community(community=document.community) if role != "liaison" else None
    context = {
        "document": document,
        "opinions": selectors.opinions_visible(user=user, document=document),
        "form": form if can_write else None,
        "can_close": role in ("township", "secretary", "admin") and document.opinions_open,
        "progress": progress,
    }
    return render(request, "rollout/document_detail.html", context, status=400 if request.method == "POST" else 200)


@login_required
def document_detail(request, pk):
    return _document_page(request, selectors.document_get(user=request.user, pk=pk))


@login_required
def document_file(request, pk):
    document = selectors.document_get(user=request.user, pk=pk)
    return private_file_response(document.file, title=document.title)


@login_required
@require_POST
def opinion_save(request, pk):
    document = selectors.document_get(user=request.user, pk=pk)
    if role_of(request.user) == "county":
        raise PermissionDenied
    form = forms.OpinionForm(request.POST, units=_opinion_units(request.user, document))
    if form.is_valid():
        try:
            services.plan_opinion_save(actor=request.user, document=document, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("意见已提交。"))
            return redirect(document)
    return _document_page(request, document, form)


@login_required
@require_POST
def document_close(request, pk):
    document = selectors.document_get(user=request.user, pk=pk)
    _community_side(request.user)
    try:
        services.plan_document_close_opinions(actor=request.user, document=document)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, _("征求意见已结束。"))
    return redirect(document)
