"""Scoring the annual performance table of innovation platforms (一院一表). Pure: plain data in, Decimals out.

A template is plain data as stored in a JSONField: a list of indicators
``{"code", "name", "unit", "direction": "higher"|"lower", "weight", "rule"}`` whose weights sum to exactly
100, and grade thresholds ``{"优秀": 90, "良好": 70, "合格": 60}``. Each indicator turns a platform's value
into a fraction in [0, 1]; the score is Σ weight × fraction. Rules:

* ``bands`` ``[[threshold, fraction], ...]`` with thresholds listed strictly increasing for BOTH directions.
  Higher is better: the fraction of the highest band whose threshold ≤ value (a value exactly on an edge gets
  that band), 0 below the first threshold. Lower is better: the fraction of the lowest threshold ≥ value,
  0 above the last one — so ``[[5, 1], [10, "0.6"]]`` reads "≤5 → 1, ≤10 → 0.6, more → 0".
* ``target``: value ÷ target capped at 1; lower is better: target ÷ value capped at 1, a value of 0 → 1.
* ``best``: value ÷ the cohort's best (its maximum); a best of 0 or none → 0 for all. Lower is better:
  best ÷ value with best = the smallest positive value; a value of 0 (nothing can beat it) → 1.
* ``expert``: the value is an expert's score 0–100 (clamped), fraction = score ÷ 100.

A missing value scores 0 on its indicator: an unfilled cell must never beat a filled one.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, TypeVar

from core.ranking import competition_ranks, rank_changes

K = TypeVar("K", bound=Hashable)

ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)
CENT, YUAN = Decimal("0.01"), Decimal("1")
# "1e309" is a finite Decimal but no real quantity (and overflows a float on export): anything this large
# is a typing or data error, and the cap keeps every later computation small.
LIMIT = Decimal(10) ** 15
PASSING = ("优秀", "良好", "合格")
FAILED = "不合格"
DIRECTIONS = ("higher", "lower")
RULE_TYPES = ("bands", "target", "best", "expert")
# The grade lines a template gets when it names none (the 优秀 ≥ 90, 良好 ≥ 70, 合格 ≥ 60).
DEFAULT_GRADES = {"优秀": 90, "良好": 70, "合格": 60}


def _number(raw: object) -> Decimal | None:
    """A finite Decimal below LIMIT from str/int/Decimal (or a finite float), else None.

    Booleans are refused although bool is an int: ``True`` in a weight or a cell is a data error, not 1.
    Floats go through repr so that 13.33 stays 13.33 instead of its binary expansion."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return None
        raw = repr(raw)
    if isinstance(raw, str):
        raw = raw.strip()
        if not raw or len(raw) > 64 or "_" in raw:  # Decimal would read "1_000" as 1000: no cell means that
            return None
    if not isinstance(raw, str | int | Decimal):
        return None
    try:
        number = Decimal(raw)
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not number.is_finite() or abs(number) >= LIMIT:
        return None
    number += 0  # context rounding: 28 digits at most
    return number if number else ZERO  # -0 and 1e-999999999 (which underflows) become a plain 0


def _plain(number: Decimal) -> str:
    """99.90 → "99.9", 1E+2 → "100": how a person writes the number in a message."""
    return f"{number.normalize():f}"


def _cents(number: Decimal) -> Decimal:
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def _shown(raw: object) -> str:
    """The refused input as it can be shown in a message: short, with control characters escaped."""
    text = str(raw)[:30]
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


@dataclass(frozen=True)
class _Indicator:
    """An indicator parsed once, so scoring thousands of tables does not re-parse the template."""

    code: str
    weight: Decimal
    lower: bool
    kind: str
    bands: tuple[tuple[Decimal, Decimal], ...] = ()
    target: Decimal = ONE


@dataclass(frozen=True)
class Scored:
    """A table's score (rounded from the unrounded sum of the parts) and each part rounded for display.

    The displayed contributions may therefore add up to the score ± a few cents; the score is the truth."""

    score: Decimal
    contributions: dict[str, Decimal]


