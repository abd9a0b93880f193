"""The rotating secretary (R7): the plan over the committee's term, generate, edit, reorder and
approve it. The database forbids overlapping terms; the service refuses a plan with gaps."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from committees import selectors, services
from committees.forms.rotation import RotationGenerateForm, RotationTermForm
from committees.models import Committee, RotationTerm
from common import permissions
from common.views import add_service_errors, posted, scoped_get_for_change

COMMITTEES = Committee.objects.select_related("community__township")


@login_required
def rotation_detail(request, pk: int):
    committee = selectors.committee_get(user=request.user, pk=pk)
    today = timezone.localdate()
    terms = selectors.rotation_terms(committee=committee)
    posts = selectors.committee_posts(committee=committee)
    span = max((committee.term_end - committee.term_start).days + 1, 1)
    locked = [t.is_approved and t.start <= today for t in terms]  # handover history
    rows = []
    for i, term in enumerate(terms):
        rows.append(
            {
                "term": term,
                "past": term.end < today,
                "current": term.start <= today <= term.end,
                "locked": locked[i],
                "up": i > 0 and not locked[i - 1],
                "down": i + 1 < len(terms),
                # position on the timeline, in % of the committee's term
                "left": round(max((term.start - committee.term_start).days, 0) * 100 / span, 2),
                "width": round(max((term.end - term.start).days + 1, 1) * 100 / span, 2),
            }
        )
    context = {
        "committee": committee,
        "today": today,
        "rows": rows,
        "history": [r for r in rows if r["locked"]],
        "problems": services.rotation_gaps(committee, terms),
        "pending": sum(1 for t in terms if not t.is_approved),
        "secretary": selectors.secretary_on(committee=committee, day=today, terms=terms, posts=posts),
        "chair_gap": selectors.rotation_chair_gap(committee=committee, terms=terms, posts=posts, today=today),
        "handover": selectors.upcoming_handover(terms=terms, today=today),
        "may_change": permissions.can_change(request.user, committee),
        "approval_refusal": services.rotation_approval_refusal(request.user, committee),
        "today_left": round(min(max((today - committee.term_start).days, 0), span) * 100 / span, 2),
    }
    return render(request, "committees/rotation_detail.html", context)


@login_required
def rotation_generate(request, pk: int):
    committee = scoped_get_for_change(request.user, COMMITTEES, pk=pk)
    form = RotationGenerateForm(posted(request), committee=committee)
    if request.method == "POST" and form.is_valid():
        try:
            terms = services.rotation_generate(
                actor=request.user,
                committee=committee,
                units=form.cleaned_data["units"],
                start=form.cleaned_data["start"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已生成 %(n)s 个轮值任期，请核对后批准。") % {"n": len(terms)})
            return redirect("committees:rotation_detail", pk=committee.pk)
    return render(request, "committees/rotation_generate.html", {"form": form, "committee": committee})


@login_required
def rotation_term_update(request, pk: int):
    term = scoped_get_for_change(
        request.user, RotationTerm.objects.select_related("committee__community__township", "unit"), pk=pk
    )
    form = RotationTermForm(posted(request), term=term)
    if request.method == "POST" and form.is_valid():
        try:
            services.rotation_term_update(actor=request.user, term=term, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已修改轮值任期，轮值安排需重新批准。"))
            return redirect("committees:rotation_detail", pk=term.committee_id)
    return render(
        request, "committees/rotation_term_form.html", {"form": form, "term": term, "committee": term.committee}
    )


@require_POST
@login_required
def rotation_swap(request, pk: int):
    """Move a term up or down: it exchanges holders with its neighbour (the dates stay)."""
    term = scoped_get_for_change(request.user, RotationTerm.objects.select_related("committee"), pk=pk)
    direction = request.POST.get("direction")
    siblings = RotationTerm.objects.filter(committee_id=term.committee_id)
    if direction == "up":
        other = siblings.filter(start__lt=term.start).order_by("-start").first()
    elif direction == "down":
        other = siblings.filter(start__gt=term.start).order_by("start").first()
    else:
        other = None
    if other is None:
        messages.error(request, _("无法移动：没有相邻的轮值任期。"))
    else:
        try:
            services.rotation_swap(actor=request.user, first=term, second=other)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已调整轮值顺序，轮值安排需重新批准。"))
    return redirect("committees:rotation_detail", pk=term.committee_id)


@require_POST
@login_required
def rotation_approve(request, pk: int):
    """R7: approve the plan (the approving body chosen for the committee, never the proposer);
    refused with the reason, or with the gap messages while any gap or overlap exists."""
    committee = selectors.committee_get(user=request.user, pk=pk)
    if services.rotation_approval_refusal(request.user, committee) and not permissions.can_change(
        request.user, committee
    ):
        raise PermissionDenied  # a reader who is not the committee's approving body
    try:
        count = services.rotation_approve(actor=request.user, committee=committee)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, _("不能批准：%(problem)s") % {"problem": message})
    else:
        messages.success(request, _("已批准 %(n)s 个轮值任期。") % {"n": count})
    return redirect("committees:rotation_detail", pk=committee.pk)


urlpatterns = [
    path("<int:pk>/rotation/", rotation_detail, name="rotation_detail"),
    path("<int:pk>/rotation/generate/", rotation_generate, name="rotation_generate"),
    path("<int:pk>/rotation/approve/", rotation_approve, name="rotation_approve"),
    path("rotation/terms/<int:pk>/edit/", rotation_term_update, name="rotation_term_update"),
    path("rotation/terms/<int:pk>/move/", rotation_swap, name="rotation_swap"),
]
