"""Working days as the State Council publishes them: public holidays off, make-up Saturdays and Sundays on.

The calendar comes from the maintained ``chinesecalendar`` package (updated each year when the holiday
arrangement is announced). For a year it does not know yet, weekends alone are counted and the caller is
told (``known``), so a notice can say its end date is provisional.
"""

from __future__ import annotations

import datetime

import chinese_calendar


def is_working_day(day: datetime.date) -> tuple[bool, bool]:
    """(is a working day, the official calendar knows this year)."""
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:
        return day.weekday() < 5, False


def add_working_days(start: datetime.date, days: int) -> tuple[datetime.date, bool]:
    """The last day of a period of ``days`` working days beginning on ``start`` (counted if it is one).

    A 公示 opened on Monday for 5 working days ends on Friday; opened on a holiday it starts counting on
    the next working day.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    day, counted, known = start, 0, True
    while True:
        working, year_known = is_working_day(day)
        known = known and year_known
        if working:
            counted += 1
            if counted == days:
                return day, known
        day += datetime.timedelta(days=1)
