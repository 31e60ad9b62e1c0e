"""Three-valued eligibility expressions and point-range items, as compiled closures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .facts import (
    EnterpriseFacts,
    YearFigures,
)
from .metrics import MetricFn
from .texts import (
    _Format,
)

# --------------------------------------------------------------------------- expressions

Test = Callable[[list, list, list], bool | None]


@dataclass
class _Expr:
    test: Test
    direct: Callable[[list, list, list], bool]  # called only when test gave True
    text: str
    leaves: list  # (criterion, strict, bound) with bound None for a plain reference
    notes: list  # (test, note) of direct routes


def _all(tests: tuple[Test, ...]) -> Test:
    def test(states: list, los: list, his: list) -> bool | None:
        outcome: bool | None = True
        for part in tests:
            value = part(states, los, his)
            if value is False:
                return False
            if value is None:
                outcome = None
        return outcome
    return test


def _any(tests: tuple[Test, ...]) -> Test:
    def test(states: list, los: list, his: list) -> bool | None:
        outcome: bool | None = False
        for part in tests:
            value = part(states, los, his)
            if value is True:
                return True
            if value is None:
                outcome = None
        return outcome
    return test


def _never(states: list, los: list, his: list) -> bool:
    return False


# ------------------------------------------------------------------------------ ranges


class _Range:
    """One item of a point-range estimate; its note texts are prepared at compile time."""

    __slots__ = ("name", "metric", "metric_why", "fmt", "rows", "otherwise", "cases", "checks")

    def __init__(self, name: str) -> None:
        self.name = name
        self.metric: MetricFn | None = None
        self.metric_why: Callable[..., str] | None = None
        self.fmt: _Format | None = None
        self.rows: tuple = ()  # (test, bound, lo, hi, (note before the value, note after it))
        self.otherwise: tuple = ()  # (lo, hi, (before, after))
        self.cases: tuple = ()  # (condition or None, lo, hi, whole note)
        self.checks: tuple = ()

    def evaluate(self, facts: EnterpriseFacts, used: tuple, latest: YearFigures | None,
                 on: date) -> tuple[Decimal, Decimal, str] | str:
        """(lo, hi, note), or the reason the points cannot be estimated."""
        if self.metric is not None:
            assert self.fmt is not None and self.metric_why is not None
            value = self.metric(facts, used, latest, on)
            if value is None:
                return self.metric_why(facts, used, latest, on)
            for test, bound, lo, hi, (before, after) in self.rows:
                if test(value, bound):
                    return lo, hi, before + self.fmt.show(value, self.checks) + after
            lo, hi, (before, after) = self.otherwise
            return lo, hi, before + self.fmt.show(value, self.checks) + after
        for cond, lo, hi, note in self.cases:
            holds = True if cond is None else cond.fn(facts, used, latest, on)
            if holds is None:
                return cond.why(facts, used, latest, on) or ""
            if holds:
                return lo, hi, note
        return ""  # unreachable: the last case has no condition


