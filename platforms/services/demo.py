"""The demo's platforms: every platform the documents name, with its source; synthetic incubators, tables,
instruments and bookings marked 演示 whose totals equal the documents' figures (seed_data/platforms.json)."""

from __future__ import annotations

import datetime
import json
import random
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from core.models import OrgUnit, Region
from platforms import performance
from platforms.models import (
    Booking,
    IncubatorFigures,
    IncubatorThreshold,
    Instrument,
    Kind,
    Level,
    PerformanceTable,
    PerformanceTemplate,
    Platform,
    PlatformLevel,
    PoolPeriod,
    TableStatus,
)
from platforms.services import results

SEED = Path(__file__).resolve().parent.parent / "seed_data" / "platforms.json"
DEFAULT_START = datetime.date(2023, 1, 1)  # a level period whose document gives no date starts with its year


def seed() -> dict:
    return json.loads(SEED.read_text(encoding="utf-8"))


def _platform(row: dict, regions: dict, *, is_demo: bool = False) -> Platform:
    unit = OrgUnit.objects.filter(code=row["operator_unit"]).first() if row.get("operator_unit") else None
    recognised = datetime.date.fromisoformat(row["recognised_on"]) if row.get("recognised_on") else None
    platform, _created = Platform.objects.update_or_create(code=row["code"], defaults={
        "name": row["name"], "kind": row["kind"], "level": row["level"], "region": regions[row["region"]],
        "co_builders": row.get("co_builders", ""), "fields": row.get("fields", ""),
        "operator_name": row.get("operator_name") or (unit.name if unit else row["name"]), "operator_unit": unit,
        "status": row.get("status", "active"), "recognised_on": recognised,
        "shares_instruments": row.get("shares_instruments", False), "source": row.get("source", "")[:300],
        "is_demo": is_demo})
    if not platform.levels.exists():
        periods = row.get("levels") or [[row["level"], (recognised or DEFAULT_START).isoformat()]]
        for index, (level, start) in enumerate(periods):
            ends = (datetime.date.fromisoformat(periods[index + 1][1]) - datetime.timedelta(days=1)
                    if index + 1 < len(periods) else None)
            PlatformLevel.objects.create(platform=platform, level=level, starts_on=datetime.date.fromisoformat(start),
                                         ends_on=ends)
    if row.get("pool") and not platform.pool_periods.exists():
        PoolPeriod.objects.create(platform=platform, entered_on=DEFAULT_START,
                                  entry_reason="列入新型研发机构培育库（演示）")
    return platform


def _incubators(data: dict, regions: dict) -> None:
    block = data["incubators"]
    for code, name, kind, level, area, incubating, outside, *graduated in block["rows"]:
        platform = _platform({"code": code, "name": name, "kind": kind, "level": level, "region": "330482",
                              "area": area, "source": block["source"]}, regions, is_demo=True)
        Platform.objects.filter(pk=platform.pk).update(area=Decimal(area))
        IncubatorFigures.objects.update_or_create(platform=platform, year=block["year"], defaults={
            "area": Decimal(area), "incubating": incubating, "outside": outside,
            "graduated": graduated[0] if graduated else None, "source": block["source"][:300]})
    for code, name, level in block["maker_spaces"]:
        _platform({"code": code, "name": name, "kind": Kind.MAKER_SPACE, "level": level, "region": "330482",
                   "source": block["source"]}, regions, is_demo=True)
    for row in data["thresholds"]:
        IncubatorThreshold.objects.update_or_create(name=row["name"], region=None, defaults={
            "kind": row["kind"], "level": row["level"], "min_area": row["min_area"],
            "min_incubating": row["min_incubating"], "min_graduated": row["min_graduated"], "is_example": True,
            "source": row["source"][:300]})


def templates(data: dict) -> dict[int, PerformanceTemplate]:
    """2023 and 2024 as the example gives them (core items 20%); 2025 with the core items at 50%, the others
    scaled to fit, as the 2025 report says the weights were raised."""
    spec = data["template"]
    later = performance.reweighted(spec["indicators"], spec["core"], Decimal(50))
    out = {}
    for year, indicators, note in ((2023, spec["indicators"], spec["note"]),
                                   (2024, spec["indicators"], spec["note"]),
                                   (2025, later, spec["note"] + "核心指标权重由20%提至50%。" + spec["core_source"])):
        out[year], _created = PerformanceTemplate.objects.get_or_create(
            kind=Kind.NRI, year=year, region=None, version=1, defaults={
                "name": spec["name"], "indicators": indicators, "grades": spec["grades"], "is_example": True,
                "note": note[:500]})
    return out


def _tables(admin, data: dict, by_year: dict[int, PerformanceTemplate]) -> None:
    block = data["tables"]
    for year in (2023, 2024):
        for code, figures in block[str(year)].items():
            platform = Platform.objects.get(code=code)
            if PerformanceTable.objects.filter(platform=platform, year=year).exists():
                continue
            values = {k: str(v) for k, v in figures.items() if k != "expert"}
            PerformanceTable.objects.create(platform=platform, year=year, template=by_year[year], values=values,
                                            expert_scores={"expert": str(figures["expert"])},
                                            status=TableStatus.APPROVED, is_demo=True)
        if not PerformanceTable.objects.filter(year=year, platform__kind=Kind.NRI, score__isnull=False,
                                               platform__region__code=block["region"]).exists():
            results.score_official(actor=admin, kind=Kind.NRI, year=year, region_code=block["region"])


