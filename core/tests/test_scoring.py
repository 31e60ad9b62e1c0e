"""Scoring sheets and review arithmetic (pure)."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.scoring import aggregate, score_problems, sheet_problems, weighted_total

SHEET = [
    {"key": "innovation", "label": "创新性", "weight": 40, "min": 0, "max": 10, "comment_required": True},
    {"key": "team", "label": "团队", "weight": 30, "min": 0, "max": 10},
    {"key": "benefit", "label": "效益", "weight": 30, "min": 0, "max": 100},
]


def test_a_sound_sheet_has_no_problems():
    assert sheet_problems(SHEET) == []


@pytest.mark.parametrize("sheet,problem", [
    ([], "至少"),
    ([{**SHEET[0], "weight": 50}, SHEET[1], SHEET[2]], "权重之和应为100，现为110"),
    ([{**SHEET[0], "min": 10}, SHEET[1], SHEET[2]], "最低分应小于最高分"),
    ([SHEET[0], {**SHEET[1], "key": "innovation"}, SHEET[2]], "重复"),
    ([{**SHEET[0], "weight": "1e309"}, SHEET[1], SHEET[2]], "权重"),
    ([{**SHEET[0], "weight": -40}, SHEET[1], SHEET[2]], "正数"),
    ("not a list", "至少"),
])
def test_bad_sheets_are_refused(sheet, problem):
    assert any(problem in p for p in sheet_problems(sheet))


def test_weighted_total_scales_each_range():
    assert weighted_total(SHEET, {"innovation": 10, "team": 5, "benefit": 50}) == D("70.00")


def test_scores_out_of_range_missing_or_without_required_comment():
    problems = score_problems(SHEET, {"innovation": 11, "team": "x", "benefit": "1e309", "extra": 1}, {})
    assert set(problems) == {"innovation", "team", "benefit", "extra"}
    assert problems["innovation"] == "“创新性”应在0至10分之间"
    problems = score_problems(SHEET, {"innovation": 9, "team": 8, "benefit": 70}, {"innovation": " "})
    assert problems == {"innovation": "“创新性”须填写评语"}


def test_five_or_more_experts_drop_the_highest_and_lowest():
    assert aggregate([D(80), D(90), D(70)]) == D("80.00")
    assert aggregate([D(10), D(80), D(82), D(84), D(100)]) == D("82.00")
    assert aggregate([]) is None


@given(st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=1, max_size=12))
def test_aggregate_lies_between_the_lowest_and_highest(totals):
    result = aggregate(totals)
    assert min(totals) - D("0.01") <= result <= max(totals) + D("0.01")
