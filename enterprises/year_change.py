"""Year-over-year change of a count (the ladder's 较上年增减), as plain functions tested without a database."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

_TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Change:
    """A count against the same count a year before; ``before`` None when that year is not known."""

    now: int
    before: int | None

    @property
    def diff(self) -> int | None:
        return None if self.before is None else self.now - self.before

    @property
    def percent(self) -> Decimal | None:
        """The change in per cent of last year's count, to one decimal; None from nothing (no base)."""
        if not self.before:
            return None
        return (Decimal(self.now - self.before) * 100 / self.before).quantize(_TENTH, ROUND_HALF_UP)

    @property
    def direction(self) -> str:
        """up, down, same or unknown: the page colours the change by it."""
        diff = self.diff
        if diff is None:
            return "unknown"
        return "up" if diff > 0 else "down" if diff < 0 else "same"

    @property
    def text(self) -> str:
        """较上年+3（+12.5%）, 较上年-1（-50.0%）, 较上年持平, 较上年+2 (from none), — when unknown."""
        diff = self.diff
        if diff is None:
            return "—"
        if diff == 0:
            return _("较上年持平")
        shown = _("较上年%(diff)s") % {"diff": f"{diff:+d}"}
        percent = self.percent
        return shown if percent is None else f"{shown}（{percent:+}%）"


def year_over_year(rows: list[list[int]], baseline: list[int] | None = None) -> list[list[Change]]:
    """Each row of counts (one per year, oldest first) against the row before it; the first row against
    ``baseline`` (the year before the first shown), unknown without one."""
    changes = []
    previous = baseline
    for row in rows:
        if previous is not None and len(previous) != len(row):
            raise ValueError("rows of different lengths")
        changes.append([Change(now, None if previous is None else before)
                        for now, before in zip(row, previous or [None] * len(row), strict=True)])
        previous = row
    return changes
