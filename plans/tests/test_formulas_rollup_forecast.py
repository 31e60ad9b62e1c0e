"""Formulas, roll-ups and year-end forecasts as pure functions (no database)."""

import re
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from plans import forecast, formulas, rollup
from plans.formulas import FormulaError

UNITS = {"RD": "亿元", "REV": "亿元", "RATIO": "%", "FIRMS": "家", "PAT": "件", "POP": "万人", "DENS": "件/万人"}
amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
positive = st.decimals(min_value=Decimal("0.01"), max_value=10**9, places=2, allow_nan=False,
                       allow_infinity=False)


# --- formulas ------------------------------------------------------------------------------------------------


def test_ratio_formula_validates_and_evaluates():
    node = formulas.validate("RATIO", "RD ÷ REV × 100", units=UNITS, formulas={})
    assert formulas.references(node) == {"RD", "REV"}
    assert formulas.evaluate(node, {"RD": Decimal("3"), "REV": Decimal("120")}) == Decimal("2.5")


def test_precedence_parentheses_and_unary_minus():
    node = formulas.parse("(RD + REV) * 2 - -RD / 4")
    assert formulas.evaluate(node, {"RD": Decimal(8), "REV": Decimal(2)}) == Decimal(22)


def test_density_unit_from_a_quotient():
    formulas.validate("DENS", "PAT / POP", units=UNITS, formulas={})


@pytest.mark.parametrize(("text", "words"), [
    ("", "不能为空"), ("RD +", "不完整"), ("(RD / REV", "缺少“)”"), ("RD / REV)", "多了“)”"),
    ("RD ^ 2", "无法识别"), ("__import__('os')", "无法识别"), ("100", "至少要引用"), ("RD REV", "位置不对"),
])
def test_malformed_formulas_are_refused_in_chinese(text, words):
    with pytest.raises(FormulaError, match=re.escape(words)):
        formulas.validate("RATIO", text, units=UNITS, formulas={})


def test_unknown_indicator_is_named():
    with pytest.raises(FormulaError, match="不存在的指标：GDP"):
        formulas.validate("RATIO", "RD / GDP * 100", units=UNITS, formulas={})


def test_cycle_through_other_formulas_is_refused():
    saved = {"RD": "RATIO * REV / 100"}
    with pytest.raises(FormulaError, match="循环引用：RATIO → RD → RATIO"):
        formulas.validate("RATIO", "RD / REV * 100", units=UNITS, formulas=saved)
    with pytest.raises(FormulaError, match="循环引用"):
        formulas.validate("RD", "RD + REV", units=UNITS, formulas={})


@pytest.mark.parametrize(("code", "text", "words"), [
    ("RATIO", "RD + FIRMS", "不能相加减"),
    ("FIRMS", "RD / REV * 100", "指标单位为“家”"),
    ("RATIO", "RD * 100", "公式得出“亿元”"),
    ("DENS", "PAT / FIRMS", "件/家"),
])
def test_unit_mismatch_is_refused(code, text, words):
    with pytest.raises(FormulaError, match=words):
        formulas.validate(code, text, units=UNITS, formulas={})


def test_missing_input_or_zero_divisor_gives_no_value():
    node = formulas.parse("RD / REV * 100")
    assert formulas.evaluate(node, {"RD": Decimal(1)}) is None
    assert formulas.evaluate(node, {"RD": Decimal(1), "REV": Decimal(0)}) is None


@given(st.text(max_size=40))
def test_any_text_parses_or_is_a_formula_error(text):
    try:
        node = formulas.parse(text)
    except FormulaError as exc:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc))
    else:
        formulas.evaluate(node, {code: Decimal(1) for code in formulas.references(node)})


@given(amounts, positive)
def test_ratio_times_denominator_gives_back_numerator(rd, rev):
    node = formulas.parse("RD / REV * 100")
    value = formulas.evaluate(node, {"RD": rd, "REV": rev})
    assert abs(value * rev / 100 - rd) <= Decimal("1e-12") * max(rd, 1)


# --- roll-up -------------------------------------------------------------------------------------------------


def test_methods_by_kind():
    assert rollup.rollup_method("cumulative", False) == rollup.SUM
    assert rollup.rollup_method("stock", False) == rollup.SUM
    assert rollup.rollup_method("rate", False) is None
    assert rollup.rollup_method("rate", True) == rollup.FORMULA


def test_sum_with_difference_and_missing_towns():
    result = rollup.roll_up(method=rollup.SUM, official=Decimal(100),
                            children={"a": {"X": Decimal(40)}, "b": {"X": Decimal(50)}, "c": {"X": None}},
                            expected={"a", "b", "c", "d"}, inputs=["X"])
    assert result.total == Decimal(90)
    assert result.difference == Decimal(10)
    assert result.reported == ("a", "b")
    assert result.missing == ("c", "d")


def test_ratio_rolls_up_from_summed_numerator_and_denominator_not_the_mean_of_ratios():
    node = formulas.parse("RD / REV * 100")
    children = {"a": {"RD": Decimal(1), "REV": Decimal(100)}, "b": {"RD": Decimal(9), "REV": Decimal(300)},
                "c": {"RD": Decimal(5)}}  # c lacks the denominator: left out of both sums
    result = rollup.roll_up(method=rollup.FORMULA, official=Decimal("2.4"), children=children,
                            expected={"a", "b", "c"}, inputs=["RD", "REV"], formula=node)
    assert result.total == Decimal("2.5")
    assert result.difference == Decimal("-0.1")
    assert result.missing == ("c",)


