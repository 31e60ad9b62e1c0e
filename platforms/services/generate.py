"""Synthetic platforms for the scale benchmark (``kechuang generate --platforms N``): N platforms over the
counties of the synthetic province (codes 99…, else every county), each with five years of approved tables
scored province-wide under the example templates. A new run replaces the previous generated set."""

from __future__ import annotations

import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from core.demo import load_demo_users
from core.models import Region, User
from core.seed import load_reference, refresh_statistics
from platforms.models import Kind, Level, PerformanceTable, PerformanceTemplate, Platform, TableStatus
from platforms.services import demo, results

PREFIX = "GEN-"
KINDS = (Kind.NRI, Kind.NRI, Kind.NRI, Kind.INCUBATOR, Kind.ENT_INSTITUTE)


def _counties() -> list[Region]:
    return list(Region.objects.filter(level="county", code__startswith="99").order_by("code")) or list(
        Region.objects.filter(level="county").order_by("code"))


def _templates(years: list[int]) -> dict[tuple[str, int], PerformanceTemplate]:
    """One shared template per kind and year, the example's indicators (the NRI example for every kind)."""
    spec = demo.seed()["template"]
    made = {}
    for kind in set(KINDS):
        for year in years:
            made[(kind, year)] = PerformanceTemplate.objects.get_or_create(
                kind=kind, year=year, region=None, version=1, defaults={
                    "name": f"{Kind(kind).label}绩效评价（示例）", "indicators": spec["indicators"],
                    "grades": spec["grades"], "is_example": True})[0]
    return made


def _values(rng: random.Random) -> tuple[dict, dict]:
    values = {"services": rng.randint(0, 120), "transfer": rng.randint(0, 3000), "projects": rng.randint(0, 25),
              "talent": rng.randint(0, 3), "doctors": rng.randint(0, 8), "masters": rng.randint(0, 8),
              "incubated": rng.randint(0, 6)}
    return {k: str(v) for k, v in values.items()}, {"expert": str(rng.randint(40, 100))}


def generate_platforms(count: int, *, years: int = 5, seed: int = 2027,
                       progress: Callable[[str], None] = print) -> dict:
    counties = _counties()
    if not counties:
        load_reference()
        counties = _counties()
    rng = random.Random(seed)
    with transaction.atomic():
        deleted = Platform.objects.filter(code__startswith=PREFIX).delete()[0]
        if deleted:
            progress(f"已删除上次生成的平台及其数据 {deleted} 条")
        last = timezone.localdate().year - 1
        span = list(range(last - years + 1, last + 1))
        templates = _templates(span)
        platforms = Platform.objects.bulk_create([Platform(
            code=f"{PREFIX}{n:06d}", name=f"模拟平台{n}（演示）", kind=KINDS[n % len(KINDS)],
            level=rng.choice((Level.PROVINCE, Level.CITY, Level.COUNTY, Level.NONE)),
            region=counties[n % len(counties)], is_demo=True) for n in range(count)], batch_size=2000)
        progress(f"已生成平台 {len(platforms)} 个")
        tables = []
        for platform in platforms:
            for year in span:
                values, expert = _values(rng)
                tables.append(PerformanceTable(platform=platform, year=year, template=templates[(platform.kind, year)],
                                               values=values, expert_scores=expert, status=TableStatus.APPROVED,
                                               is_demo=True))
        PerformanceTable.objects.bulk_create(tables, batch_size=5000)
        progress(f"已生成绩效评价表 {len(tables)} 张")
    refresh_statistics(Platform, PerformanceTable)  # the planner must know the tables are no longer empty
    admin = User.objects.filter(is_superuser=True).first() or load_demo_users()[0]
    province = counties[0].code[:2] + "0000"
    for year in span:
        for kind in set(KINDS):
            results.score_official(actor=admin, kind=kind, year=year, region_code=province)
        progress(f"{year} 年度已评定")
    return {"platforms": len(platforms), "tables": len(tables), "years": span}
