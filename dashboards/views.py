"""The four dashboards (issue #7): each role lands on its own. A role that opens another role's
dashboard is sent to its own (these are landing pages, not objects); the township, county and
administrator may open a community's secretary dashboard with ``?community=`` (404 outside their
scope)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from committees.models import Community
from common.params import id_param
from common.permissions import role_of
from common.views import scoped_get

from . import selectors

LANDING = {
    "township": "dashboards:township",
    "secretary": "dashboards:secretary",
    "liaison": "dashboards:liaison",
    "county": "dashboards:county",
    "admin": "dashboards:township",  # the administrator: every community's red flags
}


# Pages of the assessment app linked when they exist (built alongside; name → sample arguments).
OPTIONAL = {
    "has_unit_sheet": ("assessment:unit_sheet", [1]),
    "has_round_detail": ("assessment:round_detail", [1]),
    "has_report_index": ("assessment:report_index", []),
    "has_ranking": ("assessment:ranking", []),
}


def optional_links() -> dict[str, bool]:
    out = {}
    for key, (name, args) in OPTIONAL.items():
        try:
            reverse(name, args=args)
            out[key] = True
        except NoReverseMatch:
            out[key] = False
    return out


def landing_url_name(user) -> str:
    return LANDING.get(role_of(user), "committees:committee_list")


def _own(request, *roles):
    """None when the user's role may open this dashboard, else the redirect to their own."""
    if role_of(request.user) in roles:
        return None
    return redirect(landing_url_name(request.user))


@login_required
def township(request):
    if (other := _own(request, "township", "county", "admin")) is not None:
        return other
    dash = selectors.township_dashboard(user=request.user)
    return render(request, "dashboards/township.html", {"dash": dash, "role": role_of(request.user)})


@login_required
def secretary(request):
    if (other := _own(request, "secretary", "township", "county", "admin")) is not None:
        return other
    user = request.user
    if role_of(user) == "secretary":
        community = scoped_get(user, Community.objects.select_related("township"), pk=user.community_id)
    else:
        community_id = id_param(request.GET.get("community"))
        if community_id is None:
            return redirect(landing_url_name(user))
        community = scoped_get(user, Community.objects.select_related("township"), pk=community_id)
    dash = selectors.secretary_dashboard(user=user, community=community)
    return render(request, "dashboards/secretary.html", {"dash": dash, "role": role_of(user)})


@login_required
def liaison(request):
    if (other := _own(request, "liaison")) is not None:
        return other
    dash = selectors.liaison_dashboard(user=request.user)
    return render(request, "dashboards/liaison.html", {"dash": dash, "ws": dash.workspace, **optional_links()})


@login_required
def county(request):
    if (other := _own(request, "county", "admin")) is not None:
        return other
    dash = selectors.county_dashboard(user=request.user)
    return render(request, "dashboards/county.html", {"dash": dash, "role": role_of(request.user), **optional_links()})
