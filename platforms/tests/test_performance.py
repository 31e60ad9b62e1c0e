"""The performance table's arithmetic (platforms.performance): pure, no database."""

from __future__ import annotations

import time
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from platforms.performance import (
    PASSING,
    allocate,
    cohort_bests,
    fraction,
    grade,
    leaves_pool,
    movements,
    parse_value,
    reweighted,
    score_cohort,
    score_table,
    template_problems,
)

GRADES = {"优秀": 90, "良好": 70, "合格": 60}
BANDS = {"type": "bands", "bands": [[0, 0], [10, "0.6"], [30, "0.8"], [50, 1]]}


def indicator(code: str, weight: object = "100", rule: dict | None = None, direction: str = "higher") -> dict:
    return {
        "code": code,
        "name": f"指标{code}",
        "unit": "家",
        "direction": direction,
        "weight": weight,
        "rule": rule or {"type": "expert"},
    }


def template(*weights: object) -> list[dict]:
    return [indicator(f"i{n}", weight) for n, weight in enumerate(weights)]


# --- template_problems -------------------------------------------------------------------------------------


def test_weights_summing_to_exactly_100_are_accepted():
    assert template_problems(template("33.33", "33.33", "33.34"), GRADES) == []
    assert template_problems(template(20, D("30"), "50.00"), GRADES) == []


def test_weights_summing_to_99_9_are_refused_naming_the_sum():
    problems = template_problems(template("33.3", "33.3", "33.3"), GRADES)
    assert problems == ["各指标权重之和应为100，现为99.9"]


@pytest.mark.parametrize(
    "weight", ["0", "-5", "abc", "NaN", "inf", "1e309", float("nan"), float("inf"), True, None]
)
def test_bad_weights_are_refused(weight):
    problems = template_problems([indicator("a", weight), indicator("b", "50")], GRADES)
    assert any("权重应为大于0的数值" in p for p in problems)


def test_structural_problems_are_all_reported():
    assert template_problems([], GRADES) == ["考核表至少要有一项指标"]
    bad = [
        indicator("a", "50"),
        {**indicator("a", "50"), "name": "指标a", "direction": "sideways", "rule": {"type": "magic"}},
    ]
    problems = template_problems(bad, GRADES)
    assert "第2项指标的编码“a”重复" in problems
    assert "第2项指标的名称“指标a”重复" in problems
    assert any("方向" in p for p in problems)
    assert any("计分规则类型未知" in p for p in problems)
    assert "第1项指标缺少编码" in template_problems([{**indicator("", "100")}], GRADES)


def test_rule_problems():
    def problems(rule: dict, direction: str = "higher") -> list[str]:
        return template_problems([indicator("a", "100", rule, direction)], GRADES)

    assert problems(BANDS) == []
    assert problems(BANDS, "lower") == []
    assert any("不能为空" in p for p in problems({"type": "bands", "bands": []}))
    assert any("应大于上一档" in p for p in problems({"type": "bands", "bands": [[10, 1], [10, "0.5"]]}))
    assert any("应大于上一档" in p for p in problems({"type": "bands", "bands": [[10, 1], [5, "0.5"]]}))
    assert any("0至1之间" in p for p in problems({"type": "bands", "bands": [[0, "1.5"]]}))
    assert any("0至1之间" in p for p in problems({"type": "bands", "bands": [[0, "-0.1"]]}))
    assert any("目标值" in p for p in problems({"type": "target", "target": "0"}))
    assert any("目标值" in p for p in problems({"type": "target"}))
    assert problems({"type": "target", "target": "50"}) == []


def test_grade_problems():
    ok = template("100")
    assert template_problems(ok, {"合格": 60}) == []
    assert "等级门槛中必须包含“合格”" in template_problems(ok, {"优秀": 90})
    assert any("未知的等级" in p for p in template_problems(ok, {"合格": 60, "差": 10}))
    assert "“优秀”的门槛应高于“良好”" in template_problems(ok, {"优秀": 70, "良好": 70, "合格": 60})
    assert "“优秀”的门槛应高于“合格”" in template_problems(ok, {"优秀": 50, "合格": 60})
    assert "“合格”的门槛应在0至100之间" in template_problems(ok, {"合格": 101})


