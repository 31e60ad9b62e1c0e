"""Pure tests for enterprises.engine: rule sets as data, the shipped rule sets at their boundaries.

No database and no Django test runner: the engine is pure.
"""

from __future__ import annotations

import copy
import json
import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D

import django.conf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enterprises import engine
from enterprises.engine import (
    Assessment,
    EnterpriseFacts,
    Qualification,
    RuleSetError,
    YearFigures,
    compile_ruleset,
    load_shipped,
)

# gettext() needs settings at call time; when run with -p no:django nobody else configures them.
if not django.conf.settings.configured:
    django.conf.settings.configure(USE_I18N=False)

# Keep property tests from writing an example database into the working tree.
no_db = settings(database=None, deadline=None)

ON = date(2025, 6, 1)  # assessment date: the application year is 2025, so 2024 is the latest year used
HITECH = compile_ruleset(load_shipped("hitech"))
SME = compile_ruleset(load_shipped("tech_sme"))

# A firm that passes everything in both rule sets: revenue 4000, R&D 6% of revenue, 83% domestic,
# 75% hi-tech revenue, 20% tech staff, four Ⅱ类 IP (tech_sme: 12 + 50 + 24 = 86 points).
BASE = dict(revenue=D(4000), total_cost=D(3600), rd_expense=D(240), domestic_rd=D(200), hitech_revenue=D(3000),
            total_assets=D(5000), total_liabilities=D(2000), staff=100, tech_staff=20, ip1=0, ip2=4)


def year(y: int = 2024, **changes) -> YearFigures:
    return YearFigures(year=y, **{**BASE, **changes})


def facts(*years: YearFigures, established: date | None = date(2015, 3, 1),
          qualifications: tuple[Qualification, ...] = ()) -> EnterpriseFacts:
    return EnterpriseFacts(established, years or (year(),), qualifications)


def crit(assessment: Assessment, code: str):
    found = [c for c in assessment.criteria if c.code == code]
    assert len(found) == 1, code
    return found[0]


def hitech(*years: YearFigures, **kw) -> Assessment:
    return HITECH.assess(facts(*years, **kw), ON)


def sme(*years: YearFigures, **kw) -> Assessment:
    return SME.assess(facts(*years, **kw), ON)


# --------------------------------------------------------------------------- shipped sets


def test_shipped_rule_sets_compile_with_the_agreed_codes():
    assert engine.shipped_codes() == ("county_rd_centre", "golden_eagle", "hitech", "tech_sme")
    assert HITECH.codes == ("age", "ip", "tech_staff_ratio", "rd_ratio", "domestic_rd_ratio", "hitech_revenue_ratio")
    assert SME.codes == ("staff_limit", "revenue_limit", "assets_limit", "tech_staff_score", "rd_score", "ip_score",
                         "total_score")
    assert (HITECH.code, HITECH.version, SME.code, SME.version) == ("hitech", 1, "tech_sme", 1)
    for code in engine.shipped_codes():
        definition = load_shipped(code)
        # Stored as JSON by the app: only plain JSON values, no Decimal.
        assert json.loads(json.dumps(definition)) == definition


def test_a_firm_meeting_everything_is_eligible_in_both():
    a = hitech(year(2022), year(2023), year(2024))
    assert (a.status, a.eligible, a.direct, a.score, a.failed_count) == ("eligible", True, False, None, 0)
    assert all(c.passed and c.gap is None for c in a.criteria)
    assert a.ruleset == "hitech" and a.version == 1 and a.date == ON
    b = sme()
    assert (b.status, b.eligible, b.direct, b.score, b.failed_count) == ("eligible", True, False, D(86), 0)
    assert [c.score for c in b.criteria][3:] == [D(12), D(50), D(24), D(86)]


def test_hitech_notes_name_what_needs_experts_and_estimate_points():
    a = hitech(year(2022, revenue=D(3000), total_assets=D(4000)), year(2023, revenue=D(3500)), year(2024))
    assert a.notes[0] == "创新能力评价（须高于70分）待专家评审"
    assert any(note.startswith("合规条件待核查") for note in a.notes)
    # Ⅱ类 4 → 3-4 points; net assets 2000 → 3000 → 3000: (1.5 + 1) / 2 − 1 = 25% → 7-8 points;
    # revenue 3000 → 3500 → 4000: (7/6 + 8/7) / 2 − 1 = 15.5% → 5-6 points.
    assert "创新能力参考分：知识产权数量3～4分（Ⅱ类知识产权≥3项）" in a.notes
    assert "创新能力参考分：净资产增长率7～8分（25.0%）" in a.notes
    assert "创新能力参考分：销售收入增长率5～6分（15.5%）" in a.notes
    assert "创新能力参考分：以上可估算部分合计15～18分" in a.notes


