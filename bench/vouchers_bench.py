"""Benchmark of the vouchers' batch figures and the year's 兑现率, on generated data.

    DATABASE_URL=... kechuang generate --vouchers 100000     # once: 100,000 claims over five years
    DATABASE_URL=... .venv/bin/python bench/vouchers_bench.py

Prints the floor (reading the awards of the largest batch, and of every generated entry of the latest full
year), then — median of repeated in-process calls — a batch's summary (the service and
``GET /api/vouchers/batches/{code}/``), the year's batches of a county (``/api/vouchers/summary/``) and the
year's 兑现率 over the whole ledger (the service and ``/api/funds/summary/``), each with its SQL count.
Target: each under 300 ms.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")

TARGET_MS = 300


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import setup_test_environment
    from timing import getter, report

    from core import funds
    from core.models import User
    from core.models_notice import FundEntry
    from vouchers.models import Batch, Claim
    from vouchers.services import batches

    claims = Claim.objects.filter(code__startswith="GENV").count()
    if not claims:
        sys.exit("没有模拟创新券申请：请先运行 kechuang generate --vouchers 100000")
    admin = User.objects.filter(is_superuser=True).first()
    largest = (Batch.objects.filter(code__startswith="GENV").annotate(n=Count("claims")).order_by("-n").first())
    year = largest.year
    county = largest.region.code
    entries = FundEntry.objects.filter(fiscal_year=year).count()
    print(f"数据库：{connection.vendor}，模拟申请 {claims} 项，最大批次 {largest.code}（{largest.n} 项），"
          f"{year} 年度台账 {entries} 笔")

    def floor_batch():
        return list(Claim.objects.filter(batch=largest).values_list("award", "enterprise_id"))

    def floor_year():
        return list(FundEntry.objects.filter(fiscal_year=year).values_list("approved", "paid"))

    setup_test_environment()
    client = Client()
    client.force_login(admin)

    get = getter(client)

    rows = [
        ("下限：读取最大批次的补助", floor_batch, False),
        ("下限：读取全年台账", floor_year, False),
        ("批次汇总（服务）", lambda: batches.figures(largest), True),
        ("批次汇总 API", get(f"/api/vouchers/batches/{largest.code}/"), True),
        ("县年度批次 API", get(f"/api/vouchers/summary/?year={year}&region={county}"), True),
        ("全年兑现率（服务）", lambda: funds.summary(admin, year), True),
        ("全年兑现率 API", get(f"/api/funds/summary/?year={year}"), True),
    ]
    report(rows, args.repeat, TARGET_MS, 24)

if __name__ == "__main__":
    main()
