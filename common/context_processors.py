from django.conf import settings

from .permissions import role_of


def portal(request):
    user = getattr(request, "user", None)
    role = None
    if user is not None and user.is_authenticated:
        role = role_of(user)
    return {"PORTAL_NAME": settings.PORTAL_NAME, "user_role": role}