def test_hitech_growth_needs_two_consecutive_years():
    a = hitech(year(2024))
    assert "创新能力参考分：销售收入增长率暂无法估算（需要至少两个连续年度的营业收入）" in a.notes
    a = hitech(year(2021), year(2023), year(2024, ip1=1))
    # 2021 and 2023 are not consecutive, so the series breaks.
    assert any(note.startswith("创新能力参考分：销售收入增长率暂无法估算") for note in a.notes)
    assert "创新能力参考分：知识产权数量7～8分（Ⅰ类知识产权≥1项）" in a.notes


# --------------------------------------------------------------------------------- hitech


def test_age_exactly_365_days_passes_and_364_fails():
    a = hitech(established=ON - timedelta(days=365))
    assert crit(a, "age").passed is True
    assert crit(a, "age").actual == "365天"
    a = hitech(established=ON - timedelta(days=364))
    age = crit(a, "age")
    assert (age.passed, age.actual, age.required, age.gap) == (False, "364天", "≥365天", "成立还差1天")
    assert age.value == D(364)
    assert a.status == "not_eligible" and a.failed_count == 1


def test_ip_needs_one_of_either_class():
    assert crit(hitech(year(ip1=0, ip2=1)), "ip").passed is True
    assert crit(hitech(year(ip1=1, ip2=0)), "ip").passed is True
    ip = crit(hitech(year(ip1=0, ip2=0)), "ip")
    assert (ip.passed, ip.actual, ip.required, ip.gap) == (False, "0项", "≥1项", "还需1项Ⅱ类知识产权")


def test_tech_staff_ratio_exactly_ten_percent():
    c = crit(hitech(year(staff=100, tech_staff=10)), "tech_staff_ratio")
    assert (c.passed, c.actual, c.required, c.value) == (True, "10.0%", "≥10%", D("0.1"))
    c = crit(hitech(year(staff=1000, tech_staff=99)), "tech_staff_ratio")
    assert (c.passed, c.actual, c.gap) == (False, "9.9%", "科技人员占比还差0.1个百分点")


def test_rd_ratio_at_5000_band():
    c = crit(hitech(year(revenue=D(5000), rd_expense=D(250), domestic_rd=D(250))), "rd_ratio")
    assert (c.passed, c.actual, c.required) == (True, "5.0%", "≥5%（营业收入≤5000万元）")
    c = crit(hitech(year(revenue=D(5000), rd_expense=D("249.5"), domestic_rd=D(200))), "rd_ratio")
    # 4.99% is not rounded up to a "5.0%" that would contradict the verdict.
    assert (c.passed, c.actual, c.gap, c.value) == (False, "4.99%", "研发费用占比还差0.1个百分点", D("0.0499"))


def test_rd_ratio_just_above_5000_uses_four_percent():
    c = crit(hitech(year(revenue=D("5000.01"), rd_expense=D("200.0004"), domestic_rd=D(200))), "rd_ratio")
    assert (c.passed, c.value) == (True, D("0.04"))
    assert c.required == "≥4%（营业收入>5000万元且≤20000万元）"


def test_rd_ratio_at_20000_band():
    assert crit(hitech(year(revenue=D(20000), rd_expense=D(800), domestic_rd=D(800))), "rd_ratio").passed is True
    c = crit(hitech(year(revenue=D(20000), rd_expense=D(798), domestic_rd=D(798))), "rd_ratio")
    assert (c.passed, c.gap) == (False, "研发费用占比还差0.1个百分点")
    c = crit(hitech(year(revenue=D("20000.01"), rd_expense=D("600.0003"), domestic_rd=D(600))), "rd_ratio")
    assert (c.passed, c.value, c.required) == (True, D("0.03"), "≥3%（营业收入>20000万元）")


def test_rd_ratio_gap_text():
    c = crit(hitech(year(revenue=D(1000), rd_expense=D(42), domestic_rd=D(42))), "rd_ratio")
    assert (c.actual, c.gap) == ("4.2%", "研发费用占比还差0.8个百分点")
    # Rounded up so the gap is never understated: 0.81 points short reads 0.9.
    c = crit(hitech(year(revenue=D(5000), rd_expense=D("209.5"), domestic_rd=D(200))), "rd_ratio")
    assert c.gap == "研发费用占比还差0.9个百分点"


def test_rd_ratio_sums_over_three_years_and_bands_by_the_latest_revenue():
    years = (year(2022, revenue=D(1000), rd_expense=D(30), domestic_rd=D(30)),
             year(2023, revenue=D(2000), rd_expense=D(100), domestic_rd=D(100)),
             year(2024, revenue=D(3000), rd_expense=D(170), domestic_rd=D(170)))
    c = crit(hitech(*years), "rd_ratio")
    assert (c.passed, c.value) == (True, D("0.05"))  # 300 ÷ 6000, although 2022 alone is 3%
    # The same sums, but the latest revenue 6000 puts the firm in the 4% band.
    years = (year(2022, revenue=D(0), rd_expense=D(0), domestic_rd=D(0)),
             year(2023, revenue=D(0), rd_expense=D(0), domestic_rd=D(0)),
             year(2024, revenue=D(6000), rd_expense=D(250), domestic_rd=D(250)))
    c = crit(hitech(*years), "rd_ratio")
    assert (c.passed, c.required) == (True, "≥4%（营业收入>5000万元且≤20000万元）")


