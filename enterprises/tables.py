import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise


class EnterpriseTable(tables.Table):
    uscc = tables.LinkColumn("enterprises:portrait", args=[tables.A("uscc")], verbose_name=_("统一社会信用代码"))
    name = tables.LinkColumn("enterprises:portrait", args=[tables.A("uscc")], verbose_name=_("企业名称"))
    region = tables.Column(accessor="region__name", verbose_name=_("所属区域"), order_by="region__code")

    class Meta:
        model = Enterprise
        fields = ["uscc", "name", "region", "established", "industry", "is_demo"]
        attrs = {"class": "table table-sm table-hover mb-0"}
        order_by = ("uscc",)
