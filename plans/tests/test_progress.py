"""Pure-arithmetic tests for plans.progress: no database, no Django test runner needed."""

from __future__ import annotations

from decimal import Decimal as D

import django.conf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plans.progress import (
    GREEN,
    MISSING,
    NO_TARGET,
    OUTLIER,
    RED,
    TREND_REVERSAL,
    YELLOW,
    YearTarget,
    competition_ranks,
    completion,
    fmt,
    outlier,
    period_target,
    rank_changes,
    status,
    time_progress,
    trend_reversals,
    year_target,
    yoy_growth,
)

# gettext() needs settings at call time; when run with -p no:django nobody else configures them.
if not django.conf.settings.configured:
    django.conf.settings.configure(USE_I18N=False)

# Keep property tests from writing an example database into the working tree.
no_db = settings(database=None, deadline=None)


# ------------------------------------------------------------------------------ fmt


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("10"), "10"),
        (D("10.000"), "10"),
        (D("2.25"), "2.25"),
        (D("2.2500"), "2.25"),
        (D("1E+1"), "10"),
        (D("1.5E+3"), "1500"),
        (D("1E-7"), "0.0000001"),
        (D("0.000"), "0"),
        (D("-0"), "0"),
        (D("-1.50"), "-1.5"),
        (D("100"), "100"),
        (D("12345678901234567890123456789012.5"), "12345678901234567890123456789012.5"),
    ],
)
def test_fmt_plain_without_trailing_zeros(value: D, expected: str) -> None:
    assert fmt(value) == expected


# ---------------------------------------------------------------------- year_target


def test_year_target_explicit() -> None:
    assert year_target(2023, {2023: (D("51"), "total")}) == YearTarget(D("51"), "total", False)


def test_year_target_explicit_wins_over_interpolation() -> None:
    explicit = {2023: (D("51"), None), 2024: (D("60"), None), 2025: (D("55"), None)}
    assert year_target(2024, explicit) == YearTarget(D("60"), None, False)


def test_year_target_exact_midpoint() -> None:
    explicit = {2023: (D("51"), None), 2025: (D("55"), None)}
    assert year_target(2024, explicit) == YearTarget(D("53"), None, True)


def test_year_target_unequal_gaps() -> None:
    explicit = {2023: (D("90"), "total"), 2026: (D("120"), "total")}
    assert year_target(2024, explicit) == YearTarget(D("100"), "total", True)
    assert year_target(2025, explicit) == YearTarget(D("110"), "total", True)


def test_year_target_uses_nearest_neighbours() -> None:
    explicit = {
        2021: (D("0"), None),
        2023: (D("51"), None),
        2025: (D("55"), None),
        2027: (D("1000"), None),
    }
    assert year_target(2024, explicit) == YearTarget(D("53"), None, True)


def test_year_target_non_integer_interpolation_is_exact_decimal() -> None:
    explicit = {2023: (D("1"), None), 2026: (D("2"), None)}
    result = year_target(2024, explicit)
    assert result is not None
    assert isinstance(result.value, D)
    assert result.value == D(1) + D(1) / D(3)


def test_year_target_different_bases_give_none() -> None:
    explicit = {2023: (D("80"), "new"), 2025: (D("650"), "total")}
    assert year_target(2024, explicit) is None


def test_year_target_outside_range_is_none() -> None:
    explicit = {2023: (D("51"), None), 2025: (D("55"), None)}
    assert year_target(2022, explicit) is None
    assert year_target(2026, explicit) is None
    assert year_target(2024, {}) is None


def test_year_target_value_none_is_ignored() -> None:
    explicit = {2023: (D("51"), "new"), 2024: (None, "total"), 2025: (D("55"), "new")}
    # The words-only 2024 target neither counts as explicit nor blocks interpolation.
    assert year_target(2024, explicit) == YearTarget(D("53"), "new", True)


