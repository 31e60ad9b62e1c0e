"""Benchmark of screening every enterprise, on generated data.

    DATABASE_URL=... kechuang generate --enterprises 333334      # once (one million enterprise-years)
    DATABASE_URL=... .venv/bin/python bench/screening_bench.py

Each rule set runs in a fresh process (so its peak memory is its own): reading the enterprises' rows alone
(the floor), then the screening that assesses and stores every result, then the pool refresh, printed
beside the screening it follows with how many firms entered and left. The refresh is 首次 when the rule
set's pools had no members (most entrants new), else 再次; run the benchmark again with
another ``--date`` for a steady-state refresh. Afterwards the enterprise list with filters and a portrait
are timed (median of repeated requests, in-process).
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")


def setup():
    import django

    django.setup()


def read_floor(region) -> tuple[float, int]:
    """Read every enterprise's years and qualifications the way a screening does, without assessing."""
    from enterprises.services.screening import stream_facts

    started = time.perf_counter()
    rows = sum(1 for _ in stream_facts(region))
    return time.perf_counter() - started, rows


def one(ruleset: str, date: str) -> None:
    setup()
    import datetime

    from core.models import Region
    from enterprises.models import Enterprise, PoolMember, Screening
    from enterprises.services.pools import ensure_pools, refresh_pools
    from enterprises.services.rulesets import active, ensure_shipped
    from enterprises.services.screening import screen

    ensure_shipped()
    ensure_pools()
    top = Region.objects.filter(code=Enterprise.objects.order_by("-pk").values_list("region__code", flat=True)
                                .first()[:2] + "0000").first()
    if ruleset == "floor":
        seconds, rows = read_floor(top)
        print(f"floor\t{seconds:.1f}\t{rows}\t0\t{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
        return
    screening = Screening.objects.create(ruleset=active(ruleset), date=datetime.date.fromisoformat(date), region=top)
    started = time.perf_counter()
    screen(screening)
    screened = time.perf_counter() - started
    kind = "再次" if PoolMember.objects.filter(pool__rule__ruleset=ruleset, exited_on__isnull=True).exists() else "首次"
    started = time.perf_counter()
    refreshed = refresh_pools(screening)
    pooled = time.perf_counter() - started
    entered = sum(r["entered"] for r in refreshed.values())
    exited = sum(r["exited"] for r in refreshed.values())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{ruleset}\t{screened:.1f}\t{screening.total}\t{pooled:.1f}\t{peak:.0f}\t{screening.eligible}\t"
          f"{kind}\t{entered}\t{exited}")


def pages(repeat: int) -> list[tuple[str, float, int]]:
    setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from core.models import User
    from enterprises.models import Enterprise

    setup_test_environment()
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    firm = Enterprise.objects.filter(uscc__contains="MA5").order_by("pk").first()
    out = []
    for label, url in [("企业列表（筛选：名称+资质）", "/enterprises/?q=科技&qualification=高新技术企业"),
                       ("企业列表（筛选：区划前缀）", f"/enterprises/?region={firm.region.code[:6]}"),
                       ("企业画像", f"/enterprises/{firm.uscc}/")]:
        client.get(url)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, url
        out.append((label, statistics.median(times), len(queries)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--date", default="2026-06-30")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    if args.one:
        one(args.one, args.date)
        return
    print(f"数据库：{os.environ.get('DATABASE_URL', 'sqlite (data/kechuang.sqlite3)').split('@')[-1]}")
    print(f"{'步骤':<16}{'用时 s':>8}{'企业数':>10}{'峰值内存 MB':>12}{'达标':>8}   入库刷新（与评测用时之比）")
    for ruleset in ["floor", "hitech", "tech_sme"]:
        line = subprocess.run([sys.executable, __file__, "--one", ruleset, "--date", args.date],
                              capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        name, seconds, total, pooled, peak, *more = line.split("\t")
        label = {"floor": "仅读取（下限）", "hitech": "评测 hitech", "tech_sme": "评测 tech_sme"}[name]
        refresh = ""
        if more:
            eligible, kind, entered, exited = more
            refresh = (f"{kind} {pooled} s（{float(pooled) / float(seconds):.0%}），"
                       f"入库 {entered} 家、出库 {exited} 家")
        print(f"{label:<16}{seconds:>8}{total:>10}{peak:>12}{(more or [''])[0]:>8}   {refresh}")
    for label, median, queries in pages(args.repeat):
        print(f"{label:<24}中位数 {median:.1f} ms，SQL {queries} 条")


if __name__ == "__main__":
    main()