def test_domestic_and_hitech_revenue_exactly_sixty_percent():
    a = hitech(year(rd_expense=D(250), domestic_rd=D(150), revenue=D(5000), hitech_revenue=D(3000)))
    assert crit(a, "domestic_rd_ratio").passed is True
    assert crit(a, "hitech_revenue_ratio").passed is True
    assert crit(a, "hitech_revenue_ratio").actual == "60.0%"
    a = hitech(year(rd_expense=D(10000), domestic_rd=D(5999), revenue=D(10000), hitech_revenue=D("5999.99")))
    assert crit(a, "domestic_rd_ratio").gap == "境内研发费用占比还差0.1个百分点"
    assert crit(a, "hitech_revenue_ratio").passed is False
    assert crit(a, "hitech_revenue_ratio").actual == "59.9999%"


def test_fewer_than_three_years_sum_what_exists():
    one = hitech(year(2024, revenue=D(1000), rd_expense=D(50), domestic_rd=D(30)))
    assert crit(one, "rd_ratio").value == D("0.05")
    assert crit(one, "domestic_rd_ratio").value == D("0.6")
    two = hitech(year(2023, revenue=D(1000), rd_expense=D(40), domestic_rd=D(40)),
                 year(2024, revenue=D(1000), rd_expense=D(60), domestic_rd=D(20)))
    assert crit(two, "rd_ratio").value == D("0.05")
    assert crit(two, "domestic_rd_ratio").value == D("0.6")
    assert HITECH.years_used(facts(year(2023), year(2024)), ON) == (year(2023), year(2024))


def test_years_in_or_after_the_assessment_year_and_older_than_three_are_ignored():
    bad = dict(revenue=D(1000), rd_expense=D(1), domestic_rd=D(0), staff=1, tech_staff=0, ip1=0, ip2=0)
    a = hitech(year(2020, **bad), year(2022), year(2023), year(2024), year(2025, **bad), year(2026, **bad))
    assert a.status == "eligible"
    assert HITECH.years_used(facts(year(2025), year(2021), year(2024)), ON) == (year(2021), year(2024))
    # Only years strictly before the date's year count, whatever the month.
    assert hitech(year(2025)).status == "incomplete"
    assert HITECH.assess(facts(year(2024)), date(2024, 12, 31)).status == "incomplete"


def test_two_records_for_one_year_the_later_one_wins():
    used = HITECH.years_used(facts(year(2024, ip2=1), year(2023), year(2024, ip2=7)), ON)
    assert used == (year(2023), year(2024, ip2=7))


def test_missing_domestic_rd_makes_the_outcome_unknown():
    a = hitech(year(2023), year(2024, domestic_rd=None))
    c = crit(a, "domestic_rd_ratio")
    assert (c.passed, c.actual, c.gap, c.value) == (None, None, None, None)
    assert (a.status, a.eligible, a.direct, a.failed_count) == ("incomplete", None, False, 0)
    assert "境内研发费用占比：缺少2024年境内研发费用，暂无法判断" in a.notes


def test_a_failure_decides_even_with_something_unknown():
    a = hitech(year(2024, domestic_rd=None, ip1=0, ip2=0))
    assert crit(a, "domestic_rd_ratio").passed is None
    assert (a.status, a.eligible, a.failed_count) == ("not_eligible", False, 1)


def test_no_years_and_no_founding_date_are_unknown_not_failures():
    a = HITECH.assess(EnterpriseFacts(None, (), ()), ON)
    assert a.status == "incomplete"
    assert all(c.passed is None and c.gap is None for c in a.criteria)
    assert "注册成立满一年：缺少成立日期，暂无法判断" in a.notes
    assert "科技人员占比：没有2025年以前的年度数据，暂无法判断" in a.notes


def test_zero_denominator_is_unknown_with_a_reason():
    a = hitech(year(staff=0, tech_staff=0))
    assert crit(a, "tech_staff_ratio").passed is None
    assert "科技人员占比：2024年职工总数为0，无法计算比例，暂无法判断" in a.notes
    a = hitech(year(2023, revenue=D(0), rd_expense=D(0)), year(2024, revenue=D(0), rd_expense=D(0)))
    assert "研发费用占营业收入比例：所用年度营业收入合计为0，无法计算比例，暂无法判断" in a.notes


# -------------------------------------------------------------------------------- tech_sme


def test_staff_limit_at_500():
    c = crit(sme(year(staff=500, tech_staff=100)), "staff_limit")
    assert (c.passed, c.actual, c.required) == (True, "500人", "≤500人")
    c = crit(sme(year(staff=501, tech_staff=100)), "staff_limit")
    assert (c.passed, c.gap) == (False, "职工总数超出上限1人")


