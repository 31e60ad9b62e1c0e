"""How an indicator's figures are printed (no database)."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from plans.precision import decimals, rounded


def test_decimals_follow_unit_and_kind():
    assert decimals("亿元", "cumulative") == 2
    assert decimals("万元", "stock") == 2
    assert decimals("%", "rate") == 1
    assert decimals("家", "cumulative") == 0
    assert decimals("个", "stock") == 0
    assert decimals("件", "rate") == 1  # 每万人高价值发明专利拥有量: a density
    assert decimals("人年", "rate") == 1
    assert decimals("吨", "stock") == 2  # a unit the documents do not use: two decimals


def test_rounded_halves_away_from_zero():
    assert rounded(Decimal("52.70833333333333333333333333"), 2) == Decimal("52.71")
    assert rounded(Decimal("2.85"), 1) == Decimal("2.9")
    assert rounded(Decimal("-2.85"), 1) == Decimal("-2.9")
    assert rounded(Decimal("724.5"), 0) == Decimal("725")
    assert rounded(None, 2) is None


@given(st.decimals(min_value=-10**12, max_value=10**12, allow_nan=False, allow_infinity=False, places=6),
       st.integers(min_value=0, max_value=3))
def test_rounded_is_within_half_a_unit_and_has_exactly_the_places(value, places):
    result = rounded(value, places)
    assert result.as_tuple().exponent == -places
    assert abs(result - value) <= Decimal(1).scaleb(-places) / 2
