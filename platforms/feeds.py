"""The approved performance tables' sums as indicator sources: what 平湖's report gives as "全年各平台累计服务本土
企业291家，实施技术服务项目59个，技术合同金额4365万元 …" is the sum of the year's tables, item by item, so a plan
indicator bound to such a source in its settings is fed from the tables instead of typed in."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from core import feeds
from platforms.models import PerformanceTable, TableStatus


def sums(region_prefix: str, year: int) -> dict[str, Decimal]:
    """Every approved table of the region's platforms for the year, summed by item code (one query)."""
    totals: dict[str, Decimal] = {}
    rows = PerformanceTable.objects.filter(year=year, status=TableStatus.APPROVED,
                                           platform__region__code__startswith=region_prefix)
    for values in rows.values_list("values", flat=True):
        for code, raw in values.items():
            totals[code] = totals.get(code, Decimal(0)) + Decimal(raw)
    return totals


def _summing(code: str):
    def compute(region_prefix: str, year: int, today: datetime.date) -> Decimal:
        return sums(region_prefix, year).get(code, Decimal(0))
    return compute


def table_touches(table: PerformanceTable) -> list[tuple[str, int]]:
    return [(table.platform.region.code, table.year)]


def register_feeds(items: list[dict]) -> None:
    """One source per reported item of the shipped example template (``platform_<code>``)."""
    for item in items:
        if item["rule"]["type"] == "expert":
            continue
        feeds.register(feeds.Source(
            key=f"platform_{item['code']}", label=_("创新平台合计：%(name)s") % {"name": item["name"]},
            unit=item.get("unit", ""), compute=_summing(item["code"]), stale_on=("platforms.PerformanceTable",)))
    feeds.watch(PerformanceTable, table_touches)
