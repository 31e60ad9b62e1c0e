"""The projected year-end figure (预计全年) of an indicator for a place: pure functions over plain values.

Which method applies depends on what the figure measures:

- a running total inside the year (累计值: amounts and counts reported year to date) is projected by its
  seasonality: the year-to-date value divided by the share the same period had of the whole year in the
  previous years that have both figures (``SEASONAL``); without such years, linearly in time, year-to-date ×
  12 ÷ months elapsed (``LINEAR``);
- a level (存量, or a 累计达 target counted across years) grows from last year's closing level: the growth so
  far is extended linearly to December (``LEVEL_LINEAR``); without last year's level the latest figure
  stands for the year (``LATEST``);
- a ratio or density (比率) is not extrapolated: the latest figure stands for the year (``LATEST``);
- once the year is over the figure is the year's own (``FULL_YEAR``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

SEASONAL, LINEAR, LEVEL_LINEAR, LATEST, FULL_YEAR = "seasonal", "linear", "level_linear", "latest", "full_year"
METHOD_LABELS = {
    SEASONAL: _("季节比例法（按往年同期占全年比重推算）"),
    LINEAR: _("时间线性外推（按已过月份推算）"),
    LEVEL_LINEAR: _("增量线性外推（按上年末以来增量推算）"),
    LATEST: _("最新值（比率或时点指标不外推）"),
    FULL_YEAR: _("全年实际数"),
}
CUMULATIVE, STOCK = "cumulative", "stock"
_TWELVE = Decimal(12)


@dataclass(frozen=True)
class Forecast:
    value: Decimal | None
    method: str | None
    target: Decimal | None = None
    misses_target: bool | None = None
    share: Decimal | None = None  # the seasonal share of the period, when that method was used
    years: tuple[int, ...] = ()  # the previous years the share came from

    @property
    def method_label(self) -> str:
        return str(METHOD_LABELS[self.method]) if self.method else ""


def seasonal_share(history: Sequence[tuple[int, Decimal, Decimal]]) -> tuple[Decimal | None, tuple[int, ...]]:
    """The same period's share of the year over previous years: (year, period value, year value) rows.

    The share is pooled (Σ period ÷ Σ year), so a small year does not weigh as much as a large one. Years
    with a non-positive year total or a period figure above the year's (a correction, not a season) are left
    out; no usable year gives None.
    """
    used = [(y, p, t) for y, p, t in history if t > 0 and 0 <= p <= t]
    if not used:
        return None, ()
    share = sum((p for _y, p, _t in used), Decimal(0)) / sum((t for _y, _p, t in used), Decimal(0))
    if share <= 0:
        return None, ()
    return share, tuple(sorted(y for y, _p, _t in used))


def misses(value: Decimal | None, target: Decimal | None, direction: str) -> bool | None:
    """Whether the projection falls short of the year's target (above it when lower is better)."""
    if value is None or target is None:
        return None
    return value > target if direction == "lower" else value < target


def project(*, kind: str, actual: Decimal | None, months_elapsed: int,
            history: Sequence[tuple[int, Decimal, Decimal]] = (), last_year_end: Decimal | None = None,
            target: Decimal | None = None, direction: str = "higher") -> Forecast:
    """The year-end projection of ``actual`` (the figure ``months_elapsed`` months into the year).

    ``kind`` is the kind the target is counted in (``plans.queries.target_kind``: a 累计达 target makes a
    level of a cumulative indicator); ``history`` the previous years' (year, same period, whole year)
    figures; ``last_year_end`` the level at the end of last year.
    """
    if not 1 <= months_elapsed <= 12:
        raise ValueError(f"months_elapsed must be 1..12, got {months_elapsed}")
    if actual is None:
        return Forecast(None, None, target)
    if months_elapsed == 12:
        value, method, share, years = actual, FULL_YEAR, None, ()
    elif kind == CUMULATIVE:
        share, years = seasonal_share(history)
        if share is not None:
            value, method = actual / share, SEASONAL
        else:
            value, method = actual * _TWELVE / Decimal(months_elapsed), LINEAR
    elif kind == STOCK and last_year_end is not None:
        value = last_year_end + (actual - last_year_end) * _TWELVE / Decimal(months_elapsed)
        method, share, years = LEVEL_LINEAR, None, ()
    else:
        value, method, share, years = actual, LATEST, None, ()
    return Forecast(value, method, target, misses(value, target, direction), share, years)


def _figure(value: Decimal) -> str:
    d = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = format(d, "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text == "-0" else text


def sentence(result: Forecast, unit: str) -> str:
    """"预计全年X，目标Y" as a report prints it, with "预计未完成" when the projection misses the target."""
    if result.value is None:
        return ""
    text = _("预计全年%(value)s%(unit)s") % {"value": _figure(result.value), "unit": unit}
    if result.target is not None:
        text += _("，目标%(target)s%(unit)s") % {"target": _figure(result.target), "unit": unit}
    if result.misses_target:
        text += _("，预计未完成")
    return str(text)
