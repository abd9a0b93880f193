"""The one place that decides who may see or change what: role + scope.

Models name the lookup path to their community in ``SCOPE_COMMUNITY`` ("" for Community itself)
and, where a unit owns them, the path to that unit in ``SCOPE_UNIT`` ("" for Unit itself).

- superuser / 系统管理员: everything;
- county reviewer: reads everything in their county, changes nothing;
- township staff: reads and changes everything in their township;
- community secretary: reads and changes everything of their community;
- unit liaison: reads what belongs to their own unit; changes only models that declare
  ``LIAISON_EDITABLE = True`` (their pledges and reports, issue #4).

Selectors filter with :func:`scope_q`; views fetch objects through a scoped queryset (outside the
scope → 404) and then ask :func:`can_change` (visible but not changeable → 403).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

NOTHING = Q(pk__in=[])


def role_of(user) -> str:
    """The user's role as one word: "admin" for superusers, "anonymous" when not logged in."""
    if not user.is_authenticated:
        return "anonymous"
    if user.is_superuser:
        return "admin"
    return user.role


_role = role_of


def _join(path: str, field: str) -> str:
    return f"{path}__{field}" if path else field


def scope_q(user, model: type[Model]) -> Q:
    """The filter of ``model`` rows that ``user`` may see."""
    role = _role(user)
    if role == "admin":
        return Q()
    community = getattr(model, "SCOPE_COMMUNITY", None)
    unit = getattr(model, "SCOPE_UNIT", None)
    if role == "county" and community is not None:
        return Q(**{_join(community, "township__county_id"): user.county_id})
    if role == "township" and community is not None:
        return Q(**{_join(community, "township_id"): user.township_id})
    if role == "secretary" and community is not None:
        return Q(**{_join(community, "id"): user.community_id})
    if role == "liaison" and unit is not None:
        return Q(**{_join(unit, "id"): user.unit_id})
    return NOTHING


def scoped(user, queryset: QuerySet) -> QuerySet:
    return queryset.filter(scope_q(user, queryset.model))


def can_view(user, obj: Model) -> bool:
    return type(obj)._default_manager.filter(scope_q(user, type(obj)), pk=obj.pk).exists()


def can_change(user, obj: Model | type[Model]) -> bool:
    """Whether ``user`` may change ``obj`` (already known to be visible to them)."""
    role = _role(user)
    if role in ("admin", "township", "secretary"):
        return True
    if role == "liaison":
        return bool(getattr(obj, "LIAISON_EDITABLE", False))
    return False


def require_change(user, obj) -> None:
    if not can_change(user, obj):
        raise PermissionDenied


def county_body_of(user) -> str:
    """R5: the county body (``org_dept`` / ``civil_affairs``) this user records decisions for, or
    "". Only a county user marked as acting for a body has one; township staff, secretaries and
    the administrator nominate and read but never record a county body's decision."""
    if _role(user) != "county":
        return ""
    return user.county_body or ""


def acts_for_body(user, body: str, county_id: int | None) -> bool:
    """R5: may ``user`` record ``body``'s decision on a nomination of a committee in ``county_id``?"""
    return bool(body) and county_body_of(user) == body and user.county_id == county_id


def is_reader_only(user) -> bool:
    return _role(user) == "county"


def committee_q(user) -> Q:
    from committees.models import Committee

    return scope_q(user, Committee)
