"""View mixins that apply ``common.permissions`` to every object a view touches."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404

from . import permissions


class ScopedMixin(LoginRequiredMixin):
    """Objects outside the user's scope do not exist for them (404)."""

    model = None

    def get_queryset(self):
        return permissions.scoped(self.request.user, super().get_queryset())


class ChangeMixin(ScopedMixin):
    """A visible object the user may not change is a 403."""

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        permissions.require_change(self.request.user, obj)
        return obj


def scoped_get(user, queryset, **lookup):
    """The object, if the user may see it, else 404."""
    return get_object_or_404(permissions.scoped(user, queryset), **lookup)


def scoped_get_for_change(user, queryset, **lookup):
    obj = scoped_get(user, queryset, **lookup)
    if not permissions.can_change(user, obj):
        raise PermissionDenied
    return obj


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form it came from, keeping what was typed."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
