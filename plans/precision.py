"""How an indicator's figures are reported: the decimals a bureau's documents print them with.

Derived from the unit and the kind, as the documents do: amounts in 亿元 / 万元 with two decimals
(33.77亿元), percentages with one (2.9%), counts of firms, projects or patents without any (90家), and
densities (每万人…件, 每万名…人年) with one.  Pure: no database, no Django.
"""

from decimal import ROUND_HALF_UP, Decimal

MONEY_UNITS = frozenset({"亿元", "万元", "元", "亿美元", "万美元"})
PERCENT_UNITS = frozenset({"%", "％", "个百分点"})
COUNT_UNITS = frozenset({"家", "个", "项", "件", "人", "名", "次", "所", "座", "台", "套", "篇", "户", "支"})
RATE_KIND = "rate"
DEFAULT_DECIMALS = 2


def decimals(unit: str, kind: str = "") -> int:
    """The number of decimals figures of an indicator with this unit and kind are reported with."""
    unit = (unit or "").strip()
    if unit in MONEY_UNITS:
        return 2
    if unit in PERCENT_UNITS:
        return 1
    if unit in COUNT_UNITS:
        # A count per head (每万人高价值发明专利拥有量 15.9件) is a density, not a whole number.
        return 1 if kind == RATE_KIND else 0
    if unit == "人年":
        return 1
    return DEFAULT_DECIMALS


def rounded(value: Decimal | None, places: int) -> Decimal | None:
    """The value at ``places`` decimals, halves away from zero as the statistics bureau rounds; None stays None."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
