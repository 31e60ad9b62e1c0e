"""What a period picker offers and which period it starts on (pure: no database)."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from core.periods import Period, default_choice, latest_ended, picker_periods

DEC_3_2026 = datetime.date(2026, 12, 3)


def test_a_quarterly_plan_to_2027_seen_in_december_2026_offers_nothing_of_2027():
    choices = picker_periods({"Y", "Q"}, 2022, 2027, DEC_3_2026)
    assert len(choices) == 5 * 5  # 2022–2026, a year and four quarters each
    assert choices[:3] == [Period.parse("2026"), Period.parse("2026Q4"), Period.parse("2026Q3")]
    assert choices[-1] == Period.parse("2022Q1")
    assert all(p.year <= 2026 for p in choices)
    assert not any(p.kind in ("M", "H") for p in choices)


def test_the_current_period_is_offered_the_next_is_not():
    choices = picker_periods({"M"}, 2026, 2026, datetime.date(2026, 5, 1))
    assert [p.code for p in choices] == ["2026-05", "2026-04", "2026-03", "2026-02", "2026-01"]


@given(st.sets(st.sampled_from(["Y", "H", "Q", "M"]), min_size=1), st.dates(datetime.date(2020, 1, 1),
                                                                           datetime.date(2030, 12, 31)))
def test_choices_are_newest_first_of_the_kinds_asked_and_none_in_the_future(kinds, today):
    choices = picker_periods(kinds, 2021, 2028, today)
    assert choices == sorted(choices, reverse=True)
    assert {p.kind for p in choices} <= kinds
    assert all((p.year, p.start_month) <= (today.year, today.month) for p in choices)
    assert all(2021 <= p.year <= 2028 for p in choices)


def test_default_is_the_wanted_period_else_the_newest_offered_before_it():
    choices = picker_periods({"Y", "Q"}, 2022, 2027, DEC_3_2026)
    assert default_choice(choices, Period.parse("2025Q2")) == Period.parse("2025Q2")
    # A month with data but a quarterly picker: the quarter before it, not the newest period.
    assert default_choice(choices, Period.parse("2025-05")) == Period.parse("2025Q1")
    assert default_choice(choices, None) == Period.parse("2026")
    assert default_choice([], Period.parse("2025")) is None


def test_latest_ended_is_what_a_reporter_reports_now():
    quarterly = picker_periods({"Y", "Q"}, 2022, 2027, DEC_3_2026)
    assert latest_ended(quarterly, DEC_3_2026) == Period.parse("2026Q3")
    yearly = picker_periods({"Y"}, 2022, 2027, DEC_3_2026)
    assert latest_ended(yearly, DEC_3_2026) == Period.parse("2025")
    assert latest_ended([], DEC_3_2026) is None
