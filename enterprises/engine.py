"""Qualification screening (无感认定): rule sets are data, compiled once into closures, run per enterprise.

A rule set is a JSON object written by the bureau (or shipped in ``enterprises/rulesets/``).  It is
validated and compiled once by ``compile_ruleset``; ``CompiledRuleSet.assess`` then evaluates one
enterprise's facts on a date without parsing, copying or calling Django: every message template is
translated at compile time, so a compiled rule set speaks the language that was active when it was built.

Definition format (reference; ``enterprises/rulesets/tech_sme.json`` is a complete example)
---------------------------------------------------------------------------------------------
Top level::

    {"code": "tech_sme", "version": 1, "name": "…", "description": "…", "basis": "…",
     "years": {"count": 1, "before_assessment_year": true},
     "criteria": [<criterion>, …],
     "eligible": <expression>,
     "score": "total_score",            # optional: the scored criterion reported as Assessment.score
     "pending": ["…待专家评审", …],      # optional: fixed notes for what needs people
     "ranges": {"title": "…", "items": [<range item>, …]}}   # optional: point ranges from data

``years``: the fiscal years used are the last ``count`` years, strictly before the assessment date's year
(or up to and including it with ``before_assessment_year: false``), for which the enterprise has figures;
fewer if it has fewer.  L is the latest of them.  Default ``{"count": 1, "before_assessment_year": true}``.

Metric (a number computed from the facts; missing data makes it unknown)::

    {"field": "revenue"}                          # a field of L
    {"field": ["ip1", "ip2"]}                     # the sum of fields of L
    {"field": "total_assets", "minus": "total_liabilities"}
    {"field": "rd_expense", "over": "years_used"} # summed over the years used
    {"ratio": ["rd_expense", "revenue"]}          # in L; each side a field or a list of fields
    {"ratio": ["rd_expense", "revenue"], "over": "years_used"}   # Σ numerator ÷ Σ denominator
    {"growth": "revenue"}                         # 高企工作指引 growth rate over the years used

Growth = mean of the year-on-year ratios over the consecutive years used − 1 (needs two or more years);
a first year of 0 is skipped, a later base of 0 or below or a negative value counts as 0 growth.

Fields: revenue, total_cost, rd_expense, domestic_rd, hitech_revenue, total_assets, total_liabilities
(万元), staff, tech_staff, ip1, ip2 (counts).  A ratio with a zero denominator is unknown.

Condition: a metric plus exactly one comparison, ``{"field": "revenue", "max": 5000}``; comparisons are
``min`` (≥), ``max`` (≤), ``above`` (>), ``below`` (<); an optional ``label`` replaces the generated text.
Where a condition is expected, a list of conditions means all of them.

Criterion: ``code`` (letters, digits, _), ``name``, ``kind`` and per kind:

* ``age_days``: one comparison on the days from 成立日期 to the date, ``{"min": 365}``.
* ``threshold``: ``metric`` and one comparison, or ``bands``: ``[{"when": <condition>, "min": "0.05"}, …,
  {"min": "0.03"}]`` (first band whose ``when`` holds wins, the last band has no ``when``, every band uses
  the same comparison, and bands on the same metric must be ordered so that each can be reached).
* ``banded_score``: ``metric``, ``table`` ``[[lower bound, score], …]`` with inclusive lower bounds in
  strictly falling order and scores not rising, ``else`` (default 0).
* ``first_match``: ``cases`` ``[{"when": <condition>, "score": 30, "label": "…"}, …, {"score": 0}]``.
* ``best_of``: ``of`` a list of inline banded_score / first_match definitions (``name`` needed, ``code``
  optional, not listed separately); the better score counts.
* ``sum_score``: ``of`` a list of codes of scored criteria.
* ``qualification``: ``type`` (e.g. "高新技术企业"), valid on the date when issued ≤ date ≤ expires;
  ``valid_years`` gives the end (issued + N years − 1 day) when no expiry is recorded, otherwise an
  unrecorded expiry means still valid.
* ``condition``: ``test`` an expression over other criteria (tiers such as 金鹰 种子级/孵化级/成长级).

Optional on every criterion: ``label`` (the subject of gap texts, default ``name``, for age_days "成立"),
``listed`` (false: evaluated for expressions but not shown, e.g. a direct route), ``description``,
``basis``; on threshold and banded_score also ``format`` (percent, count, money, days, points; default
from the metric: ratios and growth percent, counts count, money money), ``unit`` (for counts, default
from the field: 人/项) and ``unit_word`` (for count gaps, "还需1项Ⅱ类知识产权").  Keys starting with "_"
are comments; any other unknown key is an error, so that a typo cannot be silently ignored.  Bounds and
scores are integers or decimal strings ("0.05"); a JSON number such as 0.05 from json.loads is read from
its shortest text, so it means exactly what was typed.

Expression (``eligible`` and ``condition.test``): a criterion code (its pass), ``{"all": [...]}``,
``{"any": [...]}``, ``{"min_score": [code, 60]}`` (score ≥ 60), ``{"score_above": [code, 0]}`` (score > 0),
and in ``eligible`` only ``{"direct": <expression>}``, a route that sets ``Assessment.direct``.  A scored
criterion passes when every min_score / score_above written on it in ``eligible`` holds (with none, when
its score is known).  Logic is three-valued: a missing input leaves the outcome unknown (资料不全) only
when the known parts do not decide it already.

Range item (notes only, never eligibility): ``{"name": "…", "kind": "banded", "metric": <metric>,
"rows": [{"min": "0.35", "points": [9, 10]}, …, {"above": "0", "points": [1, 2]}], "else": [0, 0]}`` or
``{"name": "…", "kind": "first_match", "cases": [{"when": <condition>, "points": [7, 8]}, …,
{"points": [0, 0]}]}``.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _


def gettext_noop(message: str) -> str:
    """Marks a msgid for makemessages; translated later, when a rule set is compiled."""
    return message


# ----------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class YearFigures:
    """One fiscal year of one enterprise, 万元 for money; None = not reported."""

    year: int
    revenue: Decimal | None  # 营业收入
    total_cost: Decimal | None  # 成本费用总额
    rd_expense: Decimal | None  # 研发费用
    domestic_rd: Decimal | None  # 境内研发费用
    hitech_revenue: Decimal | None  # 高新技术产品收入
    total_assets: Decimal | None
    total_liabilities: Decimal | None
    staff: int | None  # 职工总数
    tech_staff: int | None  # 科技人员数
    ip1: int | None  # Ⅰ类知识产权数
    ip2: int | None  # Ⅱ类知识产权数


@dataclass(frozen=True, slots=True)
class Qualification:
    type: str  # e.g. "高新技术企业", "科技型中小企业"
    issued: date
    expires: date | None


@dataclass(frozen=True, slots=True)
class EnterpriseFacts:
    established: date | None
    years: tuple[YearFigures, ...]  # any order
    qualifications: tuple[Qualification, ...]


# ---------------------------------------------------------------------------- outputs


@dataclass(frozen=True, slots=True)
class CriterionResult:
    code: str
    name: str
    passed: bool | None  # None = unknown (missing input)
    actual: str | None  # shown value in the criterion's unit, e.g. "4.2%", "3项", "18分（26.3%）"
    required: str  # e.g. "≥5%", "≥1项", "≤500人"
    gap: str | None  # what is missing; None when passed or unknown
    score: Decimal | None = None  # for scored criteria
    value: Decimal | None = None  # the raw number (ratio as fraction) for sorting/tests


@dataclass(frozen=True, slots=True)
class Assessment:
    ruleset: str
    version: int
    date: date
    eligible: bool | None  # None when status is incomplete and the outcome depends on unknowns
    direct: bool  # eligible through a direct qualification route
    score: Decimal | None
    status: str  # "eligible" (达标) | "not_eligible" (未达标) | "incomplete" (资料不全)
    criteria: tuple[CriterionResult, ...]
    notes: tuple[str, ...] = ()
    failed_count: int = 0  # criteria with passed False


ELIGIBLE, NOT_ELIGIBLE, INCOMPLETE = "eligible", "not_eligible", "incomplete"


class RuleSetError(ValueError):
    """A rule set definition that cannot be compiled; the message lists every problem (Chinese)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"{number}. {problem}" for number, problem in enumerate(self.problems, start=1))
        super().__init__(_("认定规则定义有误（%(count)d处）：\n%(lines)s") % {
            "count": len(self.problems), "lines": lines})


# -------------------------------------------------------------------------- vocabulary

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
}
_INT_FIELDS = frozenset(name for name, (_label, fmt, _unit) in FIELDS.items() if fmt == COUNT)