@dataclass(frozen=True)
class Result:
    """One platform's outcome within its cohort (one kind of platform, one year)."""

    score: Decimal
    grade: str
    rank: int
    rank_change: int | None
    contributions: dict[str, Decimal]


def _rule_problems(label: str, rule: object) -> list[str]:
    if not isinstance(rule, Mapping) or rule.get("type") not in RULE_TYPES:
        return [f"{label}的计分规则类型未知"]
    if rule["type"] == "target":
        target = _number(rule.get("target"))
        return [] if target is not None and target > 0 else [f"{label}的目标值应为大于0的数值"]
    if rule["type"] != "bands":
        return []
    bands = rule.get("bands")
    if not isinstance(bands, list | tuple) or not bands:
        return [f"{label}的分档不能为空"]
    problems: list[str] = []
    previous: Decimal | None = None
    for position, band in enumerate(bands, start=1):
        if not isinstance(band, list | tuple) or len(band) != 2:
            problems.append(f"{label}第{position}档应为[门槛, 得分比例]")
            continue
        threshold, share = _number(band[0]), _number(band[1])
        if threshold is None:
            problems.append(f"{label}第{position}档的门槛不是有效数值")
        elif previous is not None and threshold <= previous:
            problems.append(f"{label}第{position}档的门槛应大于上一档")
        previous = threshold if threshold is not None else previous
        if share is None or not ZERO <= share <= ONE:
            problems.append(f"{label}第{position}档的得分比例应在0至1之间")
    return problems


def _indicator_problems(index: int, item: object) -> list[str]:
    if not isinstance(item, Mapping):
        return [f"第{index}项指标格式不正确"]
    problems = [
        f"第{index}项指标缺少{label}"
        for field, label in (("code", "编码"), ("name", "名称"))
        if not isinstance(item.get(field), str) or not item[field].strip()
    ]
    name = item.get("name")
    label = f"指标“{name}”" if isinstance(name, str) and name.strip() else f"第{index}项指标"
    if item.get("direction") not in DIRECTIONS:
        problems.append(f"{label}的方向应为“越高越好”（higher）或“越低越好”（lower）")
    weight = _number(item.get("weight"))
    if weight is None or weight <= 0:
        problems.append(f"{label}的权重应为大于0的数值")
    return problems + _rule_problems(label, item.get("rule"))


def _indicators_problems(indicators: object) -> list[str]:
    if not isinstance(indicators, list | tuple) or not indicators:
        return ["考核表至少要有一项指标"]
    problems: list[str] = []
    seen: dict[str, set[str]] = {"code": set(), "name": set()}
    total: Decimal | None = ZERO
    for index, item in enumerate(indicators, start=1):
        problems.extend(_indicator_problems(index, item))
        item = item if isinstance(item, Mapping) else {}
        for field, label in (("code", "编码"), ("name", "名称")):
            value = item.get(field)
            if isinstance(value, str) and value.strip():
                if value in seen[field]:
                    problems.append(f"第{index}项指标的{label}“{value}”重复")
                seen[field].add(value)
        weight = _number(item.get("weight"))
        total = total + weight if total is not None and weight is not None and weight > 0 else None
    # The exact Decimal sum: 33.33 + 33.33 + 33.34 passes, 99.9 does not (and says so).
    if total is not None and total != HUNDRED:
        problems.append(f"各指标权重之和应为100，现为{_plain(total)}")
    return problems


def _grade_problems(grades: object) -> list[str]:
    if not isinstance(grades, Mapping):
        return ["等级门槛格式不正确"]
    problems: list[str] = []
    unknown = [str(key) for key in grades if key not in PASSING]
    if unknown:
        problems.append(f"未知的等级：{'、'.join(unknown)}")
    if "合格" not in grades:
        problems.append("等级门槛中必须包含“合格”")
    values: dict[str, Decimal] = {}
    for name in PASSING:
        if name in grades:
            value = _number(grades[name])
            if value is None or not ZERO <= value <= HUNDRED:
                problems.append(f"“{name}”的门槛应在0至100之间")
            else:
                values[name] = value
    present = [name for name in PASSING if name in values]
    for better, worse in zip(present, present[1:], strict=False):
        if values[better] <= values[worse]:
            problems.append(f"“{better}”的门槛应高于“{worse}”")
    return problems


