"""The criterion kinds at run time (threshold, banded score, first match, best of, sum, qualification,
condition): evaluate() per enterprise, result() for what is shown, gap texts for what is missing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from .facts import (
    CriterionResult,
    EnterpriseFacts,
    YearFigures,
)
from .metrics import _Condition, _Metric
from .texts import (
    _FLOORS,
    _OPS,
    _SYMBOL,
    _ZERO,
    BANDED_SCORE,
    BEST_OF,
    COMPARISON,
    CONDITION,
    FIRST_MATCH,
    MIN,
    QUALIFICATION,
    SUM_SCORE,
    THRESHOLD,
    _Format,
    _fragments,
    _gap,
    _plain,
    _points,
    _Texts,
)

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

    def score_numbers(self, lo: Decimal, hi: Decimal) -> tuple:
        """(unit, actual, required, comparison) of a scored criterion: the score when it is known, and the
        floor when the eligibility expression sets exactly one."""
        actual = lo if lo == hi else None
        if len(self.constraints) != 1:
            return self.texts.points_unit, actual, None, ""
        strict, bound = self.constraints[0]
        return self.texts.points_unit, actual, bound, ">" if strict else ">="

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
        decided = True  # whether the bound is the enterprise's own (no band left open)
        if self.bands is None:
            required = self.required_text
            op, bound, checks = self.op, self.bound, self.checks
        elif type(where) is int and where >= 0:
            band = self.bands[where]
            required, op, bound, checks = band[4], band[2], band[3], self.band_checks[where]
        else:
            decided = False
            required, op, checks = self.required_text, self.op, self.checks
            # Band unknown but the outcome decided: measure the gap against the easiest band.
            bounds = [self.bands[index][3] for index in where] if type(where) is tuple else [_ZERO]
            bound = min(bounds) if op in _FLOORS else max(bounds)
        gap = None
        if passed is False:
            gap = _gap(self.texts, self.fmt, self.label, self.unit_word, value, op, bound)
        shown, number = (None, None) if value is None else self.fmt.shown_and_number(value, checks)
        return CriterionResult(self.code, self.name, passed, shown, required, gap, None, value, self.fmt.unit,
                               number, self.fmt.scaled(bound).normalize() if decided else None,
                               COMPARISON[op] if decided else "")


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
                               lo if known else None, value, *self.score_numbers(lo, hi))


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
                               lo if known else None, lo if known else None, *self.score_numbers(lo, hi))


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
                               lo if known else None, value, *self.score_numbers(lo, hi))


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
                               gap, lo if known else None, lo if known else None, *self.score_numbers(lo, hi))


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