def test_year_target_value_none_is_not_an_endpoint() -> None:
    explicit = {2023: (D("51"), None), 2025: (None, None)}
    assert year_target(2024, explicit) is None
    assert year_target(2025, explicit) is None


year_values = st.decimals(
    min_value=-1_000_000, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False
)


@no_db
@given(
    start=st.integers(min_value=2000, max_value=2050),
    gap=st.integers(min_value=2, max_value=15),
    offset_seed=st.integers(min_value=0, max_value=10_000),
    v0=year_values,
    v1=year_values,
    basis=st.sampled_from([None, "new", "total"]),
)
def test_interpolation_lies_between_endpoints(
    start: int, gap: int, offset_seed: int, v0: D, v1: D, basis: str | None
) -> None:
    year = start + 1 + offset_seed % (gap - 1)
    result = year_target(year, {start: (v0, basis), start + gap: (v1, basis)})
    assert result is not None
    assert result.derived is True
    assert result.basis == basis
    assert min(v0, v1) <= result.value <= max(v0, v1)


# -------------------------------------------------------------------- period_target


def test_period_target_explicit_wins_for_every_kind() -> None:
    for kind in ("cumulative", "stock", "rate"):
        got = period_target(explicit=D("7"), year_target=D("120"), kind=kind, months_elapsed=6)
        assert got == D("7")


def test_period_target_explicit_zero_is_still_explicit() -> None:
    got = period_target(explicit=D("0"), year_target=D("120"), kind="cumulative", months_elapsed=6)
    assert got == D("0")


def test_period_target_cumulative_is_pro_rata() -> None:
    assert period_target(explicit=None, year_target=D("120"), kind="cumulative", months_elapsed=5) == D("50")
    assert period_target(explicit=None, year_target=D("120"), kind="cumulative", months_elapsed=12) == D(
        "120"
    )
    assert period_target(explicit=None, year_target=D("120"), kind="cumulative", months_elapsed=0) == D("0")
    assert period_target(explicit=None, year_target=D("100"), kind="cumulative", months_elapsed=1) == D(
        100
    ) / D(12)


@pytest.mark.parametrize("kind", ["stock", "rate"])
def test_period_target_stock_and_rate_use_year_target(kind: str) -> None:
    assert period_target(explicit=None, year_target=D("0.35"), kind=kind, months_elapsed=3) == D("0.35")


@pytest.mark.parametrize("kind", ["cumulative", "stock", "rate"])
def test_period_target_none_without_any_target(kind: str) -> None:
    assert period_target(explicit=None, year_target=None, kind=kind, months_elapsed=6) is None


# ----------------------------------------------------------------------- completion


def test_completion_higher() -> None:
    assert completion(D("45"), D("50"), "higher") == D("0.9")
    assert completion(D("60"), D("50"), "higher") == D("1.2")


def test_completion_lower() -> None:
    # Energy use 0.5 against a ceiling of 0.45: 90% complete.
    assert completion(D("0.5"), D("0.45"), "lower") == D("0.9")
    assert completion(D("0.4"), D("0.5"), "lower") == D("1.25")


def test_completion_none_inputs() -> None:
    assert completion(None, D("50"), "higher") is None
    assert completion(D("50"), None, "higher") is None
    assert completion(None, None, "lower") is None


def test_completion_zero_divisor() -> None:
    assert completion(D("5"), D("0"), "higher") is None
    assert completion(D("0"), D("5"), "lower") is None
    assert completion(D("0"), D("0"), "higher") is None
    assert completion(D("0"), D("0"), "lower") is None


def test_completion_zero_numerator_is_zero_not_none() -> None:
    assert completion(D("0"), D("5"), "higher") == D("0")
    assert completion(D("5"), D("0"), "lower") == D("0")


def test_completion_rejects_unknown_direction() -> None:
    with pytest.raises(ValueError, match="direction"):
        completion(D("1"), D("1"), "up")


# --------------------------------------------------------------------------- status


def _status(completion_value: D, **kwargs: D) -> str:
    return status(actual=D("1"), target=D("1"), completion=completion_value, direction="higher", **kwargs)


