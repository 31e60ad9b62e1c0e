"""Compiling criteria of every kind: bands, score tables, first-match cases, qualifications."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .compile_metrics import _MetricCompiler
from .criteria import (
    _Banded,
    _BestOf,
    _ConditionCriterion,
    _Criterion,
    _FirstMatch,
    _Qualification,
    _Sum,
    _Threshold,
)
from .metrics import _age_metric, _Condition
from .texts import (
    _CODE,
    _COMMON_KEYS,
    _COMPLEMENT,
    _KIND_KEYS,
    _KIND_REQUIRED,
    _SYMBOL,
    ABOVE,
    AGE_DAYS,
    BANDED_SCORE,
    BELOW,
    BEST_OF,
    COUNT,
    DAYS,
    FIRST_MATCH,
    KINDS,
    MAX,
    MIN,
    QUALIFICATION,
    SUM_SCORE,
    THRESHOLD,
    _Format,
    gettext_noop,
)


class _CriterionCompiler(_MetricCompiler):
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

