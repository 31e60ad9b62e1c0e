"""A 平湖 projects world for the tests: the demo enterprise account's firm (a 科技领军企业) and another, a 重点
call open today (60% on signing, 40% after acceptance, 中期检查), a 一般 call (all after acceptance), a 备案
call, one expert with a login and one whose unit is the firm (never assigned to it)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from core.models import OrgUnit, Region
from core.models_review import Expert, ScoringSheet
from enterprises.models import Enterprise, Qualification
from projects.models import Call, Project, Tier

PH = "330482"
TODAY = timezone.localdate()
CRITERIA = [{"key": "innovation", "label": "创新性", "weight": 60, "min": 0, "max": 100},
            {"key": "benefit", "label": "效益", "weight": 40, "min": 0, "max": 100}]
SPLIT = [{"name": "签约拨付", "share": "0.6", "on": "contract"}, {"name": "验收拨付", "share": "0.4", "on": "accepted"}]


def D(text) -> Decimal:  # noqa: N802 — reads like the type it makes
    return Decimal(str(text))


@dataclass
class World:
    firm: Enterprise
    other: Enterprise
    key: Call
    general: Call
    filing: Call
    expert: Expert
    conflicted: Expert


def _call(code, tier, region, sheet=None, **extra) -> Call:
    return Call.objects.create(code=code, region=region, year=TODAY.year, tier=tier, title=f"测试{code}",
                               budget=D(1_000_000), quota=3, opens_on=TODAY - datetime.timedelta(days=30),
                               closes_on=TODAY + datetime.timedelta(days=30), sheet=sheet, **extra)


def world(users) -> World:
    ph = Region.objects.get(code=PH)
    firm = Enterprise.objects.create(uscc="91330482PROJ000001", name="平湖项目测试公司", region=Region.objects.get(
        code="330482101"), org_unit=OrgUnit.objects.get(code="DEMO-ENT-001"))
    Qualification.objects.create(enterprise=firm, type="科技领军企业", number="LJ-1",
                                 issued=TODAY - datetime.timedelta(days=100))
    other = Enterprise.objects.create(uscc="91330482PROJ000002", name="平湖另一项目公司", region=ph)
    sheet = ScoringSheet.objects.create(name="测试评分表", region=ph, criteria=CRITERIA)
    key = _call("T-KEY", Tier.KEY, ph, sheet, tranches=SPLIT, midterm=True)
    general = _call("T-GEN", Tier.GENERAL, ph, sheet, tranches=[{"name": "验收后补助", "share": "1", "on": "accepted"}])
    filing = _call("T-FIL", Tier.FILING, ph, filing_qualifications="科技领军企业", filing_amount=D(50000))
    expert = Expert.objects.create(name="项目专家甲", unit_name="浙江大学", region=ph, user=users["demo_zhuanjia"])
    conflicted = Expert.objects.create(name="项目专家乙", unit_name="平湖项目测试公司", unit_uscc=firm.uscc, region=ph)
    return World(firm, other, key, general, filing, expert, conflicted)


def application(w: World, *, call: Call | None = None, firm: Enterprise | None = None, requested=100000,
                own=100000, code: str | None = None, **extra) -> Project:
    call, firm = call or w.key, firm or w.firm
    values = dict(
        code=code or f"XM{TODAY.year}-{90000 + Project.objects.count() + 1}", call=call, year=call.year,
        tier=call.tier, region=firm.region, enterprise=firm, title="高精度传感器研发", field="电子信息",
        starts_on=TODAY, ends_on=TODAY + datetime.timedelta(days=700), requested=D(requested), own_funds=D(own),
        kpis=[{"indicator": "发明专利申请", "unit": "件", "target": "3"}],
        budget_lines=[{"item": "设备费", "amount": f"{D(requested) + D(own):.2f}"}])
    values.update(extra)
    return Project.objects.create(**values)