MIN, MAX, ABOVE, BELOW = "min", "max", "above", "below"
_OPS: dict[str, Callable[[Any, Any], bool]] = {MIN: operator.ge, MAX: operator.le, ABOVE: operator.gt,
                                               BELOW: operator.lt}
_SYMBOL = {MIN: "≥", MAX: "≤", ABOVE: ">", BELOW: "<"}
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

RULESET_DIR = Path(__file__).resolve().parent / "rulesets"

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

Raw = tuple  # (passed, lo score, hi score, value, detail), one per criterion per enterprise


class _Criterion:
    """Base of the compiled criteria.  evaluate() is the hot path; result() builds what is shown."""

    kind = ""
    scored = False
    explains = True  # whether an unknown result gets a 资料不全 note naming the missing input

    def __init__(self, code: str, name: str, label: str, listed: bool, texts: _Texts) -> None:
        self.code = code
        self.name = name
        self.label = label
        self.listed = listed
        self.texts = texts
        self.index = -1
        self.deps: tuple[str, ...] = ()
        # Scored criteria: (strict, bound) pairs from the eligibility expression, and what they require.
        self.constraints: tuple[tuple[bool, Decimal], ...] = ()
        self.required_text = ""
        self.max_score = _ZERO
        self.min_score = _ZERO

    def evaluate(self, facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date,
                 passed: list, lo: list, hi: list) -> Raw:
        raise NotImplementedError

    def why(self, facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date) -> str | None:
        return None

    def result(self, raw: Raw, passed: bool | None, states: list, los: list, his: list) -> CriterionResult:
        raise NotImplementedError

    # --- scored criteria

    def judge(self, lo: Decimal, hi: Decimal) -> bool | None:
        """Pass of a scored criterion from its score interval and the constraints written on it."""
        if not self.constraints:
            return True if lo == hi else None
        outcome: bool | None = True
        for strict, bound in self.constraints:
            if strict:
                verdict = True if lo > bound else (False if hi <= bound else None)
            else:
                verdict = True if lo >= bound else (False if hi < bound else None)
            if verdict is False:
                return False
            if verdict is None:
                outcome = None
        return outcome

    def failing_constraint(self, lo: Decimal, hi: Decimal) -> tuple[bool, Decimal] | None:
        for strict, bound in self.constraints:
            if (strict and hi <= bound) or (not strict and hi < bound):
                return strict, bound
        return None

    def points_gap(self, lo: Decimal, hi: Decimal, strict: bool, bound: Decimal) -> str:
        texts = self.texts
        if strict:
            return texts.must_above % {"label": self.label, "bound": _plain(bound) + texts.points_unit}
        template = texts.short if lo == hi else texts.at_least_short
        return template % {"label": self.label, "amount": _plain(bound - hi) + texts.points_unit}

    def metric_target(self, strict: bool, bound: Decimal) -> Decimal | None:
        """The lowest metric bound that earns a score meeting the constraint (banded scores only)."""
        return None

    def metric_gap(self, raw: Raw, strict: bool, bound: Decimal) -> str | None:
        return None

    def score_gap(self, raw: Raw, lo: Decimal, hi: Decimal) -> str | None:
        failing = self.failing_constraint(lo, hi)
        if failing is None:
            return None
        if lo == hi:
            text = self.metric_gap(raw, *failing)
            if text is not None:
                return text
        return self.points_gap(lo, hi, *failing)

    def prepare_scored(self) -> None:
        """Called once the constraints are known: the required text."""
        texts = self.texts
        if not self.constraints:
            self.required_text = texts.full_marks % {"max": _plain(self.max_score)}
            return
        parts = []
        for strict, bound in self.constraints:
            text = (">" if strict else "≥") + _plain(bound) + texts.points_unit
            target = self.target_text(strict, bound)
            parts.append(texts.with_target % {"score": text, "target": target} if target else text)
        self.required_text = "、".join(parts)

    def target_text(self, strict: bool, bound: Decimal) -> str | None:
        return None


class _Threshold(_Criterion):
    kind = THRESHOLD

    def __init__(self, code: str, name: str, label: str, listed: bool, texts: _Texts, metric: _Metric,
                 fmt: _Format, unit_word: str, single: tuple[str, Decimal] | None,
                 bands: list[tuple[_Condition | None, str, Decimal, str]] | None) -> None:
        super().__init__(code, name, label, listed, texts)
        self.metric = metric.fn
        self.metric_why = metric.why
        self.fmt = fmt
        self.unit_word = unit_word
        if single is not None:
            self.op, self.bound = single
            self.test = _OPS[self.op]
            self.required_text = _SYMBOL[self.op] + fmt.bound(self.bound)
            self.checks = (fmt.scaled(self.bound),)
            self.bands = None
        else:
            assert bands is not None
            self.bands = tuple((cond, _OPS[op], op, bound, required) for cond, op, bound, required in bands)
            self.op = bands[0][1]
            self.band_checks = tuple((fmt.scaled(bound),) for _cond, _op, bound, _text in bands)
            self.checks = tuple(fmt.scaled(bound) for _cond, _op, bound, _text in bands)
            self.required_text = "；".join(required for _cond, _op, _bound, required in bands)

    def evaluate(self, facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date,
                 passed: list, lo: list, hi: list) -> Raw:
        value = self.metric(facts, used, latest, on)
        bands = self.bands
        if bands is None:
            if value is None:
                return (None, None, None, None, -1)
            return (self.test(value, self.bound), None, None, value, -1)
        candidates: list[int] | None = None
        for index, band in enumerate(bands):
            cond = band[0]
            holds = True if cond is None else cond.fn(facts, used, latest, on)
            if holds is False:
                continue
            if holds is True and candidates is None:
                if value is None:
                    return (None, None, None, None, index)
                return (band[1](value, band[3]), None, None, value, index)
            if candidates is None:
                candidates = [index]
            else:
                candidates.append(index)
            if holds is True:
                break
        # The band is unknown: the outcome is still decided when the value passes (or fails) them all.
        if value is None or candidates is None:
            return (None, None, None, value, -1)
        verdicts = {bands[index][1](value, bands[index][3]) for index in candidates}
        if len(verdicts) == 1:
            return (verdicts.pop(), None, None, value, tuple(candidates))
        return (None, None, None, value, -1)

    def why(self, facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date) -> str | None:
        if self.metric(facts, used, latest, on) is None:
            return self.metric_why(facts, used, latest, on)
        for cond, *_rest in self.bands or ():
            if cond is not None and cond.fn(facts, used, latest, on) is None:
                return cond.why(facts, used, latest, on)
        return None

    def result(self, raw: Raw, passed: bool | None, states: list, los: list, his: list) -> CriterionResult:
        value = raw[3]
        where = raw[4]
        if self.bands is None:
            required = self.required_text
            op, bound, checks = self.op, self.bound, self.checks
        elif type(where) is int and where >= 0:
            band = self.bands[where]
            required, op, bound, checks = band[4], band[2], band[3], self.band_checks[where]
        else:
            required, op, checks = self.required_text, self.op, self.checks
            # Band unknown but the outcome decided: measure the gap against the easiest band.
            bounds = [self.bands[index][3] for index in where] if type(where) is tuple else [_ZERO]
            bound = min(bounds) if op in _FLOORS else max(bounds)
        gap = None
        if passed is False:
            gap = _gap(self.texts, self.fmt, self.label, self.unit_word, value, op, bound)
        return CriterionResult(self.code, self.name, passed,
                               None if value is None else self.fmt.show(value, checks), required, gap,
                               None, value)


