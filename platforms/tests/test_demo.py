"""The demo holds the documents' platforms and figures exactly: 平湖's 2023 tables add up to the 2023 report's
sums, the incubators to 高新区's totals, and the 2025 weights (core items 20% → 50%) reorder 2024."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from platforms import queries
from platforms.models import IncubatorFigures, PerformanceTemplate, Platform, PoolPeriod
from platforms.services import results
from platforms.services.demo import load_demo

pytestmark = pytest.mark.django_db

SEED_2023 = {"services": 291, "projects": 59, "transfer": 4365, "talent": 5, "doctors": 20, "masters": 14,
             "incubated": 15}


@pytest.fixture
def demo_loaded(users):
    load_demo(users["admin"], datetime.date(2026, 12, 1))
    return users


def test_the_2023_tables_add_up_to_the_reports_figures(demo_loaded):
    sums = queries.table_sums(demo_loaded["ph_admin"], year=2023, region_code="330482")
    assert sums == {code: Decimal(total) for code, total in SEED_2023.items()}


def test_the_documents_platforms_are_there_with_their_sources(demo_loaded):
    names = set(Platform.objects.values_list("name", flat=True))
    for name in ("上海交大平湖智能光电研究院", "浙工大平湖新材料研究院", "杭电平湖数字技术研究院", "平湖实验室",
                 "嘉兴南湖学院平湖研究院", "赛迪科创中心", "浙江东华纳米技术研究院",
                 "射频异质异构集成全国重点实验室(上海交通大学实验区)", "汉希科特中国微系统应用研究院",
                 "景兴纸业绿色低碳造纸技术研究院", "平湖汽车零部件产业创新服务综合体", "平湖千瑞翔智慧无人机星创天地",
                 "浙大智慧绿洲创新中心", "嘉善复旦研究院", "祥符实验室", "上大研究院", "兰钧研究院"):
        assert name in names, name
    assert not Platform.objects.filter(is_demo=False, source="").exists()
    assert Platform.objects.get(code="PH-NRI-02").operator_unit.code == "DEMO-INS-001"
    complexes = Platform.objects.filter(kind="service_complex").values_list("level", flat=True)
    assert sorted(complexes) == ["city", "city", "province"]  # 省级1个、嘉兴市级2个
    levels = list(Platform.objects.get(code="PH-ENT-01").levels.values_list("level", flat=True))
    assert levels == ["province", "province_key"]


def test_the_incubators_add_up_to_the_zones_totals(demo_loaded):
    rows = IncubatorFigures.objects.filter(year=2021)
    assert sum(r.area for r in rows) == Decimal("317500")  # 31.75万平方米
    assert sum(r.incubating for r in rows) == 362 and sum(r.outside for r in rows) == 18
    assert Platform.objects.filter(kind="incubator").count() == 6 and Platform.objects.filter(
        kind="maker_space").count() == 4
    checks = queries.incubator_checks(demo_loaded["ph_admin"], year=2021)
    assert [c["meets"] for c in checks] == [True]  # the one national incubator against the national example


def test_the_2025_weights_reorder_2024_and_the_failing_leave_the_pool(demo_loaded):
    later = PerformanceTemplate.objects.get(kind="nri", year=2025)
    weights = {i["code"]: Decimal(i["weight"]) for i in later.indicators}
    assert weights["services"] + weights["transfer"] == 50 and sum(weights.values()) == 100
    outcome = results.what_if(demo_loaded["ph_admin"], kind="nri", year=2024, region_code="330482", template=later)
    assert outcome["up"] and outcome["down"]
    assert "浙工大平湖新材料研究院" in outcome["up"]
    official = {r["platform"] for r in queries.ranking(demo_loaded["ph_admin"], kind="nri", year=2024)}
    assert len(official) == 6
    # 2023 and 2024 both 不合格: out of the pool with the reason.
    left = PoolPeriod.objects.filter(left_on__isnull=False).values_list("platform__code", "exit_reason")
    assert dict(left) == {"PH-NRI-05": "连续两年绩效评价不合格（2023、2024年度）",
                          "PH-NRI-06": "连续两年绩效评价不合格（2023、2024年度）"}


def test_loading_twice_changes_nothing(demo_loaded):
    counts = (Platform.objects.count(), IncubatorFigures.objects.count(), PoolPeriod.objects.count())
    load_demo(demo_loaded["admin"], datetime.date(2026, 12, 1))
    assert (Platform.objects.count(), IncubatorFigures.objects.count(), PoolPeriod.objects.count()) == counts


def test_jiashans_rate_and_new_county_centres_are_the_reports(users):
    from enterprises.services.demo import load_demo_enterprises
    from platforms.coverage import rd_coverage

    today = datetime.date(2026, 12, 1)
    load_demo_enterprises(users["admin"], today)
    load_demo(users["admin"], today)
    assert rd_coverage("330421", 2024) == {"enterprises": 152, "with_institution": 132, "rate": Decimal("86.8")}
    new = Platform.objects.filter(region__code__startswith="330421", kind="ent_centre", level="county",
                                  recognised_on__year=2024)
    assert new.count() == 84 and all("84家" in p.source and p.is_demo for p in new)


def test_the_tables_sums_are_indicator_sources(demo_loaded):
    from core import feeds

    today = datetime.date(2026, 12, 1)
    assert feeds.get("platform_services").compute("330482", 2023, today) == 291
    assert feeds.get("platform_transfer").compute("330482", 2023, today) == 4365
    assert feeds.get("platform_services").compute("330421", 2023, today) == 0
    assert feeds.get("platform_expert") is None  # the experts' item is no figure a plan reports
