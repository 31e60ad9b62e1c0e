"""A synthetic region for load and scale tests: a province of cities, counties and towns, a plan for the
province and one for every county, targets for each year and monthly figures for five years.

Everything is marked ``is_demo``; codes start with 99 (no real province has it), so the generated data
never mixes with real regions.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from core.audit import record_change
from core.models import ChangeRecord, OrgKind, OrgUnit, Region
from plans.models import Frequency, Indicator, IndicatorKind, IndicatorValue, Plan, Target, ValueStatus

PROVINCE_CODE = "990000"
KINDS = [IndicatorKind.CUMULATIVE] * 10 + [IndicatorKind.STOCK] * 10 + [IndicatorKind.RATE] * 10
UNITS = {IndicatorKind.CUMULATIVE: "亿元", IndicatorKind.STOCK: "家", IndicatorKind.RATE: "%"}


@dataclass(frozen=True)
class Scale:
    cities: int
    counties_per_city: int
    towns_per_county: int
    indicators: int = 30
    years: int = 5
    first_year: int = 2021


SCALES = {
    # ≈90 counties and 1,300 towns: 10 cities × 9 counties × 14–15 towns.
    "province": Scale(cities=10, counties_per_city=9, towns_per_county=15),
    "city": Scale(cities=1, counties_per_city=7, towns_per_county=12),
    "county": Scale(cities=1, counties_per_city=1, towns_per_county=10),
}


def _towns(scale: Scale, county_index: int) -> int:
    # Alternate 14 and 15 towns so a province has about 1,300 of them.
    if scale.towns_per_county == 15 and county_index % 2:
        return 14
    return scale.towns_per_county


def _bulk(model, rows: list, batch: int = 5000) -> None:
    model.objects.bulk_create(rows, batch_size=batch)


@transaction.atomic
def generate(scale_name: str, actor=None, seed: int = 2027, progress: Callable[[str], None] = print) -> dict:
    """Create (or recreate) the synthetic province; returns what was created."""
    scale = SCALES[scale_name]
    rng = random.Random(seed)
    clear()
    province = Region.objects.create(code=PROVINCE_CODE, name="模拟省", level="province", is_demo=True)
    province_unit = OrgUnit.objects.create(code=PROVINCE_CODE, name="模拟省", kind=OrgKind.PROVINCE,
                                           region=province, is_demo=True)
    counties: list[tuple[Region, OrgUnit, list[OrgUnit]]] = []
    for c in range(1, scale.cities + 1):
        city = Region.objects.create(code=f"99{c:02d}00", name=f"模拟{c}市", level="city", parent=province,
                                     is_demo=True)
        city_unit = OrgUnit.objects.create(code=city.code, name=city.name, kind=OrgKind.CITY, region=city,
                                           parent=province_unit, is_demo=True)
        for k in range(1, scale.counties_per_city + 1):
            county = Region.objects.create(code=f"99{c:02d}{k:02d}", name=f"模拟{c}市{k}县", level="county",
                                           parent=city, is_demo=True)
            county_unit = OrgUnit.objects.create(code=county.code, name=county.name, kind=OrgKind.COUNTY,
                                                 region=county, parent=city_unit, is_demo=True)
            town_regions = [Region(code=f"{county.code}{t:03d}", name=f"{county.name}{t}镇", level="town",
                                   parent=county, is_demo=True)
                            for t in range(1, _towns(scale, len(counties)) + 1)]
            _bulk(Region, town_regions)
            town_regions = list(Region.objects.filter(parent=county).order_by("code"))
            _bulk(OrgUnit, [OrgUnit(code=r.code, name=r.name, kind=OrgKind.TOWN, region=r, parent=county_unit,
                                    is_demo=True) for r in town_regions])
            towns = list(OrgUnit.objects.filter(parent=county_unit, kind=OrgKind.TOWN).order_by("code"))
            counties.append((county, county_unit, towns))
    years = list(range(scale.first_year, scale.first_year + scale.years))
    province_plan = _plan("SIM-PROV", "模拟省科技创新监测（生成数据）", province, years, actor)
    province_indicators = _indicators(province_plan, scale)
    values = _fill(province_plan, province_indicators, [unit for _r, unit, _t in counties], years, rng)
    # Other apps add their records to the province plan (tasks: key tasks led by each county).
    added = [fill(province_plan, [unit for _r, unit, _t in counties], years[-1], rng) for fill, _clear in _EXTENSIONS]
    progress(f"省级规划：{len(counties)} 个县，{values} 条数据" + "".join(f"，{a}" for a in added if a))
    total = values
    for index, (county, county_unit, towns) in enumerate(counties, start=1):
        plan = _plan(f"SIM-{county.code}", f"{county.name}科技创新监测（生成数据）", county, years, actor)
        indicators = _indicators(plan, scale)
        total += _fill(plan, indicators, [county_unit, *towns], years, rng)
        if index % 10 == 0 or index == len(counties):
            progress(f"县级规划 {index}/{len(counties)}，累计 {total} 条数据")
    return {"counties": len(counties), "towns": sum(len(t) for _r, _u, t in counties), "values": total,
            "plans": len(counties) + 1}


# (fill(province_plan, county_units, year, rng) -> summary phrase, clear(generated_plans)) registered by
# apps that build on plans, so the generator needs no import of them (tasks depends on plans, not back).
_EXTENSIONS: list[tuple] = []


def register_extension(fill, clear) -> None:
    _EXTENSIONS.append((fill, clear))


def clear() -> None:
    """Remove a previously generated province (only rows under the 99 prefix)."""
    plans = Plan.objects.filter(code__startswith="SIM-")
    for _fill, clear_extension in _EXTENSIONS:
        clear_extension(plans)
    IndicatorValue.objects.filter(indicator__plan__in=plans).delete()
    Target.objects.filter(indicator__plan__in=plans).delete()
    plans.delete()
    OrgUnit.objects.filter(code__startswith="99", kind=OrgKind.TOWN).delete()
    for kind in (OrgKind.COUNTY, OrgKind.CITY, OrgKind.PROVINCE):
        OrgUnit.objects.filter(code__startswith="99", kind=kind).delete()
    for level in ("town", "county", "city", "province"):
        Region.objects.filter(code__startswith="99", level=level).delete()


def _plan(code: str, name: str, region: Region, years: list[int], actor) -> Plan:
    plan = Plan.objects.create(code=code, name=name, region=region, issuer="生成数据", start_year=years[0],
                               end_year=years[-1], is_demo=True)
    record_change(actor=actor, obj=plan, action=ChangeRecord.Action.CREATE, before=None,
                  after={"code": code, "name": name}, note="kechuang generate")
    return plan


def _indicators(plan: Plan, scale: Scale) -> list[Indicator]:
    rows = [Indicator(plan=plan, code=f"S{i:02d}", seq=i, name=f"模拟指标{i:02d}", unit=UNITS[kind], kind=kind,
                      frequency=Frequency.MONTH)
            for i, kind in enumerate((KINDS * 2)[: scale.indicators], start=1)]
    _bulk(Indicator, rows)
    return list(Indicator.objects.filter(plan=plan).order_by("seq"))


def _fill(plan: Plan, indicators: list[Indicator], places: list[OrgUnit], years: list[int],
          rng: random.Random) -> int:
    targets, values = [], []
    for ind in indicators:
        for place in places:
            base = Decimal(rng.randint(20, 400)) if ind.kind != IndicatorKind.RATE else Decimal(rng.randint(2, 60))
            for offset, year in enumerate(years):
                year_target = (base * (1 + Decimal("0.05") * offset)).quantize(Decimal("0.01"))
                targets.append(Target(indicator=ind, org_unit=place, period=str(year), period_end=year * 100 + 12,
                                      value=year_target, is_demo=True))
                for month in range(1, 13):
                    scale = Decimal(month) / 12 if ind.kind == IndicatorKind.CUMULATIVE else Decimal(1)
                    figure = (year_target * scale * Decimal(rng.randint(80, 120)) / 100).quantize(Decimal("0.01"))
                    values.append(IndicatorValue(
                        indicator=ind, place=place, period=f"{year}-{month:02d}", period_end=year * 100 + month,
                        value=figure, approved_value=figure, status=ValueStatus.APPROVED, is_demo=True,
                        revision=1, version=1))
        if len(values) >= 20000:
            _write(targets, values)
            targets, values = [], []
    _write(targets, values)
    return len(indicators) * len(places) * len(years) * 12


def _write(targets: list[Target], values: list[IndicatorValue]) -> None:
    _bulk(Target, targets)
    _bulk(IndicatorValue, values, batch=2000 if connection.vendor == "sqlite" else 10000)
