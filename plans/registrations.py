"""plans' registered models: a plan's actions (行动), managed on the registry's pages and API."""

from django.utils.translation import gettext_lazy as _

from core import registry
from core.roles import Role
from plans.models import Action


def register() -> None:
    registry.register(registry.Registration(
        Action, "plan-actions", label=_("规划行动"), queryset=Action.objects.select_related("plan"),
        form_fields=("plan", "number", "title"), filter_fields=("plan",), search_fields=("title",),
        lookups={"plan": ("code", "name")}, ordering=("plan__code", "number"),
        menu_group=_("规划监测"), menu_roles=frozenset({Role.BUREAU_ADMIN}), menu_order=25))