def _instruments(data: dict, today: datetime.date) -> None:
    block = data["instruments"]
    rng = random.Random(315)
    for code, name, model_no, value, shared in block["rows"]:
        instrument, created = Instrument.objects.get_or_create(
            platform=Platform.objects.get(code=code), name=name,
            defaults={"model_no": model_no, "value": Decimal(value), "shared": shared, "is_demo": True})
        if created and shared:
            year = today.year - 1
            Booking.objects.bulk_create([Booking(
                instrument=instrument, user_name=f"嘉善演示企业{rng.randint(1, 60):02d}（演示）",
                used_on=datetime.date(year, rng.randint(1, 12), rng.randint(1, 28)), hours=Decimal(rng.randint(2, 16)),
                fee=Decimal(rng.randint(5, 60) * 100), state=Booking.State.SERVED, is_demo=True)
                for _ in range(rng.randint(12, 30))])


JIASHAN, JIASHAN_YEAR = "330421", 2024
JIASHAN_SOURCE = ("003：全县规上企业研发机构设置率达86.8%，列全省第1……利用“浙里加计扣除”系统的大数据开展“无感认定”……"
                  "全年新认定县级研发中心84家（企业、研发数据与文号为演示）")
# 86.8% exactly: 132 of 152 规上 firms hold an R&D institution; 84 of them recognised in the year.
JIASHAN_ABOVE, JIASHAN_HOLDERS, JIASHAN_NEW = 152, 132, 84


def _jiashan_centres(admin) -> None:
    """嘉善 2024: the demo firms' R&D staff and space filled in (演示), 84 county centres recognised by the
    达标即准 rule set in one batch, and earlier centres for the rest, so the rate comes out at 86.8%."""
    from enterprises.models import EnterpriseYear
    from platforms.services import recognition

    if Platform.objects.filter(region__code__startswith=JIASHAN, kind=Kind.ENT_CENTRE).exists():
        return
    rows = list(EnterpriseYear.objects.filter(year=JIASHAN_YEAR, above_scale=True, enterprise__is_demo=True,
                                              enterprise__region__code__startswith=JIASHAN)
                .select_related("enterprise__region").order_by("enterprise__uscc"))
    if len(rows) < JIASHAN_ABOVE:
        return  # a database without the demo enterprises
    rng = random.Random(421)
    for row in rows[JIASHAN_ABOVE:]:
        row.above_scale = False  # 演示: counted as 规下 (e.g. not an industrial firm) so the rate is the report's
    kept = rows[:JIASHAN_ABOVE]
    for row in kept:
        row.rd_staff = max(10, (row.tech_staff or 0) // 2 + rng.randint(0, 8))
        row.rd_area = Decimal(rng.randint(120, 1500))
    EnterpriseYear.objects.bulk_update(rows, ["above_scale", "rd_staff", "rd_area"], batch_size=500)
    proposed = [p.uscc for p in recognition.propose(admin, JIASHAN, JIASHAN_YEAR)]
    chosen = proposed[:JIASHAN_NEW]
    earlier = [row.enterprise for row in kept if row.enterprise.uscc not in chosen][:JIASHAN_HOLDERS - JIASHAN_NEW]
    for index, firm in enumerate(earlier, start=1):
        platform = Platform.objects.create(
            code=f"JS-RD-{index:03d}", name=f"{firm.name}企业研发中心", kind=Kind.ENT_CENTRE,
            level=Level.CITY if index % 3 else Level.PROVINCE, region=firm.region, operator_name=firm.name,
            operator_uscc=firm.uscc, recognised_on=datetime.date(2021 + index % 3, 11, 20),
            recognised_by="嘉兴市科学技术局" if index % 3 else "浙江省科学技术厅", source=JIASHAN_SOURCE,
            is_demo=True)
        PlatformLevel.objects.create(platform=platform, level=platform.level, starts_on=platform.recognised_on,
                                     recognised_by=platform.recognised_by)
    made = recognition.confirm_batch(actor=admin, region_code=JIASHAN, year=JIASHAN_YEAR, usccs=chosen,
                                     document_no="善科〔2024〕演示号", recognised_on=datetime.date(2024, 12, 20))
    Platform.objects.filter(pk__in=[p.pk for p in made]).update(is_demo=True, source=JIASHAN_SOURCE[:300])


@transaction.atomic
def load_demo(admin, today: datetime.date) -> str:
    data = seed()
    regions = {r.code: r for r in Region.objects.filter(code__in=("330482", "330421"))}
    for row in data["platforms"]:
        _platform(row, regions)
    _incubators(data, regions)
    _tables(admin, data, templates(data))
    _instruments(data, today)
    _jiashan_centres(admin)
    return f"创新平台 {Platform.objects.count()} 个"
