"""Splitting a total the documents give into synthetic parts that add up to it exactly (demo and generated
data), in whole steps of 元 so no part carries odd fen."""

from __future__ import annotations

import random
from decimal import Decimal

HUNDRED = Decimal("100")


def split_total(total: Decimal, count: int, rng: random.Random, step: Decimal = HUNDRED) -> list[Decimal]:
    """``count`` amounts in whole ``step``s of 元, each near the mean, that add up to ``total`` exactly."""
    if count <= 0:
        return []
    weights = [rng.uniform(0.5, 1.5) for _ in range(count)]
    scale = total / Decimal(str(sum(weights)))
    parts = [(Decimal(str(w)) * scale / step).quantize(Decimal("1")) * step for w in weights[:-1]]
    return [*parts, total - sum(parts)]