def test_revenue_and_assets_limits_at_20000():
    a = sme(year(revenue=D(20000), total_assets=D(20000), rd_expense=D(1200)))
    assert crit(a, "revenue_limit").passed is True and crit(a, "assets_limit").passed is True
    a = sme(year(revenue=D("20000.01"), total_assets=D("20000.01"), rd_expense=D(1200)))
    revenue, assets = crit(a, "revenue_limit"), crit(a, "assets_limit")
    assert (revenue.passed, revenue.actual, revenue.gap) == (False, "20000.01万元", "营业收入超出上限0.01万元")
    assert (assets.passed, assets.gap) == (False, "资产总额超出上限0.01万元")
    assert a.status == "not_eligible" and a.failed_count == 2


@pytest.mark.parametrize(("tech", "score"), [
    (3000, 20), (2999, 16), (2500, 16), (2499, 12), (2000, 12), (1999, 8), (1500, 8), (1499, 4), (1000, 4),
    (999, 0), (0, 0)])
def test_tech_staff_score_bands(tech, score):
    c = crit(sme(year(staff=10000, tech_staff=tech)), "tech_staff_score")
    assert c.score == D(score)
    assert c.value == D(tech) / 10000


@pytest.mark.parametrize(("rd", "score"), [
    ("600", 50), ("599.99", 40), ("500", 40), ("499.99", 30), ("400", 30), ("399.99", 20), ("300", 20),
    ("299.99", 10), ("200", 10), ("199.99", 0)])
def test_rd_score_by_revenue(rd, score):
    # Costs so large that the cost-based ratio scores nothing.
    c = crit(sme(year(revenue=D(10000), total_cost=D(1000000), rd_expense=D(rd))), "rd_score")
    assert c.score == D(score)


@pytest.mark.parametrize(("rd", "score"), [
    ("300", 50), ("299.99", 40), ("250", 40), ("249.99", 30), ("200", 30), ("199.99", 20), ("150", 20),
    ("149.99", 10), ("100", 10), ("99.99", 0)])
def test_rd_score_by_cost(rd, score):
    c = crit(sme(year(revenue=D(1000000), total_assets=D(100), total_cost=D(1000), rd_expense=D(rd))), "rd_score")
    assert c.score == D(score)


def test_best_of_picks_the_cost_ratio_when_it_scores_more():
    # R = 200 ÷ 10000 = 2% → 10; C = 200 ÷ 800 = 25% → 40.
    c = crit(sme(year(revenue=D(10000), total_cost=D(800), rd_expense=D(200))), "rd_score")
    assert (c.score, c.value) == (D(40), D("0.25"))
    assert c.actual == "40分（研发费用占成本费用比例25.0%）"
    c = crit(sme(year(revenue=D(1000), total_cost=D(100000), rd_expense=D(60))), "rd_score")
    assert (c.score, c.actual) == (D(50), "50分（研发费用占营业收入比例6.0%）")


@pytest.mark.parametrize(("ip1", "ip2", "score"), [
    (1, 0, 30), (1, 10, 30), (5, 0, 30), (0, 100, 24), (0, 4, 24), (0, 3, 18), (0, 2, 12), (0, 1, 6), (0, 0, 0)])
def test_ip_score(ip1, ip2, score):
    assert crit(sme(year(ip1=ip1, ip2=ip2)), "ip_score").score == D(score)


def test_ip_score_shows_the_case():
    c = crit(sme(year(ip1=1, ip2=10)), "ip_score")
    assert (c.actual, c.required) == ("30分（Ⅰ类知识产权1项及以上）", "计分项，满分30分")


def test_total_exactly_60_with_tech_staff_points_is_eligible():
    # tech 10% → 4, R 6% → 50, one Ⅱ类 → 6.
    a = sme(year(staff=100, tech_staff=10, revenue=D(1000), rd_expense=D(60), ip1=0, ip2=1))
    assert crit(a, "total_score").score == D(60)
    assert crit(a, "total_score").required == "≥60分"
    assert crit(a, "tech_staff_score").required == ">0分（科技人员占比≥10%）"
    assert (a.status, a.eligible, a.direct, a.score) == ("eligible", True, False, D(60))


def test_total_exactly_60_without_tech_staff_points_is_not():
    # tech 8% → 0, R 4% → 30, one Ⅰ类 → 30.
    a = sme(year(staff=100, tech_staff=8, revenue=D(1000), rd_expense=D(40), ip1=1, ip2=0))
    assert a.score == D(60)
    tech = crit(a, "tech_staff_score")
    assert (tech.passed, tech.score, tech.actual, tech.gap) == (False, D(0), "0分（8.0%）", "科技人员占比还差2个百分点")
    assert crit(a, "total_score").passed is True
    assert (a.status, a.eligible, a.failed_count) == ("not_eligible", False, 1)


def test_total_below_60_says_how_many_points_are_missing():
    # tech 10% → 4, R 5% → 40, two Ⅱ类 → 12: 56.
    a = sme(year(staff=100, tech_staff=10, revenue=D(1000), rd_expense=D(50), ip1=0, ip2=2))
    total = crit(a, "total_score")
    assert (total.passed, total.actual, total.gap) == (False, "56分", "综合得分还差4分")
    assert a.status == "not_eligible"


