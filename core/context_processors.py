from django.conf import settings

from core.navigation import items_for


def navigation(request):
    user = getattr(request, "user", None)
    items = items_for(user, request.path) if user is not None and user.is_authenticated else []
    return {"DEMO_MODE": settings.DEMO_MODE, "nav_items": items}
