"""Benchmark of the quarterly progress report on generated province-scale data.

    DATABASE_URL=... kechuang generate --scale province      # once
    DATABASE_URL=... .venv/bin/python bench/report_bench.py [--plan SIM-PROV] [--period 2025Q2]

Runs the report job the way the report page does (gathering the figures of every county, the key tasks
with their reports, the rankings; then the Word and Excel files) and prints the wall time of each part and
the process's peak memory.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
os.environ.setdefault("KECHUANG_JOBS_SYNC", "1")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plan", default="SIM-PROV")
    parser.add_argument("--period", default="2025Q2")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from core.models import User
    from core.periods import Period
    from plans.models import IndicatorValue, Plan
    from tasks import documents
    from tasks.models import KeyTask, ProgressReport
    from tasks.reporting import issue_report, report_data

    plan = Plan.objects.get(code=args.plan)
    period = Period.parse(args.period)
    admin = User.objects.get(username="admin")
    print(f"数据库：{connection.vendor}；指标数据 {IndicatorValue.objects.count():,} 条；"
          f"重点任务 {KeyTask.objects.filter(plan=plan).count()} 项，进展 "
          f"{ProgressReport.objects.filter(task__plan=plan).count():,} 条")
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        data = report_data(plan, period)
    gathered = time.perf_counter()
    docx = documents.build_docx(data)
    built_docx = time.perf_counter()
    xlsx = documents.build_xlsx(data)
    built_xlsx = time.perf_counter()
    with transaction.atomic():
        job = issue_report(plan=plan, period=period, user=admin)
    finished = time.perf_counter()
    job.refresh_from_db()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{plan.code} {period.label}：{len(data.indicators)} 项指标，{len(data.tasks)} 项任务，"
          f"{len(data.town_ranking)} 个地区排名，{len(data.unit_ranking)} 个单位排名")
    print(f"汇总数据 {gathered - started:.2f} 秒（{len(queries)} 条 SQL）；Word {built_docx - gathered:.2f} 秒"
          f"（{len(docx) // 1024} KB）；Excel {built_xlsx - built_docx:.2f} 秒（{len(xlsx) // 1024} KB）")
    print(f"后台任务全程（汇总＋两份文件＋保存）{finished - built_xlsx:.2f} 秒，状态 {job.status}；"
          f"进程峰值内存 {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
