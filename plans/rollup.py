"""A place's figure computed from the places under it (镇街道合计): pure functions over plain values.

A county's reported figure stays the official one; the roll-up is shown beside it with the difference and
the places that have not reported. Cumulative amounts and counts, and stocks, add up (``SUM``); a ratio adds
up only through its formula: the numerator and denominator are summed over the places that report both, then
the formula is applied (``FORMULA``). A ratio without a formula cannot be rolled up (``rollup_method`` is
None), because the average of the towns' ratios is not the county's ratio.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

from django.utils.translation import gettext_lazy as _

from plans import formulas

K = TypeVar("K", bound=Hashable)

SUM, FORMULA = "sum", "formula"
CUMULATIVE, STOCK = "cumulative", "stock"
METHOD_LABELS = {SUM: _("下级地区求和"), FORMULA: _("按公式由下级地区合计的分子、分母计算")}


def rollup_method(kind: str, has_formula: bool) -> str | None:
    """How a place's figure is computed from the places under it, or None when it cannot be."""
    if has_formula:
        return FORMULA
    if kind in (CUMULATIVE, STOCK):
        return SUM
    return None


@dataclass(frozen=True)
class RollUp(Generic[K]):
    method: str
    total: Decimal | None  # the places' figure (a sum, or the formula over sums); None when none reported
    official: Decimal | None  # the place's own reported figure
    reported: tuple[K, ...]
    missing: tuple[K, ...]  # expected places without a (complete) figure

    @property
    def difference(self) -> Decimal | None:
        """Official minus computed: what the place reports beyond what its towns add up to."""
        if self.total is None or self.official is None:
            return None
        return self.official - self.total

    @property
    def method_label(self) -> str:
        return str(METHOD_LABELS[self.method])


def roll_up(*, method: str, official: Decimal | None, children: Mapping[K, Mapping[str, Decimal | None]],
            expected: Iterable[K], inputs: Iterable[str], formula: formulas.Node | None = None) -> RollUp[K]:
    """The roll-up of ``children`` (each place's figures of the ``inputs`` codes).

    With ``SUM`` there is one input, the indicator itself. With ``FORMULA`` a place counts only when it has
    every input, so numerator and denominator always cover the same places.
    """
    if method == FORMULA and formula is None:
        raise ValueError("a formula roll-up needs the parsed formula")
    codes = list(inputs)
    complete = sorted((k for k, figures in children.items()
                       if all(figures.get(c) is not None for c in codes)), key=str)
    missing = tuple(sorted((k for k in set(expected) if k not in set(complete)), key=str))
    if not complete:
        return RollUp(method, None, official, (), missing)
    sums = {c: sum((children[k][c] for k in complete), Decimal(0)) for c in codes}
    total = sums[codes[0]] if method == SUM else formulas.evaluate(formula, sums)
    return RollUp(method, total, official, tuple(complete), missing)
