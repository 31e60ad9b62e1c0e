"""The demo holds the documents' project figures exactly: 平湖 2023's 99 projects of its own plan beside 3
provincial 尖兵/领雁 ones, with 附件2 task 10's targets met and shown on the task's page; 嘉善 2024's 139 projects
with 1023万元; and 平湖's 2023 ledger total still 11938.6万元 at 99.97% with projects and vouchers itemised."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from core import funds
from enterprises.services.demo import load_demo_enterprises
from projects.models import Call, Project, Status
from projects.queries import year_figures
from projects.services.demo import load_demo

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 1)


@pytest.fixture
def loaded(users):
    funds.load_seed_entries()
    load_demo_enterprises(users["admin"], TODAY)
    load_demo(users["admin"], TODAY)
    return users


def test_pinghu_2023_has_its_99_projects_and_meets_task_10(loaded):
    figures = year_figures(loaded["ph_admin"], "330482", 2023)
    counts = {t["tier"]: t["count"] for t in figures["tiers"]}
    assert counts["major"] + counts["key"] + counts["general"] + counts["filing"] == 99
    assert counts["provincial"] == 3 and figures["local_count"] == 99
    assert {t["tier"]: (t["target"], t["met"]) for t in figures["targets"]} == {
        "provincial": (2, True), "major": (5, True), "key": (10, True)}
    assert all("99项" in p.source for p in Project.objects.filter(year=2023, region__code__startswith="330482"))


def test_jiashan_2024_has_139_projects_with_1023_wan(loaded):
    figures = year_figures(loaded["js_admin"], "330421", 2024)
    assert figures["count"] == 139 and figures["approved"] == Decimal("10230000.00")
    assert all("1023万元" in c.source for c in Call.objects.filter(year=2024, region__code="330421"))


def test_the_ledger_total_of_2023_stays_the_documents(loaded):
    summary = funds.summary(loaded["ph_admin"], 2023, "330482")
    assert summary["paid"] == Decimal("119386000.00") and summary["rate"] == Decimal("0.9997")
    projects = next(p for p in summary["programmes"] if p["programme"] == "科技计划项目")
    assert projects["paid"] == year_figures(loaded["ph_admin"], "330482", 2023)["paid"] > 0


def test_the_board_says_99_of_the_countys_own_plan(loaded, login_as):
    html = login_as("ph_leader").get("/projects/board/?year=2023").content.decode()
    assert "其中本级科技计划项目 99 项" in html


def test_the_task_page_shows_the_programmes_counts(loaded, login_as):
    from tasks.services.seed import load_tasks

    load_tasks(loaded["admin"])
    html = login_as("ph_admin").get("/tasks/PH-2023-10/").content.decode()
    assert "重大项目立项 6 个（目标 5 个以上）" in html and "已完成" in html


def test_this_year_has_applications_and_a_round_with_experts(loaded):
    live = set(Project.objects.filter(year=TODAY.year).values_list("status", flat=True))
    assert {Status.DRAFT, Status.SUBMITTED, Status.QUALIFIED, Status.REVIEWING} <= live
    assert Project.objects.filter(year=TODAY.year, status=Status.DRAFT,
                                  enterprise__org_unit__code="DEMO-ENT-001").exists()