class _Banded(_Criterion):
    kind = BANDED_SCORE
    scored = True

    def __init__(self, code: str, name: str, label: str, listed: bool, texts: _Texts, metric: _Metric,
                 fmt: _Format, rows: list[tuple[Decimal, Decimal]], otherwise: Decimal) -> None:
        super().__init__(code, name, label, listed, texts)
        self.metric = metric.fn
        self.metric_why = metric.why
        self.fmt = fmt
        self.rows = tuple(rows)
        self.otherwise = otherwise
        self.max_score = max([otherwise, *(score for _bound, score in rows)])
        self.min_score = min([otherwise, *(score for _bound, score in rows)])
        self.checks = tuple(fmt.scaled(bound) for bound, _score in rows)
        self.fragments = {score: _fragments(texts.score_detail, score=_plain(score))
                          for score in [otherwise, *(score for _bound, score in rows)]}

    def evaluate(self, facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date,
                 passed: list, lo: list, hi: list) -> Raw:
        value = self.metric(facts, used, latest, on)
        if value is None:
            return (None, self.min_score, self.max_score, None, None)
        for bound, score in self.rows:
            if value >= bound:
                return (None, score, score, value, None)
        return (None, self.otherwise, self.otherwise, value, None)

    def why(self, facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date) -> str | None:
        return self.metric_why(facts, used, latest, on)

    def metric_target(self, strict: bool, bound: Decimal) -> Decimal | None:
        target = None
        for row_bound, score in self.rows:  # highest bound first
            if score > bound if strict else score >= bound:
                target = row_bound
        return target

    def target_text(self, strict: bool, bound: Decimal) -> str | None:
        target = self.metric_target(strict, bound)
        return None if target is None else self.label + "≥" + self.fmt.bound(target)

    def metric_gap(self, raw: Raw, strict: bool, bound: Decimal) -> str | None:
        target = self.metric_target(strict, bound)
        if target is None or raw[3] is None:
            return None
        return _gap(self.texts, self.fmt, self.label, "", raw[3], MIN, target)

    def detail(self, raw: Raw) -> str:
        return self.fmt.show(raw[3], self.checks)

    def result(self, raw: Raw, passed: bool | None, states: list, los: list, his: list) -> CriterionResult:
        lo, hi, value = raw[1], raw[2], raw[3]
        known = lo == hi
        actual = None
        if value is not None:
            before, after = self.fragments[lo]
            actual = before + self.fmt.show(value, self.checks) + after
        gap = self.score_gap(raw, lo, hi) if passed is False else None
        return CriterionResult(self.code, self.name, passed, actual, self.required_text, gap,
                               lo if known else None, value)


class _FirstMatch(_Criterion):
    kind = FIRST_MATCH
    scored = True

    def __init__(self, code: str, name: str, label: str, listed: bool, texts: _Texts,
                 cases: list[tuple[_Condition | None, Decimal, str]]) -> None:
        super().__init__(code, name, label, listed, texts)
        self.cases = tuple(cases)
        self.max_score = max(score for _cond, score, _text in cases)
        self.min_score = min(score for _cond, score, _text in cases)
        self.actuals = tuple(
            texts.score_detail % {"score": _plain(score), "detail": text} if text
            else texts.score_only % {"score": _plain(score)} for _cond, score, text in cases)

    def evaluate(self, facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date,
                 passed: list, lo: list, hi: list) -> Raw:
        low = high = None
        matched = -1
        unsure = False
        for index, (cond, score, _text) in enumerate(self.cases):
            holds = True if cond is None else cond.fn(facts, used, latest, on)
            if holds is False:
                continue
            if low is None or score < low:
                low = score
            if high is None or score > high:
                high = score
            if holds is True:
                if not unsure:
                    matched = index
                break
            unsure = True  # this case might hold: its score and every later candidate stay possible
        return (None, low, high, low if low == high else None, matched)

    def why(self, facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date) -> str | None:
        for cond, _score, _text in self.cases:
            if cond is not None and cond.fn(facts, used, latest, on) is None:
                return cond.why(facts, used, latest, on)
        return None

    def result(self, raw: Raw, passed: bool | None, states: list, los: list, his: list) -> CriterionResult:
        lo, hi = raw[1], raw[2]
        known = lo == hi
        if not known:
            actual = None
        elif raw[4] >= 0:
            actual = self.actuals[raw[4]]
        else:  # several cases were possible but all give this score
            actual = _points(self.texts, lo, hi)
        gap = self.score_gap(raw, lo, hi) if passed is False else None
        return CriterionResult(self.code, self.name, passed, actual, self.required_text, gap,
                               lo if known else None, lo if known else None)


class _BestOf(_Criterion):
    kind = BEST_OF
    scored = True

    def __init__(self, code: str, name: str, label: str, listed: bool, texts: _Texts,
                 subs: list[_Criterion]) -> None:
        super().__init__(code, name, label, listed, texts)
        self.subs = tuple(subs)
        self.max_score = max(sub.max_score for sub in subs)
        self.min_score = max(sub.min_score for sub in subs)

    def evaluate(self, facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date,
                 passed: list, lo: list, hi: list) -> Raw:
        raws = tuple(sub.evaluate(facts, used, latest, on, passed, lo, hi) for sub in self.subs)
        low = high = None
        best = -1
        for index, raw in enumerate(raws):
            if low is None or raw[1] > low:
                low = raw[1]
            if high is None or raw[2] > high:
                high = raw[2]
            # The first of equal scores is shown: the order in the definition is the preferred reading.
            if raw[1] == raw[2] and (best < 0 or raw[1] > raws[best][1]):
                best = index
        if low != high or best < 0 or raws[best][1] != low:
            return (None, low, high, None, (raws, -1))
        return (None, low, high, raws[best][3], (raws, best))

    def why(self, facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date) -> str | None:
        for sub in self.subs:
            reason = sub.why(facts, used, latest, on)
            if reason:
                return reason
        return None

    def target_text(self, strict: bool, bound: Decimal) -> str | None:
        parts = [text for sub in self.subs if (text := sub.target_text(strict, bound))]
        return self.texts.any_join.join(parts) if parts else None

    def metric_gap(self, raw: Raw, strict: bool, bound: Decimal) -> str | None:
        raws = raw[4][0]
        parts = [text for sub, sub_raw in zip(self.subs, raws, strict=True)
                 if (text := sub.metric_gap(sub_raw, strict, bound))]
        return self.texts.or_join.join(parts) if parts else None

    def result(self, raw: Raw, passed: bool | None, states: list, los: list, his: list) -> CriterionResult:
        lo, hi, value = raw[1], raw[2], raw[3]
        raws, best = raw[4]
        known = lo == hi
        texts = self.texts
        actual = None
        if known and best >= 0:
            sub = self.subs[best]
            if isinstance(sub, _Banded):
                before, after = sub.fragments[lo]
                actual = before + sub.label + sub.detail(raws[best]) + after
            else:
                actual = sub.actuals[raws[best][4]] if raws[best][4] >= 0 else _points(texts, lo, hi)
        gap = self.score_gap(raw, lo, hi) if passed is False else None
        return CriterionResult(self.code, self.name, passed, actual, self.required_text, gap,
                               lo if known else None, value)


class _Sum(_Criterion):
    kind = SUM_SCORE
    scored = True
    explains = False  # its parts say what is missing

    def __init__(self, code: str, name: str, label: str, listed: bool, texts: _Texts,
                 of: tuple[str, ...]) -> None:
        super().__init__(code, name, label, listed, texts)
        self.deps = of
        self.parts: tuple[int, ...] = ()
        # Totals come from finite score tables, so their texts are few; filled on first use (a race
        # between threads only computes the same text twice).
        self.shown: dict[tuple[Decimal, Decimal], str] = {}

    def evaluate(self, facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date,
                 passed: list, lo: list, hi: list) -> Raw:
        low = high = _ZERO
        for index in self.parts:
            low += lo[index]
            high += hi[index]
        return (None, low, high, low if low == high else None, None)

    def result(self, raw: Raw, passed: bool | None, states: list, los: list, his: list) -> CriterionResult:
        lo, hi = raw[1], raw[2]
        known = lo == hi
        gap = self.score_gap(raw, lo, hi) if passed is False else None
        shown = self.shown.get((lo, hi))
        if shown is None:
            shown = self.shown[(lo, hi)] = _points(self.texts, lo, hi)
        return CriterionResult(self.code, self.name, passed, shown, self.required_text,
                               gap, lo if known else None, lo if known else None)


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return date(day.year + years, 3, 1)


class _Qualification(_Criterion):
    kind = QUALIFICATION
    explains = False  # never unknown: no record means not held

    def __init__(self, code: str, name: str, label: str, listed: bool, texts: _Texts, type_: str,
                 valid_years: int | None) -> None:
        super().__init__(code, name, label, listed, texts)
        self.type = type_
        self.valid_years = valid_years
        self.required_text = texts.holds % {"type": type_}
        self.not_held = texts.not_held % {"type": type_}

    def evaluate(self, facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date,
                 passed: list, lo: list, hi: list) -> Raw:
        valid = False
        valid_end: date | None = None
        expired: date | None = None
        for qualification in facts.qualifications:
            if qualification.type != self.type:
                continue
            end = qualification.expires
            if end is None and self.valid_years is not None:
                end = _years_later(qualification.issued, self.valid_years) - timedelta(days=1)
            if qualification.issued <= on and (end is None or on <= end):
                # Of several valid certificates, show the one that runs longest (None: no end recorded).
                if not valid or (valid_end is not None and (end is None or end > valid_end)):
                    valid_end = end
                valid = True
            elif end is not None and end < on and (expired is None or end > expired):
                expired = end
        return (valid, None, None, None, valid_end if valid else expired)

    def result(self, raw: Raw, passed: bool | None, states: list, los: list, his: list) -> CriterionResult:
        texts = self.texts
        when = raw[4]
        if passed:
            actual = texts.valid_open if when is None else texts.valid_until % {"date": texts.day(when)}
            gap = None
        elif when is not None:
            actual = texts.expired_on % {"date": texts.day(when)}
            gap = texts.expired_gap % {"type": self.type, "date": texts.day(when)}
        else:
            actual = texts.nothing
            gap = self.not_held
        return CriterionResult(self.code, self.name, passed, actual, self.required_text, gap)


