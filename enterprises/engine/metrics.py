"""Metrics and conditions at run time: closures over an enterprise's facts, None when an input is missing."""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from .facts import (
    EnterpriseFacts,
    YearFigures,
)
from .texts import (
    _INT_FIELDS,
    _ZERO,
    DAYS,
    _Texts,
)

Getter = Callable[[YearFigures], Any]
MetricFn = Callable[[EnterpriseFacts, tuple[YearFigures, ...], YearFigures | None, date], Decimal | None]


def _getter(name: str) -> Getter:
    # Counts are ints in the input; everything downstream is Decimal so ratios never become floats.
    if name in _INT_FIELDS:
        def get_int(record: YearFigures) -> Decimal | None:
            value = getattr(record, name)
            return None if value is None else Decimal(value)
        return get_int
    return operator.attrgetter(name)


def _adder(plus: tuple[str, ...], minus: tuple[str, ...]) -> Getter:
    """record -> Σ plus − Σ minus, None if any is missing."""
    if len(plus) == 1 and not minus:
        return _getter(plus[0])
    add = tuple(_getter(name) for name in plus)
    subtract = tuple(_getter(name) for name in minus)

    def total(record: YearFigures) -> Decimal | None:
        result = _ZERO
        for get in add:
            value = get(record)
            if value is None:
                return None
            result += value
        for get in subtract:
            value = get(record)
            if value is None:
                return None
            result -= value
        return result

    return total


class _Metric:
    __slots__ = ("fn", "why", "label", "fmt", "unit", "key")

    def __init__(self, fn: MetricFn, why: Callable[..., str], label: str, fmt: str, unit: str,
                 key: tuple) -> None:
        self.fn = fn
        self.why = why
        self.label = label
        self.fmt = fmt
        self.unit = unit
        self.key = key  # canonical form, to tell whether two conditions test the same thing


def _age_metric(texts: _Texts) -> _Metric:
    def fn(facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date) -> Decimal | None:
        if facts.established is None:
            return None
        return Decimal((on - facts.established).days)

    def why(facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date) -> str:
        return texts.missing_established

    return _Metric(fn, why, "", DAYS, "", ("age_days",))


# -------------------------------------------------------------------------- conditions


class _Condition:
    __slots__ = ("fn", "why", "text", "key", "op", "bound", "single")

    def __init__(self, fn: Callable[..., bool | None], why: Callable[..., str | None], text: str,
                 key: tuple | None, op: str | None, bound: Decimal | None) -> None:
        self.fn = fn
        self.why = why
        self.text = text
        self.key = key
        self.op = op
        self.bound = bound


def _all_conditions(parts: list[_Condition], texts: _Texts) -> _Condition:
    fns = tuple(part.fn for part in parts)

    def fn(facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date) -> bool | None:
        result: bool | None = True
        for test in fns:
            value = test(facts, used, latest, on)
            if value is False:
                return False
            if value is None:
                result = None
        return result

    def why(facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date) -> str | None:
        for part in parts:
            if part.fn(facts, used, latest, on) is None:
                return part.why(facts, used, latest, on)
        return None

    return _Condition(fn, why, texts.and_word.join(part.text for part in parts), None, None, None)


# ---------------------------------------------------------------------------- criteria