# --- fraction -------------------------------------------------------------------------------------------


def test_band_edges_higher():
    item = indicator("a", "100", BANDS)
    assert fraction(item, D("30"), None) == D("0.8")  # exactly on the edge: that band
    assert fraction(item, D("29.99"), None) == D("0.6")  # just below: the band underneath
    assert fraction(item, D("50"), None) == 1
    assert fraction(item, D("1000"), None) == 1
    assert fraction(item, D("9.99"), None) == 0
    assert fraction(item, None, None) == 0


def test_band_below_first_threshold_is_zero():
    item = indicator("a", "100", {"type": "bands", "bands": [[10, "0.5"], [20, 1]]})
    assert fraction(item, D("9.99"), None) == 0
    assert fraction(item, D("10"), None) == D("0.5")


def test_band_edges_lower():
    item = indicator("a", "100", {"type": "bands", "bands": [[5, 1], [10, "0.6"], [20, "0.3"]]}, "lower")
    assert fraction(item, D("0"), None) == 1
    assert fraction(item, D("5"), None) == 1  # exactly on the edge: that band
    assert fraction(item, D("5.01"), None) == D("0.6")
    assert fraction(item, D("20"), None) == D("0.3")
    assert fraction(item, D("20.01"), None) == 0  # above the last threshold


def test_target_ratios():
    higher = indicator("a", "100", {"type": "target", "target": "50"})
    assert fraction(higher, D("25"), None) == D("0.5")
    assert fraction(higher, D("50"), None) == 1
    assert fraction(higher, D("80"), None) == 1  # capped
    assert fraction(higher, D("0"), None) == 0
    lower = indicator("a", "100", {"type": "target", "target": "50"}, "lower")
    assert fraction(lower, D("100"), None) == D("0.5")
    assert fraction(lower, D("40"), None) == 1  # capped
    assert fraction(lower, D("0"), None) == 1  # nothing beats zero


def test_best_ratios():
    higher = indicator("a", "100", {"type": "best"})
    assert fraction(higher, D("5"), D("20")) == D("0.25")
    assert fraction(higher, D("20"), D("20")) == 1
    assert fraction(higher, D("0"), D("0")) == 0  # best of 0: 0 for all
    assert fraction(higher, D("3"), None) == 0
    lower = indicator("a", "100", {"type": "best"}, "lower")
    assert fraction(lower, D("8"), D("2")) == D("0.25")
    assert fraction(lower, D("2"), D("2")) == 1
    assert fraction(lower, D("0"), D("2")) == 1


def test_expert_scores_are_clamped():
    item = indicator("a")
    assert fraction(item, D("85"), None) == D("0.85")
    assert fraction(item, D("120"), None) == 1
    assert fraction(item, D("-5"), None) == 0


def test_cohort_bests():
    indicators = [
        indicator("hi", "50", {"type": "best"}),
        indicator("lo", "30", {"type": "best"}, "lower"),
        indicator("ex", "20"),
    ]
    tables = {
        1: {"hi": D("3"), "lo": D("0"), "ex": D("1")},
        2: {"hi": D("7"), "lo": D("4")},
        3: {"hi": None, "lo": D("2")},
    }
    assert cohort_bests(indicators, tables) == {"hi": D("7"), "lo": D("2")}
    assert cohort_bests(indicators, {1: {"lo": D("0")}}) == {"hi": None, "lo": None}


# --- score_table, grade, score_cohort ---------------------------------------------------------------------


def test_score_sums_unrounded_parts_then_rounds():
    indicators = template("33.33", "33.33", "33.34")
    values = {"i0": D("50.005"), "i1": D("50.005"), "i2": D("0")}
    scored = score_table(indicators, values, {})
    # each part 16.6666665 → 16.67 for display; the total 33.333333 → 33.33 (not 16.67 + 16.67 = 33.34)
    assert scored.contributions == {"i0": D("16.67"), "i1": D("16.67"), "i2": D("0.00")}
    assert scored.score == D("33.33")