class _ConditionCriterion(_Criterion):
    kind = CONDITION
    explains = False

    def __init__(self, code: str, name: str, label: str, listed: bool, texts: _Texts) -> None:
        super().__init__(code, name, label, listed, texts)
        self.test: Callable[[list, list, list], bool | None] = lambda states, los, his: None
        self.leaves: tuple = ()

    def evaluate(self, facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date,
                 passed: list, lo: list, hi: list) -> Raw:
        return (self.test(passed, lo, hi), None, None, None, None)

    def result(self, raw: Raw, passed: bool | None, states: list, los: list, his: list) -> CriterionResult:
        texts = self.texts
        actual = None if passed is None else (texts.met if passed else texts.not_met)
        gap = None
        if passed is False:
            items = []
            for criterion, strict, bound in self.leaves:
                index = criterion.index
                if bound is None:
                    if states[index] is False:
                        items.append(criterion.name)
                else:
                    lo, hi = los[index], his[index]
                    if (strict and hi <= bound) or (not strict and hi < bound):
                        items.append(criterion.points_gap(lo, hi, strict, bound))
            gap = texts.unmet % {"items": "；".join(items)} if items else texts.not_met
        return CriterionResult(self.code, self.name, passed, actual, self.required_text, gap)


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


# ----------------------------------------------------------------------------- compiler


