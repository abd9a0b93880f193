"""View mixins that apply ``common.permissions`` to every object a view touches."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import content_disposition_header

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


def posted(request):
    """The submitted data of a POST (bound even when empty, so it is validated), else None."""
    return request.POST if request.method == "POST" else None


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


def act_and_return(request, call, *, success: str, to):
    """Run a one-button service call and go back to ``to``: the success message, or the
    service's refusal as an error message on the same page (nothing typed can be lost)."""
    try:
        call()
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect(to)


def form_action(request, form, call, *, success: str, to, page):
    """One form on a page that does one thing: a valid form runs ``call(cleaned_data)`` (a
    service) and goes to ``to`` with the success message; invalid input or the service's refusal
    shows ``page(form)`` again (a 400) with the message next to the field and the input kept."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(to)
    return page(form)


def private_file_response(
    field_file, *, filename: str = "", title: str = "", as_attachment: bool = False
) -> FileResponse:
    """Stream an upload kept outside the web root; the caller has already checked the user may
    see the object it belongs to. A missing file is a 404, never a 500. ``title`` names the
    download after the object (its stored name is a random hash), keeping the file's extension."""
    if not field_file:
        raise Http404
    stored = field_file.name.rsplit("/", 1)[-1]
    if title and not filename:
        filename = title + (f".{stored.rsplit('.', 1)[-1]}" if "." in stored else "")
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=as_attachment, filename=filename or stored)


def pdf_response(content: bytes, filename: str, *, as_attachment: bool = True) -> HttpResponse:
    """A generated PDF with a (Chinese) file name encoded as RFC 6266 asks."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    return response
