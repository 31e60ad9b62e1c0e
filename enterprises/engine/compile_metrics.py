"""Compiling metrics and conditions (field sums, ratios, growth, comparisons) with their unknown reasons."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from .checks import _Checks
from .facts import (
    EnterpriseFacts,
    YearFigures,
)
from .metrics import _adder, _all_conditions, _Condition, _Metric
from .texts import (
    _METRIC_KEYS,
    _ONE,
    _OPS,
    _SYMBOL,
    _ZERO,
    ABOVE,
    BELOW,
    COUNT,
    FIELDS,
    LATEST,
    MAX,
    MIN,
    MONEY,
    PERCENT,
    YEARS_USED,
    _Format,
    gettext_noop,
)


class _MetricCompiler(_Checks):
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

