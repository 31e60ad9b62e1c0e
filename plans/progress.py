"""Plan-progress arithmetic: targets, completion, colours, rankings, data-quality warnings.

Everything here is a pure function over plain values so it can be tested without a
database and reused by views, exports and management commands alike.  Ratios are
Decimal fractions (0.5 means 50%) and are never quantised here: rounding is a
presentation decision, and rounding early would make ties and threshold checks
depend on the display precision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core import ranking

GREEN, YELLOW, RED, NO_TARGET, MISSING = "green", "yellow", "red", "no_target", "missing"

HIGHER, LOWER = "higher", "lower"
CUMULATIVE, STOCK, RATE = "cumulative", "stock", "rate"
BASIS_NEW, BASIS_TOTAL = "new", "total"

TREND_REVERSAL, OUTLIER, MISSING_REPORT = "trend_reversal", "outlier", "missing_report"


_TWELVE = Decimal(12)
_THREE = Decimal(3)


def _check_direction(direction: str) -> None:
    # A typo here would silently invert every colour on the dashboard, so fail loudly.
    if direction not in (HIGHER, LOWER):
        raise ValueError(f"direction must be {HIGHER!r} or {LOWER!r}, got {direction!r}")


def fmt(d: Decimal) -> str:
    """Plain-notation Decimal without exponent or trailing zeros: 10, 2.25, 0.0000001."""
    # format(..., "f") keeps every digit of the value (normalize() would round to the
    # context precision and could also produce exponent notation such as 1E+1).
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    # Decimal keeps the sign of zero; "-0" in a report just looks like a bug.
    if text == "-0":
        text = "0"
    return text


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class YearTarget:
    value: Decimal
    basis: str | None  # "new" (新增/新认定), "total" (累计达) or None
    derived: bool  # True when interpolated


def _numeric_targets(
    explicit: Mapping[int, tuple[Decimal | None, str | None]],
) -> list[tuple[int, Decimal, str | None]]:
    # Targets stated only in words carry no number, so for arithmetic they do not exist.
    return sorted((year, value, basis) for year, (value, basis) in explicit.items() if value is not None)


def year_target(year: int, explicit: Mapping[int, tuple[Decimal | None, str | None]]) -> YearTarget | None:
    """The year's numeric target: explicit, else interpolated between same-basis neighbours."""
    value, basis = explicit.get(year, (None, None))
    if value is not None:
        return YearTarget(value=value, basis=basis, derived=False)

    before: tuple[int, Decimal, str | None] | None = None
    after: tuple[int, Decimal, str | None] | None = None
    for entry in _numeric_targets(explicit):
        if entry[0] < year:
            before = entry
        elif entry[0] > year and after is None:
            after = entry
    if before is None or after is None:
        # No extrapolation: a plan says nothing about years outside its horizon.
        return None
    y0, v0, basis0 = before
    y1, v1, basis1 = after
    if basis0 != basis1:
        # "80 new" and "650 total" measure different things; a line between them is meaningless.
        return None
    # Multiply before dividing so that exact cases (90→120 over 3 years) stay exact.
    value = v0 + (v1 - v0) * (year - y0) / (y1 - y0)
    return YearTarget(value=value, basis=basis0, derived=True)


def period_target(
    *,
    explicit: Decimal | None,
    year_target: Decimal | None,
    kind: str,
    months_elapsed: int,
) -> Decimal | None:
    """Target for a reporting period; cumulative indicators get a pro-rata share of the year."""
    if explicit is not None:
        return explicit
    if year_target is None:
        return None
    if kind == CUMULATIVE:
        # Multiply first: 120 × 5 ÷ 12 = 50 exactly, whereas 120 × (5 ÷ 12) is not.
        return year_target * months_elapsed / _TWELVE
    # Stocks and rates are judged against the year-end level at every point in the year.
    return year_target


# ------------------------------------------------------------------------ completion


def completion(actual: Decimal | None, target: Decimal | None, direction: str) -> Decimal | None:
    """actual ÷ target ("higher") or target ÷ actual ("lower"); None if unknown or divisor is 0."""
    _check_direction(direction)
    if actual is None or target is None:
        return None
    numerator, divisor = (actual, target) if direction == HIGHER else (target, actual)
    if divisor == 0:
        # A ratio against zero has no meaning; status() decides the colour from the raw values.
        return None
    return numerator / divisor