WEAK = dict(staff=100, tech_staff=5, rd_expense=D(10), ip1=0, ip2=0)  # 0 points


def hitech_certificate(issued: date, expires: date | None) -> tuple[Qualification, ...]:
    return (Qualification("高新技术企业", issued, expires), Qualification("科技型中小企业", date(2020, 1, 1), None))


def test_valid_hitech_qualification_is_a_direct_route():
    a = sme(year(**WEAK), qualifications=hitech_certificate(date(2023, 12, 1), date(2026, 11, 30)))
    assert a.score == D(0)
    assert (a.status, a.eligible, a.direct) == ("eligible", True, True)
    assert "符合直接认定条件：有效的高新技术企业资格" in a.notes
    assert a.failed_count == 2  # the scores still say what they lack
    assert "hitech_valid" not in [c.code for c in a.criteria]


@pytest.mark.parametrize(("issued", "expires", "direct"), [
    (date(2022, 6, 1), date(2025, 5, 31), False),  # expired the day before
    (date(2022, 6, 2), date(2025, 6, 1), True),  # expires on the day: still valid
    (ON, date(2028, 5, 31), True),  # issued on the day
    (date(2025, 6, 2), date(2028, 6, 1), False),  # issued after the day
    (date(2022, 6, 2), None, True),  # no expiry recorded: three years from issue
    (date(2022, 6, 1), None, False),  # … which ended the day before
])
def test_direct_route_validity_on_the_date(issued, expires, direct):
    a = sme(year(**WEAK), qualifications=hitech_certificate(issued, expires))
    assert (a.direct, a.eligible) == (direct, direct)


def test_direct_route_still_needs_the_limits():
    a = sme(year(**{**WEAK, "staff": 501}), qualifications=hitech_certificate(date(2024, 1, 1), None))
    assert (a.status, a.eligible, a.direct) == ("not_eligible", False, False)


def test_direct_route_decides_even_with_missing_scores():
    a = sme(year(tech_staff=None, rd_expense=None, ip1=None), qualifications=hitech_certificate(date(2024, 1, 1), None))
    assert (a.status, a.eligible, a.direct, a.score) == ("eligible", True, True, None)
    assert crit(a, "rd_score").passed is None


def test_unknown_scores_make_the_total_a_range():
    a = sme(year(ip1=None, ip2=4))
    ip = crit(a, "ip_score")
    assert (ip.passed, ip.score, ip.actual, ip.gap) == (None, None, None, None)
    total = crit(a, "total_score")
    # 12 + 50 + (24 or 30): the total passes either way.
    assert (total.passed, total.score, total.actual) == (True, None, "86～92分")
    assert (a.status, a.eligible, a.score) == ("eligible", True, None)
    assert "科技成果指标：缺少2024年Ⅰ类知识产权，暂无法判断" in a.notes


def test_unknown_that_matters_is_incomplete_and_a_failed_limit_overrides_it():
    a = sme(year(rd_expense=None))
    assert crit(a, "rd_score").passed is None
    assert (a.status, a.eligible) == ("incomplete", None)  # 12 + 24 + (0..50)
    a = sme(year(rd_expense=None, staff=501))
    assert (a.status, a.eligible) == ("not_eligible", False)


def test_an_unknown_score_that_cannot_change_the_outcome():
    # Revenue unknown: R unknown, but C = 30% already scores the maximum 50.
    a = sme(year(revenue=None, total_cost=D(800), rd_expense=D(240)))
    assert crit(a, "rd_score").score == D(50)
    assert crit(a, "revenue_limit").passed is None
    assert a.status == "incomplete"


# ------------------------------------------------------------------------ bureau rule sets


def test_golden_eagle_example_compiles_and_assesses_into_tiers():
    rules = compile_ruleset(load_shipped("golden_eagle"))
    assert "示例" in rules.name
    a = rules.assess(facts(year(2022, revenue=D(3000)), year(2023, revenue=D(3500)), year(2024)), ON)
    # rd 6% → 30, tech 20% → 12, four Ⅱ类 → 10, growth 15.5% → 9, revenue 4000 → 12: 73 points.
    assert a.score == D(73)
    assert (a.status, a.eligible) == ("eligible", True)
    tiers = {c.code: (c.passed, c.gap) for c in a.criteria if c.code.startswith("tier_")}
    assert tiers == {"tier_seed": (True, None), "tier_incubating": (True, None),
                     "tier_growth": (False, "未满足：总分还差7分")}


