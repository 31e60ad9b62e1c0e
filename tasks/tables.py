import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from tasks.models import KeyTask


class KeyTaskTable(tables.Table):
    code = tables.LinkColumn("tasks:task-detail", args=[tables.A("code")], verbose_name=_("编号"))
    title = tables.LinkColumn("tasks:task-detail", args=[tables.A("code")], verbose_name=_("重点工作"))
    plan = tables.Column(accessor="plan__code", verbose_name=_("规划"))
    lead_unit = tables.Column(accessor="lead_unit__name", verbose_name=_("牵头单位"), order_by="lead_unit__code")
    assisting = tables.Column(empty_values=(), verbose_name=_("配合单位"), orderable=False)

    class Meta:
        model = KeyTask
        fields = ["code", "plan", "category", "title", "lead_unit", "assisting", "goal", "deadline", "status",
                  "percent_done", "latest_period"]
        attrs = {"class": "table table-sm table-hover mb-0"}

    def render_assisting(self, record):
        return "、".join(u.name for u in record.assisting_units) or "—"

    def value_assisting(self, record):
        return "、".join(u.name for u in record.assisting_units)
