"""Comparing counties on a common indicator: which period to compare, which figure counts, rank, growth,
completion and rank change.

Pure functions over plain values (tested without a database). Ranks use ``progress.competition_ranks``
(ties share a rank, "1224") and ``progress.rank_changes``, so a city's ranking reads like a plan's.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, NamedTuple, TypeVar

from core.periods import Period
from plans import progress as calc

K = TypeVar("K", bound=Hashable)

BY_VALUE, BY_GROWTH, BY_COMPLETION = "value", "growth", "completion"
RANK_BASES = (BY_VALUE, BY_GROWTH, BY_COMPLETION)

_LENGTH = {"Y": 12, "H": 6, "Q": 3, "M": 1}  # months a period of each kind spans


class Figure(NamedTuple):
    """One approved figure of a county: its period code, end (yyyymm), basis ("" not stated) and value.

    A tuple rather than a frozen dataclass: a province's comparison builds one per figure it reads."""

    period: str
    end: int
    basis: str
    value: Decimal
    is_demo: bool = False
    source: str = ""


def pick_figure(figures: Iterable[Figure], period: Period, basis: str = "") -> Figure | None:
    """The figure a county has for ``period``: one ending the same month, in the catalogue's basis.

    A figure of another basis measures something else (90 新认定 is not 500 累计), so it never stands in;
    among the rest the exact basis, then the exact period code, then the longest period wins (a year's
    figure before its December).
    """
    candidates = [f for f in figures if f.end == period.end_key and f.basis in (basis, "")]
    if not candidates:
        return None
    candidates.sort(key=lambda f: (f.basis != basis, f.period != period.code, -_LENGTH[Period.parse(f.period).kind],
                                   f.period))
    return candidates[0]


def period_of_end(end: int) -> Period:
    """The period a figure ending in ``end`` is read as: a December is the year, a quarter's last month the
    quarter, any other month the month (as a plan's latest period is chosen)."""
    year, month = divmod(end, 100)
    if month == 12:
        return Period(year, "Y", 0)
    if month % 3 == 0:
        return Period(year, "Q", month // 3)
    return Period(year, "M", month)


def comparison_end(ends_by_region: Mapping[K, Iterable[int]], *, at_least: int = 2) -> int | None:
    """The latest period end for which at least ``at_least`` regions have a figure, else None.

    The county plans cover different years (平湖 2023…, 嘉善 2025): comparing on a period only one of them
    reports would rank a county alone.
    """
    counts: dict[int, int] = {}
    for ends in ends_by_region.values():
        for end in set(ends):
            counts[end] = counts.get(end, 0) + 1
    shared = [end for end, n in counts.items() if n >= at_least]
    return max(shared) if shared else None


@dataclass(frozen=True)
class CountyInput(Generic[K]):
    """What is known of one county for the period compared and the period before it."""

    key: K
    value: Decimal | None
    last_year: Decimal | None  # the same period a year earlier, for growth
    target: Decimal | None
    previous_value: Decimal | None = None
    previous_last_year: Decimal | None = None
    previous_target: Decimal | None = None


@dataclass(frozen=True)
class CountyRow(Generic[K]):
    key: K
    rank: int | None
    value: Decimal | None
    growth: Decimal | None
    completion: Decimal | None
    rank_change: int | None


def _metric(by: str, value, last_year, target, direction: str) -> Decimal | None:
    if by == BY_VALUE:
        return value
    if by == BY_GROWTH:
        return calc.yoy_growth(value, last_year)
    return calc.completion(value, target, direction)


def _descending(by: str, direction: str) -> bool:
    # Completion already points the right way ("lower" indicators divide target by actual); a value or a
    # growth of a lower-is-better indicator ranks the smallest first.
    return by == BY_COMPLETION or direction == calc.HIGHER


def rank_counties(counties: Sequence[CountyInput[K]], *, by: str = BY_VALUE,
                  direction: str = calc.HIGHER) -> list[CountyRow[K]]:
    """Each county's rank on ``by`` among those with a metric, and its change against the previous period.

    Rows come best first; counties without a metric follow, unranked, in the order given.
    """
    if by not in RANK_BASES:
        raise ValueError(f"by must be one of {RANK_BASES}, got {by!r}")
    if direction not in (calc.HIGHER, calc.LOWER):
        raise ValueError(f"direction must be {calc.HIGHER!r} or {calc.LOWER!r}, got {direction!r}")
    descending = _descending(by, direction)
    now = calc.competition_ranks(
        [(c.key, _metric(by, c.value, c.last_year, c.target, direction)) for c in counties], descending=descending)
    before = calc.competition_ranks(
        [(c.key, _metric(by, c.previous_value, c.previous_last_year, c.previous_target, direction))
         for c in counties], descending=descending)
    changes = calc.rank_changes(now, before)
    rows = [CountyRow(key=c.key, rank=now[c.key], value=c.value, growth=calc.yoy_growth(c.value, c.last_year),
                      completion=calc.completion(c.value, c.target, direction), rank_change=changes[c.key])
            for c in counties]
    order = {c.key: i for i, c in enumerate(counties)}
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, order[r.key]))
    return rows
