"""The county comparison's rules without a database: the period compared, the figure that counts, ranks
with ties, rank change, growth and completion."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.periods import Period
from plans.comparison import (
    BY_COMPLETION,
    BY_GROWTH,
    BY_VALUE,
    CountyInput,
    Figure,
    comparison_end,
    period_of_end,
    pick_figure,
    rank_counties,
)


def county(key, value, last=None, target=None, prev=None, prev_last=None, prev_target=None):
    return CountyInput(key, None if value is None else D(value), None if last is None else D(last),
                       None if target is None else D(target), None if prev is None else D(prev),
                       None if prev_last is None else D(prev_last), None if prev_target is None else D(prev_target))


def test_the_latest_period_two_counties_report_is_compared_not_one_county_alone():
    # 平湖 reports 2023 and 2025 quarters, 嘉善 2024 and 2025: 2025 is the latest both have; 2026Q1 is 平湖's alone.
    ends = {"330482": [202312, 202512, 202603], "330421": [202412, 202512]}
    assert comparison_end(ends) == 202512
    assert comparison_end({"330482": [202312], "330421": [202412]}) is None
    assert comparison_end({"a": [202412, 202412], "b": []}) is None  # one county twice is still one county
    assert comparison_end({"a": [202412], "b": [202412], "c": [202512]}, at_least=3) is None


def test_a_period_end_reads_as_the_year_the_quarter_or_the_month():
    assert period_of_end(202512) == Period(2025, "Y", 0)
    assert period_of_end(202509) == Period(2025, "Q", 3)
    assert period_of_end(202508) == Period(2025, "M", 8)


def test_the_figure_of_another_basis_never_stands_in():
    figures = [Figure("2023", 202312, "total", D(500)), Figure("2023", 202312, "new", D(90)),
               Figure("2023Q4", 202312, "", D(88))]
    year = Period(2023, "Y", 0)
    assert pick_figure(figures, year, "new").value == 90
    assert pick_figure(figures, year, "total").value == 500
    # Without a stated basis only figures without one count.
    assert pick_figure(figures, year, "").value == 88
    assert pick_figure([Figure("2023", 202312, "total", D(500))], year, "new") is None
    assert pick_figure(figures, Period(2024, "Y", 0), "new") is None


def test_the_exact_period_then_the_longest_one_ending_that_month_is_picked():
    figures = [Figure("2025-12", 202512, "", D(1)), Figure("2025Q4", 202512, "", D(2)),
               Figure("2025", 202512, "", D(3))]
    assert pick_figure(figures, Period(2025, "Q", 4)).value == 2
    assert pick_figure(figures[:2], Period(2025, "Y", 0)).value == 2
    assert pick_figure(figures, Period(2025, "Y", 0)).value == 3


def test_counties_rank_by_value_with_growth_completion_and_rank_change():
    rows = rank_counties([county("平湖", 96, last=88, prev=88), county("嘉善", 74, last=93, target=70, prev=93)])
    assert [(r.key, r.rank, r.rank_change) for r in rows] == [("平湖", 1, 1), ("嘉善", 2, -1)]
    pinghu, jiashan = rows
    assert pinghu.growth == (D(96) - 88) / 88
    assert pinghu.completion is None  # no target in the catalogue's basis
    assert jiashan.completion == D(74) / 70
    assert jiashan.growth == (D(74) - 93) / 93


def test_ties_share_a_rank_and_the_next_rank_is_skipped():
    rows = rank_counties([county("a", "3.2"), county("b", "3.20"), county("c", "2.9"), county("d", None)])
    assert [(r.key, r.rank) for r in rows] == [("a", 1), ("b", 1), ("c", 3), ("d", None)]


def test_growth_ranks_the_fastest_first_as_增速列嘉兴第一():
    rows = rank_counties([county("平湖", 110, last=100), county("嘉善", 300, last=290), county("新", 5)],
                         by=BY_GROWTH)
    assert [(r.key, r.rank) for r in rows] == [("平湖", 1), ("嘉善", 2), ("新", None)]


def test_completion_ranks_by_completion_and_a_lower_is_better_indicator_ranks_the_smallest_value_first():
    rows = rank_counties([county("a", 90, target=100), county("b", 80, target=70)], by=BY_COMPLETION)
    assert [r.key for r in rows] == ["b", "a"]
    # 科技进步监测创新指数全省排名: 5th is better than 8th.
    rows = rank_counties([county("a", 8), county("b", 5)], by=BY_VALUE, direction="lower")
    assert [(r.key, r.rank) for r in rows] == [("b", 1), ("a", 2)]
    rows = rank_counties([county("a", 8, target=5), county("b", 5, target=5)], by=BY_COMPLETION, direction="lower")
    assert [(r.key, r.rank) for r in rows] == [("b", 1), ("a", 2)]


def test_no_rank_change_without_a_rank_in_the_previous_period():
    rows = rank_counties([county("a", 5, prev=None), county("b", 4, prev=6)])
    assert {r.key: r.rank_change for r in rows} == {"a": None, "b": -1}


def test_nonsense_basis_or_direction_fails_loudly():
    with pytest.raises(ValueError):
        rank_counties([county("a", 1)], by="speed")
    with pytest.raises(ValueError):
        rank_counties([county("a", 1)], direction="up")


values = st.one_of(st.none(), st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False))


# No deadline: on a busy shared machine a slow example is not a wrong one.
@settings(deadline=None)
@given(st.lists(st.tuples(values, values), min_size=1, max_size=8))
def test_ranks_depend_on_values_only_and_are_competition_ranks(pairs):
    counties = [county(str(i), v, prev=p) for i, (v, p) in enumerate(pairs)]
    rows = rank_counties(counties)
    reversed_rows = rank_counties(list(reversed(counties)))
    assert {r.key: r.rank for r in rows} == {r.key: r.rank for r in reversed_rows}
    ranked = [r for r in rows if r.rank is not None]
    for r in ranked:
        assert r.rank == 1 + sum(1 for o in ranked if o.value > r.value)
    # Best first, unranked last; a rank change is exactly the move between the two periods' ranks.
    assert [r.rank for r in ranked] == sorted(r.rank for r in ranked)
    assert all(r.rank is None for r in rows[len(ranked):])
    previous = {c.key: c.previous_value for c in counties}
    for r in rows:
        if r.rank is None or previous[r.key] is None:
            assert r.rank_change is None
        else:
            before = 1 + sum(1 for v in previous.values() if v is not None and v > previous[r.key])
            assert r.rank_change == before - r.rank
