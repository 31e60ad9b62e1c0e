"""plans' registered models: a plan's actions (行动) and the catalogue of common indicators (通用指标),
managed on the registry's pages and API."""

from django.utils.translation import gettext_lazy as _

from core import registry
from core.roles import Role, is_sysadmin
from plans.models import Action, CommonIndicator


def register() -> None:
    registry.register(registry.Registration(
        Action, "plan-actions", label=_("规划行动"), queryset=Action.objects.select_related("plan"),
        form_fields=("plan", "number", "title"), filter_fields=("plan",), search_fields=("title",),
        lookups={"plan": ("code", "name")}, ordering=("plan__code", "number"),
        menu_group=_("规划监测"), menu_roles=frozenset({Role.BUREAU_ADMIN}), menu_order=25))
    # Shared by every county it compares, so only the system admin adds or changes an entry (bureaus and
    # leaders read it); a bureau links its own indicators to an entry on the indicator's edit page.
    registry.register(registry.Registration(
        CommonIndicator, "common-indicators", label=_("通用指标目录"),
        form_fields=("code", "name", "unit", "kind", "direction", "basis", "note"),
        list_fields=("code", "name", "unit", "kind", "direction", "basis"), filter_fields=("kind",),
        search_fields=("code", "name"), ordering=("code",), can_add=is_sysadmin,
        menu_group=_("规划监测"), menu_roles=frozenset({Role.BUREAU_ADMIN, Role.LEADER}), menu_order=27))