def test_status_boundaries_are_inclusive() -> None:
    assert _status(D("1.00")) == GREEN
    assert _status(D("1.5")) == GREEN
    assert _status(D("0.9999")) == YELLOW
    assert _status(D("0.90")) == YELLOW
    assert _status(D("0.8999")) == RED
    assert _status(D("0")) == RED


def test_status_custom_thresholds() -> None:
    kwargs = {"green": D("0.8"), "yellow": D("0.6")}
    assert _status(D("0.8"), **kwargs) == GREEN
    assert _status(D("0.7999"), **kwargs) == YELLOW
    assert _status(D("0.6"), **kwargs) == YELLOW
    assert _status(D("0.5999"), **kwargs) == RED
    # The default yellow bound (0.9) must not leak in when a custom one is given.
    assert _status(D("0.95"), green=D("1.1"), yellow=D("0.96")) == RED


def test_status_missing_takes_precedence() -> None:
    assert status(actual=None, target=None, completion=None, direction="higher") == MISSING
    assert status(actual=None, target=D("5"), completion=None, direction="lower") == MISSING


def test_status_no_target() -> None:
    assert status(actual=D("5"), target=None, completion=None, direction="higher") == NO_TARGET


@pytest.mark.parametrize(
    ("actual", "target", "direction", "expected"),
    [
        (D("5"), D("0"), "higher", GREEN),
        (D("0"), D("0"), "higher", GREEN),
        (D("-1"), D("0"), "higher", RED),
        (D("0"), D("5"), "lower", GREEN),
        (D("0"), D("0"), "lower", GREEN),
        (D("0"), D("-1"), "lower", RED),
    ],
)
def test_status_zero_divisor_falls_back_to_met_or_not(
    actual: D, target: D, direction: str, expected: str
) -> None:
    ratio = completion(actual, target, direction)
    assert ratio is None
    assert status(actual=actual, target=target, completion=ratio, direction=direction) == expected


def test_status_lower_target_zero_with_positive_actual_is_red() -> None:
    ratio = completion(D("5"), D("0"), "lower")
    assert ratio == D("0")
    assert status(actual=D("5"), target=D("0"), completion=ratio, direction="lower") == RED


# ----------------------------------------------------------------- time & growth


def test_time_progress_exact() -> None:
    assert time_progress(6) == D("0.5")
    assert time_progress(12) == D("1")
    assert time_progress(0) == D("0")
    assert time_progress(1) == D(1) / D(12)
    assert isinstance(time_progress(1), D)


def test_yoy_growth() -> None:
    assert yoy_growth(D("110"), D("100")) == D("0.1")
    assert yoy_growth(D("90"), D("100")) == D("-0.1")
    assert yoy_growth(D("100"), D("100")) == D("0")


def test_yoy_growth_negative_last_year() -> None:
    # A loss shrinking from −10 to −5 is an improvement, so growth must be positive.
    assert yoy_growth(D("-5"), D("-10")) == D("0.5")
    assert yoy_growth(D("-20"), D("-10")) == D("-1")
    assert yoy_growth(D("10"), D("-10")) == D("2")


def test_yoy_growth_none_cases() -> None:
    assert yoy_growth(None, D("1")) is None
    assert yoy_growth(D("1"), None) is None
    assert yoy_growth(D("1"), D("0")) is None
    assert yoy_growth(D("1"), D("0.00")) is None


# ------------------------------------------------------------------------ rankings


def test_competition_ranks_ties_skip() -> None:
    items = [("a", D("9")), ("b", D("8")), ("c", D("8")), ("d", D("7"))]
    assert competition_ranks(items) == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_competition_ranks_equal_decimals_with_different_exponents_tie() -> None:
    items = [("a", D("8")), ("b", D("8.00")), ("c", D("7"))]
    assert competition_ranks(items) == {"a": 1, "b": 1, "c": 3}


