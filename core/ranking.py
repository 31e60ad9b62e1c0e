"""Rankings of anything by a metric: standard competition ranks with ties, and the change against an earlier
ranking. Pure; used by the plans (counties, towns) and the platforms' performance tables alike."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Mapping, Sequence
from decimal import Decimal
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def competition_ranks(
    items: Sequence[tuple[K, Decimal | None]], *, descending: bool = True
) -> dict[K, int | None]:
    """Standard competition ranking ("1224"); items without a metric get None."""
    keys = [key for key, _metric in items]
    if len(set(keys)) != len(keys):
        # A duplicate key would silently keep only one of its ranks.
        raise ValueError("competition_ranks: duplicate keys in items")
    values = sorted(metric for _key, metric in items if metric is not None)
    total = len(values)
    ranks: dict[K, int | None] = {}
    for key, metric in items:
        if metric is None:
            ranks[key] = None
        elif descending:
            # Rank = 1 + number strictly better; depends only on values, never on input order.
            ranks[key] = 1 + total - bisect_right(values, metric)
        else:
            ranks[key] = 1 + bisect_left(values, metric)
    return ranks


def rank_changes(current: Mapping[K, int | None], previous: Mapping[K, int | None]) -> dict[K, int | None]:
    """previous − current per key of `current` (positive = moved up); None when not comparable."""
    changes: dict[K, int | None] = {}
    for key, rank in current.items():
        before = previous.get(key)
        changes[key] = None if rank is None or before is None else before - rank
    return changes
