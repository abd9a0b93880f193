"""Permission refusals and exports go to the audit log in one place (item 8).

A 403 for anyone and a 404 for a logged-in user (an object outside their scope answers 404) are
refusals; a successful response with a ``Content-Disposition`` header (every xlsx, PDF, Word and
file download of the portal) is an export. No view needs to record either itself.
"""

from urllib.parse import unquote

from django.utils.translation import gettext as _

from .models import AuditEvent
from .services import audit_record


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = response.status_code
        user = getattr(request, "user", None)
        logged_in = user is not None and user.is_authenticated
        if status == 403 or (status == 404 and logged_in):
            audit_record(
                event=AuditEvent.Event.DENIED,
                outcome=AuditEvent.Outcome.REFUSED,
                request=request,
                detail=_("%(method)s，状态 %(status)s") % {"method": request.method, "status": status},
            )
        elif status == 200 and response.has_header("Content-Disposition"):
            audit_record(
                event=AuditEvent.Event.EXPORT,
                request=request,
                detail=unquote(response["Content-Disposition"])[:500],
            )
        return response
