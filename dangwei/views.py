"""The landing page: each role lands where its work is (issue #7 turns these into dashboards)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from committees import selectors
from common.permissions import role_of


@login_required
def home(request):
    user = request.user
    role = role_of(user)
    if role == "liaison":
        return redirect("cobuilding:workspace")
    if role == "secretary":
        committee = selectors.committee_current_for_community(community_id=user.community_id)
        if committee is not None:
            return redirect(committee)
    if role == "township":
        return redirect(user.township)
    return redirect("committees:committee_list")
