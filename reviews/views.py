"""Thin views of the member review (R22).

Who sees what (tests/matrix/reviews.py): township staff and secretaries run the reviews of their
scope; county reviewers read them and change nothing (403) — nor do they see the code sheet, whose
unused codes are voting credentials; liaisons see none of these pages (404), only the notice about
their own unit's member in their inbox. The ballot pages need no log-in: the one-time code is the
reviewer's credential.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common import permissions
from common.audit import history_entries
from common.pdf import render_pdf
from common.views import add_service_errors, pdf_response, posted

from . import documents, forms, selectors, services
from .models import BallotCode, Campaign, Category, Choice

CHOICE_COLOURS = {
    Choice.SATISFIED: "#2e7d32",
    Choice.FAIRLY: "#7cb342",
    Choice.BASIC: "#f9a825",
    Choice.UNSATISFIED: "#c62828",
}


def _no_liaisons(user) -> None:
    if permissions.role_of(user) == "liaison":
        raise Http404


def _campaign(request, pk: int, *, change: bool = False) -> Campaign:
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    if change:
        permissions.require_change(request.user, campaign)
    return campaign


def _category(request) -> str:
    category = request.GET.get("category") or request.POST.get("category") or Category.PARTY_MEMBER
    if category not in Category.values:
        raise Http404
    return category


# --- campaigns ---------------------------------------------------------------------------------


@login_required
def campaign_list(request):
    _no_liaisons(request.user)
    return render(
        request,
        "reviews/campaign_list.html",
        {
            "campaigns": selectors.campaign_list(user=request.user),
            "committees": selectors.committees_for_new(user=request.user),
        },
    )


def _campaign_form_page(request, form, *, committee, campaign=None, status=200):
    return render(
        request,
        "reviews/campaign_form.html",
        {"form": form, "committee": committee, "campaign": campaign},
        status=status,
    )


@login_required
def campaign_create(request, pk):
    committee = selectors.committee_get(user=request.user, pk=pk)
    permissions.require_change(request.user, committee)
    year = timezone.localdate().year
    initial = {
        "year": year,
        "title": _("%(committee)s%(year)s年度兼职委员满意度测评") % {"committee": committee.name, "year": year},
        "opens_on": timezone.localdate(),
        "closes_on": timezone.localdate() + datetime.timedelta(days=14),
    }
    form = forms.CampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, committee=committee, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已建立测评草稿。请核对委员名单后开始测评。"))
            return redirect(campaign)
    return _campaign_form_page(request, form, committee=committee, status=400 if form.errors else 200)


@login_required
def campaign_update(request, pk):
    campaign = _campaign(request, pk, change=True)
    if not campaign.is_draft:
        messages.error(request, _("测评已开始，不能再修改设置。"))
        return redirect(campaign)
    form = forms.CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(actor=request.user, campaign=campaign, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(campaign)
    return _campaign_form_page(
        request, form, committee=campaign.committee, campaign=campaign, status=400 if form.errors else 200
    )


@login_required
def campaign_detail(request, pk):
    """Members under review, progress per category, codes, the open/close buttons. A fixed
    number of queries whatever the number of members."""
    campaign = _campaign(request, pk)
    if campaign.is_draft:
        subjects = None
        preview = list(
            services.part_time_posts(campaign.committee).select_related("unit").order_by("kind", "holder_name")
        )
    else:
        subjects, preview = selectors.subject_list(campaign=campaign), None
    return render(
        request,
        "reviews/campaign_detail.html",
        {
            "campaign": campaign,
            "subjects": subjects,
            "preview": preview,
            "progress": selectors.campaign_progress(campaign=campaign),
            "codes_form": forms.CodesForm(),
            "can_change": permissions.can_change(request.user, campaign),
            "history": history_entries(campaign),
            "categories": Category.choices,
        },
    )


def _post_action(request, pk, action, success: str):
    campaign = _campaign(request, pk, change=True)
    try:
        action(actor=request.user, campaign=campaign)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect(campaign)


@login_required
@require_POST
def campaign_open(request, pk):
    return _post_action(request, pk, services.campaign_open, _("测评已开始，可以发放测评码。"))


@login_required
@require_POST
def campaign_close(request, pk):
    response = _post_action(request, pk, services.campaign_close, _("测评已结束，结果已反馈各委员所在单位党组织。"))
    campaign = Campaign.objects.only("status").get(pk=pk)
    if campaign.is_closed:
        return redirect("reviews:results", pk=pk)
    return response


@login_required
@require_POST
def codes_generate(request, pk):
    campaign = _campaign(request, pk, change=True)
    form = forms.CodesForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(campaign)
    try:
        codes = services.codes_generate(
            actor=request.user,
            campaign=campaign,
            category=form.cleaned_data["category"],
            count=form.cleaned_data["count"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(campaign)
    messages.success(
        request,
        _("已生成%(n)s个%(category)s测评码，请打印后发放。")
        % {"n": len(codes), "category": Category(form.cleaned_data["category"]).label},
    )
    url = reverse("reviews:code_sheet", args=[campaign.pk])
    return redirect(f"{url}?category={form.cleaned_data['category']}&batch={codes[0].batch}")


@login_required
def code_sheet(request, pk):
    """The printable slips: each unused code with the plain address a reviewer types in. Only
    those who may change the campaign see it (the codes are credentials)."""
    campaign = _campaign(request, pk, change=True)
    category = request.GET.get("category", "")
    if category and category not in Category.values:
        raise Http404
    codes = selectors.codes_of(campaign=campaign, category=category)
    batch = request.GET.get("batch", "")
    if batch.isdigit():
        codes = codes.filter(batch=int(batch))
    base = request.build_absolute_uri(reverse("reviews:ballot_entry"))
    return render(
        request,
        "reviews/code_sheet.html",
        {
            "campaign": campaign,
            "codes": codes,
            "category_label": Category(category).label if category else "",
            "entry_url": base,
            "ballot_base": base,
        },
    )


@login_required
def tally(request, pk):
    """Paper ballots of one category: counts per member and choice, audited."""
    campaign = _campaign(request, pk, change=True)
    if not campaign.is_open:
        messages.error(request, _("只有测评中的测评才能录入纸质票。"))
        return redirect(campaign)
    category = _category(request)
    subjects = selectors.subject_list(campaign=campaign)
    tallies = selectors.tallies_of(campaign=campaign, category=category)
    form = forms.TallyForm(request.POST or None, subjects=subjects, tallies=tallies)
    if request.method == "POST" and form.is_valid():
        try:
            services.tally_save(actor=request.user, campaign=campaign, category=category, rows=form.counts())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存%(category)s纸质票汇总。") % {"category": Category(category).label})
            return redirect(campaign)
    return render(
        request,
        "reviews/tally_form.html",
        {
            "campaign": campaign,
            "form": form,
            "category": category,
            "category_label": Category(category).label,
            "categories": Category.choices,
            "choices": Choice.choices,
        },
        status=400 if form.errors else 200,
    )


# --- results -----------------------------------------------------------------------------------------


def _result_rows(subjects):
    rows = []
    for s in subjects:
        total = s.total
        segments = [
            (label, n, round(n * 100 / total, 1) if total else 0, CHOICE_COLOURS[Choice(value)])
            for value, label, n in s.counts()
        ]
        by_category = [
            (label, [s.by_category.get(value, {}).get(c, 0) for c in Choice.values])
            for value, label in Category.choices
        ]
        rows.append(
            {"subject": s, "segments": segments, "by_category": by_category, "outcome": getattr(s, "outcome", None)}
        )
    return rows


def _results_context(request, campaign):
    subjects = selectors.results(campaign=campaign)
    return {
        "campaign": campaign,
        "rows": _result_rows(subjects),
        "flagged": sum(1 for s in subjects if s.flagged),
        "choices": Choice.choices,
        "categories": Category.choices,
        "colours": [(label, CHOICE_COLOURS[Choice(value)]) for value, label in Choice.choices],
    }


@login_required
def results(request, pk):
    """Per member: counts, a stacked bar, the flag, the outcome and the proposal's meeting. A fixed
    number of queries."""
    campaign = _campaign(request, pk)
    if not campaign.is_closed:
        messages.info(request, _("测评结束后才能查看结果。"))
        return redirect(campaign)
    return render(request, "reviews/results.html", _results_context(request, campaign))


@login_required
def results_pdf(request, pk):
    campaign = _campaign(request, pk)
    if not campaign.is_closed:
        raise Http404
    context = _results_context(request, campaign)
    context["printed_at"] = timezone.now()
    # issue #16: the paper states the ballots issued, returned and valid, and the day of the count
    context["ballots"] = documents.ballot_counts(campaign=campaign)
    context["counted_on"] = documents.counted_on(campaign)
    content = render_pdf("reviews/results_pdf.html", context)
    return pdf_response(content, f"{campaign.title}结果.pdf", as_attachment=False)


# --- the public ballot -------------------------------------------------------------------------------


def _message_page(request, text: str, *, status=200, done=False):
    return render(request, "reviews/ballot_message.html", {"text": text, "done": done}, status=status)


def ballot_entry(request):
    """Where a reviewer types the code printed on their slip."""
    form = forms.CodeEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = services.normalize_code(form.cleaned_data["code"])
        if BallotCode.objects.filter(code=code).exists():
            return redirect("reviews:ballot", code=code)
        form.add_error("code", services.state_message("unknown"))
    return render(request, "reviews/ballot_entry.html", {"form": form}, status=400 if form.errors else 200)


def ballot(request, code: str):
    row = (
        BallotCode.objects.select_related("campaign__committee__community")
        .filter(code=services.normalize_code(code))
        .first()
    )
    state = services.code_state(row)
    if state != "ok":
        return _message_page(request, services.state_message(state), status=404 if state == "unknown" else 200)
    subjects = selectors.subject_list(campaign=row.campaign)
    form = forms.BallotForm(posted(request), subjects=subjects)  # an empty ballot is bound: its errors show
    if request.method == "POST" and form.is_valid():
        try:
            services.ballot_submit(code=row.code, choices=form.choices())
        except ValidationError as exc:
            if getattr(exc, "code", "") == "incomplete":
                add_service_errors(form, exc)
            else:
                return _message_page(request, " ".join(exc.messages))
        else:
            return redirect("reviews:ballot_done")
    return render(
        request,
        "reviews/ballot.html",
        {"code": row, "campaign": row.campaign, "form": form},
        status=400 if form.errors else 200,
    )


def ballot_done(request):
    return _message_page(request, _("您的测评意见已提交，感谢您的参与！"), done=True)