class _Compiler:
    def __init__(self, definition: Any) -> None:
        self.definition = definition
        self.problems: list[str] = []
        self.texts = _Texts()
        self.before = True
        self.count = 1

    # --- problem reporting and primitive checks

    def problem(self, where: str, message: str, **params: Any) -> None:
        self.problems.append(_("%(where)s：%(message)s") % {"where": where, "message": _(message) % params})

    def keys(self, spec: Any, where: str, allowed: set[str], required: Sequence[str] = ()) -> bool:
        if not isinstance(spec, dict):
            self.problem(where, gettext_noop("应为对象（{…}）"))
            return False
        for key in spec:
            if not isinstance(key, str) or (key not in allowed and not key.startswith("_")):
                self.problem(where, gettext_noop("未知的参数“%(key)s”"), key=key)
        ok = True
        for key in required:
            if key not in spec:
                self.problem(where, gettext_noop("缺少“%(key)s”"), key=key)
                ok = False
        return ok

    def number(self, value: Any, where: str) -> Decimal | None:
        if isinstance(value, bool):
            self.problem(where, gettext_noop("“%(value)s”不是数值"), value=value)
            return None
        if isinstance(value, float):
            # A JSON number parsed by json.loads: its shortest repr is exactly what was typed.
            value = repr(value)
        if isinstance(value, int | Decimal):
            number = Decimal(value)
        elif isinstance(value, str):
            try:
                number = Decimal(value.strip())
            except InvalidOperation:
                number = None
        else:
            number = None
        if number is None or not number.is_finite():
            self.problem(where, gettext_noop("“%(value)s”不是数值"), value=value)
            return None
        return number

    def text(self, spec: dict, key: str, where: str, default: str = "") -> str:
        value = spec.get(key, default)
        if not isinstance(value, str):
            self.problem(f"{where}.{key}", gettext_noop("应为文字"))
            return default
        return value

    def one_comparison(self, spec: dict, where: str) -> tuple[str, Decimal] | None:
        found = [key for key in (MIN, MAX, ABOVE, BELOW) if key in spec]
        if len(found) != 1:
            self.problem(where, gettext_noop("应恰好给出min（≥）、max（≤）、above（>）、below（<）中的一个"))
            return None
        bound = self.number(spec[found[0]], f"{where}.{found[0]}")
        return None if bound is None else (found[0], bound)

    def fields(self, value: Any, where: str) -> tuple[str, ...] | None:
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names:
            self.problem(where, gettext_noop("应为字段名或非空的字段名列表"))
            return None
        ok = True
        for name in names:
            if not isinstance(name, str) or name not in FIELDS:
                self.problem(where, gettext_noop("未知的字段“%(field)s”（可用：%(known)s）"), field=name,
                             known="、".join(FIELDS))
                ok = False
        return tuple(names) if ok else None

    def format(self, spec: dict, where: str, default: str, unit_default: str) -> _Format:
        kind = spec.get("format", default)
        if kind not in FORMATS:
            self.problem(f"{where}.format", gettext_noop("未知的格式“%(format)s”（可用：%(known)s）"),
                         format=kind, known="、".join(FORMATS))
            kind = default
        return _Format(kind, self.text(spec, "unit", where, unit_default), self.texts)

    # --- metrics and conditions

    def field_label(self, names: tuple[str, ...], minus: tuple[str, ...] = ()) -> str:
        label = "+".join(self.texts.fields[name] for name in names)
        if minus:
            label += "−" + "−".join(self.texts.fields[name] for name in minus)
        return label

    def metric(self, spec: Any, where: str, condition: bool = False) -> _Metric | None:
        # A comparison inside a criterion's metric would be silently ignored, so only conditions take one.
        allowed = _METRIC_KEYS | {MIN, MAX, ABOVE, BELOW, "label"} if condition else _METRIC_KEYS
        if not self.keys(spec, where, allowed):
            return None
        kinds = [key for key in ("field", "ratio", "growth") if key in spec]
        if len(kinds) != 1:
            self.problem(where, gettext_noop("应恰好给出field、ratio、growth中的一个"))
            return None
        kind = kinds[0]
        over = spec.get("over", YEARS_USED if kind == "growth" else LATEST)
        if over not in (LATEST, YEARS_USED) or (kind == "growth" and over != YEARS_USED):
            self.problem(f"{where}.over", gettext_noop("应为“latest”（最近一年）或“years_used”（所用年度合计）"))
            return None
        minus: tuple[str, ...] = ()
        if "minus" in spec:
            if kind == "ratio":
                self.problem(f"{where}.minus", gettext_noop("ratio不能与minus同用"))
                return None
            found = self.fields(spec["minus"], f"{where}.minus")
            if found is None:
                return None
            minus = found
        if kind == "ratio":
            pair = spec["ratio"]
            if not isinstance(pair, list) or len(pair) != 2:
                self.problem(f"{where}.ratio", gettext_noop("应为[分子, 分母]"))
                return None
            numerator = self.fields(pair[0], f"{where}.ratio[0]")
            denominator = self.fields(pair[1], f"{where}.ratio[1]")
            if numerator is None or denominator is None:
                return None
            return self.ratio_metric(numerator, denominator, over == YEARS_USED)
        names = self.fields(spec[kind], f"{where}.{kind}")
        if names is None:
            return None
        if kind == "growth":
            return self.growth_metric(names, minus)
        return self.sum_metric(names, minus, over == YEARS_USED)

    def no_years(self, on: date) -> str:
        texts = self.texts
        return (texts.no_years_before if self.before else texts.no_years_until) % {"year": on.year}

    def missing(self, records: Sequence[YearFigures], names: tuple[str, ...]) -> str | None:
        for record in records:
            for name in names:
                if getattr(record, name) is None:
                    return self.texts.missing_field % {"year": record.year, "field": self.texts.fields[name]}
        return None

    def sum_metric(self, names: tuple[str, ...], minus: tuple[str, ...], over_years: bool) -> _Metric:
        add = _adder(names, minus)
        every = names + minus
        texts = self.texts
        no_years = self.no_years
        missing = self.missing

        if over_years:
            def fn(facts: EnterpriseFacts, used: tuple, latest: YearFigures | None,
                   on: date) -> Decimal | None:
                if not used:
                    return None
                total = _ZERO
                for record in used:
                    value = add(record)
                    if value is None:
                        return None
                    total += value
                return total
        else:
            def fn(facts: EnterpriseFacts, used: tuple, latest: YearFigures | None,
                   on: date) -> Decimal | None:
                return None if latest is None else add(latest)

        def why(facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date) -> str:
            if latest is None:
                return no_years(on)
            return missing(used if over_years else (latest,), every) or ""

        fmts = {FIELDS[name][1] for name in every}
        units = {texts.field_units[name] for name in every}
        fmt = COUNT if fmts == {COUNT} else MONEY
        label = self.field_label(names, minus)
        if len(names) > 1 and not minus:
            label = texts.sum_label % {"fields": label}
        if over_years:
            label = texts.used_label % {"label": label}
        return _Metric(fn, why, label, fmt, units.pop() if len(units) == 1 else "",
                       ("sum", names, minus, over_years))

    def ratio_metric(self, numerator: tuple[str, ...], denominator: tuple[str, ...],
                     over_years: bool) -> _Metric:
        top = _adder(numerator, ())
        bottom = _adder(denominator, ())
        texts = self.texts
        no_years = self.no_years
        missing = self.missing
        every = numerator + denominator
        denominator_label = self.field_label(denominator)

        if over_years:
            def fn(facts: EnterpriseFacts, used: tuple, latest: YearFigures | None,
                   on: date) -> Decimal | None:
                if not used:
                    return None
                num = den = _ZERO
                for record in used:
                    a = top(record)
                    b = bottom(record)
                    if a is None or b is None:
                        return None
                    num += a
                    den += b
                # A zero denominator makes the ratio meaningless, not passing or failing: unknown.
                return None if not den else num / den
        else:
            def fn(facts: EnterpriseFacts, used: tuple, latest: YearFigures | None,
                   on: date) -> Decimal | None:
                if latest is None:
                    return None
                a = top(latest)
                if a is None:
                    return None
                b = bottom(latest)
                return None if not b else a / b

        def why(facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date) -> str:
            if latest is None:
                return no_years(on)
            reason = missing(used if over_years else (latest,), every)
            if reason:
                return reason
            if over_years:
                return texts.zero_years % {"field": denominator_label}
            return texts.zero_latest % {"year": latest.year, "field": denominator_label}

        label = self.field_label(numerator) + "/" + denominator_label
        if over_years:
            label = texts.used_label % {"label": label}
        return _Metric(fn, why, label, PERCENT, "", ("ratio", numerator, denominator, over_years))

    def growth_metric(self, names: tuple[str, ...], minus: tuple[str, ...]) -> _Metric:
        """Growth rate as the 高企认定工作指引 defines it for 成长性.

        rate = mean of the year-on-year ratios over consecutive years used − 1.  A first year of 0 is
        skipped (按后两年计算); a later base of 0 or below, or a negative value, counts as 0 growth (按0分计算).
        """
        value_of = _adder(names, minus)
        texts = self.texts
        label = self.field_label(names, minus)
        every = names + minus
        missing = self.missing

        def series(used: tuple) -> list[Decimal] | None:
            values = []
            previous = None
            for record in used:
                value = value_of(record)
                if value is None or (previous is not None and record.year != previous + 1):
                    return None
                previous = record.year
                values.append(value)
            return values

        def fn(facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date) -> Decimal | None:
            if len(used) < 2:
                return None
            values = series(used)
            if values is None:
                return None
            start = 1 if values[0] == 0 else 0
            if len(values) - start < 2:
                return None
            total = _ZERO
            for base, following in zip(values[start:-1], values[start + 1:], strict=True):
                if base <= 0 or following < 0:
                    return _ZERO
                total += following / base
            return total / (len(values) - start - 1) - _ONE

        def why(facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date) -> str:
            reason = missing(used, every)
            if reason:
                return reason
            values = series(used)
            if values is not None and len(values) == 2 and values[0] == 0:
                return texts.growth_first_zero % {"year": used[0].year, "field": label}
            return texts.growth_years % {"field": label}

        return _Metric(fn, why, texts.growth_label % {"field": label}, PERCENT, "", ("growth", names, minus))

    def condition(self, spec: Any, where: str) -> _Condition | None:
        if isinstance(spec, list):
            if not spec:
                self.problem(where, gettext_noop("不能为空"))
                return None
            parts = [self.condition(item, f"{where}[{index}]") for index, item in enumerate(spec)]
            if any(part is None for part in parts):
                return None
            if len(parts) == 1:
                return parts[0]
            return _all_conditions([part for part in parts if part is not None], self.texts)
        metric = self.metric(spec, where, condition=True)
        if metric is None:
            return None
        comparison = self.one_comparison(spec, where)
        if comparison is None:
            return None
        op, bound = comparison
        fmt = _Format(metric.fmt, metric.unit, self.texts)
        text = self.text(spec, "label", where) or metric.label + _SYMBOL[op] + fmt.bound(bound)
        test = _OPS[op]
        measure = metric.fn

        def fn(facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date) -> bool | None:
            value = measure(facts, used, latest, on)
            return None if value is None else test(value, bound)

        condition = _Condition(fn, metric.why, text, metric.key, op, bound)
        condition.single = (metric, fmt)
        return condition

    # --- criteria

    def criterion(self, spec: Any, where: str, inline: bool = False) -> _Criterion | None:
        if not isinstance(spec, dict):
            self.problem(where, gettext_noop("应为对象（{…}）"))
            return None
        kind = spec.get("kind")
        if kind not in KINDS or (inline and kind not in (BANDED_SCORE, FIRST_MATCH)):
            known = (BANDED_SCORE, FIRST_MATCH) if inline else KINDS
            self.problem(f"{where}.kind", gettext_noop("未知的判定类型“%(kind)s”（可用：%(known)s）"),
                         kind=kind, known="、".join(known))
            return None
        required = (("name",) if inline else ("code", "name")) + _KIND_REQUIRED[kind]
        if not self.keys(spec, where, _COMMON_KEYS | _KIND_KEYS[kind], required):
            return None
        code = spec.get("code", "")
        if not isinstance(code, str) or (code or not inline) and not _CODE.match(code):
            self.problem(f"{where}.code", gettext_noop("代码应由字母、数字和下划线组成，且不以数字开头"))
            return None
        name = self.text(spec, "name", where)
        if not name:
            self.problem(f"{where}.name", gettext_noop("不能为空"))
        # "成立还差3天" reads better than the criterion's name as the subject of an age gap.
        label = self.text(spec, "label", where) or (self.texts.age_label if kind == AGE_DAYS else name)
        listed = spec.get("listed", True)
        if not isinstance(listed, bool):
            self.problem(f"{where}.listed", gettext_noop("应为true或false"))
            listed = True
        texts = self.texts
        args = (code, name, label, listed, texts)

        if kind == AGE_DAYS:
            comparison = self.one_comparison(spec, where)
            if comparison is None:
                return None
            fmt = _Format(DAYS, "", texts)
            return _Threshold(*args, _age_metric(texts), fmt, "", comparison, None)

        if kind == THRESHOLD:
            metric = self.metric(spec["metric"], f"{where}.metric")
            # The bounds are checked even when the metric is wrong, so that every problem is listed.
            fmt = self.format(spec, where, metric.fmt if metric else COUNT, metric.unit if metric else "")
            unit_word = self.text(spec, "unit_word", where) or fmt.unit + label
            if "bands" in spec:
                if any(key in spec for key in (MIN, MAX, ABOVE, BELOW)):
                    self.problem(where, gettext_noop("bands与min、max、above、below不能同时给出"))
                    return None
                bands = self.bands(spec["bands"], f"{where}.bands", fmt)
                if bands is None or metric is None:
                    return None
                return _Threshold(*args, metric, fmt, unit_word, None, bands)
            comparison = self.one_comparison(spec, where)
            if comparison is None or metric is None:
                return None
            return _Threshold(*args, metric, fmt, unit_word, comparison, None)

        if kind == BANDED_SCORE:
            metric = self.metric(spec["metric"], f"{where}.metric")
            rows = self.score_table(spec["table"], f"{where}.table")
            otherwise = self.number(spec.get("else", 0), f"{where}.else")
            if metric is None or rows is None or otherwise is None:
                return None
            if rows and otherwise > rows[-1][1]:
                self.problem(f"{where}.else", gettext_noop("“其余”得分不应高于最低一档"))
                return None
            fmt = self.format(spec, where, metric.fmt, metric.unit)
            return _Banded(*args, metric, fmt, rows, otherwise)

        if kind == FIRST_MATCH:
            cases = self.cases(spec["cases"], f"{where}.cases", "score")
            if cases is None:
                return None
            return _FirstMatch(*args, [(cond, score, text) for cond, score, _high, text in cases])

        if kind == BEST_OF:
            of = spec.get("of")
            if not isinstance(of, list) or len(of) < 2:
                self.problem(f"{where}.of", gettext_noop("应为至少两个计分子项的列表"))
                return None
            subs = [self.criterion(item, f"{where}.of[{index}]", inline=True) for index, item in enumerate(of)]
            if any(sub is None for sub in subs):
                return None
            return _BestOf(*args, [sub for sub in subs if sub is not None])

        if kind == SUM_SCORE:
            of = spec.get("of")
            if not isinstance(of, list) or not of or not all(isinstance(item, str) for item in of):
                self.problem(f"{where}.of", gettext_noop("应为计分项代码的非空列表"))
                return None
            if len(set(of)) != len(of):
                self.problem(f"{where}.of", gettext_noop("同一计分项不能重复计入"))
                return None
            return _Sum(*args, tuple(of))

        if kind == QUALIFICATION:
            type_ = spec.get("type")
            if not isinstance(type_, str) or not type_:
                self.problem(f"{where}.type", gettext_noop("应为资格类型名称，如“高新技术企业”"))
                return None
            years = spec.get("valid_years")
            if years is not None and (isinstance(years, bool) or not isinstance(years, int) or years < 1):
                self.problem(f"{where}.valid_years", gettext_noop("应为正整数"))
                return None
            return _Qualification(*args, type_, years)

        # CONDITION: the test is compiled once every code is known.
        return _ConditionCriterion(*args)

    def bands(self, spec: Any, where: str, fmt: _Format) -> list | None:
        if not isinstance(spec, list) or not spec:
            self.problem(where, gettext_noop("应为非空列表"))
            return None
        bands: list[tuple[_Condition | None, str, Decimal, str]] = []
        texts = self.texts
        ok = True
        for index, band in enumerate(spec):
            here = f"{where}[{index}]"
            if not self.keys(band, here, {"when", MIN, MAX, ABOVE, BELOW, "label"}):
                ok = False
                continue
            last = index == len(spec) - 1
            if last and "when" in band:
                self.problem(here, gettext_noop("最后一档不应写when，它适用于其余情形"))
                ok = False
            if not last and "when" not in band:
                self.problem(here, gettext_noop("只有最后一档可以不写when"))
                ok = False
            cond = self.condition(band["when"], f"{here}.when") if "when" in band else None
            comparison = self.one_comparison(band, here)
            if comparison is None or ("when" in band and cond is None):
                ok = False
                continue
            op, bound = comparison
            if bands and op != bands[0][1]:
                self.problem(here, gettext_noop("各档应使用同一种比较（都用min或都用max等）"))
                ok = False
            bands.append((cond, op, bound, self.text(band, "label", here)))
        if not ok:
            return None
        # Ordering: with first-match-wins, a band after a wider one on the same measure is unreachable.
        conds = [cond for cond, _op, _bound, _text in bands]
        for index in range(1, len(conds) - 1):
            before, after = conds[index - 1], conds[index]
            assert before is not None and after is not None
            if before.key is None or before.key != after.key or before.op != after.op:
                continue
            assert before.bound is not None and after.bound is not None
            rising = before.op in (MAX, BELOW)
            if (after.bound <= before.bound) if rising else (after.bound >= before.bound):
                self.problem(f"{where}[{index}].when", gettext_noop(
                    "分档顺序有误：第%(number)d档的条件被前一档覆盖，永远不会用到"), number=index + 1)
                ok = False
        if not ok:
            return None
        out = []
        for index, (cond, op, bound, label) in enumerate(bands):
            when = label or self.band_text(conds, index)
            out.append((cond, op, bound, texts.band_required % {"bound": _SYMBOL[op] + fmt.bound(bound),
                                                               "when": when}))
        return out

    def band_text(self, conds: list[_Condition | None], index: int) -> str:
        """Band condition as read with first-match-wins: "营业收入>5000万元且≤20000万元"."""
        texts = self.texts
        cond = conds[index]
        previous = conds[index - 1] if index else None
        same = (previous is not None and previous.key is not None and getattr(previous, "single", None)
                and (cond is None or (cond.key == previous.key and cond.op == previous.op)))
        if not same:
            return cond.text if cond is not None else texts.other_cases
        assert previous is not None and previous.op is not None and previous.bound is not None
        metric, fmt = previous.single
        low = _COMPLEMENT[previous.op] + fmt.bound(previous.bound)
        if cond is None:
            return metric.label + low
        assert cond.op is not None and cond.bound is not None
        return texts.between % {"label": metric.label, "low": low, "high": _SYMBOL[cond.op] + fmt.bound(cond.bound)}

    def score_table(self, spec: Any, where: str) -> list[tuple[Decimal, Decimal]] | None:
        if not isinstance(spec, list) or not spec:
            self.problem(where, gettext_noop("应为[[下限, 得分], …]的非空列表"))
            return None
        rows = []
        for index, row in enumerate(spec):
            here = f"{where}[{index}]"
            if not isinstance(row, list) or len(row) != 2:
                self.problem(here, gettext_noop("应为[下限, 得分]"))
                return None
            bound = self.number(row[0], f"{here}[0]")
            score = self.number(row[1], f"{here}[1]")
            if bound is None or score is None:
                return None
            rows.append((bound, score))
        for index in range(1, len(rows)):
            if rows[index][0] >= rows[index - 1][0]:
                self.problem(f"{where}[{index}]", gettext_noop("分档顺序有误：下限应从高到低严格递减"))
                return None
            if rows[index][1] > rows[index - 1][1]:
                self.problem(f"{where}[{index}]", gettext_noop("分档顺序有误：下限更低的档得分不应更高"))
                return None
        return rows

    def cases(self, spec: Any, where: str, key: str) -> list | None:
        """First-match cases: (condition or None, lo, hi, text); key "score" (one number) or "points"."""
        if not isinstance(spec, list) or not spec:
            self.problem(where, gettext_noop("应为非空列表"))
            return None
        out = []
        ok = True
        for index, case in enumerate(spec):
            here = f"{where}[{index}]"
            if not self.keys(case, here, {"when", key, "label"}, (key,)):
                ok = False
                continue
            last = index == len(spec) - 1
            if last and "when" in case:
                self.problem(here, gettext_noop("最后一项不应写when，它适用于其余情形"))
                ok = False
            if not last and "when" not in case:
                self.problem(here, gettext_noop("只有最后一项可以不写when"))
                ok = False
            cond = self.condition(case["when"], f"{here}.when") if "when" in case else None
            if "when" in case and cond is None:
                ok = False
            if key == "score":
                low = high = self.number(case[key], f"{here}.{key}")
            else:
                low, high = self.point_pair(case[key], f"{here}.{key}")
            if low is None or high is None:
                ok = False
                continue
            text = self.text(case, "label", here) or (cond.text if cond is not None else "")
            out.append((cond, low, high, text))
        return out if ok else None

    def point_pair(self, spec: Any, where: str) -> tuple[Decimal | None, Decimal | None]:
        if not isinstance(spec, list) or len(spec) != 2:
            self.problem(where, gettext_noop("应为[最低分, 最高分]"))
            return None, None
        low = self.number(spec[0], f"{where}[0]")
        high = self.number(spec[1], f"{where}[1]")
        if low is not None and high is not None and low > high:
            self.problem(where, gettext_noop("最低分不应高于最高分"))
            return None, None
        return low, high

    # --- expressions

    def expression(self, spec: Any, where: str, codes: dict[str, _Criterion], top: bool,
                   constraints: list | None) -> _Expr | None:
        texts = self.texts
        if isinstance(spec, str):
            criterion = codes.get(spec)
            if criterion is None:
                self.problem(where, gettext_noop("引用了未定义的判定项“%(code)s”"), code=spec)
                return None
            if criterion.index < 0:
                return None
            index = criterion.index

            def ref(states: list, los: list, his: list) -> bool | None:
                return states[index]

            return _Expr(ref, _never, criterion.name, [(criterion, False, None)], [])
        if not isinstance(spec, dict) or len(spec) != 1:
            self.problem(where, gettext_noop("应为判定项代码，或只含all、any、direct、min_score、score_above之一的对象"))
            return None
        (key, value), = spec.items()
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                self.problem(f"{where}.{key}", gettext_noop("应为非空列表"))
                return None
            parts = [self.expression(item, f"{where}.{key}[{index}]", codes, top, constraints)
                     for index, item in enumerate(value)]
            if any(part is None for part in parts):
                return None
            exprs = [part for part in parts if part is not None]
            tests = tuple(part.test for part in exprs)
            directs = tuple((part.test, part.direct) for part in exprs)
            leaves = [leaf for part in exprs for leaf in part.leaves]
            notes = [note for part in exprs for note in part.notes]
            wrapped = [f"（{part.text}）" if len(part.leaves) > 1 else part.text for part in exprs]
            if key == "all":
                def all_direct(states: list, los: list, his: list) -> bool:
                    return any(direct(states, los, his) for _test, direct in directs)
                return _Expr(_all(tests), all_direct, "、".join(wrapped), leaves, notes)

            def any_direct(states: list, los: list, his: list) -> bool:
                return any(test(states, los, his) is True and direct(states, los, his) for test, direct in directs)

            return _Expr(_any(tests), any_direct, texts.any_join.join(wrapped), leaves, notes)
        if key == "direct":
            if not top:
                self.problem(where, gettext_noop("direct只能用在eligible中"))
                return None
            inner = self.expression(value, f"{where}.direct", codes, top, constraints)
            if inner is None:
                return None
            inner_test = inner.test

            def is_direct(states: list, los: list, his: list) -> bool:
                return inner_test(states, los, his) is True

            note = texts.direct_note % {"route": inner.text}
            return _Expr(inner_test, is_direct, inner.text, inner.leaves, [*inner.notes, (inner_test, note)])
        if key in ("min_score", "score_above"):
            if not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], str):
                self.problem(f"{where}.{key}", gettext_noop("应为[计分项代码, 分数]"))
                return None
            criterion = codes.get(value[0])
            bound = self.number(value[1], f"{where}.{key}[1]")
            if criterion is None:
                self.problem(f"{where}.{key}", gettext_noop("引用了未定义的判定项“%(code)s”"), code=value[0])
                return None
            if criterion.index < 0:
                return None
            if not criterion.scored:
                self.problem(f"{where}.{key}", gettext_noop("“%(code)s”不是计分项，不能用于%(key)s"),
                             code=value[0], key=key)
                return None
            if bound is None:
                return None
            strict = key == "score_above"
            index = criterion.index
            if constraints is not None:
                constraints.append((criterion, strict, bound))

            if strict:
                def score_test(states: list, los: list, his: list) -> bool | None:
                    return True if los[index] > bound else (False if his[index] <= bound else None)
            else:
                def score_test(states: list, los: list, his: list) -> bool | None:
                    return True if los[index] >= bound else (False if his[index] < bound else None)

            text = criterion.name + ((">" if strict else "≥") + _plain(bound) + texts.points_unit)
            return _Expr(score_test, _never, text, [(criterion, strict, bound)], [])
        self.problem(where, gettext_noop("未知的表达式“%(key)s”（可用：all、any、direct、min_score、score_above）"),
                     key=key)
        return None

    # --- ranges

    def ranges(self, spec: Any, where: str) -> tuple[str, tuple[_Range, ...]]:
        if not self.keys(spec, where, {"title", "items"}, ("items",)):
            return "", ()
        title = self.text(spec, "title", where)
        items = spec["items"]
        if not isinstance(items, list):
            self.problem(f"{where}.items", gettext_noop("应为列表"))
            return title, ()
        out = []
        for index, item in enumerate(items):
            here = f"{where}.items[{index}]"
            kind = item.get("kind") if isinstance(item, dict) else None
            if kind not in ("banded", "first_match"):
                self.problem(f"{here}.kind", gettext_noop("未知的估算类型“%(kind)s”（可用：banded、first_match）"),
                             kind=kind)
                continue
            allowed = {"name", "kind", "description"} | (
                {"metric", "rows", "else"} if kind == "banded" else {"cases"})
            required = ("name", "metric", "rows") if kind == "banded" else ("name", "cases")
            if not self.keys(item, here, allowed, required):
                continue
            entry = _Range(self.text(item, "name", here))
            if kind == "banded":
                metric = self.metric(item["metric"], f"{here}.metric")
                rows = self.range_rows(item["rows"], f"{here}.rows")
                low, high = self.point_pair(item.get("else", [0, 0]), f"{here}.else")
                if metric is None or rows is None or low is None or high is None:
                    continue
                entry.metric, entry.metric_why = metric.fn, metric.why
                entry.fmt = _Format(metric.fmt, metric.unit, self.texts)
                entry.rows = tuple((_OPS[op], bound, lo, hi, self.range_fragments(title, entry.name, lo, hi))
                                   for op, bound, lo, hi in rows)
                entry.otherwise = (low, high, self.range_fragments(title, entry.name, low, high))
                entry.checks = tuple(entry.fmt.scaled(bound) for _op, bound, _lo, _hi in rows)
            else:
                cases = self.cases(item["cases"], f"{here}.cases", "points")
                if cases is None:
                    continue
                entry.cases = tuple(
                    (cond, lo, hi, self.texts.range_item % {
                        "title": title, "name": entry.name, "points": _points(self.texts, lo, hi),
                        "detail": text or self.texts.other_cases})
                    for cond, lo, hi, text in cases)
            out.append(entry)
        return title, tuple(out)

    def range_fragments(self, title: str, name: str, lo: Decimal, hi: Decimal) -> tuple[str, str]:
        return _fragments(self.texts.range_item, title=title, name=name, points=_points(self.texts, lo, hi))

    def range_rows(self, spec: Any, where: str) -> list | None:
        if not isinstance(spec, list) or not spec:
            self.problem(where, gettext_noop("应为非空列表"))
            return None
        rows = []
        for index, row in enumerate(spec):
            here = f"{where}[{index}]"
            if not self.keys(row, here, {MIN, ABOVE, "points"}, ("points",)):
                return None
            found = [key for key in (MIN, ABOVE) if key in row]
            if len(found) != 1:
                self.problem(here, gettext_noop("应恰好给出min（≥）或above（>）中的一个"))
                return None
            bound = self.number(row[found[0]], f"{here}.{found[0]}")
            low, high = self.point_pair(row["points"], f"{here}.points")
            if bound is None or low is None or high is None:
                return None
            if rows and bound >= rows[-1][1]:
                self.problem(here, gettext_noop("分档顺序有误：下限应从高到低严格递减"))
                return None
            rows.append((found[0], bound, low, high))
        return rows

    # --- the whole rule set

    def compile(self) -> CompiledRuleSet:
        spec = self.definition
        where = "definition"
        if not self.keys(spec, where, _TOP_KEYS, ("code", "name", "criteria", "eligible")):
            raise RuleSetError(self.problems)
        code = spec["code"]
        if not isinstance(code, str) or not _CODE.match(code):
            self.problem("code", gettext_noop("代码应由字母、数字和下划线组成，且不以数字开头"))
        version = spec.get("version", 1)
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            self.problem("version", gettext_noop("应为正整数"))
            version = 1
        name = self.text(spec, "name", "definition")
        if not name:
            self.problem("name", gettext_noop("不能为空"))
        years = spec.get("years", {"count": 1, "before_assessment_year": True})
        if self.keys(years, "years", {"count", "before_assessment_year"}, ("count",)):
            count = years["count"]
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                self.problem("years.count", gettext_noop("应为正整数"))
            else:
                self.count = count
            before = years.get("before_assessment_year", True)
            if not isinstance(before, bool):
                self.problem("years.before_assessment_year", gettext_noop("应为true或false"))
            else:
                self.before = before

        criteria: list[_Criterion] = []
        codes: dict[str, _Criterion] = {}
        raw_specs: dict[str, dict] = {}
        items = spec["criteria"]
        if not isinstance(items, list) or not items:
            self.problem("criteria", gettext_noop("应为非空列表"))
            items = []
        for index, item in enumerate(items):
            label = item.get("code") if isinstance(item, dict) else None
            here = f"criteria[{index}]" + (f"（{label}）" if isinstance(label, str) else "")
            criterion = self.criterion(item, here)
            if criterion is None:
                # Already reported; a placeholder keeps references to it from being reported again.
                if isinstance(label, str):
                    codes.setdefault(label, _Criterion(label, label, label, False, self.texts))
                continue
            if criterion.code in codes:
                self.problem(here, gettext_noop("判定项代码“%(code)s”重复"), code=criterion.code)
                continue
            criterion.index = len(criteria)
            criteria.append(criterion)
            codes[criterion.code] = criterion
            raw_specs[criterion.code] = item

        # References between criteria: sums of scored criteria and condition tests.
        for criterion in criteria:
            here = f"criteria[{criterion.index}]（{criterion.code}）"
            if isinstance(criterion, _Sum):
                parts = []
                for part in criterion.deps:
                    target = codes.get(part)
                    if target is None:
                        self.problem(f"{here}.of", gettext_noop("引用了未定义的判定项“%(code)s”"), code=part)
                    elif target.index < 0:
                        continue
                    elif not target.scored:
                        self.problem(f"{here}.of", gettext_noop("“%(code)s”不是计分项，不能计入总分"), code=part)
                    else:
                        parts.append(target.index)
                criterion.parts = tuple(parts)
                criterion.max_score = sum((codes[p].max_score for p in criterion.deps if p in codes), _ZERO)
                criterion.min_score = sum((codes[p].min_score for p in criterion.deps if p in codes), _ZERO)
            elif isinstance(criterion, _ConditionCriterion):
                expr = self.expression(raw_specs[criterion.code]["test"], f"{here}.test", codes, False, None)
                if expr is not None:
                    criterion.test = expr.test
                    criterion.leaves = tuple(expr.leaves)
                    criterion.deps = tuple(dict.fromkeys(leaf[0].code for leaf in expr.leaves))
                    criterion.required_text = expr.text

        constraints: list = []
        eligible = self.expression(spec["eligible"], "eligible", codes, True, constraints)

        score_index = None
        if "score" in spec:
            target = codes.get(spec["score"]) if isinstance(spec["score"], str) else None
            if target is None:
                self.problem("score", gettext_noop("引用了未定义的判定项“%(code)s”"), code=spec["score"])
            elif target.index < 0:
                pass  # a criterion with its own problems, already reported
            elif not target.scored:
                self.problem("score", gettext_noop("“%(code)s”不是计分项"), code=spec["score"])
            else:
                score_index = target.index

        pending = spec.get("pending", [])
        if not isinstance(pending, list) or not all(isinstance(note, str) for note in pending):
            self.problem("pending", gettext_noop("应为文字列表"))
            pending = []
        title, ranges = self.ranges(spec["ranges"], "ranges") if "ranges" in spec else ("", ())

        order = self.order(criteria)
        if self.problems:
            raise RuleSetError(self.problems)
        assert eligible is not None

        for criterion, strict, bound in constraints:
            if (strict, bound) not in criterion.constraints:
                criterion.constraints = (*criterion.constraints, (strict, bound))
        for criterion in criteria:
            if criterion.scored:
                criterion.prepare_scored()
                for sub in getattr(criterion, "subs", ()):
                    sub.prepare_scored()

        # The compiled closures keep this compiler alive; they must not keep the caller's (mutable) dict.
        self.definition = None
        return CompiledRuleSet(
            code=code, version=version, name=name, description=self.text(spec, "description", "definition"),
            basis=self.text(spec, "basis", "definition"), count=self.count, before=self.before,
            criteria=tuple(criteria), order=tuple(order), eligible=eligible, score_index=score_index,
            pending=tuple(pending), range_title=title, ranges=ranges, texts=self.texts)

    def order(self, criteria: list[_Criterion]) -> list[_Criterion]:
        """Evaluation order: every criterion after those it reads (sums, conditions); cycles are errors."""
        by_code = {criterion.code: criterion for criterion in criteria}
        done: list[_Criterion] = []
        state: dict[str, int] = {}  # 1 visiting, 2 done

        def visit(criterion: _Criterion, path: list[str]) -> None:
            mark = state.get(criterion.code)
            if mark == 2:
                return
            if mark == 1:
                cycle = path[path.index(criterion.code):] + [criterion.code]
                self.problem(f"criteria（{criterion.code}）", gettext_noop("循环引用：%(cycle)s"),
                             cycle=" → ".join(cycle))
                return
            state[criterion.code] = 1
            for dep in criterion.deps:
                if dep in by_code:
                    visit(by_code[dep], [*path, criterion.code])
            state[criterion.code] = 2
            done.append(criterion)

        for criterion in criteria:
            visit(criterion, [])
        return done