def test_nobody_reported():
    result = rollup.roll_up(method=rollup.SUM, official=None, children={}, expected={"a"}, inputs=["X"])
    assert result.total is None and result.difference is None and result.missing == ("a",)


@given(st.dictionaries(st.sampled_from("abcdefgh"), st.one_of(st.none(), amounts)),
       st.sets(st.sampled_from("abcdefgh")))
def test_sum_is_the_total_of_reported_and_missing_is_expected_without_figure(figures, expected):
    result = rollup.roll_up(method=rollup.SUM, official=None, children={k: {"X": v} for k, v in figures.items()},
                            expected=expected, inputs=["X"])
    reported = {k for k, v in figures.items() if v is not None}
    assert set(result.reported) == reported
    assert set(result.missing) == expected - reported
    assert result.total == (sum((figures[k] for k in reported), Decimal(0)) if reported else None)


# --- forecast ------------------------------------------------------------------------------------------------


def test_seasonal_forecast_uses_the_pooled_share_of_previous_years():
    result = forecast.project(kind="cumulative", actual=Decimal(30), months_elapsed=6,
                              history=[(2023, Decimal(20), Decimal(100)), (2024, Decimal(40), Decimal(100))],
                              target=Decimal(120))
    assert result.method == forecast.SEASONAL
    assert result.share == Decimal("0.3") and result.years == (2023, 2024)
    assert result.value == Decimal(100)
    assert result.misses_target is True
    assert "季节" in result.method_label


def test_linear_without_history_and_full_year():
    result = forecast.project(kind="cumulative", actual=Decimal(30), months_elapsed=3, target=Decimal(100))
    assert (result.method, result.value, result.misses_target) == (forecast.LINEAR, Decimal(120), False)
    year = forecast.project(kind="cumulative", actual=Decimal(90), months_elapsed=12, target=Decimal(100))
    assert (year.method, year.value, year.misses_target) == (forecast.FULL_YEAR, Decimal(90), True)


def test_levels_and_ratios():
    level = forecast.project(kind="stock", actual=Decimal(130), months_elapsed=6, last_year_end=Decimal(100))
    assert (level.method, level.value) == (forecast.LEVEL_LINEAR, Decimal(160))
    assert forecast.project(kind="stock", actual=Decimal(130), months_elapsed=6).method == forecast.LATEST
    rate = forecast.project(kind="rate", actual=Decimal("2.4"), months_elapsed=9, target=Decimal(3),
                            direction="higher")
    assert (rate.method, rate.value, rate.misses_target) == (forecast.LATEST, Decimal("2.4"), True)
    lower = forecast.project(kind="rate", actual=Decimal(4), months_elapsed=9, target=Decimal(5),
                             direction="lower")
    assert lower.misses_target is False


def test_no_figure_no_forecast():
    result = forecast.project(kind="cumulative", actual=None, months_elapsed=6, target=Decimal(1))
    assert result.value is None and result.method is None and result.misses_target is None


def test_unusable_history_falls_back_to_linear():
    result = forecast.project(kind="cumulative", actual=Decimal(10), months_elapsed=6,
                              history=[(2023, Decimal(0), Decimal(0)), (2024, Decimal(150), Decimal(100))])
    assert result.method == forecast.LINEAR


@given(positive, st.lists(st.tuples(amounts, positive), min_size=1, max_size=4), st.integers(1, 11))
def test_seasonal_projection_reproduces_a_year_with_the_same_seasonality(year_total, ratios, month):
    history = [(2020 + i, min(p, t), t) for i, (p, t) in enumerate(ratios)]
    share, _years = forecast.seasonal_share(history)
    assume(share is not None)
    result = forecast.project(kind="cumulative", actual=year_total * share, months_elapsed=month, history=history)
    assert result.method == forecast.SEASONAL
    assert abs(result.value - year_total) <= Decimal("1e-9") * year_total


@given(amounts, st.integers(1, 12))
def test_projection_of_a_running_total_never_falls_below_the_year_to_date(actual, month):
    result = forecast.project(kind="cumulative", actual=actual, months_elapsed=month)
    assert result.value >= actual
    if month == 12:
        assert result.value == actual


@given(amounts, amounts, st.integers(1, 11), st.sampled_from(["higher", "lower"]))
def test_flag_agrees_with_direction(actual, target, month, direction):
    result = forecast.project(kind="cumulative", actual=actual, months_elapsed=month, target=target,
                              direction=direction)
    short = result.value < target if direction == "higher" else result.value > target
    assert result.misses_target is short


def test_months_out_of_range_is_a_bug():
    with pytest.raises(ValueError):
        forecast.project(kind="cumulative", actual=Decimal(1), months_elapsed=0)


def test_sentence_for_a_report():
    result = forecast.project(kind="cumulative", actual=Decimal("30.004"), months_elapsed=3, target=Decimal(130))
    assert forecast.sentence(result, "亿元") == "预计全年120.02亿元，目标130亿元，预计未完成"
    reached = forecast.project(kind="cumulative", actual=Decimal(40), months_elapsed=3)
    assert forecast.sentence(reached, "家") == "预计全年160家"
    assert forecast.sentence(forecast.project(kind="rate", actual=None, months_elapsed=3), "%") == ""
