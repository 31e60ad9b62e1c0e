"""tasks' registered model: key tasks (重点工作) created and edited on pages, from Excel and at /api/key-tasks/.

Their status moves only through the workflow (tasks.services.workflow); the registry edits what was assigned.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import registry
from core.registry.factories import RegistryForm
from core.roles import Role
from tasks.models import KeyTask

FIELDS = ("plan", "code", "title", "action", "year", "category", "lead_unit", "content", "goal", "quantity",
          "quantity_unit", "start", "deadline")


class KeyTaskForm(RegistryForm):
    class Meta:
        model = KeyTask
        fields = FIELDS

    def clean(self):
        data = super().clean()
        plan, action = data.get("plan"), data.get("action")
        if plan and action and action.plan_id != plan.pk:
            self.add_error("action", ValidationError(_("所属行动不属于该规划")))
        if data.get("start") and data.get("deadline") and data["deadline"] < data["start"]:
            self.add_error("deadline", ValidationError(_("完成时限不能早于开始日期")))
        if data.get("lead_unit") and data["lead_unit"].is_place and data["lead_unit"].kind != "town":
            self.add_error("lead_unit", ValidationError(_("牵头单位应为部门、科室或镇街道")))
        return data


def register() -> None:
    registry.register(registry.Registration(
        KeyTask, "key-tasks", label=gettext_lazy("重点任务（台账）"),
        queryset=KeyTask.objects.select_related("plan", "lead_unit", "action"), form=KeyTaskForm,
        form_fields=FIELDS, list_fields=("code", "title", "plan", "lead_unit", "status", "deadline"),
        detail_fields=(*FIELDS, "status", "percent_done", "latest_period", "source"),
        filter_fields=("plan", "status", "lead_unit"), search_fields=("title", "code"),
        lookups={"plan": ("code", "name"), "action": ("title",), "lead_unit": ("code", "name")},
        menu_group=gettext_lazy("重点工作"), menu_roles=frozenset({Role.BUREAU_ADMIN}), menu_order=37))
