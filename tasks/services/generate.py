"""Synthetic key tasks for the generated province (``kechuang generate``), registered with plans' generator."""

import datetime
import random
from decimal import Decimal

from core.models import OrgUnit
from plans.models import Plan
from plans.services.generate import _bulk
from tasks.models import KeyTask, ProgressReport


def generate_tasks(plan: Plan, units: list[OrgUnit], year: int, rng: random.Random, per_unit: int = 3) -> int:
    """Key tasks led by each county for the plan's last year, with a year of monthly reports."""
    categories = ["科技强基重点项目", "平台提升重点任务", "主体培育重点任务"]
    tasks = [KeyTask(plan=plan, code=f"SIM-T{u.code}-{n}", seq=n, year=year, title=f"{u.name}重点工作{n}",
                     content="生成数据", category=categories[n % 3], lead_unit=u, goal="生成数据",
                     quantity=Decimal(rng.randint(1, 20)), quantity_unit="项",
                     start=datetime.date(year, 1, 1), deadline=datetime.date(year, 12, 31),
                     status="in_progress", is_demo=True)
             for u in units for n in range(1, per_unit + 1)]
    _bulk(KeyTask, tasks)
    tasks = list(KeyTask.objects.filter(plan=plan))
    reports = []
    for task in tasks:
        pace = Decimal(rng.randint(60, 110)) / 12
        for month in range(1, 13):
            if rng.random() < 0.05:
                continue
            reports.append(ProgressReport(task=task, period=f"{year}-{month:02d}", text="生成数据",
                                          percent=min(Decimal(100), pace * month).quantize(Decimal("0.1"))))
        task.percent_done, task.latest_period = reports[-1].percent, reports[-1].period
    _bulk(ProgressReport, reports)
    KeyTask.objects.bulk_update(tasks, ["percent_done", "latest_period"], batch_size=1000)
    return len(tasks)


def fill(plan: Plan, units: list[OrgUnit], year: int, rng: random.Random) -> str:
    return f"{generate_tasks(plan, units, year, rng)} 项重点任务"


def clear(plans) -> None:
    KeyTask.objects.filter(plan__in=plans).delete()