def test_a_bureau_rule_set_with_direct_approval():
    # 县级研发中心“达标即准”: holding the qualification (or meeting a simple bar) is enough.
    definition = {
        "code": "county_rd_centre", "name": "县级研发中心（达标即准）",
        "criteria": [
            {"code": "centre", "name": "已认定市级以上研发中心", "kind": "qualification", "type": "市级企业研发中心"},
            {"code": "rd", "name": "研发费用", "kind": "threshold", "metric": {"field": "rd_expense"}, "min": 100},
        ],
        "eligible": {"any": [{"direct": "centre"}, "rd"]},
    }
    rules = compile_ruleset(definition)
    a = rules.assess(facts(year(rd_expense=D(99))), ON)
    assert crit(a, "rd").gap == "研发费用还差1万元"
    assert crit(a, "centre").gap == "未持有有效的市级企业研发中心资格"
    assert (a.eligible, a.direct) == (False, False)
    a = rules.assess(facts(year(rd_expense=D(99)), qualifications=(
        Qualification("市级企业研发中心", date(2020, 1, 1), None),)), ON)
    assert (a.eligible, a.direct, crit(a, "centre").actual) == (True, True, "有效（未记载到期日）")
    a = rules.assess(facts(year(rd_expense=D(99)), qualifications=(
        Qualification("市级企业研发中心", date(2020, 1, 1), date(2024, 12, 31)),)), ON)
    assert crit(a, "centre").gap == "市级企业研发中心资格已于2024年12月31日到期"


def test_a_new_version_changes_exactly_the_changed_criterion():
    definition = copy.deepcopy(load_shipped("tech_sme"))
    definition["version"] = 2
    for criterion in definition["criteria"]:
        if criterion["code"] == "staff_limit":
            criterion["max"] = 300
    v2 = compile_ruleset(definition)
    firm = facts(year(staff=400, tech_staff=80))
    old, new = SME.assess(firm, ON), v2.assess(firm, ON)
    assert new.version == 2
    changed = [(a.code, a.passed, b.passed) for a, b in zip(old.criteria, new.criteria, strict=True) if a != b]
    assert changed == [("staff_limit", True, False)]
    assert (old.eligible, new.eligible) == (True, False)


def test_float_numbers_from_json_loads_are_read_exactly():
    text = json.dumps(load_shipped("hitech")).replace('"0.10"', "0.1")
    definition = json.loads(text)
    assert 0.1 in [c.get("min") for c in definition["criteria"]]
    rules = compile_ruleset(definition)
    assert crit(rules.assess(facts(year(staff=100, tech_staff=10)), ON), "tech_staff_ratio").passed is True


def test_band_unknown_but_outcome_decided():
    definition = {
        "code": "banded", "name": "分档示例",
        "criteria": [{"code": "rd", "name": "研发费用占比", "kind": "threshold",
                      "metric": {"ratio": ["rd_expense", "revenue"]},
                      "bands": [{"when": {"field": "staff", "max": 100}, "min": "0.05"}, {"min": "0.03"}]}],
        "eligible": "rd",
    }
    rules = compile_ruleset(definition)
    assert crit(rules.assess(facts(year(staff=None, rd_expense=D(60), revenue=D(1000))), ON), "rd").passed is True
    c = crit(rules.assess(facts(year(staff=None, rd_expense=D(20), revenue=D(1000))), ON), "rd")
    assert (c.passed, c.gap) == (False, "研发费用占比还差1个百分点")
    c = crit(rules.assess(facts(year(staff=None, rd_expense=D(40), revenue=D(1000))), ON), "rd")
    assert (c.passed, c.required) == (None, "≥5%（职工总数≤100人）；≥3%（职工总数>100人）")


# ------------------------------------------------------------------------------ validation

GOOD = {
    "code": "demo", "version": 1, "name": "示例",
    "years": {"count": 2},
    "criteria": [
        {"code": "age", "name": "成立满一年", "kind": "age_days", "min": 365},
        {"code": "rd", "name": "研发费用占比", "kind": "threshold", "metric": {"ratio": ["rd_expense", "revenue"]},
         "bands": [{"when": {"field": "revenue", "max": 5000}, "min": "0.05"},
                   {"when": {"field": "revenue", "max": 20000}, "min": "0.04"}, {"min": "0.03"}]},
        {"code": "tech", "name": "科技人员", "kind": "banded_score", "metric": {"ratio": ["tech_staff", "staff"]},
         "table": [["0.30", 20], ["0.10", 4]]},
        {"code": "ip", "name": "知识产权", "kind": "first_match",
         "cases": [{"when": {"field": "ip1", "min": 1}, "score": 30}, {"score": 0}]},
        {"code": "total", "name": "总分", "kind": "sum_score", "of": ["tech", "ip"]},
        {"code": "tier", "name": "一档", "kind": "condition", "test": {"min_score": ["total", 30]}},
    ],
    "eligible": {"all": ["age", "rd", {"min_score": ["total", 20]}]},
}


def broken(change) -> list[str]:
    definition = copy.deepcopy(GOOD)
    change(definition)
    with pytest.raises(RuleSetError) as caught:
        compile_ruleset(definition)
    assert str(caught.value).startswith("认定规则定义有误")
    return list(caught.value.problems)


def test_the_valid_example_compiles():
    assert compile_ruleset(copy.deepcopy(GOOD)).codes == ("age", "rd", "tech", "ip", "total", "tier")


def test_unknown_kind():
    problems = broken(lambda d: d["criteria"][0].update(kind="age"))
    assert problems == ["criteria[0]（age）.kind：未知的判定类型“age”（可用：age_days、threshold、banded_score、first_match、"
                        "best_of、sum_score、qualification、condition）"]


