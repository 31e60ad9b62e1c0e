"""Benchmark of the platforms' ranking and re-scoring, on generated data.

    DATABASE_URL=... kechuang generate --platforms 5000          # once: 5,000 platforms, five years of tables
    DATABASE_URL=... .venv/bin/python bench/platforms_bench.py

Prints, for the latest generated year: the floor (reading every table of the year), the what-if that
re-scores every table of the year under a new template (core items 20% → 50%, nothing written), the official
scoring that writes results, ranks and history; then the ranking API and page (median of repeated requests,
in-process), each cold (right after a write, so the cache is stale) and warm, with their SQL counts whatever
the number of platforms. Targets: ranking < 300 ms with a constant number of queries; re-scoring a year < 10 s.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")

RANKING_TARGET_MS = 300
RESCORE_TARGET_S = 10


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    import django

    django.setup()
    from decimal import Decimal

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from core import versions
    from core.models import User
    from platforms import performance
    from platforms.models import Kind, PerformanceTable, PerformanceTemplate
    from platforms.services import results

    year = PerformanceTable.objects.filter(platform__code__startswith="GEN-").order_by("-year").values_list(
        "year", flat=True).first()
    if year is None:
        sys.exit("没有模拟平台：请先运行 kechuang generate --platforms 5000")
    admin = User.objects.filter(is_superuser=True).first()
    province = PerformanceTable.objects.filter(platform__code__startswith="GEN-").values_list(
        "platform__region__code", flat=True).first()[:2] + "0000"
    kinds = sorted(set(PerformanceTable.objects.filter(year=year, platform__code__startswith="GEN-")
                       .values_list("platform__kind", flat=True)))
    tables = PerformanceTable.objects.filter(year=year, platform__code__startswith="GEN-").count()
    platforms = PerformanceTable.objects.filter(platform__code__startswith="GEN-").values("platform").distinct().count()
    print(f"数据库：{connection.vendor}，模拟平台 {platforms} 个，{year} 年度评价表 {tables} 张")

    started = time.perf_counter()
    rows = list(PerformanceTable.objects.filter(year=year).values_list("platform_id", "values", "expert_scores"))
    floor = time.perf_counter() - started

    started = time.perf_counter()
    moved = 0
    for kind in kinds:
        base = PerformanceTemplate.objects.filter(kind=kind, year=year).order_by("-version").first()
        other = PerformanceTemplate(kind=kind, year=year, name="重算", grades=base.grades,
                                    indicators=performance.reweighted(base.indicators, ["services", "transfer"],
                                                                      Decimal(50)))
        outcome = results.what_if(admin, kind=kind, year=year, region_code=province, template=other)
        moved += len(outcome["up"]) + len(outcome["down"])
    rescore = time.perf_counter() - started

    started = time.perf_counter()
    for kind in kinds:
        results.score_official(actor=admin, kind=kind, year=year, region_code=province)
    official = time.perf_counter() - started

    print(f"{'步骤':<28}{'用时':>10}   对照")
    print(f"{'读取全年评价表（下限）':<28}{floor:>9.2f}s   {len(rows)} 张")
    print(f"{'换模板重算全年（不写入）':<28}{rescore:>9.2f}s   目标 < {RESCORE_TARGET_S} s，名次变动 {moved} 个，"
          f"为下限的 {rescore / floor:.1f} 倍")
    print(f"{'正式评定全年（写入与留痕）':<28}{official:>9.2f}s")

    setup_test_environment()
    client = Client()
    client.force_login(admin)
    for label, url in (("排名 API", f"/api/platforms/ranking/?kind={Kind.NRI}&year={year}"),
                       ("排名页面", f"/platforms/ranking/?kind={Kind.NRI}&year={year}")):
        for state in ("冷（写入后首次）", "热（已缓存）"):
            times, counts = [], set()
            for _ in range(args.repeat):
                if state.startswith("冷"):
                    versions.bump(results.VERSION_KEY)
                started = time.perf_counter()
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                counts.add(len(queries))
                assert response.status_code == 200, url
            verdict = "达标" if statistics.median(times) < RANKING_TARGET_MS else "未达标"
            print(f"{label + ' ' + state:<28}{statistics.median(times):>8.1f}ms   目标 < {RANKING_TARGET_MS} ms"
                  f"（{verdict}），SQL {sorted(counts)} 条")


if __name__ == "__main__":
    main()
