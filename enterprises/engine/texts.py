"""The vocabulary of a rule set (fields, formats, comparisons, kinds) and every text the engine writes: message
templates translated once per compile, number display, gap texts ("还差…")."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _


def gettext_noop(message: str) -> str:
    """Marks a msgid for makemessages; translated later, when a rule set is compiled."""
    return message



PERCENT, COUNT, MONEY, DAYS, POINTS = "percent", "count", "money", "days", "points"
FORMATS = (PERCENT, COUNT, MONEY, DAYS, POINTS)

# field -> (label, format, unit for counts)
FIELDS: dict[str, tuple[str, str, str]] = {
    "revenue": (gettext_noop("营业收入"), MONEY, ""),
    "total_cost": (gettext_noop("成本费用总额"), MONEY, ""),
    "rd_expense": (gettext_noop("研发费用"), MONEY, ""),
    "domestic_rd": (gettext_noop("境内研发费用"), MONEY, ""),
    "hitech_revenue": (gettext_noop("高新技术产品收入"), MONEY, ""),
    "total_assets": (gettext_noop("资产总额"), MONEY, ""),
    "total_liabilities": (gettext_noop("负债总额"), MONEY, ""),
    "staff": (gettext_noop("职工总数"), COUNT, gettext_noop("人")),
    "tech_staff": (gettext_noop("科技人员数"), COUNT, gettext_noop("人")),
    "ip1": (gettext_noop("Ⅰ类知识产权"), COUNT, gettext_noop("项")),
    "ip2": (gettext_noop("Ⅱ类知识产权"), COUNT, gettext_noop("项")),
    "rd_staff": (gettext_noop("研发人员数"), COUNT, gettext_noop("人")),
    # An area is no count, but it is shown and compared like one (whole square metres in gaps).
    "rd_area": (gettext_noop("研发场地面积"), COUNT, gettext_noop("平方米")),
}
_INT_FIELDS = frozenset(name for name, (_label, fmt, _unit) in FIELDS.items() if fmt == COUNT)

MIN, MAX, ABOVE, BELOW = "min", "max", "above", "below"
_OPS: dict[str, Callable[[Any, Any], bool]] = {MIN: operator.ge, MAX: operator.le, ABOVE: operator.gt,
                                               BELOW: operator.lt}
_SYMBOL = {MIN: "≥", MAX: "≤", ABOVE: ">", BELOW: "<"}
COMPARISON = {MIN: ">=", MAX: "<=", ABOVE: ">", BELOW: "<"}  # the ASCII form the API gives
# What holds when a band with this comparison did not match: the text of the next band's lower edge.
_COMPLEMENT = {MIN: "<", MAX: ">", ABOVE: "≤", BELOW: "≥"}
_FLOORS = (MIN, ABOVE)  # the value has to reach something (as opposed to stay under a ceiling)

AGE_DAYS, THRESHOLD, BANDED_SCORE, FIRST_MATCH, BEST_OF, SUM_SCORE, QUALIFICATION, CONDITION = (
    "age_days", "threshold", "banded_score", "first_match", "best_of", "sum_score", "qualification", "condition")
KINDS = (AGE_DAYS, THRESHOLD, BANDED_SCORE, FIRST_MATCH, BEST_OF, SUM_SCORE, QUALIFICATION, CONDITION)
SCORED = frozenset((BANDED_SCORE, FIRST_MATCH, BEST_OF, SUM_SCORE))

_COMMON_KEYS = {"code", "name", "kind", "label", "listed", "description", "basis"}
_DISPLAY_KEYS = {"format", "unit", "unit_word"}
_KIND_KEYS: dict[str, set[str]] = {
    AGE_DAYS: {MIN, MAX, ABOVE, BELOW},
    THRESHOLD: {"metric", MIN, MAX, ABOVE, BELOW, "bands"} | _DISPLAY_KEYS,
    BANDED_SCORE: {"metric", "table", "else"} | _DISPLAY_KEYS,
    FIRST_MATCH: {"cases"},
    BEST_OF: {"of"},
    SUM_SCORE: {"of"},
    QUALIFICATION: {"type", "valid_years"},
    CONDITION: {"test"},
}
_KIND_REQUIRED: dict[str, tuple[str, ...]] = {
    AGE_DAYS: (), THRESHOLD: ("metric",), BANDED_SCORE: ("metric", "table"), FIRST_MATCH: ("cases",),
    BEST_OF: ("of",), SUM_SCORE: ("of",), QUALIFICATION: ("type",), CONDITION: ("test",),
}
_TOP_KEYS = {"code", "version", "name", "description", "basis", "years", "criteria", "eligible", "score",
             "pending", "ranges"}
_METRIC_KEYS = {"field", "minus", "ratio", "growth", "over"}
_CODE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
LATEST, YEARS_USED = "latest", "years_used"

RULESET_DIR = Path(__file__).resolve().parent.parent / "rulesets"

_ZERO = Decimal(0)
_ONE = Decimal(1)
_HUNDRED = Decimal(100)
_QUANTUM = tuple(Decimal(1).scaleb(-places) for places in range(13))  # 1, 0.1, 0.01, …


class _Texts:
    """Every message template, translated once per compile so that assessing never calls Django."""

    def __init__(self) -> None:
        self.money_unit = _("万元")
        self.days_unit = _("天")
        self.age_label = _("成立")
        self.points_unit = _("分")
        self.points = _("%(amount)s个百分点")
        self.short = _("%(label)s还差%(amount)s")
        self.at_least_short = _("%(label)s至少还差%(amount)s")
        self.need = _("还需%(amount)s")
        self.over = _("%(label)s超出上限%(amount)s")
        self.must_above = _("%(label)s须高于%(bound)s")
        self.must_below = _("%(label)s须低于%(bound)s")
        self.or_join = _("；或")
        self.score_detail = _("%(score)s分（%(detail)s）")
        self.score_only = _("%(score)s分")
        self.score_range = _("%(lo)s～%(hi)s分")
        self.full_marks = _("计分项，满分%(max)s分")
        self.with_target = _("%(score)s（%(target)s）")
        self.band_required = _("%(bound)s（%(when)s）")
        self.between = _("%(label)s%(low)s且%(high)s")
        self.other_cases = _("其余情形")
        self.and_word = _("且")
        self.growth_label = _("%(field)s增长率")
        self.sum_label = _("%(fields)s合计")
        self.used_label = _("所用年度%(label)s")
        self.missing_field = _("缺少%(year)s年%(field)s")
        self.missing_established = _("缺少成立日期")
        self.no_years_before = _("没有%(year)s年以前的年度数据")
        self.no_years_until = _("没有%(year)s年及以前的年度数据")
        self.zero_latest = _("%(year)s年%(field)s为0，无法计算比例")
        self.zero_years = _("所用年度%(field)s合计为0，无法计算比例")
        self.growth_years = _("需要至少两个连续年度的%(field)s")
        self.growth_first_zero = _("%(year)s年%(field)s为0，无法计算增长率")
        self.unknown_note = _("%(name)s：%(reason)s，暂无法判断")
        self.holds = _("持有有效的%(type)s资格")
        self.valid_until = _("有效期至%(date)s")
        self.valid_open = _("有效（未记载到期日）")
        self.expired_on = _("已于%(date)s到期")
        self.nothing = _("无")
        self.not_held = _("未持有有效的%(type)s资格")
        self.expired_gap = _("%(type)s资格已于%(date)s到期")
        self.date = _("%(year)s年%(month)s月%(day)s日")
        self.met = _("满足")
        self.not_met = _("不满足")
        self.unmet = _("未满足：%(items)s")
        self.any_join = _("或")
        self.direct_note = _("符合直接认定条件：%(route)s")
        self.range_item = _("%(title)s：%(name)s%(points)s（%(detail)s）")
        self.range_unknown = _("%(title)s：%(name)s暂无法估算（%(reason)s）")
        self.range_total = _("%(title)s：以上可估算部分合计%(points)s")
        self.fields = {name: _(label) for name, (label, _fmt, _unit) in FIELDS.items()}
        self.field_units = {name: _(unit) if unit else "" for name, (_label, _fmt, unit) in FIELDS.items()}

    def day(self, d: date) -> str:
        return self.date % {"year": d.year, "month": d.month, "day": d.day}


# -------------------------------------------------------------------------- formatting


def _plain(d: Decimal) -> str:
    """Plain notation without trailing zeros: 10, 2.25."""
    # normalize() drops trailing zeros (4000.00 -> 4E+3) and "f" writes it out without an exponent.
    text = format(d.normalize(), "f")
    return "0" if text == "-0" else text


def _fragments(template: str, **params: str) -> tuple[str, str]:
    """(before, after) of the one %(detail)s in a template, the other parameters filled in.

    Lets a per-enterprise text be built by concatenation instead of formatting the whole template.
    """
    before, after = (template % {**params, "detail": "\x00"}).split("\x00")
    return before, after


def _crosses(shown: Decimal, exact: Decimal, bounds: tuple[Decimal, ...]) -> bool:
    # Landing on a bound counts too: "10.0%" for 10.004% against ">10%" would contradict the verdict.
    return any((shown < bound) != (exact < bound) or (shown > bound) != (exact > bound) for bound in bounds)


def _rounded(exact: Decimal, places: int, bounds: tuple[Decimal, ...]) -> Decimal:
    """Rounded for display, with more places where rounding would land on or across a bound.

    Otherwise 4.99% would show as "5.0%" next to a failed "≥5%".
    """
    shown = exact.quantize(_QUANTUM[places], ROUND_HALF_UP)
    if shown == exact or not bounds:
        return shown
    # Fast path (this runs for every figure shown): only a bound between the two can be crossed.
    low, high = (shown, exact) if shown < exact else (exact, shown)
    for bound in bounds:
        if low <= bound <= high:
            break
    else:
        return shown
    while places < 12 and _crosses(shown, exact, bounds):
        places += 1
        shown = exact.quantize(_QUANTUM[places], ROUND_HALF_UP)
    if _crosses(shown, exact, bounds):
        return exact
    return shown


class _Format:
    """How one criterion shows numbers: unit, scale and rounding."""

    __slots__ = ("kind", "unit", "scale", "places", "keep_zeros", "integral", "points_word")

    def __init__(self, kind: str, unit: str, texts: _Texts) -> None:
        self.kind = kind
        self.unit = {PERCENT: "%", MONEY: texts.money_unit, DAYS: texts.days_unit,
                     POINTS: texts.points_unit}.get(kind, unit)
        self.scale = _HUNDRED if kind == PERCENT else None
        self.places = {PERCENT: 1, MONEY: 2, COUNT: 2, DAYS: 0, POINTS: 2}[kind]
        # A measured percentage keeps its decimal ("5.0%") so it reads as a measurement.
        self.keep_zeros = kind == PERCENT
        self.integral = kind in (COUNT, DAYS)
        self.points_word = texts.points

    def scaled(self, value: Decimal) -> Decimal:
        return value * self.scale if self.scale is not None else value

    def show(self, value: Decimal, checks: tuple[Decimal, ...] = ()) -> str:
        shown = _rounded(value if self.scale is None else value * self.scale, self.places, checks)
        return (format(shown, "f") if self.keep_zeros else _plain(shown)) + self.unit

    def shown_and_number(self, value: Decimal, checks: tuple[Decimal, ...] = ()) -> tuple[str, Decimal]:
        """What ``show`` writes, and the same figure as a number in the unit (0.1723 → "17.2%", 17.2)."""
        shown = _rounded(value if self.scale is None else value * self.scale, self.places, checks)
        return (format(shown, "f") if self.keep_zeros else _plain(shown)) + self.unit, shown.normalize()

    def bound(self, bound: Decimal) -> str:
        return _plain(self.scaled(bound)) + self.unit

    def amount(self, difference: Decimal) -> str:
        """A positive difference, rounded up so that a gap is never understated."""
        if self.kind == PERCENT:
            return self.points_word % {
                "amount": _plain((difference * _HUNDRED).quantize(_QUANTUM[1], ROUND_CEILING))}
        if self.integral:
            return _plain(difference.to_integral_value(ROUND_CEILING)) + self.unit
        return _plain(difference.quantize(_QUANTUM[self.places], ROUND_CEILING)) + self.unit


def _gap(texts: _Texts, fmt: _Format, label: str, unit_word: str, value: Decimal, op: str,
         bound: Decimal) -> str:
    """The gap text for a value that fails `op bound`."""
    if fmt.integral:
        # Counts and days move in whole steps, so strict comparisons have an exact answer too.
        if op == MIN:
            amount = bound.to_integral_value(ROUND_CEILING) - value
        elif op == ABOVE:
            amount = bound.to_integral_value(ROUND_FLOOR) + 1 - value
        elif op == MAX:
            amount = value - bound.to_integral_value(ROUND_FLOOR)
        else:
            amount = value - (bound.to_integral_value(ROUND_CEILING) - 1)
        words = fmt.amount(amount)
        if op in _FLOORS:
            if fmt.kind == COUNT:
                return texts.need % {"amount": _plain(amount.to_integral_value(ROUND_CEILING)) + unit_word}
            return texts.short % {"label": label, "amount": words}
        return texts.over % {"label": label, "amount": words}
    if op == ABOVE:
        return texts.must_above % {"label": label, "bound": fmt.bound(bound)}
    if op == BELOW:
        return texts.must_below % {"label": label, "bound": fmt.bound(bound)}
    if op == MIN:
        return texts.short % {"label": label, "amount": fmt.amount(bound - value)}
    return texts.over % {"label": label, "amount": fmt.amount(value - bound)}


def _points(texts: _Texts, lo: Decimal, hi: Decimal) -> str:
    if lo == hi:
        return texts.score_only % {"score": _plain(lo)}
    return texts.score_range % {"lo": _plain(lo), "hi": _plain(hi)}


# ------------------------------------------------------------------------------ metrics
