"""Public-benefit projects (认领公益项目, R17): published by the committee, claimed by units while
places remain, progress with evidence, completion confirmed by the secretary."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.audit import history_entries
from common.permissions import can_change
from common.views import scoped_get, scoped_get_for_change

from .. import selectors, services
from ..forms import ProgressForm, ProjectForm, WithdrawClaimForm
from ..models import ProjectClaim, ProjectUpdate
from ._base import committee_or_404, is_liaison, require_reviewer, run_action, run_service, serve_file

OPEN_CLAIM = (ProjectClaim.Status.CLAIMED, ProjectClaim.Status.REPORTED)


def _claim(user, pk) -> ProjectClaim:
    return scoped_get(
        user, ProjectClaim.objects.select_related("project", "unit", "confirmed_by", "withdrawn_by"), pk=pk
    )


@login_required
def project_list(request):
    user = request.user
    committee = None if is_liaison(user) else committee_or_404(request)
    projects = list(selectors.project_list(user=user, committee=committee))
    mine = {}
    if is_liaison(user):
        mine = {
            c.project_id: c
            for c in ProjectClaim.objects.filter(unit_id=user.unit_id).exclude(status=ProjectClaim.Status.WITHDRAWN)
        }
    return render(
        request,
        "cobuilding/project_list.html",
        {
            "committee": committee,
            "projects": projects,
            "mine": mine,
            "today": timezone.localdate(),
            "reviewer": services.is_reviewer(user),
            "liaison": is_liaison(user),
        },
    )


@login_required
def project_create(request):
    user = request.user
    require_reviewer(user)
    committee = committee_or_404(request)
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = run_service(
            form, lambda: services.project_publish(actor=user, committee=committee, **form.cleaned_data)
        )
        if project is not None:
            messages.success(request, _("公益项目已发布，成员单位可以认领。"))
            return redirect(project)
    return render(
        request,
        "cobuilding/form_page.html",
        {"form": form, "title": _("发布公益项目"), "submit": _("发布"), "back": "cobuilding:project_list"},
    )


@login_required
def project_detail(request, pk):
    user = request.user
    project = selectors.project_get(user=user, pk=pk)
    claims = selectors.project_claims_visible(user=user, project=project)
    mine = (
        next((c for c in claims if c.unit_id == user.unit_id and c.status != ProjectClaim.Status.WITHDRAWN), None)
        if is_liaison(user)
        else None
    )
    return render(
        request,
        "cobuilding/project_detail.html",
        {
            "project": project,
            "claims": claims,
            "mine": mine,
            "places_left": max(0, project.places - project.taken),
            "can_claim": is_liaison(user)
            and mine is None
            and project.taken < project.places
            and project.is_claimable_on(timezone.localdate()),
            "reviewer": services.is_reviewer(user),
            "history": history_entries(project, limit=10),
        },
    )


@require_POST
@login_required
def project_claim(request, pk):
    """R17: race-safe claim; the loser of a race for the last place sees why, never a 500."""
    user = request.user
    project = selectors.project_get(user=user, pk=pk)
    if not is_liaison(user):
        raise PermissionDenied
    claim = run_action(request, lambda: services.project_claim(actor=user, project=project, unit=user.unit))
    if claim is None:
        return redirect(project)
    messages.success(request, _("认领成功！请按期推进并报告进展。"))
    return redirect(claim)


@require_POST
@login_required
def project_close(request, pk):
    user = request.user
    project = selectors.project_get(user=user, pk=pk)
    require_reviewer(user)
    services.project_close(actor=user, project=project)
    messages.success(request, _("项目已停止认领。"))
    return redirect(project)


@login_required
def claim_detail(request, pk):
    user = request.user
    claim = _claim(user, pk)
    return render(
        request,
        "cobuilding/claim_detail.html",
        {
            "claim": claim,
            "updates": list(claim.updates.select_related("reported_by")),
            "can_report": can_change(user, claim) and claim.status in OPEN_CLAIM,
            "can_confirm": services.is_reviewer(user) and claim.status in OPEN_CLAIM,
            "can_withdraw": can_change(user, claim) and claim.status in OPEN_CLAIM,
            "history": history_entries(claim, limit=10),
        },
    )


@login_required
def claim_report(request, pk):
    user = request.user
    claim = scoped_get_for_change(user, ProjectClaim.objects.select_related("project", "unit"), pk=pk)
    form = ProgressForm(request.POST or None, request.FILES or None, initial={"happened_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        update = run_service(form, lambda: services.claim_progress_report(actor=user, claim=claim, **form.cleaned_data))
        if update is not None:
            messages.success(request, _("进展已报告。"))
            return redirect(claim)
    return render(
        request,
        "cobuilding/form_page.html",
        {
            "form": form,
            "title": _("报告项目进展"),
            "intro": claim.project.title,
            "submit": _("提交"),
            "multipart": True,
            "back": "cobuilding:project_list",
            "back_url": claim.get_absolute_url(),
        },
    )


@require_POST
@login_required
def claim_confirm(request, pk):
    user = request.user
    claim = _claim(user, pk)
    require_reviewer(user)
    if run_action(request, lambda: services.claim_confirm_completion(actor=user, claim=claim)):
        messages.success(request, _("已确认项目完成。"))
    return redirect(claim)


@login_required
def claim_withdraw(request, pk):
    """R17: the unit's liaison or the community side withdraws a claim not yet completed, with a
    reason; the place is freed and the secretary is told."""
    user = request.user
    claim = scoped_get_for_change(user, ProjectClaim.objects.select_related("project", "unit"), pk=pk)
    form = WithdrawClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form, lambda: services.claim_withdraw(actor=user, claim=claim, reason=form.cleaned_data["reason"])
        )
        if done is not None:
            messages.success(request, _("认领已撤回，名额已释放，社区书记会收到通知。"))
            return redirect(claim)
    return render(
        request,
        "cobuilding/form_page.html",
        {
            "form": form,
            "title": _("撤回项目认领"),
            "intro": _("%(unit)s · %(title)s：撤回后名额将释放给其他单位，已报告的进展保留。")
            % {"unit": claim.unit.name, "title": claim.project.title},
            "submit": _("确认撤回"),
            "back": "cobuilding:project_list",
            "back_url": claim.get_absolute_url(),
        },
    )


@login_required
def evidence_file(request, pk):
    update = scoped_get(request.user, ProjectUpdate.objects.all(), pk=pk)
    return serve_file(update.evidence, update.evidence_name)


urlpatterns = [
    path("projects/", project_list, name="project_list"),
    path("projects/new/", project_create, name="project_create"),
    path("projects/<int:pk>/", project_detail, name="project_detail"),
    path("projects/<int:pk>/claim/", project_claim, name="project_claim"),
    path("projects/<int:pk>/close/", project_close, name="project_close"),
    path("claims/<int:pk>/", claim_detail, name="claim_detail"),
    path("claims/<int:pk>/report/", claim_report, name="claim_report"),
    path("claims/<int:pk>/confirm/", claim_confirm, name="claim_confirm"),
    path("claims/<int:pk>/withdraw/", claim_withdraw, name="claim_withdraw"),
    path("evidence/<int:pk>/", evidence_file, name="evidence_file"),
]