def test_competition_ranks_ascending() -> None:
    items = [("a", D("9")), ("b", D("8")), ("c", D("8")), ("d", D("7"))]
    assert competition_ranks(items, descending=False) == {"a": 4, "b": 2, "c": 2, "d": 1}


def test_competition_ranks_none_metrics() -> None:
    items = [("a", None), ("b", D("3")), ("c", D("5")), ("d", None)]
    assert competition_ranks(items) == {"a": None, "b": 2, "c": 1, "d": None}
    assert competition_ranks(items, descending=False) == {"a": None, "b": 1, "c": 2, "d": None}


def test_competition_ranks_empty_and_all_none() -> None:
    assert competition_ranks([]) == {}
    assert competition_ranks([("a", None)]) == {"a": None}


def test_competition_ranks_rejects_duplicate_keys() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        competition_ranks([("a", D("1")), ("a", D("2"))])


metric = st.one_of(
    st.none(),
    st.decimals(min_value=-50, max_value=50, places=1, allow_nan=False, allow_infinity=False),
)
ranked_items = st.dictionaries(st.integers(min_value=0, max_value=200), metric, max_size=25).map(
    lambda d: list(d.items())
)


@no_db
@given(data=st.data(), items=ranked_items, descending=st.booleans())
def test_competition_ranks_invariant_under_permutation(
    data: st.DataObject, items: list[tuple[int, D | None]], descending: bool
) -> None:
    shuffled = data.draw(st.permutations(items))
    assert competition_ranks(shuffled, descending=descending) == competition_ranks(
        items, descending=descending
    )


@no_db
@given(items=ranked_items, descending=st.booleans())
def test_rank_is_one_plus_number_strictly_better(items: list[tuple[int, D | None]], descending: bool) -> None:
    ranks = competition_ranks(items, descending=descending)
    assert set(ranks) == {key for key, _ in items}
    for key, value in items:
        if value is None:
            assert ranks[key] is None
            continue
        better = sum(
            1 for _, other in items if other is not None and (other > value if descending else other < value)
        )
        assert ranks[key] == 1 + better


def test_rank_changes() -> None:
    current = {"a": 1, "b": 2, "c": 3, "d": None, "e": 4}
    previous = {"a": 3, "b": 2, "c": 1, "d": 2, "e": None, "z": 1}
    assert rank_changes(current, previous) == {"a": 2, "b": 0, "c": -2, "d": None, "e": None}


def test_rank_changes_key_absent_from_previous() -> None:
    assert rank_changes({"new": 1}, {}) == {"new": None}


# ---------------------------------------------------------------- trend reversals


def test_trend_reversal_real_example() -> None:
    targets = {2023: (D("90"), None), 2025: (D("10"), None), 2027: (D("110"), None)}
    warnings = trend_reversals(targets, "higher")
    assert len(warnings) == 1
    (warning,) = warnings
    assert warning.code == TREND_REVERSAL
    assert warning.period == "2025"
    assert warning.message == "2025年目标10低于2023年目标90，与指标方向相反"


def test_trend_reversal_compares_with_nearest_previous_target() -> None:
    # 95 is above the 2023 target but below 2024's: the nearest predecessor is the yardstick.
    targets = {2023: (D("50"), None), 2024: (D("100"), None), 2025: (D("95"), None), 2026: (D("120"), None)}
    warnings = trend_reversals(targets, "higher")
    assert [(w.period, w.message) for w in warnings] == [
        ("2025", "2025年目标95低于2024年目标100，与指标方向相反")
    ]


def test_trend_reversal_different_bases_not_compared() -> None:
    targets = {2023: (D("80"), "new"), 2025: (D("650"), "total"), 2027: (D("800"), "total")}
    assert trend_reversals(targets, "higher") == []


def test_trend_reversal_compares_within_basis_skipping_other_bases() -> None:
    targets = {
        2023: (D("700"), "total"),
        2024: (D("80"), "new"),
        2025: (D("650"), "total"),
        2026: (D("90"), "new"),
    }
    warnings = trend_reversals(targets, "higher")
    assert [(w.period, w.message) for w in warnings] == [
        ("2025", "2025年目标650低于2023年目标700，与指标方向相反")
    ]