def test_missing_values_score_zero():
    assert score_table(template("60", "40"), {"i0": D("100")}, {}).score == D("60.00")


def test_score_table_refuses_an_invalid_template():
    with pytest.raises(ValueError, match="各指标权重之和应为100"):
        score_table(template("50"), {}, {})


@pytest.mark.parametrize(
    ("score", "first", "expected"),
    [
        ("90", True, "优秀"),
        ("89.99", True, "良好"),
        ("95", False, "良好"),
        ("70", False, "良好"),
        ("69.99", True, "合格"),
        ("60", False, "合格"),
        ("59.99", True, "不合格"),
        ("0", True, "不合格"),
    ],
)
def test_grade_thresholds_are_inclusive_and_excellent_needs_first(score, first, expected):
    assert grade(D(score), GRADES, first) == expected


def test_excellent_not_first_without_good_grade_is_pass():
    assert grade(D("95"), {"优秀": 90, "合格": 60}, False) == "合格"
    assert grade(D("95"), {"合格": 60}, True) == "合格"


def test_cohort_ties_and_rank_change():
    indicators = template("100")
    tables = {"a": {"i0": D("95")}, "b": {"i0": D("95")}, "c": {"i0": D("80")}, "d": {"i0": D("50")}}
    results = score_cohort(indicators, GRADES, tables, {"a": 1, "b": 3, "c": 1})
    assert {key: r.rank for key, r in results.items()} == {"a": 1, "b": 1, "c": 3, "d": 4}
    assert {key: r.grade for key, r in results.items()} == {
        "a": "优秀",
        "b": "优秀",
        "c": "良好",
        "d": "不合格",
    }
    assert {key: r.rank_change for key, r in results.items()} == {"a": 0, "b": 2, "c": -2, "d": None}
    assert results["a"].score == D("95.00")
    assert results["a"].contributions == {"i0": D("95.00")}
    assert all(r.rank_change is None for r in score_cohort(indicators, GRADES, tables).values())


def test_cohort_uses_the_cohorts_best():
    indicators = [indicator("s", "100", {"type": "best"})]
    results = score_cohort(indicators, GRADES, {1: {"s": D("40")}, 2: {"s": D("10")}})
    assert (results[1].score, results[2].score) == (D("100.00"), D("25.00"))


def test_cohort_refuses_invalid_grades():
    with pytest.raises(ValueError, match="合格"):
        score_cohort(template("100"), {"优秀": 90}, {})


def test_cohort_of_5000_is_fast():
    indicators = [
        indicator("a", "20", BANDS),
        indicator("b", "20", {"type": "target", "target": "50"}, "lower"),
        indicator("c", "30", {"type": "best"}),
        indicator("d", "30"),
    ]
    tables = {n: {"a": D(n % 60), "b": D(n % 70), "c": D(n), "d": D(n % 101)} for n in range(5000)}
    start = time.perf_counter()
    results = score_cohort(indicators, GRADES, tables)
    assert time.perf_counter() - start < 5
    assert len(results) == 5000
    assert min(r.rank for r in results.values()) == 1


# --- allocate ------------------------------------------------------------------------------------------


def test_allocate_largest_remainder_with_deterministic_ties():
    assert allocate(D("100"), {"b": D("1"), "a": D("1"), "c": D("1")}) == {"a": D(34), "b": D(33), "c": D(33)}
    # the largest remainder wins the last yuan, whatever the key order
    assert allocate(D("1"), {"a": D("1"), "b": D("1"), "z": D("2")}) == {"a": D(0), "b": D(0), "z": D(1)}
    result = allocate(D("10"), {"x": D("75"), "y": D("25")})
    assert result == {"x": D("8"), "y": D("2")}  # 7.5/2.5: x wins the tie by score
    assert all(v.as_tuple().exponent == 0 for v in result.values())


