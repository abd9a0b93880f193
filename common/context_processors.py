from django.conf import settings


def portal(request):
    user = getattr(request, "user", None)
    role = None
    if user is not None and user.is_authenticated:
        role = "admin" if user.is_superuser else user.role
    return {"PORTAL_NAME": settings.PORTAL_NAME, "user_role": role}
