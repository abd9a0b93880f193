"""R5: the nominations waiting for the county bodies. A county user acting for a body sees its
work list (what that body has not decided yet); everyone else the state of each nomination in
their scope."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path

from committees import selectors
from committees.models import PostApproval
from common import permissions

PAGE_SIZE = 50


@login_required
def nomination_list(request):
    body = permissions.county_body_of(request.user)
    page = Paginator(selectors.nominations_pending(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(post, selectors.approval_grid(post)) for post in page]
    return render(
        request,
        "committees/nomination_list.html",
        {"page_obj": page, "rows": rows, "acting_body": dict(PostApproval.Body.choices).get(body, "")},
    )


urlpatterns = [
    path("nominations/", nomination_list, name="nomination_list"),
]