def template_problems(indicators: object, grades: object) -> list[str]:
    """Every reason, in Chinese, why a template cannot be used; empty when it can."""
    return _indicators_problems(indicators) + _grade_problems(grades)


def _parse(item: Mapping[str, Any]) -> _Indicator:
    """Parse an indicator already known to be valid."""
    rule = item["rule"]
    bands = (
        tuple((_number(t), _number(f)) for t, f in rule.get("bands", ())) if rule["type"] == "bands" else ()
    )
    return _Indicator(
        code=item["code"],
        weight=_number(item["weight"]),  # type: ignore[arg-type]
        lower=item["direction"] == "lower",
        kind=rule["type"],
        bands=bands,  # type: ignore[arg-type]
        target=_number(rule.get("target")) or ONE,
    )


def _refuse(problems: list[str]) -> None:
    """Callers get every problem at once, not the first one now and the next one after fixing it."""
    if problems:
        raise ValueError("；".join(problems))


def _prepared(indicators: Sequence[Mapping[str, Any]]) -> list[_Indicator]:
    _refuse(_indicators_problems(indicators))
    return [_parse(item) for item in indicators]


def _thresholds(grades: Mapping[str, Any]) -> dict[str, Decimal]:
    _refuse(_grade_problems(grades))
    return {name: _number(grades[name]) for name in PASSING if name in grades}  # type: ignore[misc]


def _band(indicator: _Indicator, value: Decimal) -> Decimal:
    if indicator.lower:
        return next((share for threshold, share in indicator.bands if value <= threshold), ZERO)
    share = ZERO
    for threshold, band_share in indicator.bands:
        if value < threshold:
            break
        share = band_share
    return share


def _fraction(indicator: _Indicator, value: Decimal | None, best: Decimal | None) -> Decimal:
    if value is None:
        return ZERO
    if indicator.kind == "expert":
        share = value / HUNDRED
    elif indicator.kind == "bands":
        share = _band(indicator, value)
    elif indicator.lower and value <= 0:
        share = ONE  # lower is better and nothing beats zero, for a target as for the cohort's best
    elif indicator.kind == "target":
        share = indicator.target / value if indicator.lower else value / indicator.target
    elif best is None or best <= 0:
        share = ZERO
    else:
        share = best / value if indicator.lower else value / best
    return min(max(share, ZERO), ONE)


def fraction(indicator: Mapping[str, Any], value: Decimal | None, best: Decimal | None = None) -> Decimal:
    """The indicator's fraction in [0, 1] for one value; `best` is only read by "best" rules."""
    _refuse(_indicator_problems(1, indicator))
    return _fraction(_parse(indicator), value, best)


def _score(
    prepared: Sequence[_Indicator], values: Mapping[str, Decimal | None], bests: Mapping[str, Decimal | None]
) -> Scored:
    total, parts = ZERO, {}
    for indicator in prepared:
        part = indicator.weight * _fraction(indicator, values.get(indicator.code), bests.get(indicator.code))
        total += part
        parts[indicator.code] = _cents(part)
    return Scored(score=_cents(total), contributions=parts)


def score_table(
    indicators: Sequence[Mapping[str, Any]],
    values: Mapping[str, Decimal | None],
    bests: Mapping[str, Decimal | None] | None = None,
) -> Scored:
    """One table's score, rounded half-up to 0.01 from the unrounded sum (see Scored)."""
    return _score(_prepared(indicators), values, bests or {})


def cohort_bests(
    indicators: Sequence[Mapping[str, Any]], tables: Mapping[Any, Mapping[str, Decimal | None]]
) -> dict[str, Decimal | None]:
    """For each "best" rule: the cohort's maximum (higher) or smallest positive value (lower); None if none."""
    bests: dict[str, Decimal | None] = {}
    for indicator in _prepared(indicators):
        if indicator.kind != "best":
            continue
        found = [v for table in tables.values() if (v := table.get(indicator.code)) is not None]
        if indicator.lower:
            # Zero would make every other ratio 0; a zero value scores 1 on its own (see _fraction).
            found = [v for v in found if v > 0]
            bests[indicator.code] = min(found) if found else None
        else:
            bests[indicator.code] = max(found) if found else None
    return bests