def status(
    *,
    actual: Decimal | None,
    target: Decimal | None,
    completion: Decimal | None,
    direction: str,
    green: Decimal = Decimal("1"),
    yellow: Decimal = Decimal("0.9"),
) -> str:
    """Traffic-light colour for one indicator in one period."""
    _check_direction(direction)
    # An unreported value is the more urgent problem, so it wins over a missing target.
    if actual is None:
        return MISSING
    if target is None:
        return NO_TARGET
    if completion is None:
        # Only reachable when completion() hit a zero divisor: fall back to "met or not".
        met = actual >= target if direction == HIGHER else actual <= target
        return GREEN if met else RED
    if completion >= green:
        return GREEN
    if completion >= yellow:
        return YELLOW
    return RED


def time_progress(months_elapsed: int) -> Decimal:
    """Share of the year elapsed, the yardstick completion rates are compared with."""
    return Decimal(months_elapsed) / _TWELVE


def yoy_growth(actual: Decimal | None, last_year: Decimal | None) -> Decimal | None:
    """Year-on-year growth (actual − last) ÷ |last|; None when unknown or last year was 0."""
    if actual is None or last_year is None or last_year == 0:
        return None
    # Dividing by |last| keeps the sign meaningful: −10 → −5 is growth, not decline.
    return (actual - last_year) / abs(last_year)


# -------------------------------------------------------------------------- rankings
# Rankings are shared by every programme that ranks (counties, towns, platforms): they live in core.ranking.
competition_ranks = ranking.competition_ranks
rank_changes = ranking.rank_changes


# --------------------------------------------------------------- data-quality warnings


# The name follows the product spec; it shadows the builtin only inside this module,
# where the builtin is not used.
@dataclass(frozen=True)
class Warning:
    code: str  # TREND_REVERSAL, OUTLIER or MISSING_REPORT
    message: str
    period: str | None = None


def trend_reversals(
    targets: Mapping[int, tuple[Decimal | None, str | None]], direction: str
) -> list[Warning]:
    """Explicit yearly targets that move against the indicator's direction."""
    _check_direction(direction)
    # Compare only within one basis: a "new" target below a "total" one is expected.
    last_by_basis: dict[str | None, tuple[int, Decimal]] = {}
    warnings: list[Warning] = []
    for year, value, basis in _numeric_targets(targets):
        previous = last_by_basis.get(basis)
        if previous is not None:
            prev_year, prev_value = previous
            params = {
                "year": year,
                "value": fmt(value),
                "prev_year": prev_year,
                "prev": fmt(prev_value),
            }
            if direction == HIGHER and value < prev_value:
                message = _("%(year)s年目标%(value)s低于%(prev_year)s年目标%(prev)s，与指标方向相反") % params
                warnings.append(Warning(TREND_REVERSAL, message, str(year)))
            elif direction == LOWER and value > prev_value:
                message = _("%(year)s年目标%(value)s高于%(prev_year)s年目标%(prev)s，与指标方向相反") % params
                warnings.append(Warning(TREND_REVERSAL, message, str(year)))
        # Each year is compared with its nearest predecessor, not the best one so far, so a
        # single bad target produces one warning rather than one for every later year.
        last_by_basis[basis] = (year, value)
    return warnings


def _population_sd(values: Sequence[Decimal], mean: Decimal) -> Decimal:
    variance = sum(((v - mean) ** 2 for v in values), Decimal(0)) / len(values)
    return variance.sqrt()


def outlier(value: Decimal, history: Sequence[Decimal]) -> Warning | None:
    """Warn when a value is far outside the same unit's own history for a comparable period."""
    # One earlier value says nothing about what is normal for this unit.
    if len(history) < 2:
        return None
    low, high = min(history), max(history)
    flagged = (high > 0 and value > _THREE * high) or (low > 0 and value < low / _THREE)
    # The SD rule needs enough history for the spread itself to be meaningful.
    if not flagged and len(history) >= 4:
        mean = sum(history, Decimal(0)) / len(history)
        sd = _population_sd(history, mean)
        flagged = sd != 0 and abs(value - mean) > _THREE * sd
    if not flagged:
        return None
    message = _("填报值%(value)s远超出本单位历史数据范围（历史最低%(min)s，最高%(max)s），请核实") % {
        "value": fmt(value),
        "min": fmt(low),
        "max": fmt(high),
    }
    return Warning(OUTLIER, message)