def test_unknown_field():
    problems = broken(lambda d: d["criteria"][1]["metric"].update(ratio=["rd", "revenue"]))
    assert len(problems) == 1 and "未知的字段“rd”" in problems[0] and problems[0].startswith("criteria[1]（rd）")
    problems = broken(lambda d: d["criteria"][1]["bands"][0]["when"].update(field="income"))
    assert "未知的字段“income”" in problems[0]


def test_undefined_references():
    problems = broken(lambda d: d.update(eligible={"all": ["age", "size", {"min_score": ["sum", 20]}]}))
    assert problems == ["eligible.all[1]：引用了未定义的判定项“size”",
                        "eligible.all[2].min_score：引用了未定义的判定项“sum”"]
    assert "引用了未定义的判定项“patents”" in broken(lambda d: d["criteria"][4].update(of=["tech", "patents"]))[0]
    assert "引用了未定义的判定项“x”" in broken(lambda d: d["criteria"][5].update(test="x"))[0]
    assert broken(lambda d: d.update(score="totl")) == ["score：引用了未定义的判定项“totl”"]


def test_bands_out_of_order():
    def swap(d):
        bands = d["criteria"][1]["bands"]
        bands[0]["when"]["max"], bands[1]["when"]["max"] = 20000, 5000
    assert broken(swap) == ["criteria[1]（rd）.bands[1].when：分档顺序有误：第2档的条件被前一档覆盖，永远不会用到"]
    assert "最后一档不应写when" in broken(lambda d: d["criteria"][1]["bands"][2].update(
        when={"field": "revenue", "max": 90000}))[0]
    assert "只有最后一档可以不写when" in broken(lambda d: d["criteria"][1]["bands"][0].pop("when"))[0]
    assert "分档顺序有误：下限应从高到低严格递减" in broken(lambda d: d["criteria"][2].update(
        table=[["0.10", 4], ["0.30", 20]]))[0]
    assert "得分不应更高" in broken(lambda d: d["criteria"][2].update(table=[["0.30", 4], ["0.10", 20]]))[0]
    assert "只有最后一项可以不写when" in broken(lambda d: d["criteria"][3].update(cases=[{"score": 0}, {"score": 1}]))[0]


@pytest.mark.parametrize("bad", ["abc", True, None, "NaN", "Infinity", [1], ""])
def test_non_numeric_bounds(bad):
    problems = broken(lambda d: d["criteria"][0].update(min=bad))
    assert len(problems) == 1 and problems[0].startswith("criteria[0]（age）.min：") and "不是数值" in problems[0]


def test_duplicate_codes():
    problems = broken(lambda d: d["criteria"].append({"code": "age", "name": "重复", "kind": "age_days", "min": 1}))
    assert problems == ["criteria[6]（age）：判定项代码“age”重复"]


def test_other_mistakes_are_named():
    assert "未知的参数“mni”" in broken(lambda d: d["criteria"][0].update(mni=1))[0]
    assert "应恰好给出min（≥）、max（≤）、above（>）、below（<）中的一个" in broken(
        lambda d: d["criteria"][0].update(max=9000))[0]
    assert "未知的参数“min”" in broken(lambda d: d["criteria"][2]["metric"].update(min=1))[0]
    assert "“age”不是计分项" in broken(lambda d: d.update(eligible={"min_score": ["age", 1]}))[0]
    assert "direct只能用在eligible中" in broken(lambda d: d["criteria"][5].update(test={"direct": "age"}))[0]
    assert "循环引用：tier → tier" in broken(lambda d: d["criteria"][5].update(test={"all": ["tier", "age"]}))[0]
    assert "未知的格式“percentage”" in broken(lambda d: d["criteria"][1].update(format="percentage"))[0]
    assert "criteria：应为非空列表" in broken(lambda d: d.update(criteria=[]))[0]
    assert "缺少“eligible”" in broken(lambda d: d.pop("eligible"))[0]
    assert "代码应由字母、数字和下划线组成" in broken(lambda d: d.update(code="高企"))[0]


def test_every_problem_is_listed_at_once():
    def many(d):
        d["criteria"][0]["kind"] = "nope"
        d["criteria"][1]["min"] = "x"
        d["criteria"][2]["table"] = [["0.1", 1], ["0.2", 2]]
        d["criteria"].append({"code": "ip", "name": "again", "kind": "age_days", "min": 1})
        d["eligible"] = {"all": ["age", "missing"]}
    problems = broken(many)
    assert len(problems) >= 5
    message = str(RuleSetError(problems))
    assert message.startswith(f"认定规则定义有误（{len(problems)}处）：\n1. ")


def test_load_shipped_rejects_unknown_codes():
    with pytest.raises(RuleSetError, match="没有内置规则集“nothing”"):
        load_shipped("nothing")
    with pytest.raises(RuleSetError, match="无效"):
        load_shipped("../settings")


