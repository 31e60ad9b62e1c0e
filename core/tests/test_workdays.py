"""Working days with the official holiday calendar (pure, no database)."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.workdays import add_working_days, is_working_day

D = datetime.date


@pytest.mark.parametrize("start,days,end", [
    (D(2025, 3, 3), 5, D(2025, 3, 7)),      # an ordinary week
    (D(2025, 3, 7), 5, D(2025, 3, 13)),     # over a weekend
    (D(2025, 9, 29), 5, D(2025, 10, 11)),   # 国庆中秋 1–8 Oct off; Saturday 10/11 is a make-up working day
    (D(2025, 10, 1), 1, D(2025, 10, 9)),    # opened on a holiday: counting starts after it
    (D(2026, 2, 13), 3, D(2026, 2, 24)),    # 春节 2026: Saturday 2/14 works, 15–23 off
])
def test_working_days_follow_the_official_calendar(start, days, end):
    assert add_working_days(start, days) == (end, True)


def test_make_up_saturday_is_a_working_day():
    assert is_working_day(D(2025, 10, 11)) == (True, True)
    assert is_working_day(D(2025, 10, 4)) == (False, True)


def test_a_year_the_calendar_does_not_know_counts_weekends_and_says_so():
    end, known = add_working_days(D(2031, 3, 3), 5)
    assert end == D(2031, 3, 7) and known is False


@given(st.dates(min_value=D(2020, 1, 1), max_value=D(2026, 12, 1)), st.integers(min_value=1, max_value=30))
def test_end_is_a_working_day_after_the_start_and_more_days_end_later(start, days):
    end, _ = add_working_days(start, days)
    assert end >= start and is_working_day(end)[0]
    assert add_working_days(start, days + 1)[0] > end
