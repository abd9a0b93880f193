"""Helpers shared by the co-building views: who is acting, which committee, serving files."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme

from common.params import id_param
from common.permissions import role_of as role
from common.views import add_service_errors, private_file_response

from .. import selectors
from ..services import is_reviewer


def is_liaison(user) -> bool:
    return role(user) == "liaison"


def require_reviewer(user) -> None:
    """Accept, return, confirm, publish: the community side only (a liaison or a reader gets 403)."""
    if not is_reviewer(user):
        raise PermissionDenied


def int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def committee_or_404(request):
    committee = selectors.committee_for(
        user=request.user, committee_id=id_param(request.GET.get("committee") or request.POST.get("committee"))
    )
    if committee is None:
        raise Http404
    return committee


def units_for(request, committee):
    """Unit choices for the community side; None for a liaison, whose unit is fixed."""
    if is_liaison(request.user):
        return None
    return selectors.committee_units(committee=committee)


def serve_file(field_file, name: str = ""):
    """Uploaded files never have a public URL: a view that checked the user streams them."""
    return private_file_response(field_file, filename=name)


def run_service(form, call):
    """Call a service; its ValidationError lands on the form (input kept). Returns the result or None."""
    try:
        return call()
    except ValidationError as e:
        add_service_errors(form, e)
        return None


def safe_next(request, default: str) -> str:
    """Where to go after a POST: the page the form came from, if it is one of ours."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def run_action(request, call):
    """A one-button action: a service's ValidationError becomes an error message on the next page."""
    try:
        return call()
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
        return None
