"""Benchmark of the projects' figures and of automatic expert assignment, on generated data.

    DATABASE_URL=... kechuang generate --projects 20000      # once: 20,000 projects over five years
    DATABASE_URL=... .venv/bin/python bench/projects_bench.py

Prints the floor (reading a year's projects), then — median of repeated in-process calls — a year's figures by
tier with 兑现率 (service and ``/api/projects/figures/``) and the list ``/api/projects/?year=&tier=``; then, inside
a transaction rolled back afterwards, automatic assignment for one call of 2,000 applications and 200 experts
(3 experts each; a fifth of the experts work at an applicant, a fifth declare a relation: both excluded).
Targets: figures under 300 ms; assignment under 10 s.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")

FIGURES_TARGET_MS = 300
ASSIGN_TARGET_S = 10


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--applications", type=int, default=2000)
    parser.add_argument("--experts", type=int, default=200)
    args = parser.parse_args()
    import django

    django.setup()
    import datetime

    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import setup_test_environment
    from timing import getter, report

    from core import review
    from core.models import User
    from core.models_review import Expert, ReviewAssignment, ScoringSheet
    from projects import queries
    from projects.models import Project

    generated = Project.objects.filter(code__startswith="GENP")
    if not generated.exists():
        sys.exit("没有模拟项目：请先运行 kechuang generate --projects 20000")
    admin = User.objects.filter(is_superuser=True).first()
    year = generated.order_by("-year").values_list("year", flat=True).first() - 1
    print(f"数据库：{connection.vendor}，模拟项目 {generated.count()} 个，统计年度 {year}（{generated.filter(year=year).count()} 个）")

    setup_test_environment()
    client = Client()
    client.force_login(admin)

    get = getter(client)

    rows = [("下限：读取全年项目", lambda: list(Project.objects.filter(year=year).values_list(
                "tier", "approved_amount")), False),
            ("年度分类统计与兑现率（服务）", lambda: queries.year_figures(admin, "", year), True),
            ("年度统计 API", get(f"/api/projects/figures/?year={year}"), True),
            ("项目列表 API（按年度、类别）", get(f"/api/projects/?year={year}&tier=general"), True)]
    report(rows, args.repeat, FIGURES_TARGET_MS, 28)

    # Automatic assignment, measured inside a transaction that is rolled back.
    with transaction.atomic():
        applications = list(generated.select_related("enterprise", "region")[:args.applications])
        region = applications[0].region
        for p in applications:
            p.region = region
        sheet = ScoringSheet.objects.create(name="基准评分表", region=region, criteria=[
            {"key": "a", "label": "综合", "weight": 100, "min": 0, "max": 100}])
        fields = ["智能装备", "新材料", "电子信息", "生物医药"]
        experts = []
        for n in range(args.experts):
            applicant = applications[n * 7 % len(applications)]
            experts.append(Expert(
                name=f"基准专家{n}", unit_name=applicant.enterprise.name if n % 5 == 0 else f"某大学{n}",
                unit_uscc=applicant.enterprise.uscc if n % 5 == 0 else "",
                relations=[applications[(n * 13) % len(applications)].enterprise.name] if n % 5 == 1 else [],
                fields=[fields[n % 4]], region=region))
        Expert.objects.bulk_create(experts)
        round_ = review.open_round(actor=admin, title="基准评审", programme="科技计划项目", sheet=sheet,
                                   due_on=datetime.date.today() + datetime.timedelta(days=14), subjects=[
                                       (p, {"title": p.title, "applicant_name": p.enterprise.name,
                                            "applicant_uscc": p.enterprise.uscc, "fields": [fields[p.pk % 4]]})
                                       for p in applications])
        started = time.perf_counter()
        made = review.auto_assign(actor=admin, round_=round_, per_subject=3)
        elapsed = time.perf_counter() - started
        conflicts = sum(1 for a in ReviewAssignment.objects.filter(subject__round=round_)
                        .select_related("expert", "subject") if review.conflict(a.expert, a.subject))
        verdict = "达标" if elapsed < ASSIGN_TARGET_S else "未达标"
        print(f"{'自动分配专家':<28}{elapsed:>9.2f}s          {len(applications)} 项 × {len(experts)} 位专家，"
              f"分配 {made} 人次，冲突 {conflicts} 人次；目标 < {ASSIGN_TARGET_S} s（{verdict}）")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
