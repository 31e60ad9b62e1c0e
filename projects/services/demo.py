"""The demo's S&T plan projects: 平湖 2023's 99 projects of its own plan (and the 3 provincial 尖兵/领雁 ones),
嘉善 2024's 139 projects with 1023万元, synthetic projects marked 演示 whose counts and amounts equal the
documents'; their due tranches paid into the ledger (平湖 2023's year total kept exact); and this year's calls
with applications at each step through the real services, one round with experts assigned
(seed_data/projects.json)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from core import funds
from core import workflow as engine
from core.amounts import split_total
from core.models import Region, User
from core.models_notice import FundEntry
from core.models_review import ScoringSheet
from enterprises.models import Enterprise
from projects.flow import PROJECT_FLOW
from projects.models import Call, Project, Status, Tier, Tranche
from projects.queries import seed
from projects.services import calls as call_service
from projects.services.projects import next_code
from projects.services.steps import PROGRAMME, split_tranches

FIELDS = ("智能装备", "新材料", "电子信息", "生物医药", "节能环保", "汽车零部件")
SUBJECTS = ("关键工艺研发", "智能化产线升级", "新型材料制备技术", "核心部件国产化", "检测方法研究", "绿色低碳技术")
# Where a tier's demo projects stand: the ones paid on signing are executing, 备案 ones were paid and closed.
DEMO_STATUS = {Tier.PROVINCIAL: Status.EXECUTING, Tier.MAJOR: Status.EXECUTING, Tier.KEY: Status.EXECUTING,
               Tier.GENERAL: Status.EXECUTING, Tier.FILING: Status.CLOSED}


def _sheet(region: Region, spec: dict) -> ScoringSheet:
    return ScoringSheet.objects.get_or_create(region=region, name=spec["name"],
                                              defaults={"criteria": spec["criteria"]})[0]


def _call(region: Region, year: int, tier: str, total: Decimal, count: int, sheet, plans: dict, source: str,
          opens: datetime.date, closes: datetime.date) -> Call:
    label = Tier(tier).label
    return Call.objects.create(
        code=f"{region.code}-{year}-{tier}", region=region, year=year, tier=tier,
        title=f"{year}年{region.name}科技计划{label}项目（演示）", budget=total, quota=count, opens_on=opens,
        closes_on=closes, sheet=None if tier == Tier.FILING else sheet, tranches=plans.get(tier, []),
        midterm=tier in (Tier.MAJOR, Tier.KEY), filing_qualifications="科技领军企业、省科技小巨人企业、高新技术企业",
        filing_amount=(total / count).quantize(Decimal("0.01")) if tier == Tier.FILING and count else None,
        source=source[:300], is_demo=True)


def _history(spec: dict, data: dict, rng: random.Random) -> int:
    region = Region.objects.get(code=spec["region"])
    year = spec["year"]
    firms = list(Enterprise.objects.filter(is_demo=True, region__code__startswith=region.code).order_by("uscc"))
    sheet = _sheet(region, data["sheet"])
    project_type = ContentType.objects.get_for_model(Project)
    approved_on, signed_on, paid_on = (datetime.date(year, 6, 15), datetime.date(year, 7, 1),
                                       datetime.date(year, 7, 20))
    serial = Project.objects.filter(code__startswith=f"XM{year}-").count()
    made = 0
    for tier, (count, total) in spec["tiers"].items():
        call = _call(region, year, tier, Decimal(total), count, sheet, data["tranche_plans"], spec["source"],
                     datetime.date(year, 3, 1), datetime.date(year, 4, 30))
        rows = []
        for index, amount in enumerate(split_total(Decimal(total), count, rng)):
            firm = firms[(made + index * 7) % len(firms)]
            serial += 1
            starts = datetime.date(year, 7, 1)
            rows.append(Project(
                code=f"XM{year}-{serial:05d}", call=call, year=year, tier=tier, region=firm.region, enterprise=firm,
                title=f"{rng.choice(FIELDS)}{rng.choice(SUBJECTS)}（演示）", field=rng.choice(FIELDS),
                starts_on=starts, ends_on=datetime.date(year + 2, 6, 30), requested=amount, own_funds=amount * 2,
                kpis=[{"indicator": "新增发明专利申请", "unit": "件", "target": str(rng.randint(1, 5))},
                      {"indicator": "新增销售收入", "unit": "万元", "target": str(rng.randint(5, 50) * 100)}],
                budget_lines=[{"item": "设备费", "amount": f"{amount * 2:.2f}"},
                              {"item": "材料与测试费", "amount": f"{amount:.2f}"}],
                status=DEMO_STATUS[tier], review_score=None if tier == Tier.FILING else
                Decimal(rng.randint(7000, 9500)) / 100, approved_amount=amount, approved_on=approved_on,
                contract_no="" if tier == Tier.FILING else f"HT{year}-{serial:05d}",
                contract_on=None if tier == Tier.FILING else signed_on, source=spec["source"][:300], is_demo=True))
        Project.objects.bulk_create(rows)
        plan = [{"name": "后补助", "share": "1", "on": "approved"}] if tier == Tier.FILING else call.tranches
        tranches, entries = [], []
        for project in rows:
            for seq, (name, on, value) in enumerate(split_tranches(plan, project.approved_amount), start=1):
                due = on in ("approved", "contract")
                tranche = Tranche(project=project, seq=seq, name=name, on=on, amount=value,
                                  due_on=signed_on if due else None, paid=value if due else Decimal("0"),
                                  paid_on=paid_on if due else None)
                tranches.append(tranche)
                if due:
                    entries.append((tranche, FundEntry(
                        programme=PROGRAMME, policy_item=f"{call.title}（{name}）", region=project.region,
                        recipient_name=project.enterprise.name, recipient_uscc=project.enterprise.uscc,
                        fiscal_year=year, approved=value, paid=value, approved_on=signed_on, due_on=signed_on,
                        paid_on=paid_on, content_type=project_type, object_id=str(project.pk), note=project.code,
                        document=spec["source"][:300], is_demo=True)))
        FundEntry.objects.bulk_create([entry for _t, entry in entries])
        for tranche, entry in entries:
            tranche.fund_entry = entry
        Tranche.objects.bulk_create(tranches)
        made += len(rows)
    return made


def _live(admin: User, data: dict, today: datetime.date) -> int:
    """This year's 一般 call open now with applications at each early step, and a 重点 call under review."""
    region = Region.objects.get(code="330482")
    sheet = _sheet(region, data["sheet"])
    year_end = datetime.date(today.year, 12, 31)
    general = _call(region, today.year, Tier.GENERAL, Decimal("3000000"), 30, sheet, data["tranche_plans"],
                    "演示指南", datetime.date(today.year, 1, 1), year_end)
    key = _call(region, today.year, Tier.KEY, Decimal("2000000"), 5, sheet, data["tranche_plans"], "演示指南",
                datetime.date(today.year, 1, 1), year_end)
    own = Enterprise.objects.filter(org_unit__code="DEMO-ENT-001").first()
    firms = list(Enterprise.objects.filter(is_demo=True, region__code__startswith="330482")
                 .exclude(org_unit__code="DEMO-ENT-001").order_by("-uscc")[:12])
    plan = [(general, own, "draft"), (general, firms[0], "submitted"), (general, firms[1], "submitted"),
            (general, firms[2], "qualified"), (key, firms[3], "qualified"), (key, firms[4], "qualified"),
            (key, firms[5], "qualified")]
    made = 0
    for call, firm, target in plan:
        if firm is None:
            continue
        amount = Decimal(call.budget / call.quota).quantize(Decimal("1"))
        project = Project.objects.create(
            code=next_code(today.year), call=call, year=today.year, tier=call.tier, region=firm.region,
            enterprise=firm, title=f"{firm.name.removesuffix('（演示）')}{SUBJECTS[made % len(SUBJECTS)]}（演示）",
            field=FIELDS[made % len(FIELDS)], starts_on=today, ends_on=today.replace(year=today.year + 2, day=1),
            requested=amount, own_funds=amount,
            kpis=[{"indicator": "新增发明专利申请", "unit": "件", "target": "2"}],
            budget_lines=[{"item": "设备费", "amount": f"{amount:.2f}"}, {"item": "人员费", "amount": f"{amount:.2f}"}],
            source="演示申报", is_demo=True)
        made += 1
        if target == "draft":
            continue
        engine.perform(PROJECT_FLOW, project, admin, "submit")
        if target == "qualified":
            engine.perform(PROJECT_FLOW, project, admin, "qualify")
    call_service.open_review(actor=admin, code=key.code, due_on=today + datetime.timedelta(days=14))
    return made


@transaction.atomic
def load_demo(admin: User, today: datetime.date) -> str:
    data = seed()
    if Call.objects.filter(code=f"{data['demo'][0]['region']}-{data['demo'][0]['year']}-major").exists():
        return "科技计划项目演示数据已存在"
    rng = random.Random(315)
    made = sum(_history(spec, data, rng) for spec in data["demo"])
    funds.rebalance_summary("330482", 2023)
    live = _live(admin, data, today)
    return f"科技计划项目 {made + live} 项（平湖2023年99项，嘉善2024年139项1023万元）"