def _grade(score: Decimal, thresholds: Mapping[str, Decimal], is_first: bool) -> str:
    if "优秀" in thresholds and score >= thresholds["优秀"] and is_first:
        return "优秀"
    # An excellent-level score that is not first falls through to 良好 (or 合格 when 良好 is not defined).
    for name in ("良好", "合格"):
        if name in thresholds and score >= thresholds[name]:
            return name
    return FAILED


def grade(score: Decimal, grades: Mapping[str, Any], is_first: bool) -> str:
    """The grade; 优秀 also needs the platform to be first (rank 1, ties included) in its ranking."""
    return _grade(score, _thresholds(grades), is_first)


def score_cohort(
    indicators: Sequence[Mapping[str, Any]],
    grades: Mapping[str, Any],
    tables: Mapping[K, Mapping[str, Decimal | None]],
    previous_ranks: Mapping[K, int | None] | None = None,
) -> dict[K, Result]:
    """Score, rank (descending, "1224"), grade and rank change of every table of one cohort.

    A cohort is one kind of platform in one year: "first" for 优秀 means rank 1 within it, so the caller
    passes one kind at a time. Linear in the tables apart from the ranking's sort."""
    _refuse(template_problems(indicators, grades))
    prepared, thresholds = _prepared(indicators), _thresholds(grades)
    bests = cohort_bests(indicators, tables)
    scored = {key: _score(prepared, table, bests) for key, table in tables.items()}
    ranks = competition_ranks([(key, result.score) for key, result in scored.items()], descending=True)
    changes = rank_changes(ranks, previous_ranks) if previous_ranks is not None else {}
    results: dict[K, Result] = {}
    for key, result in scored.items():
        rank = ranks[key] or 0  # never None: every table has a score
        results[key] = Result(
            score=result.score,
            grade=_grade(result.score, thresholds, rank == 1),
            rank=rank,
            rank_change=changes.get(key),
            contributions=result.contributions,
        )
    return results


def allocate(budget: Decimal, scores: Mapping[K, Decimal]) -> dict[K, Decimal]:
    """Share a whole-yuan budget in proportion to score, in whole 元 summing exactly to the budget.

    Largest-remainder method on exact fractions; equal remainders go to the higher score, then to the
    smaller str(key), so the result never depends on dict order. The caller passes only platforms graded
    合格 or above. No keys → {}; all scores zero → every key gets 0 and the budget stays undistributed."""
    amount = _number(budget)
    if amount is None or amount < 0 or amount != amount.to_integral_value():
        raise ValueError(f"预算应为不小于0的整元金额，现为“{_shown(budget)}”")
    parsed: dict[K, Decimal] = {}
    for key, score in scores.items():
        value = _number(score)
        if value is None or value < 0:
            raise ValueError(f"“{_shown(key)}”的得分“{_shown(score)}”不是有效的非负数值")
        parsed[key] = value
    total = sum((Fraction(value) for value in parsed.values()), Fraction(0))
    if total == 0:
        return {key: ZERO.quantize(YUAN) for key in parsed}
    whole = int(amount)
    quotas = {key: whole * Fraction(value) / total for key, value in parsed.items()}
    shares = {key: math.floor(quota) for key, quota in quotas.items()}
    left = whole - sum(shares.values())
    order = sorted(parsed, key=lambda key: (shares[key] - quotas[key], -parsed[key], str(key)))
    for key in order[:left]:
        shares[key] += 1
    return {key: Decimal(shares[key]).quantize(YUAN) for key in parsed}


def leaves_pool(grades_by_year: Mapping[int, str], year: int) -> bool:
    """Two consecutive years 不合格 (this one and the one before) take a platform out of the pool."""
    return grades_by_year.get(year) == FAILED and grades_by_year.get(year - 1) == FAILED


