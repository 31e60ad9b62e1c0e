from django.conf import settings

from core.navigation import items_for
from core.notify import unread_count


def navigation(request):
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    match = getattr(request, "resolver_match", None)
    items = items_for(user, request.path, match.view_name if match else "") if signed_in else []
    unread = unread_count(user) if signed_in else 0
    return {"DEMO_MODE": settings.DEMO_MODE, "nav_items": items, "unread_notifications": unread}
