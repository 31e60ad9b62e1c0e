"""Reporting periods: one canonical notation plus a forgiving parser for what staff type.

Canonical codes are ``2023`` (year), ``2023H1``/``2023H2`` (half), ``2023Q1``..``2023Q4``
(quarter) and ``2023-01``..``2023-12`` (month).  Only the canonical form is stored; every
other spelling goes through :func:`parse_period_loose` at the edge (imports, forms) so the
rest of the code never has to guess.

Sort order: periods are ordered by the moment they end, i.e. ``(year, end_month)``; periods
ending in the same month are ordered from shortest to longest (month < quarter < half <
year).  So ``2023-06 < 2023Q2 < 2023H1 < 2023-07`` and ``2023-12 < 2023Q4 < 2023H2 < 2023``.
Ordering by end rather than start matches how figures become available (a year's figure
exists only after December) and puts a period after everything it contains that ends with it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import total_ordering

from django.utils.translation import gettext as _

from core.cells import to_halfwidth

YEAR, HALF, QUARTER, MONTH = "Y", "H", "Q", "M"

MIN_YEAR, MAX_YEAR = 1900, 2100

# Months per step of each kind; also gives the index range (12 // step).
_STEP = {YEAR: 12, HALF: 6, QUARTER: 3, MONTH: 1}
_MAX_INDEX = {YEAR: 0, HALF: 2, QUARTER: 4, MONTH: 12}
# Shorter periods first when two periods end in the same month (see module docstring).
_KIND_RANK = {MONTH: 0, QUARTER: 1, HALF: 2, YEAR: 3}

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


class PeriodError(ValueError):
    """A period that cannot be understood; the message is shown to the user as is."""


@total_ordering
@dataclass(frozen=True)
class Period:
    year: int
    kind: str
    index: int

    def __post_init__(self) -> None:
        if self.kind not in _STEP:
            raise PeriodError(_("无效的期间类型：%(kind)s") % {"kind": self.kind})
        # bool is an int subclass; True as a year/index is always a bug upstream.
        if not isinstance(self.year, int) or isinstance(self.year, bool):
            raise PeriodError(_("年份必须是整数：%(year)s") % {"year": self.year})
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise PeriodError(
                _("年份应在%(min)s至%(max)s之间：%(year)s")
                % {"min": MIN_YEAR, "max": MAX_YEAR, "year": self.year}
            )
        low = 0 if self.kind == YEAR else 1
        if (
            not isinstance(self.index, int)
            or isinstance(self.index, bool)
            or not low <= self.index <= _MAX_INDEX[self.kind]
        ):
            raise PeriodError(_("无法识别的期间：%(text)s") % {"text": f"{self.year}{self.kind}{self.index}"})

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse a canonical code only; anything else is a PeriodError."""
        if not isinstance(text, str):
            raise PeriodError(_("无法识别的期间：%(text)s") % {"text": text})
        stripped = text.strip()
        match = _CANONICAL.fullmatch(stripped)
        if match is None:
            raise PeriodError(_("无法识别的期间：%(text)s") % {"text": stripped})
        year = int(match["year"])
        if match["half"]:
            return cls(year, HALF, int(match["half"]))
        if match["quarter"]:
            return cls(year, QUARTER, int(match["quarter"]))
        if match["month"]:
            return cls(year, MONTH, int(match["month"]))
        return cls(year, YEAR, 0)

    @classmethod
    def year_of(cls, year: int) -> Period:
        return cls(year, YEAR, 0)

    @classmethod
    def month_of(cls, year: int, month: int) -> Period:
        return cls(year, MONTH, month)

    @property
    def code(self) -> str:
        if self.kind == YEAR:
            return f"{self.year:04d}"
        if self.kind == MONTH:
            return f"{self.year:04d}-{self.index:02d}"
        return f"{self.year:04d}{self.kind}{self.index}"

    @property
    def start_month(self) -> int:
        if self.kind == YEAR:
            return 1
        return (self.index - 1) * _STEP[self.kind] + 1

    @property
    def end_month(self) -> int:
        if self.kind == YEAR:
            return 12
        return self.index * _STEP[self.kind]

    @property
    def months_elapsed(self) -> int:
        return self.end_month

    @property
    def end_key(self) -> int:
        return self.year * 100 + self.end_month

    @property
    def label(self) -> str:
        year = self.year
        if self.kind == YEAR:
            return _("%(year)s年") % {"year": year}
        if self.kind == HALF:
            if self.index == 1:
                return _("%(year)s年上半年") % {"year": year}
            return _("%(year)s年下半年") % {"year": year}
        if self.kind == QUARTER:
            # One msgid per quarter so a translator never has to inflect a numeral.
            if self.index == 1:
                return _("%(year)s年第一季度") % {"year": year}
            if self.index == 2:
                return _("%(year)s年第二季度") % {"year": year}
            if self.index == 3:
                return _("%(year)s年第三季度") % {"year": year}
            return _("%(year)s年第四季度") % {"year": year}
        return _("%(year)s年%(month)s月") % {"year": year, "month": self.index}

    def previous(self) -> Period:
        if self.kind == YEAR:
            return Period(self.year - 1, YEAR, 0)
        if self.index == 1:
            return Period(self.year - 1, self.kind, _MAX_INDEX[self.kind])
        return Period(self.year, self.kind, self.index - 1)

    def next(self) -> Period:
        if self.kind == YEAR:
            return Period(self.year + 1, YEAR, 0)
        if self.index == _MAX_INDEX[self.kind]:
            return Period(self.year + 1, self.kind, 1)
        return Period(self.year, self.kind, self.index + 1)

    def same_period_last_year(self) -> Period:
        return Period(self.year - 1, self.kind, self.index)

    def contains(self, other: Period) -> bool:
        return (
            self.year == other.year
            and self.start_month <= other.start_month
            and other.end_month <= self.end_month
        )

    def months(self) -> list[Period]:
        return [Period(self.year, MONTH, m) for m in range(self.start_month, self.end_month + 1)]

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.end_month, _KIND_RANK[self.kind])

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self.sort_key < other.sort_key

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True)
class ParsedPeriod:
    period: Period
    year_to_date: bool = False

    @property
    def label(self) -> str:
        """Chinese text for messages; a year-to-date month reads "2023年1-5月"."""
        period = self.period
        if self.year_to_date and period.kind == MONTH and period.index > 1:
            return _("%(year)s年1-%(month)s月") % {"year": period.year, "month": period.index}
        return period.label


