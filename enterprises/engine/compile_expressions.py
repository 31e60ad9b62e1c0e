"""Compiling eligibility expressions (all, any, min_score, score_above, direct) and point ranges."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .compile_criteria import _CriterionCompiler
from .criteria import (
    _Criterion,
)
from .expressions import _all, _any, _Expr, _never, _Range
from .texts import (
    _OPS,
    ABOVE,
    MIN,
    _Format,
    _fragments,
    _plain,
    _points,
    gettext_noop,
)


class _ExpressionCompiler(_CriterionCompiler):
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

