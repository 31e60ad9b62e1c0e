"""Reads (plans/queries.py): plan progress end to end on the seed data, rankings, warnings, query counts."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import OrgUnit
from core.periods import Period
from plans.models import Indicator, IndicatorKind, Plan
from plans.progress import GREEN, MISSING, NO_TARGET, OUTLIER, RED, TREND_REVERSAL, YELLOW
from plans.queries import indicator_warnings, plan_progress, ranking
from plans.services.seed import set_target
from plans.services.values import approve_value, report_value

PINGHU = "330482"
# 当湖街道, 钟埭街道, 曹桥街道, 乍浦镇
T1, T2, T3, T4 = "330482001", "330482002", "330482003", "330482101"


def place(code: str) -> OrgUnit:
    return OrgUnit.objects.select_related("region").get(code=code)


def ind(plan, code: str) -> Indicator:
    return Indicator.objects.select_related("plan__region").get(plan=plan, code=code)


def row(plan, period: str, code: str, where: str | None = None):
    progress = plan_progress(Plan.objects.get(pk=plan.pk), Period.parse(period),
                             place(where) if where else None)
    return next(r for r in progress.rows if r.indicator.code == code)


def put(users, plan, code: str, period: str, value: str, where: str = PINGHU, basis: str = "",
        username: str = "ph_admin"):
    return report_value(reporter=users[username], indicator=ind(plan, code), place=place(where),
                        period=Period.parse(period), value=D(value), basis=basis)


def q4(value: D) -> D:
    return value.quantize(D("0.0001"))


# ------------------------------------------------------------------ plan_progress on the seed figures


def test_ph05_at_2023_11(pinghu):
    r = row(pinghu, "2023-11", "PH05")
    assert r.actual == D("80.61")
    assert r.target == D("27.5")  # 30 × 11/12, no explicit November target
    assert r.target_derived is True
    assert q4(r.completion) == D("2.9313")
    assert r.status == GREEN
    assert r.annual_target == D("30")
    assert q4(r.annual_completion) == D("2.6870")
    assert "80.61亿元" in r.value_source
    assert r.value_is_demo is False


def test_time_progress_of_november(pinghu):
    progress = plan_progress(pinghu, Period.parse("2023-11"))
    assert progress.time_progress == D(11) / D(12)
    assert [r.indicator.code for r in progress.rows] == [f"PH0{n}" for n in range(1, 10)]
    assert progress.place.code == PINGHU


def test_ph01_2024_annual_target_is_interpolated(pinghu):
    r = row(pinghu, "2024", "PH01")
    assert r.annual_target == D("53")
    assert r.annual_target_derived is True
    assert r.target == D("53")
    assert r.target_derived is True
    assert r.actual is None
    assert r.status == MISSING


def test_ph01_2023_annual_target_is_explicit(pinghu):
    r = row(pinghu, "2023", "PH01")
    assert r.annual_target == D("51")
    assert r.annual_target_derived is False
    assert r.target == D("51")
    assert r.target_derived is False


@pytest.mark.parametrize(("period", "target"), [
    ("2024Q1", D("13.25")),                 # 53 × 3/12
    ("2024Q2", D("26.5")),                  # 53 × 6/12
    ("2024-05", D("53") * 5 / D("12")),
    ("2025-08", D("55") * 8 / D("12")),
])
def test_cumulative_period_target_is_prorated(pinghu, period, target):
    r = row(pinghu, period, "PH01")
    assert r.target == target
    assert r.target_derived is True


@pytest.mark.parametrize(("period", "target"), [
    ("2023Q1", D("11.34")),   # printed milestone, not 51 × 3/12 = 12.75
    ("2023-03", D("11.34")),  # ends with Q1
    ("2023Q3", D("36")),
    ("2023H1", D("25.5")),    # ends with Q2
    ("2023-06", D("25.5")),
])
def test_explicit_milestone_wins_over_prorating(pinghu, period, target):
    r = row(pinghu, period, "PH01")
    assert r.target == target
    assert r.target_derived is False


def test_rate_target_is_not_prorated(pinghu):
    r = row(pinghu, "2024Q1", "PH02")
    assert r.target == D("2.6")  # between 2.5 (2023) and 2.7 (2025), whole year level
    assert r.annual_target_derived is True


def test_stock_indicator_target_is_not_prorated(pinghu, users):
    stock = Indicator.objects.create(plan=pinghu, code="PHX1", seq=10, name="省级以上企业研发机构数", unit="家",
                                     kind=IndicatorKind.STOCK, frequency="quarter")
    set_target(actor=users["admin"], indicator=stock, place=place(PINGHU), period="2024", value=D("120"))
    put(users, pinghu, "PHX1", "2024Q2", "90")
    r = row(pinghu, "2024Q2", "PHX1")
    assert r.target == D("120")  # a level held all year, not 120 × 6/12
    assert r.completion == D("0.75")
    assert r.status == RED


def test_trend_points_carry_figures_and_targets(pinghu, users):
    put(users, pinghu, "PH01", "2023Q1", "11.5")
    progress = plan_progress(pinghu, Period.parse("2023Q2"), with_trend=True)
    trend = next(r for r in progress.rows if r.indicator.code == "PH01").trend
    assert ("2023Q1", D("11.5"), D("11.34")) in trend
    assert trend[-1] == ("2023Q2", None, D("25.5"))
    assert [code for code, _v, _t in trend][:4] == ["2022Q1", "2022Q2", "2022Q3", "2022Q4"]


def test_figure_at_month_end_counts_for_the_quarter(pinghu, users):
    put(users, pinghu, "PH01", "2023-06", "26")
    r = row(pinghu, "2023Q2", "PH01")
    assert r.actual == D("26")
    assert r.target == D("25.5")
    assert r.completion == D("26") / D("25.5")
    assert r.status == GREEN


def test_ph01_2025_08_is_yellow_by_default(pinghu):
    r = row(pinghu, "2025-08", "PH01")
    assert r.actual == D("33.77")
    assert q4(r.completion) == D("0.9210")
    assert r.status == YELLOW


def test_new_basis_target_picks_the_new_figure(pinghu):
    r = row(pinghu, "2023", "PH07")
    assert r.basis == "new"
    assert r.target == D("80")
    assert r.actual == D("90")  # 新认定90, not the running total 500
    assert r.completion == D("1.125")
    assert r.status == GREEN
    assert row(pinghu, "2023", "PH08").actual == D("203")


def test_running_total_target_is_not_prorated(pinghu, users):
    put(users, pinghu, "PH07", "2025-06", "600", basis="total")
    put(users, pinghu, "PH07", "2025-06", "50", basis="new")
    r = row(pinghu, "2025-06", "PH07")
    assert r.basis == "total"
    assert r.target == D("650")  # 累计达650 is a level: not 650 × 6/12
    assert r.actual == D("600")
    assert r.completion == D("600") / D("650")
    assert r.status == YELLOW


def test_no_target_between_new_and_total_years(pinghu, users):
    r = row(pinghu, "2024", "PH07")
    assert r.annual_target is None and r.target is None
    put(users, pinghu, "PH07", "2024", "85", basis="new")
    r = row(pinghu, "2024", "PH07")
    assert r.actual == D("85")
    assert r.status == NO_TARGET


def test_words_only_target(plans):
    r = row(plans["JS-2025"], "2025", "JS02")
    assert r.target is None
    assert r.target_words == "高于全市平均"


def test_lower_is_better_completion(plans, users):
    put(users, plans["JS-2025"], "JS06", "2025", "4", where="330421", username="js_admin")
    r = row(plans["JS-2025"], "2025", "JS06")
    assert r.target == D("5")
    assert r.completion == D("5") / D("4")  # 4th place beats the 5th-place target
    assert r.status == GREEN


# ------------------------------------------------------------------ year on year


def test_yoy_growth_against_same_period_last_year(pinghu, users):
    assert row(pinghu, "2025-08", "PH01").yoy_growth is None
    put(users, pinghu, "PH01", "2024-08", "30")
    r = row(pinghu, "2025-08", "PH01")
    assert r.yoy_growth == (D("33.77") - D("30")) / D("30")


def test_yoy_growth_ignores_unapproved_last_year(pinghu, users):
    put(users, pinghu, "PH09", "2024-09", "20", username="ph_scjg")
    assert row(pinghu, "2025-09", "PH09").yoy_growth is None


def test_yoy_growth_needs_the_same_kind_of_period(pinghu, users):
    put(users, pinghu, "PH01", "2024Q3", "30")  # ends September, not August
    assert row(pinghu, "2025-08", "PH01").yoy_growth is None


# ------------------------------------------------------------------ thresholds from the plan


def test_status_thresholds_come_from_the_plan(pinghu):
    assert row(pinghu, "2025-08", "PH01").status == YELLOW
    pinghu.green_threshold, pinghu.yellow_threshold = D("0.92"), D("0.8")
    pinghu.save()
    assert row(pinghu, "2025-08", "PH01").status == GREEN
    pinghu.green_threshold, pinghu.yellow_threshold = D("1"), D("0.95")
    pinghu.save()
    assert row(pinghu, "2025-08", "PH01").status == RED


def test_thresholds_also_colour_rankings(pinghu, users):
    put(users, pinghu, "PH03", "2024Q2", "9", where=T1, username="admin")
    set_target(actor=users["admin"], indicator=ind(pinghu, "PH03"), place=place(T1), period="2024", value=D("20"))
    (only,) = ranking(Plan.objects.get(pk=pinghu.pk), ind(pinghu, "PH03"), Period.parse("2024Q2"))
    assert only.completion == D("0.9") and only.status == YELLOW
    pinghu.yellow_threshold = D("0.95")
    pinghu.save()
    (only,) = ranking(Plan.objects.get(pk=pinghu.pk), ind(pinghu, "PH03"), Period.parse("2024Q2"))
    assert only.status == RED


# ------------------------------------------------------------------ only approved figures count


def test_pending_revision_does_not_replace_the_approved_figure(pinghu, users):
    put(users, pinghu, "PH09", "2025-09", "30", username="ph_scjg")
    r = row(pinghu, "2025-09", "PH09")
    assert r.actual == D("24.8")
    assert r.target == D("18")  # a density: the year's level, not prorated


def test_approved_revision_replaces_the_figure(pinghu, users):
    value = put(users, pinghu, "PH09", "2025-09", "30", username="ph_scjg")
    approve_value(reviewer=users["ph_admin"], value_id=value.pk)
    assert row(pinghu, "2025-09", "PH09").actual == D("30")


def test_submitted_figure_alone_does_not_count(pinghu, users):
    put(users, pinghu, "PH09", "2024", "16", username="ph_scjg")
    r = row(pinghu, "2024", "PH09")
    assert r.actual is None
    assert r.status == MISSING


def test_returned_figure_does_not_count(pinghu, users):
    from plans.services.values import return_value

    value = put(users, pinghu, "PH09", "2024", "16", username="ph_scjg")
    return_value(reviewer=users["ph_admin"], value_id=value.pk, opinion="口径不对")
    assert row(pinghu, "2024", "PH09").actual is None


# ------------------------------------------------------------------ ranking


@pytest.fixture
def towns_ph03(pinghu, users):
    """规上 高新技术产业增加值 (PH03) for four towns: 2024Q2 values 10/20/20/30, 2024Q1 ranks reshuffled."""
    for code, now, before in ((T1, "10", "9"), (T2, "20", "5"), (T3, "20", "7"), (T4, "30", "1")):
        put(users, pinghu, "PH03", "2024Q2", now, where=code, username="admin")
        put(users, pinghu, "PH03", "2024Q1", before, where=code, username="admin")
    return ind(pinghu, "PH03")


def ranked(plan, indicator, period, by="completion"):
    return [(r.org_unit.code, r.rank, r.rank_change)
            for r in ranking(Plan.objects.get(pk=plan.pk), indicator, Period.parse(period), by=by)]


def test_ranking_ties_share_a_rank(pinghu, towns_ph03):
    got = ranked(pinghu, towns_ph03, "2024Q2", by="value")
    assert [(code, rank) for code, rank, _c in got] == [(T4, 1), (T2, 2), (T3, 2), (T1, 4)]


def test_ranking_rank_change_against_previous_period(pinghu, towns_ph03):
    # 2024Q1 order: T1 9 (1st), T3 7 (2nd), T2 5 (3rd), T4 1 (4th).
    got = {code: change for code, _rank, change in ranked(pinghu, towns_ph03, "2024Q2", by="value")}
    assert got == {T4: 3, T2: 1, T3: 0, T1: -3}


def test_ranking_excludes_the_county_itself(pinghu, towns_ph03, users):
    put(users, pinghu, "PH03", "2024Q2", "999")
    assert PINGHU not in [code for code, _r, _c in ranked(pinghu, towns_ph03, "2024Q2", by="value")]


def test_ranking_by_completion_with_ties(pinghu, towns_ph03, users):
    # Year targets 20/80/40/120 → Q2 targets 10/40/20/60 → completion 1.0/0.5/1.0/0.5.
    for code, year in ((T1, "20"), (T2, "80"), (T3, "40"), (T4, "120")):
        set_target(actor=users["admin"], indicator=towns_ph03, place=place(code), period="2024", value=D(year))
    rows = ranking(Plan.objects.get(pk=pinghu.pk), towns_ph03, Period.parse("2024Q2"))
    assert [(r.org_unit.code, r.rank, r.completion) for r in rows] == [
        (T1, 1, D("1")), (T3, 1, D("1")), (T2, 3, D("0.5")), (T4, 3, D("0.5"))]
    assert [r.target for r in rows] == [D("10"), D("20"), D("40"), D("60")]
    assert [r.status for r in rows] == [GREEN, GREEN, RED, RED]


def test_ranking_by_growth(pinghu, towns_ph03, users):
    for code, last in ((T1, "5"), (T2, "10"), (T3, "40"), (T4, "30")):
        put(users, pinghu, "PH03", "2023Q2", last, where=code, username="admin")
    rows = ranking(Plan.objects.get(pk=pinghu.pk), towns_ph03, Period.parse("2024Q2"), by="growth")
    assert [(r.org_unit.code, r.rank, r.growth) for r in rows] == [
        (T1, 1, D("1")), (T2, 1, D("1")), (T4, 3, D("0")), (T3, 4, D("-0.5"))]


def test_ranking_place_with_target_but_no_figure_comes_last_unranked(pinghu, towns_ph03, users):
    set_target(actor=users["admin"], indicator=towns_ph03, place=place("330482102"), period="2024", value=D("9"))
    rows = ranking(Plan.objects.get(pk=pinghu.pk), towns_ph03, Period.parse("2024Q2"), by="value")
    assert rows[-1].org_unit.code == "330482102"
    assert rows[-1].rank is None and rows[-1].value is None and rows[-1].status == MISSING
    assert [r.rank for r in rows[:-1]] == [1, 2, 2, 4]


def test_ranking_counts_only_approved_figures(pinghu, towns_ph03, users):
    set_target(actor=users["admin"], indicator=towns_ph03, place=place(T1), period="2024", value=D("40"))
    put(users, pinghu, "PH03", "2024Q2", "500", where=T1, username="ph_danghu")  # pending
    got = ranked(pinghu, towns_ph03, "2024Q2", by="value")
    assert [(code, rank) for code, rank, _c in got] == [(T4, 1), (T2, 2), (T3, 2), (T1, 4)]


def test_ranking_by_value_for_a_lower_is_better_indicator(plans, users):
    plan = plans["JS-2025"]
    js06 = ind(plan, "JS06")
    # 魏塘, 罗星, 惠民, 大云: 2025 places 3/1/2/1; 2024 places 1/2/3/–.
    for code, now, before in (("330421001", "3", "1"), ("330421002", "1", "2"), ("330421003", "2", "3"),
                              ("330421101", "1", None)):
        put(users, plan, "JS06", "2025", now, where=code, username="admin")
        if before:
            put(users, plan, "JS06", "2024", before, where=code, username="admin")
    got = ranked(plan, js06, "2025", by="value")
    assert got == [("330421002", 1, 1), ("330421101", 1, None), ("330421003", 3, 0), ("330421001", 4, -3)]


# ------------------------------------------------------------------ warnings


def codes(warnings) -> list[str]:
    return [w.code for w in warnings]


def test_missing_report_after_the_deadline(pinghu):
    ph01 = ind(pinghu, "PH01")
    # Q2 2023 closes on 30 June; the deadline is ten days into July.
    on_deadline = indicator_warnings(pinghu, today=datetime.date(2023, 7, 11))[ph01.pk]
    missing = [w for w in on_deadline if w.code == "missing_report"]
    assert len(missing) == 1
    assert missing[0].period == "2023Q2"
    assert "2个期间" in missing[0].message
    assert "2023年第一季度" in missing[0].message and "2023年第二季度" in missing[0].message


def test_missing_report_not_before_the_deadline(pinghu):
    ph01 = ind(pinghu, "PH01")
    before = indicator_warnings(pinghu, today=datetime.date(2023, 7, 10))[ph01.pk]
    missing = [w for w in before if w.code == "missing_report"]
    assert len(missing) == 1 and missing[0].period == "2023Q1" and "1个期间" in missing[0].message
    early = indicator_warnings(pinghu, today=datetime.date(2023, 4, 10))
    assert all("missing_report" not in codes(ws) for ws in early.values())


def test_missing_report_clears_once_reported(pinghu, users):
    put(users, pinghu, "PH01", "2023Q1", "11.5")
    warnings = indicator_warnings(pinghu, today=datetime.date(2023, 5, 1))
    assert "missing_report" not in codes(warnings[ind(pinghu, "PH01").pk])


def test_missing_yearly_report(pinghu):
    warnings = indicator_warnings(pinghu, today=datetime.date(2024, 1, 11))
    ph06 = warnings[ind(pinghu, "PH06").pk]
    assert [w.period for w in ph06 if w.code == "missing_report"] == ["2023"]
    # 2023 has reported figures for PH07 and PH08 (新认定90, 203).
    assert "missing_report" not in codes(warnings[ind(pinghu, "PH07").pk])
    assert "missing_report" not in codes(warnings[ind(pinghu, "PH08").pk])
    assert "missing_report" not in codes(indicator_warnings(pinghu, today=datetime.date(2024, 1, 10))[
        ind(pinghu, "PH06").pk])


def test_trend_reversal_only_on_row_six(pinghu):
    warnings = indicator_warnings(pinghu, today=datetime.date(2023, 1, 1))
    flagged = {code for code, ws in ((i.code, warnings[i.pk]) for i in pinghu.indicators.all())
               if TREND_REVERSAL in codes(ws)}
    assert flagged == {"PH06"}


def test_outlier_far_outside_the_places_history(pinghu, users):
    put(users, pinghu, "PH02", "2023Q1", "2.2")
    put(users, pinghu, "PH02", "2024Q1", "2.3")
    put(users, pinghu, "PH02", "2025Q1", "9.5")
    warnings = indicator_warnings(pinghu, today=datetime.date(2025, 4, 1))[ind(pinghu, "PH02").pk]
    outliers = [w for w in warnings if w.code == OUTLIER]
    assert len(outliers) == 1
    assert outliers[0].period == "2025-03"
    assert "9.5" in outliers[0].message


def test_no_outlier_for_an_ordinary_value(pinghu, users):
    put(users, pinghu, "PH02", "2023Q1", "2.2")
    put(users, pinghu, "PH02", "2024Q1", "2.3")
    put(users, pinghu, "PH02", "2025Q1", "2.4")
    warnings = indicator_warnings(pinghu, today=datetime.date(2025, 4, 1))[ind(pinghu, "PH02").pk]
    assert OUTLIER not in codes(warnings)


# ------------------------------------------------------------------ fixed number of queries


def count_queries(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def more_data(plan, users):
    """Every town and park gets targets and a year of quarterly figures for every decomposable indicator."""
    towns = list(OrgUnit.objects.filter(region__parent__code=PINGHU, kind="town")) + list(
        OrgUnit.objects.filter(kind="park", region__code=PINGHU))
    assert len(towns) >= 12
    for code in ("PH01", "PH03", "PH05"):
        for n, town in enumerate(towns, start=1):
            set_target(actor=users["admin"], indicator=ind(plan, code), place=town, period="2024", value=D(20 + n))
            for quarter in (1, 2, 3, 4):
                put(users, plan, code, f"2024Q{quarter}", str(n * quarter), where=town.code, username="admin")
                put(users, plan, code, f"2023Q{quarter}", str(n + quarter), where=town.code, username="admin")
    for code in ("PH01", "PH02", "PH03", "PH04", "PH05"):
        for quarter in (1, 2, 3, 4):
            put(users, plan, code, f"2024Q{quarter}", str(10 + quarter))
            put(users, plan, code, f"2023Q{quarter}", str(9 + quarter))


def test_plan_progress_query_count_does_not_grow(pinghu, users):
    def run():
        plan_progress(Plan.objects.get(pk=pinghu.pk), Period.parse("2024Q2"), with_trend=True)

    run()
    small = count_queries(run)
    more_data(pinghu, users)
    run()  # the first call after a change refills what is kept by data version (the plan's place)
    assert count_queries(run) == small
    assert small <= 8


def test_plan_progress_for_a_town_query_count_does_not_grow(pinghu, users):
    def run():
        plan_progress(Plan.objects.get(pk=pinghu.pk), Period.parse("2024Q2"), place(T1))

    run()
    small = count_queries(run)
    more_data(pinghu, users)
    run()  # the first call after a change refills what is kept by data version (the plan's place)
    assert count_queries(run) == small


def test_ranking_query_count_does_not_grow(pinghu, users, django_assert_max_num_queries):
    put(users, pinghu, "PH03", "2024Q2", "10", where=T1, username="admin")
    put(users, pinghu, "PH03", "2024Q2", "12", where=T2, username="admin")

    def run():
        return ranking(Plan.objects.get(pk=pinghu.pk), ind(pinghu, "PH03"), Period.parse("2024Q2"))

    run()
    small = count_queries(run)
    more_data(pinghu, users)
    assert len(run()) >= 12
    assert count_queries(run) == small
    with django_assert_max_num_queries(small):
        run()


def test_warnings_query_count_does_not_grow(pinghu, users):
    def run():
        indicator_warnings(Plan.objects.get(pk=pinghu.pk), today=datetime.date(2025, 1, 31))

    run()
    small = count_queries(run)
    more_data(pinghu, users)
    run()  # the first call after a change refills what is kept by data version (the plan's place)
    assert count_queries(run) == small
