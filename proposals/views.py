"""Thin views of proposals (R27).

Who sees what (tests/matrix/proposals.py): township staff and the secretary see and run every
proposal of their scope; county reviewers read (403 on every action); a liaison sees the proposals
their unit handles and those they entered, replies for their unit, and may enter a proposal for
their community's committee.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from committees.models import Committee, Unit
from common import permissions
from common.audit import history_entries
from common.params import id_param, year_param
from common.pdf import render_pdf
from common.views import (
    act_and_return,
    add_service_errors,
    form_action,
    pdf_response,
    posted,
    private_file_response,
    scoped_get,
)
from meetings.models import Meeting

from . import forms, selectors, services
from .models import Proposal, ProposalAttachment

RUNNERS = services.RUNNERS


@login_required
def proposal_list(request):
    user = request.user
    role = permissions.role_of(user)
    committees = []
    if role != "liaison":
        committees = list(
            permissions.scoped(user, Committee.objects.select_related("community").filter(is_active=True))
        )
    committee = None
    committee_id = id_param(request.GET.get("committee"))
    if committee_id and role != "liaison":
        committee = scoped_get(user, Committee.objects.all(), pk=committee_id)
    year = year_param(request.GET.get("year"))
    status = request.GET.get("status", "")
    query = (request.GET.get("q") or "").strip()[:40]
    proposals = list(selectors.proposal_list(user=user, committee=committee, year=year, status=status, query=query))
    return render(
        request,
        "proposals/proposal_list.html",
        {
            "proposals": proposals,
            "committees": committees,
            "committee": committee,
            "report_committee": committee or (committees[0] if len(committees) == 1 else None),
            "year": year,
            "status": status,
            "q": query,
            "statuses": [("open", _("未办结")), *Proposal.Status.choices],
            "can_create": selectors.committees_for_new(user=user).exists(),
            "is_runner": role in RUNNERS,
        },
    )


@login_required
def proposal_create(request):
    user = request.user
    committees = selectors.committees_for_new(user=user)
    if not committees.exists():
        raise PermissionDenied
    committee_ids = list(committees.values_list("community_id", flat=True))
    units = Unit.objects.filter(community_id__in=committee_ids).order_by("name")
    form = forms.ProposalForm(
        posted(request),
        request.FILES or None,
        committees=committees,
        units=units,
        initial={"tabled_on": timezone.localdate(), "committee": committees.first()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.proposal_table(
                actor=user,
                committee=data["committee"],
                channel=data["channel"],
                title=data["title"],
                problem=data["problem"],
                suggestion=data["suggestion"],
                lead_proposer=data["lead_proposer"],
                lead_is_representative=data["lead_is_representative"],
                co_signers=form.co_signer_names(),
                units=data["units"],
                tabled_on=data["tabled_on"],
                attachments=data["attachments"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("建议案已提交，等待审查立案。"))
            return redirect(proposal)
    return render(request, "proposals/proposal_form.html", {"form": form}, status=400 if form.errors else 200)


def _detail_context(request, proposal: Proposal, **forms_in_error) -> dict:
    user = request.user
    role = permissions.role_of(user)
    runner = role in RUNNERS
    units = Unit.objects.filter(community_id=proposal.committee.community_id).order_by("name")
    today = timezone.localdate()
    meetings = Meeting.objects.filter(
        committee=proposal.committee,
        status__in=(Meeting.Status.DRAFT, Meeting.Status.NOTIFIED),
        starts_at__gte=timezone.now(),
    ).order_by("starts_at")
    assignments = list(proposal.assignments.all())
    for a in assignments:
        a.user_can_reply = services.can_reply(user, a)
        error_form = forms_in_error.get("reply_form") if forms_in_error.get("reply_error_pk") == a.pk else None
        a.reply_form = error_form or forms.ReplyForm(auto_id=f"id_a{a.pk}_%s")
    context = {
        "proposal": proposal,
        "assignments": assignments,
        "is_runner": runner,
        "decline_form": forms_in_error.get("decline_form") or forms.DeclineForm(),
        "assign_form": forms_in_error.get("assign_form")
        or forms.AssignForm(units=units, initial={"due_on": today + datetime.timedelta(days=30)}),
        "feedback_form": forms_in_error.get("feedback_form") or forms.FeedbackForm(),
        "reopen_form": forms_in_error.get("reopen_form")
        or forms.ReopenForm(initial={"due_on": today + datetime.timedelta(days=30)}),
        "agenda_form": forms_in_error.get("agenda_form") or forms.AgendaForm(meetings=meetings),
        "has_meetings": meetings.exists() if runner and proposal.is_open else False,
        "history": history_entries(proposal) if runner or role in ("county",) else [],
    }
    return context


@login_required
def proposal_detail(request, pk: int):
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    return render(request, "proposals/proposal_detail.html", _detail_context(request, proposal))


def _runner_proposal(request, pk: int) -> Proposal:
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    if permissions.role_of(request.user) not in RUNNERS:
        raise PermissionDenied
    return proposal


def _act(request, proposal, form_name, form, call, success: str):
    """Run a service for a bound form; on a refusal show the page again with the message."""
    return form_action(
        request,
        form,
        call,
        success=success,
        to=proposal,
        page=lambda f: render(
            request, "proposals/proposal_detail.html", _detail_context(request, proposal, **{form_name: f}), status=400
        ),
    )


@require_POST
@login_required
def proposal_register(request, pk: int):
    proposal = _runner_proposal(request, pk)
    return act_and_return(
        request,
        lambda: services.proposal_register(actor=request.user, proposal=proposal),
        success=_("已立案并编号。"),
        to=proposal,
    )


@require_POST
@login_required
def proposal_decline(request, pk: int):
    proposal = _runner_proposal(request, pk)
    return _act(
        request,
        proposal,
        "decline_form",
        forms.DeclineForm(request.POST),
        lambda d: services.proposal_decline(actor=request.user, proposal=proposal, reason=d["reason"]),
        _("已作不予立案处理，并告知提案人。"),
    )


@require_POST
@login_required
def proposal_assign(request, pk: int):
    proposal = _runner_proposal(request, pk)
    units = Unit.objects.filter(community_id=proposal.committee.community_id)
    return _act(
        request,
        proposal,
        "assign_form",
        forms.AssignForm(request.POST, units=units),
        lambda d: services.proposal_assign(
            actor=request.user,
            proposal=proposal,
            units=d["units"],
            to_committee=d["to_committee"],
            due_on=d["due_on"],
            today=timezone.localdate(),
        ),
        _("已交办，承办单位将收到通知。"),
    )


@require_POST
@login_required
def assignment_reply(request, pk: int):
    assignment = selectors.assignment_get(user=request.user, pk=pk)
    if not services.can_reply(request.user, assignment):
        raise PermissionDenied
    proposal = selectors.proposal_get(user=request.user, pk=assignment.proposal_id)
    form = forms.ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.assignment_reply(
                actor=request.user,
                assignment=assignment,
                reply=form.cleaned_data["reply"],
                action_taken=form.cleaned_data["action_taken"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("答复已提交。"))
            return redirect(proposal)
    context = _detail_context(request, proposal, reply_form=form, reply_error_pk=assignment.pk)
    return render(request, "proposals/proposal_detail.html", context, status=400)


@require_POST
@login_required
def proposal_feedback(request, pk: int):
    proposal = _runner_proposal(request, pk)
    return _act(
        request,
        proposal,
        "feedback_form",
        forms.FeedbackForm(request.POST),
        lambda d: services.proposal_feedback(
            actor=request.user, proposal=proposal, satisfied=d["satisfied"], note=d["note"]
        ),
        _("已记录提案人评价。"),
    )


@require_POST
@login_required
def proposal_reopen(request, pk: int):
    proposal = _runner_proposal(request, pk)
    return _act(
        request,
        proposal,
        "reopen_form",
        forms.ReopenForm(request.POST),
        lambda d: services.proposal_reopen(
            actor=request.user, proposal=proposal, due_on=d["due_on"], today=timezone.localdate()
        ),
        _("已重新交办，承办单位将收到通知。"),
    )


@require_POST
@login_required
def proposal_commend(request, pk: int):
    proposal = _runner_proposal(request, pk)
    commended = request.POST.get("commended", "1") == "1"
    return act_and_return(
        request,
        lambda: services.proposal_commend(actor=request.user, proposal=proposal, commended=commended),
        success=_("已评为优秀建议案。") if commended else _("已取消优秀建议案。"),
        to=proposal,
    )


@require_POST
@login_required
def proposal_to_agenda(request, pk: int):
    proposal = _runner_proposal(request, pk)
    meetings = Meeting.objects.filter(committee=proposal.committee)
    form = forms.AgendaForm(request.POST, meetings=meetings)
    if form.is_valid():
        meeting = form.cleaned_data["meeting"]
        try:
            item = services.proposals_to_agenda(
                actor=request.user,
                meeting=meeting,
                category=form.cleaned_data["category"],
                planned_minutes=form.cleaned_data["planned_minutes"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已列入会议议程：%(title)s") % {"title": item.title})
            return redirect(meeting)
    context = _detail_context(request, proposal, agenda_form=form)
    return render(request, "proposals/proposal_detail.html", context, status=400)


@login_required
def attachment_download(request, pk: int):
    attachment = ProposalAttachment.objects.filter(pk=pk).select_related("proposal").first()
    if attachment is None:
        raise Http404
    selectors.proposal_get(user=request.user, pk=attachment.proposal_id)  # 404 outside the scope
    return private_file_response(attachment.file, filename=attachment.name)


def _report_args(request, pk: int):
    if permissions.role_of(request.user) == "liaison":
        raise Http404
    committee = scoped_get(request.user, Committee.objects.select_related("community"), pk=pk)
    today = timezone.localdate()
    year = year_param(request.GET.get("year"), default=today.year)
    half = {"1": 1, "2": 2}.get(request.GET.get("half", ""), 1 if today.month <= 6 else 2)
    return selectors.half_year_report(user=request.user, committee=committee, year=year, half=half)


@login_required
def half_year_report(request, pk: int):
    report = _report_args(request, pk)
    return render(request, "proposals/report.html", {**report, "years": range(report["year"] - 3, report["year"] + 2)})


@login_required
def half_year_report_pdf(request, pk: int):
    report = _report_args(request, pk)
    content = render_pdf("reports/proposals_half_year.html", {**report, "printed_at": timezone.localtime()})
    half = _("上半年") if report["half"] == 1 else _("下半年")
    filename = f"建议案办理情况-{report['committee'].community.name}-{report['year']}年{half}.pdf"
    return pdf_response(content, filename)