# ASCII-only digits: \d would also match full-width and other Unicode digits, which
# int() happily accepts, and then "non-canonical" text would slip through parse().
_CANONICAL = re.compile(
    r"(?P<year>[0-9]{4})(?:H(?P<half>[12])|Q(?P<quarter>[1-4])|-(?P<month>0[1-9]|1[0-2]))?"
)

# Dashes and tildes people put between months in "1-5月"; the full-width ones are
# already ASCII after to_halfwidth, these are the remaining look-alikes.
_RANGE_MARKS = str.maketrans(
    {"—": "-", "–": "-", "―": "-", "─": "-", "〜": "-", "~": "-", "−": "-", "至": "-", "到": "-"}
)

_Y = r"(?P<year>[0-9]{4})"
_LOOSE_YEAR = re.compile(_Y + r"(?:年度?)?")
_LOOSE_HALF_CN = re.compile(_Y + r"年?(?P<half>[上下])半年")
_LOOSE_HALF = re.compile(_Y + r"年?H(?P<half>[0-9]+)")
_LOOSE_QUARTER_CN = re.compile(_Y + r"年?第?(?P<quarter>[0-9]+|[一二三四五六七八九])季度?")
_LOOSE_QUARTER = re.compile(_Y + r"年?Q(?P<quarter>[0-9]+)")
_LOOSE_MONTH_CN = re.compile(_Y + r"年(?P<month>[0-9]{1,2})月份?")
_LOOSE_MONTH = re.compile(_Y + r"[-./](?P<month>[0-9]{1,2})")
_LOOSE_YYYYMM = re.compile(_Y + r"(?P<month>[0-9]{2})")
_LOOSE_RANGE = re.compile(_Y + r"年(?P<first>[0-9]{1,2})月?-(?P<last>[0-9]{1,2})月份?")


