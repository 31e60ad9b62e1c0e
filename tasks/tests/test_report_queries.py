"""The report's figures are read in a fixed number of queries, whatever the number of tasks and places."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import OrgUnit
from core.periods import Period
from tasks.models import KeyTask, ProgressReport
from tasks.reporting import report_data
from tasks.services.seed import load_tasks

pytestmark = pytest.mark.django_db


def _count(plan, period) -> int:
    with CaptureQueriesContext(connection) as captured:
        report_data(plan, period, today=datetime.date(2023, 12, 31))
    return len(captured)


def test_report_data_query_count_does_not_grow(demo, users):
    load_tasks(users["admin"])
    plan = demo["PH315-2023"]
    period = Period.parse("2023Q2")
    _count(plan, period)  # the first call fills what is kept by data version (the plan's place)
    before = _count(plan, period)
    lead = OrgUnit.objects.get(code="330482-fgj")
    extra = KeyTask.objects.bulk_create([
        KeyTask(plan=plan, code=f"X-{n}", title=f"新增任务{n}", category="测试", lead_unit=lead,
                start=datetime.date(2023, 1, 1), deadline=datetime.date(2023, 12, 31), status="in_progress")
        for n in range(30)])
    ProgressReport.objects.bulk_create([
        ProgressReport(task=t, period=f"2023-{m:02d}", percent=Decimal(m * 8), text="进展")
        for t in extra for m in range(1, 7)])
    after = _count(plan, period)
    assert after == before
    data = report_data(plan, period, today=datetime.date(2023, 12, 31))
    assert sum(1 for t in data.tasks if t.code.startswith("X-")) == 30
    assert {line.name for line in data.town_ranking} >= {"当湖街道", "钟埭街道"}
