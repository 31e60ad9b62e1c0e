"""The compiled rule set: year selection and the assessment of one enterprise on a date."""

from __future__ import annotations

from datetime import date

from .criteria import (
    _Criterion,
)
from .expressions import _Expr, _Range
from .facts import (
    ELIGIBLE,
    INCOMPLETE,
    NOT_ELIGIBLE,
    Assessment,
    EnterpriseFacts,
    YearFigures,
)
from .texts import (
    _ZERO,
    _points,
    _Texts,
)

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