def test_allocate_empty_and_all_zero():
    assert allocate(D("1000"), {}) == {}
    assert allocate(D("1000"), {"a": D("0"), "b": D("0")}) == {"a": D(0), "b": D(0)}
    assert allocate(D("0"), {"a": D("80")}) == {"a": D(0)}


@pytest.mark.parametrize("budget", [D("100.5"), D("-1"), D("NaN"), "abc", True])
def test_allocate_refuses_bad_budgets(budget):
    with pytest.raises(ValueError, match="预算应为不小于0的整元金额"):
        allocate(budget, {"a": D("1")})


def test_allocate_refuses_negative_scores():
    with pytest.raises(ValueError, match="不是有效的非负数值"):
        allocate(D("100"), {"a": D("-1")})


scores_strategy = st.dictionaries(
    st.integers(0, 500),
    st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(budget=st.integers(0, 10**9), scores=scores_strategy)
def test_allocation_sums_exactly_and_is_monotone(budget, scores):
    result = allocate(D(budget), scores)
    assert set(result) == set(scores)
    assert all(amount >= 0 and amount == amount.to_integral_value() for amount in result.values())
    if any(scores.values()):
        assert sum(result.values()) == budget
    else:
        assert sum(result.values()) == 0
    for a in scores:
        for b in scores:
            if scores[a] > scores[b]:
                assert result[a] >= result[b] - 1


# --- leaves_pool ---------------------------------------------------------------------------------------


def test_leaves_pool():
    assert leaves_pool({2023: "不合格", 2024: "不合格"}, 2024)
    assert not leaves_pool({2022: "不合格", 2023: "合格", 2024: "不合格"}, 2024)  # not consecutive
    assert not leaves_pool({2022: "不合格", 2024: "不合格"}, 2024)  # gap year breaks the run
    assert not leaves_pool({2023: "不合格", 2024: "不合格"}, 2025)
    assert not leaves_pool({2024: "不合格"}, 2024)
    assert set(PASSING) == {"优秀", "良好", "合格"}


# --- reweighted ----------------------------------------------------------------------------------------


def six() -> list[dict]:
    return template("10", "10", "20", "20", "20", "20")


def test_reweighted_20_to_50():
    new = reweighted(six(), ["i0", "i1"], D("50"))
    weights = [D(item["weight"]) for item in new]
    assert weights == [D(25), D(25), D("12.5"), D("12.5"), D("12.5"), D("12.5")]
    assert sum(weights) == 100
    assert template_problems(new, GRADES) == []
    assert new[0]["rule"] == six()[0]["rule"] and new[0] is not six()[0]


def test_reweighted_distributes_residue_to_exact_100():
    new = reweighted(template("25", "25", "25", "25"), ["i0"], D("40"))
    weights = [D(item["weight"]) for item in new]
    assert weights[0] == D("40.00")
    assert sorted(weights[1:]) == [D("20.00"), D("20.00"), D("20.00")]
    new = reweighted(template("25", "25", "25", "25"), ["i0"], D("10"))
    weights = [D(item["weight"]) for item in new]
    assert sum(weights) == 100 and sorted(weights[1:]) == [D("30.00")] * 3
    new = reweighted(template("40", "20", "20", "20"), ["i0"], D("1"))
    weights = [D(item["weight"]) for item in new]
    assert sum(weights) == 100 and sorted(weights[1:]) == [D("33.00"), D("33.00"), D("33.00")]
    new = reweighted(template("40", "20", "20", "20"), ["i0"], D("0.01"))
    assert sum(D(item["weight"]) for item in new) == 100
    assert sorted(D(item["weight"]) for item in new[1:]) == [D("33.33"), D("33.33"), D("33.33")]


def test_reweighted_refusals():
    with pytest.raises(ValueError, match="应大于0且小于100"):
        reweighted(six(), ["i0"], D("100"))
    with pytest.raises(ValueError, match="应大于0且小于100"):
        reweighted(six(), ["i0"], D("0"))
    with pytest.raises(ValueError, match="未知的指标编码"):
        reweighted(six(), ["nope"], D("50"))
    with pytest.raises(ValueError, match="全部指标"):
        reweighted(template("50", "50"), ["i0", "i1"], D("60"))
    with pytest.raises(ValueError, match="至少指定"):
        reweighted(six(), [], D("50"))
    with pytest.raises(ValueError, match="两位小数"):
        reweighted(six(), ["i0"], D("50.001"))
    all_named = reweighted(template("50", "50"), ["i0", "i1"], D("100"))
    assert [item["weight"] for item in all_named] == ["50.00", "50.00"]


@settings(max_examples=300, deadline=None)
@given(
    cents=st.lists(st.integers(1, 5000), min_size=2, max_size=12),
    picked=st.integers(1, 11),
    total=st.integers(1, 9999),
)
def test_reweighted_sums_to_100_and_keeps_proportions(cents, picked, total):
    # A random valid template: cents scaled to 100.00 with the residue on the last indicator.
    scale = sum(cents)
    weights = [D(c * 10000 // scale) / 100 for c in cents]
    weights[-1] += 100 - sum(weights)
    if any(w <= 0 for w in weights):
        return
    indicators = template(*weights)
    codes = [item["code"] for item in indicators[: min(picked, len(indicators) - 1)]]
    target = D(total) / 100
    try:
        new = reweighted(indicators, codes, target)
    except ValueError as error:
        assert "不足0.01" in str(error)
        return
    result = [D(item["weight"]) for item in new]
    assert sum(result) == 100
    assert sum(result[: len(codes)]) == target
    named_base, other_base = sum(weights[: len(codes)]), sum(weights[len(codes) :])
    for n, (old, new_weight) in enumerate(zip(weights, result, strict=True)):
        exact = old * target / named_base if n < len(codes) else old * (100 - target) / other_base
        assert abs(new_weight - exact) <= D("0.01")


# --- movements -----------------------------------------------------------------------------------------


def test_movements():
    official = {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": None}
    whatif = {"a": 3, "b": 2, "c": 1, "d": 5, "e": 1, "f": 2}
    moved = movements(official, whatif)
    assert moved["up"] == [("e", 5, 1), ("c", 3, 1)]
    assert moved["down"] == [("a", 1, 3), ("d", 4, 5)]
    assert moved["same"] == ["b"]


def test_movements_from_a_reweighted_cohort():
    indicators = [indicator("svc", "10"), indicator("eff", "10"), indicator("x", "80")]
    tables = {"p": {"svc": D(100), "eff": D(100), "x": D(30)}, "q": {"svc": D(0), "eff": D(0), "x": D(60)}}
    official = {k: r.rank for k, r in score_cohort(indicators, GRADES, tables).items()}
    heavier = reweighted(indicators, ["svc", "eff"], D("50"))
    whatif = {k: r.rank for k, r in score_cohort(heavier, GRADES, tables).items()}
    assert official == {"p": 2, "q": 1}
    assert movements(official, whatif) == {"up": [("p", 2, 1)], "down": [("q", 1, 2)], "same": []}


# --- parse_value ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        ("", None),
        ("  ", None),
        ("12.50", D("12.50")),
        (" 7 ", D(7)),
        (3, D(3)),
        (D("0"), D(0)),
        ("-0", D(0)),
        ("1e-999999999", D(0)),
    ],
)
def test_parse_value_accepts(raw, expected):
    assert parse_value(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "1e309",
        "-1",
        "abc",
        "\x00",
        "1\x00",
        "1_000",
        "NaN",
        "Infinity",
        True,
        False,
        float("inf"),
        D("-0.01"),
        [1],
    ],
)
def test_parse_value_refuses(raw):
    with pytest.raises(ValueError, match="不是有效的非负数值"):
        parse_value(raw)


def test_parse_value_message_escapes_control_characters():
    with pytest.raises(ValueError) as error:
        parse_value("\x00")
    assert str(error.value) == "“\\x00”不是有效的非负数值"