# ------------------------------------------------------------------------ compiled form


class CompiledRuleSet:
    """A validated rule set, ready to assess any number of enterprises (immutable, thread-safe)."""

    def __init__(self, *, code: str, version: int, name: str, description: str, basis: str, count: int,
                 before: bool, criteria: tuple[_Criterion, ...], order: tuple[_Criterion, ...],
                 eligible: _Expr, score_index: int | None, pending: tuple[str, ...], range_title: str,
                 ranges: tuple[_Range, ...], texts: _Texts) -> None:
        self.code = code
        self.version = version
        self.name = name
        self.description = description
        self.basis = basis
        self.codes = tuple(criterion.code for criterion in criteria if criterion.listed)
        self._count = count
        self._before = before
        self._size = len(criteria)
        self._order = order
        self._listed = tuple(criterion for criterion in criteria if criterion.listed)
        self._eligible = eligible.test
        self._direct = eligible.direct
        self._direct_notes = tuple(eligible.notes)
        self._score_index = score_index
        self._pending = pending
        self._range_title = range_title
        self._ranges = ranges
        self._texts = texts

    def __repr__(self) -> str:
        return f"<CompiledRuleSet {self.code} v{self.version}>"

    def years_used(self, facts: EnterpriseFacts, on: date) -> tuple[YearFigures, ...]:
        """The fiscal years the assessment on `on` reads, oldest first."""
        return self._select(facts.years, on.year)

    def _select(self, years: tuple[YearFigures, ...], year: int) -> tuple[YearFigures, ...]:
        limit = year if self._before else year + 1
        # Fast path: records usually arrive one per year, oldest first, all before the limit.
        previous = -1
        for record in years:
            if record.year <= previous or record.year >= limit:
                break
            previous = record.year
        else:
            return years[-self._count:] if len(years) > self._count else years
        chosen: dict[int, YearFigures] = {}
        for record in years:
            if record.year < limit:
                chosen[record.year] = record  # of two records for one year, the later one wins
        if not chosen:
            return ()
        keys = sorted(chosen)[-self._count:]
        return tuple(chosen[key] for key in keys)

    def assess(self, facts: EnterpriseFacts, on: date) -> Assessment:
        used = self._select(facts.years, on.year)
        latest = used[-1] if used else None
        size = self._size
        states: list[bool | None] = [None] * size
        los: list = [None] * size
        his: list = [None] * size
        raws: list = [None] * size
        for criterion in self._order:
            raw = criterion.evaluate(facts, used, latest, on, states, los, his)
            index = criterion.index
            raws[index] = raw
            if criterion.scored:
                los[index] = raw[1]
                his[index] = raw[2]
                states[index] = criterion.judge(raw[1], raw[2])
            else:
                states[index] = raw[0]

        eligible = self._eligible(states, los, his)
        direct = eligible is True and self._direct(states, los, his)

        notes = list(self._pending)
        if direct:
            notes.extend(note for test, note in self._direct_notes if test(states, los, his) is True)
        if self._ranges:
            self._range_notes(facts, used, latest, on, notes)

        results = []
        failed = 0
        texts = self._texts
        for criterion in self._listed:
            index = criterion.index
            passed = states[index]
            results.append(criterion.result(raws[index], passed, states, los, his))
            if passed is False:
                failed += 1
            elif passed is None and criterion.explains:
                reason = criterion.why(facts, used, latest, on)
                if reason:
                    notes.append(texts.unknown_note % {"name": criterion.name, "reason": reason})

        score = None
        if self._score_index is not None and los[self._score_index] == his[self._score_index]:
            score = los[self._score_index]
        status = ELIGIBLE if eligible is True else NOT_ELIGIBLE if eligible is False else INCOMPLETE
        return Assessment(self.code, self.version, on, eligible, direct, score, status, tuple(results),
                          tuple(notes), failed)

    def _range_notes(self, facts: EnterpriseFacts, used: tuple, latest: YearFigures | None, on: date,
                     notes: list[str]) -> None:
        texts = self._texts
        title = self._range_title
        low = high = _ZERO
        estimated = 0
        for item in self._ranges:
            outcome = item.evaluate(facts, used, latest, on)
            if isinstance(outcome, str):
                notes.append(texts.range_unknown % {"title": title, "name": item.name, "reason": outcome})
                continue
            lo, hi, note = outcome
            notes.append(note)
            low += lo
            high += hi
            estimated += 1
        if estimated > 1:
            notes.append(texts.range_total % {"title": title, "points": _points(texts, low, high)})


def compile_ruleset(definition: dict) -> CompiledRuleSet:
    """Validate and compile a definition; RuleSetError lists every problem found."""
    return _Compiler(definition).compile()


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    # json.load would silently keep the last of two equal keys, hiding an editing mistake.
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise RuleSetError([_("JSON中键“%(key)s”重复") % {"key": key}])
        seen[key] = value
    return seen


def load_shipped(code: str) -> dict:
    """The definition shipped as enterprises/rulesets/<code>.json (plain JSON values, storable as is)."""
    if not isinstance(code, str) or not _CODE.match(code):
        raise RuleSetError([_("规则集代码“%(code)s”无效") % {"code": code}])
    path = RULESET_DIR / f"{code}.json"
    if not path.is_file():
        raise RuleSetError([_("没有内置规则集“%(code)s”") % {"code": code}])
    with path.open(encoding="utf-8") as handle:
        return json.load(handle, object_pairs_hook=_no_duplicate_keys)


def shipped_codes() -> tuple[str, ...]:
    """Codes of the rule sets shipped with the application."""
    return tuple(sorted(path.stem for path in RULESET_DIR.glob("*.json")))
