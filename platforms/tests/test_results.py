"""The consequences of a year's tables: official scores, grades and ranks (ties, rank change), the budget
allocated to the 元 in the funds ledger, the pool's 有进有出, and a what-if that never overwrites."""

from __future__ import annotations

import datetime

import pytest

from core.errors import BusinessError, Conflict, NotAllowed
from core.models_notice import FundEntry
from platforms.models import PerformanceTable, PoolPeriod
from platforms.services import results
from platforms.tests.factories import INDICATORS, PH, D, platform, table, template

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(users):
    tpl = template(2024)
    made = [platform(f"T-C{n}") for n in range(5)]
    # services (best of cohort, 40), transfer (target 1000, 30), expert (30)
    figures = [(100, 1000, 100), (100, 1000, 100), (50, 500, 60), (20, 100, 50), (10, 0, 20)]
    for p, (services, transfer, expert) in zip(made, figures, strict=True):
        table(p, 2024, tpl, services, transfer, expert)
    return made


def test_official_scores_grade_and_rank_with_ties(users, cohort):
    results.score_official(actor=users["ph_admin"], kind="nri", year=2024, region_code=PH)
    rows = {t.platform.code: (t.score, t.grade, t.rank) for t in PerformanceTable.objects.filter(year=2024)}
    assert rows == {"T-C0": (D("100.00"), "优秀", 1), "T-C1": (D("100.00"), "优秀", 1),
                    "T-C2": (D("53.00"), "不合格", 3), "T-C3": (D("26.00"), "不合格", 4),
                    "T-C4": (D("10.00"), "不合格", 5)}
    scored = PerformanceTable.objects.get(platform__code="T-C2")
    assert scored.contributions == {"services": "20.00", "transfer": "15.00", "expert": "18.00"}


def test_rank_change_against_the_year_before(users, cohort):
    results.score_official(actor=users["ph_admin"], kind="nri", year=2024, region_code=PH)
    tpl = template(2025)
    for n, services in enumerate((10, 20, 100, 50, 5)):
        table(cohort[n], 2025, tpl, services, 1000, 80)
    results.score_official(actor=users["ph_admin"], kind="nri", year=2025, region_code=PH)
    changes = dict(PerformanceTable.objects.filter(year=2025).values_list("platform__code", "rank_change"))
    assert changes == {"T-C0": -3, "T-C1": -2, "T-C2": 2, "T-C3": 2, "T-C4": 0}


def test_only_the_regions_bureau_scores(users, cohort):
    for name in ("js_admin", "ph_leader", "demo_jigou"):
        with pytest.raises(NotAllowed):
            results.score_official(actor=users[name], kind="nri", year=2024, region_code=PH)
    assert not PerformanceTable.objects.filter(score__isnull=False).exists()


def test_the_budget_goes_to_those_at_pass_or_better_and_sums_to_the_yuan(users, cohort):
    tpl = PerformanceTable.objects.first().template
    extra = platform("T-C5")
    table(extra, 2024, tpl, 70, 700, 70)  # 28 + 21 + 21 = 70: 良好
    results.score_official(actor=users["ph_admin"], kind="nri", year=2024, region_code=PH)
    entries = results.allocate_budget(actor=users["ph_admin"], kind="nri", year=2024, region_code=PH,
                                      budget=D("1000001"), approved_on=datetime.date(2025, 3, 1))
    amounts = {e.recipient_name: e.approved for e in entries}
    assert sum(amounts.values()) == D("1000001")
    assert set(amounts) == {"测试平台T-C0", "测试平台T-C1", "测试平台T-C5"}  # 不合格 get nothing
    # 100 : 100 : 70 of 1,000,001 is 370,370.74 twice and 259,259.26; the two 元 left go to the largest parts.
    assert amounts == {"测试平台T-C0": D("370371"), "测试平台T-C1": D("370371"), "测试平台T-C5": D("259259")}
    assert all(e.approved == e.approved.to_integral_value() for e in entries)
    assert FundEntry.objects.filter(programme=results.PROGRAMME).count() == 3
    with pytest.raises(Conflict):
        results.allocate_budget(actor=users["ph_admin"], kind="nri", year=2024, region_code=PH,
                                budget=D("5"), approved_on=datetime.date(2025, 3, 1))
    for bad in (D("100.5"), D("-1"), D("0"), D("Infinity")):
        with pytest.raises(BusinessError):
            results.allocate_budget(actor=users["ph_admin"], kind="nri", year=2025, region_code=PH, budget=bad,
                                    approved_on=datetime.date(2025, 3, 1))