def _spread(members: Sequence[_Indicator], share: Decimal) -> dict[str, Decimal]:
    """Weights in proportion to the old ones summing exactly to `share`, by largest remainder in cents."""
    cents = int(share / CENT)
    base = sum((Fraction(member.weight) for member in members), Fraction(0))
    exact = [Fraction(member.weight) * cents / base for member in members]
    floors = [math.floor(value) for value in exact]
    order = sorted(range(len(members)), key=lambda i: (floors[i] - exact[i], i))
    for i in order[: cents - sum(floors)]:
        floors[i] += 1
    return {member.code: Decimal(count) * CENT for member, count in zip(members, floors, strict=True)}


def reweighted(
    indicators: Sequence[Mapping[str, Any]], codes: Sequence[str], total: Decimal
) -> list[dict[str, Any]]:
    """A copy of the template where `codes` together weigh `total` and the others fill 100 − total.

    Proportions are kept within each group; weights are rounded to 0.01 by largest remainder so the named
    group sums exactly to `total` and the whole to exactly 100. Weights come back as strings ("25.00"),
    JSON-ready like a stored template."""
    prepared = _prepared(indicators)
    named = list(dict.fromkeys(codes))
    known = [indicator.code for indicator in prepared]
    unknown = [code for code in named if code not in known]
    if not named:
        raise ValueError("请至少指定一项要调整权重的指标")
    if unknown:
        raise ValueError(f"未知的指标编码：{'、'.join(map(str, unknown))}")
    target = _number(total)
    if target is None or target != target.quantize(CENT):
        raise ValueError(f"权重之和“{_shown(total)}”应为最多两位小数的数值")
    if set(named) == set(known):
        if target != HUNDRED:
            raise ValueError("所选指标已是全部指标，其权重之和只能为100")
    elif not ZERO < target < HUNDRED:
        raise ValueError(f"所选指标的权重之和应大于0且小于100，现为{_plain(target)}")
    chosen = [indicator for indicator in prepared if indicator.code in named]
    others = [indicator for indicator in prepared if indicator.code not in named]
    weights = _spread(chosen, target) | (_spread(others, HUNDRED - target) if others else {})
    result = []
    for item in indicators:
        if weights[item["code"]] <= 0:
            raise ValueError(f"调整后指标“{item['name']}”的权重不足0.01")
        new = copy.deepcopy(dict(item))
        new["weight"] = f"{weights[item['code']]:f}"
        result.append(new)
    return result


def movements(official: Mapping[K, int | None], whatif: Mapping[K, int | None]) -> dict[str, list]:
    """Who moves up, down or stays when the what-if ranking replaces the official one.

    "up"/"down": (key, official rank, what-if rank), biggest move first, then by what-if rank and str(key);
    "same": keys by official rank. Keys unranked in either ranking are left out."""
    up: list[tuple[K, int, int]] = []
    down: list[tuple[K, int, int]] = []
    same: list[K] = []
    for key, before in official.items():
        after = whatif.get(key)
        if before is None or after is None:
            continue
        if after < before:
            up.append((key, before, after))
        elif after > before:
            down.append((key, before, after))
        else:
            same.append(key)
    up.sort(key=lambda move: (move[2] - move[1], move[2], str(move[0])))
    down.sort(key=lambda move: (move[1] - move[2], move[2], str(move[0])))
    same.sort(key=lambda key: (official[key] or 0, str(key)))
    return {"up": up, "down": down, "same": same}


def parse_value(text: object) -> Decimal | None:
    """A filled cell: empty → None; a finite number ≥ 0 (below 10^15) → Decimal; anything else refused."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    number = _number(text)
    if number is None or number < 0:
        raise ValueError(f"“{_shown(text)}”不是有效的非负数值")
    return number


def unfilled(indicators: Sequence[Mapping[str, Any]], values: Mapping[str, object]) -> list[str]:
    """The names of the items the operator reports (all but the experts') still without a value."""
    return [str(item["name"]) for item in indicators
            if item["rule"]["type"] != "expert" and values.get(item["code"]) in (None, "")]
