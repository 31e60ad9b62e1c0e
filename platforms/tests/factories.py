"""Platforms, templates and tables for the tests: a 平湖 新型研发机构 cohort operated by the demo institution."""

from __future__ import annotations

import copy
from decimal import Decimal

from core.models import OrgUnit, Region
from platforms.models import Kind, PerformanceTable, PerformanceTemplate, Platform, TableStatus

PH, JS = "330482", "330421"
INDICATORS = [
    {"code": "services", "name": "服务本土企业数", "unit": "家", "direction": "higher", "weight": "40",
     "rule": {"type": "best"}},
    {"code": "transfer", "name": "技术合同金额", "unit": "万元", "direction": "higher", "weight": "30",
     "rule": {"type": "target", "target": "1000"}},
    {"code": "expert", "name": "专家评价", "unit": "分", "direction": "higher", "weight": "30",
     "rule": {"type": "expert"}},
]
GRADES = {"优秀": 90, "良好": 70, "合格": 60}


def template(year: int = 2024, indicators=None, region: str | None = None) -> PerformanceTemplate:
    return PerformanceTemplate.objects.create(
        kind=Kind.NRI, year=year, name=f"测试模板{year}", indicators=copy.deepcopy(indicators or INDICATORS),
        grades=GRADES, region=Region.objects.get(code=region) if region else None,
        version=PerformanceTemplate.objects.filter(kind=Kind.NRI, year=year).count() + 1)


def platform(code: str, region: str = PH, operator: str | None = None, kind: str = Kind.NRI, **extra) -> Platform:
    unit = OrgUnit.objects.get(code=operator) if operator else None
    return Platform.objects.create(code=code, name=f"测试平台{code}", kind=kind, region=Region.objects.get(code=region),
                                   operator_unit=unit, operator_name=unit.name if unit else "", **extra)


def table(p: Platform, year: int, tpl: PerformanceTemplate, services, transfer, expert,
          status: str = TableStatus.APPROVED) -> PerformanceTable:
    return PerformanceTable.objects.create(platform=p, year=year, template=tpl, status=status,
                                           values={"services": str(services), "transfer": str(transfer)},
                                           expert_scores={"expert": str(expert)} if expert is not None else {})


def D(text) -> Decimal:  # noqa: N802 — reads like the type it makes
    return Decimal(str(text))
