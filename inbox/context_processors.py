from django.utils.functional import SimpleLazyObject

from . import selectors


def inbox(request):
    """The unread badge: one COUNT, only for logged-in users and only if the page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": SimpleLazyObject(lambda: selectors.unread_count(user=user))}
