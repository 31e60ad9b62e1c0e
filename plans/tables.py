import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from plans.models import IndicatorValue, Plan


class PlanTable(tables.Table):
    name = tables.LinkColumn("plans:plan-detail", args=[tables.A("code")], verbose_name=_("名称"))
    region = tables.Column(accessor="region__name", verbose_name=_("区划"), order_by="region__code")
    cockpit = tables.LinkColumn("plans:cockpit", args=[tables.A("code")], text=_("驾驶舱"), verbose_name="",
                                orderable=False, exclude_from_export=True)

    class Meta:
        model = Plan
        fields = ["code", "name", "region", "issuer", "issued_on", "start_year", "end_year"]
        attrs = {"class": "table table-sm table-hover mb-0"}


class ValueTable(tables.Table):
    id = tables.LinkColumn("plans:value-detail", args=[tables.A("pk")], verbose_name=_("编号"))
    plan = tables.Column(accessor="indicator__plan__code", verbose_name=_("规划"), order_by="indicator__plan__code")
    indicator = tables.Column(accessor="indicator__name", verbose_name=_("指标"), order_by="indicator__seq")
    unit = tables.Column(accessor="indicator__unit", verbose_name=_("单位"), orderable=False)
    place = tables.Column(accessor="place__name", verbose_name=_("地区"), order_by="place__code")
    value = tables.Column(verbose_name=_("数值"), attrs={"td": {"class": "num"}})
    approved_value = tables.Column(verbose_name=_("已审核数值"), attrs={"td": {"class": "num"}})
    reporter = tables.Column(verbose_name=_("填报人"), default="—")

    class Meta:
        model = IndicatorValue
        fields = ["id", "plan", "indicator", "unit", "place", "period", "basis", "value", "approved_value", "status",
                  "reporter", "revision", "updated_at", "is_demo", "source"]
        attrs = {"class": "table table-sm table-hover mb-0"}
        order_by = ("-updated_at",)

    def render_value(self, value):
        return format(value.normalize(), "f")

    def render_approved_value(self, value):
        return format(value.normalize(), "f")

    def value_value(self, value):
        return float(value)

    def value_approved_value(self, value):
        return float(value) if value is not None else None
