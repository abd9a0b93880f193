"""Committee pages (R1, R3–R7): the list, the township landing page, the committee page, and
creating and editing a committee. Reads go through the selectors (scoped to the user); writes
through the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from committees import selectors, services
from committees.forms.committee import CommitteeCreateForm, CommitteeRenewForm, CommitteeUpdateForm
from committees.models import Committee, Post, PostApproval
from common import permissions
from common.audit import history_entries
from common.params import id_param
from common.text import inner_quotes
from common.views import add_service_errors, posted, scoped_get_for_change

PAGE_SIZE = 50


def _may_create_committee(user) -> bool:
    """Committees are formed by the township (R1): township staff and administrators."""
    return permissions.can_change(user, Committee) and (user.is_superuser or user.role != "secretary")


@login_required
def committee_list(request):
    committees = selectors.committee_list(user=request.user)
    page = Paginator(committees, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "committees/committee_list.html",
        {"page_obj": page, "may_create": _may_create_committee(request.user), "today": timezone.localdate()},
    )


@login_required
def committee_create(request):
    if not _may_create_committee(request.user):
        raise PermissionDenied
    # R1: one committee in office per community, so only communities without one are offered
    communities = (
        selectors.community_list(user=request.user)
        .exclude(committees__is_active=True)
        .order_by("township__name", "name")
    )
    community_id = id_param(request.GET.get("community"))
    initial = {"community": community_id} if community_id is not None else {}
    form = CommitteeCreateForm(posted(request), communities=communities, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            committee = services.committee_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已成立“%(name)s”。") % {"name": inner_quotes(committee.name)})
            return redirect(committee)
    return render(request, "committees/committee_form.html", {"form": form, "committee": None})


@login_required
def committee_update(request, pk: int):
    committee = scoped_get_for_change(request.user, Committee.objects.select_related("community__township"), pk=pk)
    form = CommitteeUpdateForm(posted(request), committee=committee)
    if request.method == "POST" and form.is_valid():
        try:
            committee = services.committee_update(actor=request.user, committee=committee, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(committee)
    return render(request, "committees/committee_form.html", {"form": form, "committee": committee})


@login_required
def committee_detail(request, pk: int):
    """R3–R7 at a glance: posts in force, nominations and their approvals, composition checks
    computed live, open vacancies with days open, today's secretary and the rotation."""
    committee = selectors.committee_get(user=request.user, pk=pk)
    today = timezone.localdate()
    posts = selectors.committee_posts(committee=committee)
    terms = selectors.rotation_terms(committee=committee)
    vacancies = selectors.committee_vacancies(committee=committee)
    nominated = [p for p in posts if p.status == Post.Status.NOMINATED]
    context = {
        "committee": committee,
        "today": today,
        "may_change": permissions.can_change(request.user, committee),
        "may_renew": committee.is_active and _may_create_committee(request.user),
        "groups": selectors.posts_in_force_grouped(posts),
        "nominated": [(p, selectors.approval_grid(p)) for p in sorted(nominated, key=lambda p: p.nominated_on)],
        "rejected": [
            (p, [a for a in p.approvals.all() if a.decision == PostApproval.Decision.REJECTED])
            for p in posts
            if p.status == Post.Status.REJECTED
        ],
        "ended": sorted((p for p in posts if p.status == Post.Status.ENDED), key=lambda p: p.ended_on, reverse=True),
        "checks": selectors.composition_checks(committee=committee, posts=posts, terms=terms, today=today),
        "vacancies": vacancies,
        "secretary": selectors.secretary_on(committee=committee, day=today, terms=terms, posts=posts),
        "chair_gap": selectors.rotation_chair_gap(committee=committee, terms=terms, posts=posts, today=today),
        "current_term": next((t for t in terms if t.start <= today <= t.end), None),
        "handover": selectors.upcoming_handover(terms=terms, today=today),
        "terms_total": len(terms),
        "terms_pending": sum(1 for t in terms if not t.is_approved),
        "rotation_problems": services.rotation_gaps(committee, terms),
        "history": history_entries(committee),
    }
    return render(request, "committees/committee_detail.html", context)


@login_required
def committee_renew(request, pk: int):
    """R6 换届 (the township's, like forming a committee): close this committee's term and form
    the next one; the old one stays as read-only history."""
    committee = scoped_get_for_change(request.user, Committee.objects.select_related("community__township"), pk=pk)
    if not _may_create_committee(request.user):
        raise PermissionDenied
    if not committee.is_active:
        messages.info(request, _("该大党委已换届，是只读的历史记录。"))
        return redirect(committee)
    form = CommitteeRenewForm(posted(request), committee=committee)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.committee_renew(actor=request.user, committee=committee, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已完成换届，成立“%(name)s”。原在任职务已转为本届提名，待县委组织部、县民政局审批。")
                % {"name": inner_quotes(new.name)},
            )
            for post, reason in new.not_renominated:
                messages.warning(request, _("%(post)s 未能转为本届提名：%(reason)s") % {"post": post, "reason": reason})
            return redirect(new)
    in_force = committee.posts.filter(status=Post.Status.IN_FORCE).count()
    return render(
        request, "committees/committee_renew.html", {"form": form, "committee": committee, "in_force": in_force}
    )


@login_required
def township_detail(request, pk: int):
    """The township staff's landing page: each community with its committee and red flags,
    and the handovers coming within a month (R6, R7)."""
    township = selectors.township_get(user=request.user, pk=pk)
    today = timezone.localdate()
    rows = selectors.township_overview(township=township, today=today)
    handovers = [
        h
        for h in selectors.handovers_for_user(user=request.user, today=today)
        if h.committee.community.township_id == township.pk
    ]
    return render(
        request,
        "committees/township_detail.html",
        {
            "township": township,
            "rows": rows,
            "handovers": handovers,
            "today": today,
            "may_create": _may_create_committee(request.user),
            "flagged": sum(1 for r in rows if r.flag_count),
        },
    )


urlpatterns = [
    path("", committee_list, name="committee_list"),
    path("new/", committee_create, name="committee_create"),
    path("<int:pk>/", committee_detail, name="committee_detail"),
    path("<int:pk>/edit/", committee_update, name="committee_update"),
    path("<int:pk>/renew/", committee_renew, name="committee_renew"),
    path("townships/<int:pk>/", township_detail, name="township_detail"),
]