def parse_period_loose(text: object) -> ParsedPeriod:
    """Read a period the way office staff write it (see the module docstring for codes).

    Also takes an Excel date cell (that month) and an integral number from a numeric
    cell: 2023 is the year, 202305 is May 2023.  Non-integral numbers are refused,
    because Excel turns a typed "2023.10" into 2023.1 and October would become January.
    """
    if isinstance(text, datetime.date):  # datetime is a subclass of date
        return ParsedPeriod(_checked(str(text), text.year, MONTH, text.month))
    if isinstance(text, bool):
        raise PeriodError(_("无法识别的期间：%(text)s") % {"text": text})
    if isinstance(text, (int, float, Decimal)):
        return _parse_number(text)
    if not isinstance(text, str):
        raise PeriodError(_("无法识别的期间：%(text)s") % {"text": text})

    original = text.strip()
    if not original:
        raise PeriodError(_("期间不能为空"))
    cleaned = "".join(to_halfwidth(original).translate(_RANGE_MARKS).split()).upper()

    if match := _LOOSE_YEAR.fullmatch(cleaned):
        return ParsedPeriod(_checked(original, int(match["year"]), YEAR, 0))
    if match := _LOOSE_HALF_CN.fullmatch(cleaned):
        half = 1 if match["half"] == "上" else 2
        return ParsedPeriod(_checked(original, int(match["year"]), HALF, half))
    if match := _LOOSE_HALF.fullmatch(cleaned):
        return ParsedPeriod(_checked(original, int(match["year"]), HALF, int(match["half"])))
    for pattern in (_LOOSE_QUARTER_CN, _LOOSE_QUARTER):
        if match := pattern.fullmatch(cleaned):
            quarter = match["quarter"]
            number = _CN_DIGITS[quarter] if quarter in _CN_DIGITS else int(quarter)
            return ParsedPeriod(_checked(original, int(match["year"]), QUARTER, number))
    for pattern in (_LOOSE_MONTH_CN, _LOOSE_MONTH, _LOOSE_YYYYMM):
        if match := pattern.fullmatch(cleaned):
            return ParsedPeriod(_checked(original, int(match["year"]), MONTH, int(match["month"])))
    if match := _LOOSE_RANGE.fullmatch(cleaned):
        if int(match["first"]) != 1:
            raise PeriodError(
                _("只接受从1月开始的累计期间（如“2023年1-5月”）：%(text)s") % {"text": original}
            )
        period = _checked(original, int(match["year"]), MONTH, int(match["last"]))
        return ParsedPeriod(period, year_to_date=True)
    raise PeriodError(_("无法识别的期间：%(text)s") % {"text": original})


def _parse_number(value: int | float | Decimal) -> ParsedPeriod:
    if isinstance(value, float) and not value.is_integer():
        raise PeriodError(
            _("期间“%(text)s”是小数，无法确定月份，请写成“2023年5月”或“2023-05”") % {"text": value}
        )
    if isinstance(value, Decimal) and (not value.is_finite() or value != value.to_integral_value()):
        raise PeriodError(
            _("期间“%(text)s”是小数，无法确定月份，请写成“2023年5月”或“2023-05”") % {"text": value}
        )
    number = int(value)
    text = str(number)
    if len(text) == 4:
        return ParsedPeriod(_checked(text, number, YEAR, 0))
    if len(text) == 6:
        return ParsedPeriod(_checked(text, number // 100, MONTH, number % 100))
    raise PeriodError(_("无法识别的期间：%(text)s") % {"text": text})


def _checked(text: str, year: int, kind: str, index: int) -> Period:
    """Build a Period, with range errors that quote what the user actually wrote."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(
            _("年份应在%(min)s至%(max)s之间：%(text)s") % {"min": MIN_YEAR, "max": MAX_YEAR, "text": text}
        )
    if kind == MONTH and not 1 <= index <= 12:
        raise PeriodError(_("月份应在1至12之间：%(text)s") % {"text": text})
    if kind == QUARTER and not 1 <= index <= 4:
        raise PeriodError(_("季度应在1至4之间：%(text)s") % {"text": text})
    if kind == HALF and index not in (1, 2):
        raise PeriodError(_("半年应为H1或H2：%(text)s") % {"text": text})
    return Period(year, kind, index)


def picker_periods(kinds, first_year: int, last_year: int, today: datetime.date) -> list[Period]:
    """The periods a picker offers: of the given kinds, from ``first_year`` to ``last_year`` but none that has
    not begun by ``today`` (the current period is offered, a future one is not), newest first.

    A plan running to 2027 seen in December 2026 offers 2026 and its quarters up to Q4, nothing of 2027.
    """
    wanted = [kind for kind in (YEAR, HALF, QUARTER, MONTH) if kind in set(kinds)]
    out = []
    for year in range(min(last_year, today.year), first_year - 1, -1):
        for kind in wanted:
            for index in ([0] if kind == YEAR else range(1, _MAX_INDEX[kind] + 1)):
                period = Period(year, kind, index)
                if (year, period.start_month) <= (today.year, today.month):
                    out.append(period)
    return sorted(out, reverse=True)


def default_choice(choices: list[Period], wanted: Period | None) -> Period | None:
    """``wanted`` when the picker offers it, else the newest offered period ending by then, else the newest."""
    if not choices:
        return None
    if wanted is None:
        return choices[0]
    if wanted in choices:
        return wanted
    return next((p for p in choices if p.end_key <= wanted.end_key), choices[0])


def latest_ended(choices: list[Period], today: datetime.date) -> Period | None:
    """The newest offered period that is over by ``today`` (what a reporter reports now), else the oldest."""
    return next((p for p in choices if p.end_key < today.year * 100 + today.month), choices[-1] if choices else None)
