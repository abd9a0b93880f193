"""Posts (R3–R5): nominate, record each county body's approval, end a post; vacancies (R6).

Objects are fetched through the user's scope (else 404); changes need ``can_change`` (else 403).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from committees import selectors, services
from committees.forms.posts import PostApprovalForm, PostEndForm, PostNominateForm, PostPhoneForm, VacancyForm
from committees.models import Committee, Post, PostApproval
from common import permissions
from common.audit import history_entries
from common.views import add_service_errors, posted, scoped_get_for_change

COMMITTEES = Committee.objects.select_related("community__township")


@login_required
def post_nominate(request, pk: int):
    committee = scoped_get_for_change(request.user, COMMITTEES, pk=pk)
    form = PostNominateForm(posted(request), committee=committee)
    if request.method == "POST" and form.is_valid():
        try:
            post = services.post_nominate(actor=request.user, committee=committee, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已提名 %(name)s 为%(kind)s，待县委组织部和县民政局审批后生效。")
                % {"name": post.holder_name, "kind": post.get_kind_display()},
            )
            return redirect(post)
    return render(request, "committees/post_form.html", {"form": form, "committee": committee})


def _render_post(request, post: Post, approval_form=None, status=200):
    may_change = permissions.can_change(request.user, post)
    body = permissions.county_body_of(request.user)  # R5: the body this user records for, if any
    decided = {a.body for a in post.approvals.all()}
    may_record = body and post.status == Post.Status.NOMINATED and body not in decided
    if approval_form is None and may_record:
        approval_form = PostApprovalForm(post=post, body=body)
    context = {
        "post": post,
        "committee": post.committee,
        "grid": selectors.approval_grid(post),
        "approval_form": approval_form,
        "acting_body": dict(PostApproval.Body.choices).get(body, ""),
        "body_decided": bool(body) and body in decided,
        "may_change": may_change,
        "history": history_entries(post),
    }
    return render(request, "committees/post_detail.html", context, status=status)


@login_required
def post_detail(request, pk: int):
    return _render_post(request, selectors.post_get(user=request.user, pk=pk))


@require_POST
@login_required
def post_approval_create(request, pk: int):
    """R5: one body's approval or rejection, recorded only by a county user acting for that body
    (anyone else: 403); the post comes into force once both approved."""
    post = selectors.post_get(user=request.user, pk=pk)
    body = permissions.county_body_of(request.user)
    if not body:
        raise PermissionDenied
    form = PostApprovalForm(request.POST, post=post, body=body)
    if form.is_valid():
        try:
            approval = services.post_approval_record(actor=request.user, post=post, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            post.refresh_from_db(fields=["status"])
            if post.status == Post.Status.IN_FORCE:
                messages.success(request, _("两机关均已批准，%(post)s 任职生效。") % {"post": post})
            else:
                messages.success(request, _("已登记：%(approval)s。") % {"approval": approval})
            return redirect(post)
    return _render_post(request, selectors.post_get(user=request.user, pk=pk), approval_form=form)


@login_required
def post_end(request, pk: int):
    """R6: end a post in force; its seat becomes a vacancy until filled."""
    post = scoped_get_for_change(
        request.user, Post.objects.select_related("committee__community__township", "unit"), pk=pk
    )
    form = PostEndForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.post_end(
                actor=request.user,
                post=post,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["end_reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(post)s 已卸任，空缺已登记，补充配备前将一直显示。") % {"post": post})
            return redirect(post.committee)
    return render(request, "committees/post_end.html", {"form": form, "post": post, "committee": post.committee})


@login_required
def post_phone_update(request, pk: int):
    """Issue #15 item 7: the holder's own mobile (the community side and the township only)."""
    post = scoped_get_for_change(
        request.user, Post.objects.select_related("committee__community__township", "unit"), pk=pk
    )
    form = PostPhoneForm(posted(request), initial={"phone": post.phone})
    if request.method == "POST" and form.is_valid():
        try:
            services.post_phone_update(actor=request.user, post=post, phone=form.cleaned_data["phone"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s 的手机号码已保存。") % {"name": post.holder_name})
            return redirect(post)
    return render(request, "committees/post_phone.html", {"form": form, "post": post, "committee": post.committee})


@login_required
def vacancy_create(request, pk: int):
    """R6: record a vacancy by hand."""
    committee = scoped_get_for_change(request.user, COMMITTEES, pk=pk)
    form = VacancyForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.vacancy_open(actor=request.user, committee=committee, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("空缺已登记。"))
            return redirect(committee)
    return render(request, "committees/vacancy_form.html", {"form": form, "committee": committee})


urlpatterns = [
    path("<int:pk>/posts/new/", post_nominate, name="post_nominate"),
    path("<int:pk>/vacancies/new/", vacancy_create, name="vacancy_create"),
    path("posts/<int:pk>/", post_detail, name="post_detail"),
    path("posts/<int:pk>/approvals/", post_approval_create, name="post_approval_create"),
    path("posts/<int:pk>/end/", post_end, name="post_end"),
    path("posts/<int:pk>/phone/", post_phone_update, name="post_phone_update"),
]
