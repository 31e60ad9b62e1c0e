import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core.models import OrgUnit


class OrgUnitTable(tables.Table):
    region = tables.Column(accessor="region__name", verbose_name=_("所在区划"), order_by="region__code")
    parent = tables.Column(accessor="parent__name", verbose_name=_("上级单位"), default="—")

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "kind", "region", "parent"]
        attrs = {"class": "table table-sm table-hover mb-0"}