def test_duplicate_json_keys_are_refused():
    with pytest.raises(RuleSetError, match="键“min”重复"):
        json.loads('{"min": 1, "min": 2}', object_pairs_hook=engine._no_duplicate_keys)


# ------------------------------------------------------------------------------ properties


def _year_strategy(money, count):
    return st.builds(YearFigures, year=st.integers(2019, 2026), revenue=money, total_cost=money, rd_expense=money,
                     domestic_rd=money, hitech_revenue=money, total_assets=money, total_liabilities=money,
                     staff=count, tech_staff=count, ip1=count, ip2=count)


money = st.decimals(min_value=0, max_value=30000, places=2)
count = st.integers(min_value=0, max_value=600)
# Mostly complete years, so that every status and the direct route come up; some with gaps.
years_st = st.one_of(_year_strategy(money, count), _year_strategy(money, count),
                     _year_strategy(st.none() | money, st.none() | count))
quals_st = st.builds(Qualification, type=st.sampled_from(["高新技术企业", "科技型中小企业"]),
                     issued=st.dates(date(2018, 1, 1), date(2026, 1, 1)),
                     expires=st.one_of(st.none(), st.dates(date(2019, 1, 1), date(2029, 1, 1))))
random_facts = st.builds(
    EnterpriseFacts, established=st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2026, 1, 1))),
    years=st.lists(years_st, max_size=5).map(tuple), qualifications=st.lists(quals_st, max_size=3).map(tuple))
# Firms like BASE with a few figures changed: these land near the thresholds and are often eligible.
changes = st.fixed_dictionaries({}, optional={
    name: st.one_of(count if name in ("staff", "tech_staff", "ip1", "ip2") else money, st.none())
    for name in ("revenue", "rd_expense", "domestic_rd", "hitech_revenue", "staff", "tech_staff", "ip1", "ip2")})
near_year = st.builds(lambda y, changed: year(y, **changed), st.integers(2021, 2024), changes)
near_facts = st.builds(
    EnterpriseFacts, established=st.dates(date(2000, 1, 1), date(2025, 1, 1)),
    years=st.lists(st.one_of(st.builds(year, st.integers(2021, 2024)), near_year), min_size=1, max_size=4).map(tuple),
    qualifications=st.lists(quals_st, max_size=2).map(tuple))
facts_st = st.one_of(random_facts, near_facts)
RULES = [HITECH, SME, compile_ruleset(load_shipped("golden_eagle"))]


@no_db
@given(facts_st, st.dates(date(2020, 1, 1), date(2027, 12, 31)))
def test_assessment_is_deterministic_and_consistent(firm, on):
    for rules in RULES:
        first = rules.assess(firm, on)
        assert first == rules.assess(firm, on)
        # A fresh compile of the same definition gives the same answer.
        assert first == compile_ruleset(load_shipped(rules.code)).assess(firm, on)
        assert first.status == {True: "eligible", False: "not_eligible", None: "incomplete"}[first.eligible]
        assert first.failed_count == sum(c.passed is False for c in first.criteria)
        assert not first.direct or first.eligible is True
        for c in first.criteria:
            assert not (c.passed is True and c.gap is not None), c
            assert not (c.passed is None and c.gap is not None), c
            assert not (c.passed is False and not c.gap), c  # never a silent fail


@no_db
@given(facts_st)
def test_listing_order_of_years_does_not_matter(firm):
    shuffled = replace(firm, years=tuple(reversed(firm.years)))
    if len({y.year for y in firm.years}) == len(firm.years):  # duplicates: the later record wins
        for rules in RULES:
            assert rules.assess(firm, ON) == rules.assess(shuffled, ON)


# ------------------------------------------------------------------------------ speed guard


def synthetic(count: int, seed: int = 7) -> list[EnterpriseFacts]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        years = []
        for y in (2022, 2023, 2024):
            revenue = D(rng.randint(10000, 3000000)) / 100
            rd = revenue * rng.randint(10, 80) / 1000
            staff = rng.randint(5, 800)
            years.append(YearFigures(
                y, revenue, revenue * D("0.9"), rd, None if rng.random() < 0.05 else rd * rng.randint(40, 100) / 100,
                revenue * rng.randint(30, 90) / 100, D(rng.randint(100, 30000)), D(rng.randint(10, 10000)), staff,
                rng.randint(0, staff // 3), rng.choice([0, 0, 0, 1, 2]), rng.randint(0, 6)))
        quals = (Qualification("高新技术企业", date(2023, 11, 1), None),) if rng.random() < 0.2 else ()
        out.append(EnterpriseFacts(date(rng.randint(2000, 2024), rng.randint(1, 12), rng.randint(1, 28)),
                                   tuple(years), quals))
    return out


def test_two_thousand_synthetic_enterprises_get_both_outcomes_from_both_rule_sets():
    # The speed of screening is measured in bench/screening_bench.py, not asserted here.
    firms = synthetic(2000)
    statuses = [rules.assess(firm, ON).status for rules in (HITECH, SME) for firm in firms]
    assert len(statuses) == 4000 and {"eligible", "not_eligible"} <= set(statuses)