def test_trend_reversal_lower_direction() -> None:
    targets = {2023: (D("0.50"), None), 2024: (D("0.55"), None), 2025: (D("0.45"), None)}
    warnings = trend_reversals(targets, "lower")
    assert [(w.code, w.period, w.message) for w in warnings] == [
        (TREND_REVERSAL, "2024", "2024年目标0.55高于2023年目标0.5，与指标方向相反")
    ]
    assert trend_reversals(targets, "higher")[0].period == "2025"


def test_trend_reversal_equal_targets_and_words_only_targets_ignored() -> None:
    targets = {2023: (D("5"), None), 2024: (None, None), 2025: (D("5.0"), None)}
    assert trend_reversals(targets, "higher") == []
    assert trend_reversals(targets, "lower") == []


def test_trend_reversal_input_order_does_not_matter() -> None:
    targets = {2027: (D("110"), None), 2023: (D("90"), None), 2025: (D("10"), None)}
    assert [w.period for w in trend_reversals(targets, "higher")] == ["2025"]


def test_trend_reversal_formats_decimals_without_noise() -> None:
    targets = {2023: (D("2.250"), None), 2024: (D("1.50"), None)}
    (warning,) = trend_reversals(targets, "higher")
    assert warning.message == "2024年目标1.5低于2023年目标2.25，与指标方向相反"


# ------------------------------------------------------------------------- outliers


def test_outlier_too_little_history() -> None:
    assert outlier(D("1000000"), []) is None
    assert outlier(D("1000000"), [D("1")]) is None


def test_outlier_above_three_times_max() -> None:
    history = [D("10"), D("20")]
    assert outlier(D("60"), history) is None  # exactly 3× is not "more than"
    warning = outlier(D("60.01"), history)
    assert warning is not None
    assert warning.code == OUTLIER
    assert warning.period is None
    assert "60.01" in warning.message
    assert "10" in warning.message and "20" in warning.message
    assert "历史" in warning.message


def test_outlier_below_a_third_of_min() -> None:
    history = [D("30"), D("90")]
    assert outlier(D("10"), history) is None  # exactly min ÷ 3
    warning = outlier(D("9.99"), history)
    assert warning is not None
    assert warning.code == OUTLIER


def test_outlier_ratio_rules_need_positive_bounds() -> None:
    # max ≤ 0: "3 × max" is not a meaningful ceiling.
    assert outlier(D("1"), [D("-5"), D("0")]) is None
    # min ≤ 0: "min ÷ 3" is not a meaningful floor.
    assert outlier(D("-100"), [D("0"), D("10")]) is None


def test_outlier_sd_rule() -> None:
    history = [D("10"), D("12"), D("10"), D("12")]  # mean 11, population SD 1
    assert outlier(D("14"), history) is None  # |14 − 11| = 3 SD exactly: not flagged
    warning = outlier(D("14.01"), history)
    assert warning is not None
    assert warning.code == OUTLIER
    assert outlier(D("7.99"), history) is not None
    assert outlier(D("8"), history) is None


def test_outlier_sd_rule_needs_four_values() -> None:
    # Three values: SD rule off, and 14.01 is well within the 3× / ÷3 bands.
    assert outlier(D("14.01"), [D("10"), D("12"), D("11")]) is None


def test_outlier_sd_rule_skipped_when_sd_is_zero() -> None:
    history = [D("10"), D("10"), D("10"), D("10")]
    assert outlier(D("11"), history) is None
    assert outlier(D("30.01"), history) is not None  # the ratio rule still applies


def test_outlier_sd_rule_with_negative_history() -> None:
    history = [D("-10"), D("-12"), D("-10"), D("-12")]  # mean −11, SD 1
    assert outlier(D("-14.01"), history) is not None
    assert outlier(D("-13"), history) is None