def test_two_failing_years_running_leave_the_pool_and_the_platform_may_come_back(users, cohort):
    admin = users["ph_admin"]
    weak = cohort[4]
    results.enter_pool(actor=admin, platform_code=weak.code, entered_on=datetime.date(2023, 1, 1), reason="首批入库")
    with pytest.raises(Conflict):
        results.enter_pool(actor=admin, platform_code=weak.code, entered_on=datetime.date(2023, 2, 1), reason="重复")
    results.score_official(actor=admin, kind="nri", year=2024, region_code=PH)
    assert PoolPeriod.objects.get(platform=weak).left_on is None  # one failing year is not enough
    table(weak, 2025, template(2025), 1, 0, 10)
    table(cohort[0], 2025, PerformanceTable.objects.filter(year=2025).first().template, 100, 1000, 100)
    results.score_official(actor=admin, kind="nri", year=2025, region_code=PH)
    period = PoolPeriod.objects.get(platform=weak)
    assert period.left_on is not None and period.exit_reason == "连续两年绩效评价不合格（2024、2025年度）"
    with pytest.raises(BusinessError):  # not before it left
        results.enter_pool(actor=admin, platform_code=weak.code, reason="整改后重新入库",
                           entered_on=period.left_on - datetime.timedelta(days=1))
    back = results.enter_pool(actor=admin, platform_code=weak.code, reason="整改后重新入库",
                              entered_on=period.left_on + datetime.timedelta(days=30))
    assert PoolPeriod.objects.filter(platform=weak).count() == 2 and back.left_on is None
    with pytest.raises(NotAllowed):
        results.leave_pool(actor=users["js_admin"], platform_code=weak.code, left_on=back.entered_on, reason="x")


def test_a_gap_year_breaks_the_run(users, cohort):
    admin = users["ph_admin"]
    weak = cohort[4]
    results.enter_pool(actor=admin, platform_code=weak.code, entered_on=datetime.date(2023, 1, 1), reason="入库")
    results.score_official(actor=admin, kind="nri", year=2024, region_code=PH)
    tpl = template(2026)
    table(weak, 2026, tpl, 1, 0, 10)
    table(cohort[0], 2026, tpl, 100, 1000, 100)
    results.score_official(actor=admin, kind="nri", year=2026, region_code=PH)
    assert PoolPeriod.objects.get(platform=weak).left_on is None


def test_a_what_if_shows_who_moves_and_writes_nothing(users, cohort):
    results.score_official(actor=users["ph_admin"], kind="nri", year=2024, region_code=PH)
    before = list(PerformanceTable.objects.order_by("pk").values_list("score", "rank", "grade", "version"))
    expert_heavy = [{**INDICATORS[0], "weight": "10"}, {**INDICATORS[1], "weight": "10"},
                    {**INDICATORS[2], "weight": "80"}]
    other = template(2024, indicators=expert_heavy)
    outcome = results.what_if(users["ph_admin"], kind="nri", year=2024, region_code=PH, template=other)
    by_code = {r["platform"].code: (r["official_rank"], r["rank"]) for r in outcome["rows"]}
    assert by_code["T-C3"] == (4, 4) and by_code["T-C0"] == (1, 1)
    assert list(PerformanceTable.objects.order_by("pk").values_list("score", "rank", "grade", "version")) == before
    assert outcome["up"] == [] and outcome["down"] == []
