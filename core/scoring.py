"""Scoring sheets as data and the arithmetic of a review (pure: plain values in, Decimals out).

A sheet is a list of criteria ``{"key", "label", "weight", "min", "max", "comment_required"}``; weights sum
to 100. An expert's score on a criterion is within [min, max]; the weighted total is
Σ weight × (score − min) ÷ (max − min), so a sheet scored 0–10 and one scored 0–100 both total 0–100.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

HUNDRED = Decimal(100)
TWO = Decimal("0.01")


def sheet_problems(criteria: object) -> list[str]:
    """Why a scoring sheet cannot be used; empty when it can."""
    if not isinstance(criteria, list) or not criteria:
        return ["评分表至少要有一项评分指标"]
    problems, keys, total = [], set(), Decimal(0)
    for index, item in enumerate(criteria, start=1):
        if not isinstance(item, dict):
            problems.append(f"第{index}项格式不正确")
            continue
        key, label = str(item.get("key", "")).strip(), str(item.get("label", "")).strip()
        if not key or not label:
            problems.append(f"第{index}项缺少编码或名称")
        if key in keys:
            problems.append(f"第{index}项编码“{key}”重复")
        keys.add(key)
        try:
            weight, low, high = (Decimal(str(item.get(k))) for k in ("weight", "min", "max"))
        except (InvalidOperation, TypeError, ValueError):
            problems.append(f"第{index}项的权重或分值范围不是数字")
            continue
        if not all(v.is_finite() for v in (weight, low, high)) or weight <= 0:
            problems.append(f"第{index}项权重应为正数")
            continue
        if low >= high:
            problems.append(f"第{index}项最低分应小于最高分")
        total += weight
    if not problems and total != HUNDRED:
        problems.append(f"各项权重之和应为100，现为{total.normalize():f}")
    return problems


def score_problems(criteria: list[dict], scores: dict, comments: dict) -> dict[str, str]:
    """Per criterion, why the expert's entry is refused (missing, not a number, out of range, no comment)."""
    problems = {}
    for item in criteria:
        key = item["key"]
        raw = scores.get(key)
        try:
            value = Decimal(str(raw).strip())
        except (InvalidOperation, TypeError, ValueError):
            problems[key] = f"“{item['label']}”请填写分数"
            continue
        low, high = Decimal(str(item["min"])), Decimal(str(item["max"]))
        if not value.is_finite() or not low <= value <= high:
            problems[key] = f"“{item['label']}”应在{low.normalize():f}至{high.normalize():f}分之间"
        elif item.get("comment_required") and not str(comments.get(key, "")).strip():
            problems[key] = f"“{item['label']}”须填写评语"
    unknown = set(scores) - {c["key"] for c in criteria}
    for key in sorted(unknown):
        problems[key] = f"评分表中没有“{key}”"
    return problems


def weighted_total(criteria: list[dict], scores: dict) -> Decimal:
    total = Decimal(0)
    for item in criteria:
        low, high = Decimal(str(item["min"])), Decimal(str(item["max"]))
        value = Decimal(str(scores[item["key"]]))
        total += Decimal(str(item["weight"])) * (value - low) / (high - low)
    return total.quantize(TWO)


def aggregate(totals: list[Decimal]) -> Decimal | None:
    """The subject's score: the mean, or with five or more experts the mean without the highest and lowest."""
    if not totals:
        return None
    values = sorted(totals)
    if len(values) >= 5:
        values = values[1:-1]
    return (sum(values, Decimal(0)) / len(values)).quantize(TWO)
