import django.conf

if not django.conf.settings.configured:
    django.conf.settings.configure(USE_I18N=False)

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.cells import (
    Amount,
    CellError,
    convert_amount,
    parse_amount,
    parse_date,
    parse_text,
    to_halfwidth,
)

_TO_FULLWIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)} | {" ": "\u3000"})


def fullwidth(text: str) -> str:
    return text.translate(_TO_FULLWIDTH)


def amount(raw: object) -> Amount:
    result = parse_amount(raw)
    assert result is not None
    return result


# --- to_halfwidth -------------------------------------------------------------------------


def test_to_halfwidth() -> None:
    assert to_halfwidth("１２３４．５６") == "1234.56"
    assert to_halfwidth("１，２３４") == "1,234"
    assert to_halfwidth("－５％") == "-5%"
    assert to_halfwidth("营业收入（万元）") == "营业收入(万元)"
    assert to_halfwidth("ＡＢＣｘｙｚ") == "ABCxyz"
    assert to_halfwidth("指\u3000标") == "指 标"
    assert to_halfwidth("汉字不变。、") == "汉字不变。、"


@given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E)))
def test_to_halfwidth_inverts_fullwidth(text: str) -> None:
    assert to_halfwidth(fullwidth(text)) == text
    assert to_halfwidth(text) == text


# --- parse_amount: blanks and plain numbers ----------------------------------------------------


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000", "-", "—", "/", "无", "－", " - ", "--", "——"])
def test_blank_cells(raw: object) -> None:
    assert parse_amount(raw) is None


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (0, Decimal(0)),
        (42, Decimal(42)),
        (-7, Decimal(-7)),
        (2.2, Decimal("2.2")),
        (0.1, Decimal("0.1")),
        (60.37, Decimal("60.37")),
        (80.0, Decimal("80")),
        (-0.5, Decimal("-0.5")),
        (Decimal("1.50"), Decimal("1.50")),
    ],
)
def test_numbers_from_excel(raw: object, value: Decimal) -> None:
    result = amount(raw)
    assert result == Amount(value, None)
    assert result.value == value


def test_float_is_not_binary_expanded() -> None:
    assert str(amount(2.2).value) == "2.2"
    assert str(amount(80.0).value) == "80"
    assert amount(80.0).value.as_tuple().exponent == 0


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_floats_convert_to_their_shortest_decimal(value: float) -> None:
    result = amount(value).value
    assert float(result) == value
    if value.is_integer():
        assert result == int(value)
        assert result.as_tuple().exponent == 0


@pytest.mark.parametrize(
    "raw",
    [
        float("nan"),
        float("inf"),
        Decimal("NaN"),
        Decimal("Infinity"),
        True,
        False,
        [1],
        1e40,
        Decimal("1E+40"),
    ],
)
def test_non_numbers_from_cells(raw: object) -> None:
    with pytest.raises(CellError):
        parse_amount(raw)


@pytest.mark.parametrize(
    ("raw", "value", "unit"),
    [
        ("123", "123", None),
        ("  123  ", "123", None),
        ("1,234.5", "1234.5", None),
        ("1，234.5", "1234.5", None),
        ("1,234,567", "1234567", None),
        ("+5", "5", None),
        ("-5", "-5", None),
        ("−5", "-5", None),
        ("0.5", "0.5", None),
        (".5", "0.5", None),
        ("1.2E3", "1200", None),
        ("1.2e-3", "0.0012", None),
        ("2.50", "2.50", None),
        ("4亿元", "4", "亿元"),
        ("4亿", "4", "亿"),
        ("60.37万", "60.37", "万"),
        ("60.37万元", "60.37", "万元"),
        ("60.37 万元", "60.37", "万元"),
        ("12,345万元", "12345", "万元"),
        ("12，345万元", "12345", "万元"),
        ("1500元", "1500", "元"),
        ("850千元", "850", "千元"),
        ("2.5%", "2.5", "%"),
        ("2.5％", "2.5", "%"),
        ("-1.2%", "-1.2", "%"),
        ("80家", "80", "家"),
        ("12件", "12", "件"),
        ("3项", "3", "项"),
        ("5个", "5", "个"),
        ("30人", "30", "人"),
        ("12.5人年", "12.5", "人年"),
        ("8名", "8", "名"),
        ("4次", "4", "次"),
        ("200人次", "200", "人次"),
        ("1.2万人次", "1.2", "万人次"),
        ("约2.5%", "2.5", "%"),
        ("达80家", "80", "家"),
        ("约为1,200万元", "1200", "万元"),
        ("１２３．４５", "123.45", None),
        ("１，２３４．５万元", "1234.5", "万元"),
        ("８０\u3000家", "80", "家"),
    ],
)
def test_strings(raw: str, value: str, unit: str | None) -> None:
    assert parse_amount(raw) == Amount(Decimal(value), unit)


@pytest.mark.parametrize(
    "raw",
    [
        "abc",
        "1.2.3",
        "十二",
        "1,23",
        "12,3456",
        "1..2",
        "5.",
        "万元",
        "%",
        "1-2",
        "约",
        "80斤",
        "2.5%%",
        "1 2",
        "1  2",
        "1\u30002",
        "#DIV/0!",
        "1E",
        "++5",
    ],
)
def test_invalid_strings(raw: str) -> None:
    with pytest.raises(CellError) as excinfo:
        parse_amount(raw)
    assert str(excinfo.value) == f"不是有效的数字：{raw}"


def test_cell_error_is_value_error() -> None:
    assert issubclass(CellError, ValueError)


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-(10**12), max_value=10**12))
def test_thousands_separators_round_trip(value: Decimal) -> None:
    assert amount(f"{value:,f}").value == value
    assert amount(f"{value:,f}".replace(",", "，")).value == value
    assert amount(f"{value:,f}万元") == Amount(value, "万元")


@given(st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-(10**9), max_value=10**9))
def test_full_width_round_trip(value: Decimal) -> None:
    assert amount(fullwidth(f"{value:f}")).value == value
    assert amount(fullwidth(f"{value:,f}") + "％") == Amount(value, "%")


@given(st.integers(-(10**15), 10**15))
def test_integers_round_trip_in_every_form(value: int) -> None:
    assert amount(value).value == value
    assert amount(str(value)).value == value
    assert amount(float(value) if abs(value) < 2**53 else value).value == value


# --- convert_amount ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "target", "expected"),
    [
        ("12,345万元", "亿元", "1.2345"),
        ("60.37万", "万元", "60.37"),
        ("60.37万", "元", "603700"),
        ("60.37万", "亿元", "0.006037"),
        ("4亿", "亿元", "4"),
        ("4亿元", "亿元", "4"),
        ("4亿元", "万元", "40000"),
        ("4亿元", "元", "400000000"),
        ("1500元", "万元", "0.15"),
        ("850千元", "万元", "85"),
        ("60.37万元", "万元", "60.37"),
        ("3.5", "亿元", "3.5"),
        ("80家", "家", "80"),
        ("12件", "件/万人", "12"),
        ("12", "件/万人", "12"),
        ("6.2万元", "元/人", "62000"),
        ("1.2万人次", "人次", "12000"),
        ("35000人", "万人", "3.5"),
        ("3万", "家", "30000"),
        ("2.5%", "%", "2.5"),
        ("2.5", "%", "2.5"),
        ("2.5％", "％", "2.5"),
        ("5万", "万吨", "5"),
        ("5万", "吨", "50000"),
        ("80", "家", "80"),
        ("12.5人年", "人年", "12.5"),
    ],
)
def test_convert_amount(raw: str, target: str, expected: str) -> None:
    result = convert_amount(amount(raw), target)
    assert result == Decimal(expected)
    assert isinstance(result, Decimal)


def test_convert_is_exact_and_plain() -> None:
    result = convert_amount(amount("12,345万元"), "亿元")
    assert str(result) == "1.2345"
    assert str(convert_amount(amount("60.37万"), "元")) == "603700"
    assert convert_amount(amount("0.1万元"), "元") + convert_amount(amount("0.2万元"), "元") == Decimal(3000)


@pytest.mark.parametrize(
    ("raw", "target"),
    [
        ("80家", "万元"),
        ("80家", "件"),
        ("12件", "家"),
        ("12项", "件/万人"),
        ("2.5%", "万元"),
        ("2.5%", "家"),
        ("4亿元", "%"),
        ("4亿", "%"),
        ("80家", ""),
        ("1500元", "家"),
        ("1500元", "吨"),
        ("30人", "人年"),
    ],
)
def test_convert_unit_mismatch(raw: str, target: str) -> None:
    with pytest.raises(CellError) as excinfo:
        convert_amount(amount(raw), target)
    message = str(excinfo.value)
    assert message.startswith("单位不符：")
    assert "应为" in message
    assert amount(raw).unit in message


@given(st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-(10**9), max_value=10**9))
def test_money_units_convert_exactly_both_ways(value: Decimal) -> None:
    in_yuan = convert_amount(Amount(value, "万元"), "元")
    assert in_yuan == value * 10000
    assert convert_amount(Amount(in_yuan, "元"), "万元") == value
    assert convert_amount(Amount(value, "亿元"), "万元") == value * 10000
    assert convert_amount(Amount(value, "万"), "亿元") == convert_amount(Amount(value, "万元"), "亿元")
    assert convert_amount(Amount(value, None), "亿元") == value


# --- parse_date -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (datetime.date(2023, 4, 20), datetime.date(2023, 4, 20)),
        (datetime.datetime(2023, 4, 20, 15, 30), datetime.date(2023, 4, 20)),
        (45000, datetime.date(2023, 3, 15)),
        (45000.75, datetime.date(2023, 3, 15)),
        (Decimal(45000), datetime.date(2023, 3, 15)),
        (61, datetime.date(1900, 3, 1)),
        (1, datetime.date(1900, 1, 1)),
        (59, datetime.date(1900, 2, 28)),
        (20230420, datetime.date(2023, 4, 20)),
        (20230420.0, datetime.date(2023, 4, 20)),
        ("2023-04-20", datetime.date(2023, 4, 20)),
        ("2023-4-20", datetime.date(2023, 4, 20)),
        ("2023/4/20", datetime.date(2023, 4, 20)),
        ("2023.4.20", datetime.date(2023, 4, 20)),
        ("2023年4月20日", datetime.date(2023, 4, 20)),
        ("2023年4月20号", datetime.date(2023, 4, 20)),
        ("2023 年 4 月 20 日", datetime.date(2023, 4, 20)),
        ("2023年04月20日", datetime.date(2023, 4, 20)),
        ("20230420", datetime.date(2023, 4, 20)),
        ("２０２３－０４－２０", datetime.date(2023, 4, 20)),
        ("2023-04-20 00:00:00", datetime.date(2023, 4, 20)),
        (" 2024-02-29 ", datetime.date(2024, 2, 29)),
    ],
)
def test_parse_date(raw: object, expected: datetime.date) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "  ", "\u3000"])
def test_parse_date_blank(raw: object) -> None:
    assert parse_date(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        "abc",
        "2023-02-30",
        "2023-13-01",
        "2023/4-20",
        "2023年4月",
        "230420",
        "2023042",
        "20231301",
        "4/20/2023",
        "明天",
    ],
)
def test_parse_date_invalid_strings(raw: str) -> None:
    with pytest.raises(CellError) as excinfo:
        parse_date(raw)
    assert str(excinfo.value) == f"不是有效的日期：{raw}"


@pytest.mark.parametrize("raw", [0, -5, 60, 3_000_000, float("nan"), True, 20230230, [2023]])
def test_parse_date_invalid_values(raw: object) -> None:
    with pytest.raises(CellError, match="不是有效的日期"):
        parse_date(raw)


@given(st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2100, 12, 31)))
def test_parse_date_round_trips(day: datetime.date) -> None:
    serial = (day - datetime.date(1899, 12, 30)).days
    assert parse_date(serial) == day
    assert parse_date(float(serial) + 0.5) == day
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day.year}年{day.month}月{day.day}日") == day
    assert parse_date(f"{day.year}/{day.month}/{day.day}") == day
    assert parse_date(day.strftime("%Y%m%d")) == day
    assert parse_date(int(day.strftime("%Y%m%d"))) == day


# --- parse_text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("\u3000\u3000", None),
        ("  杭州某某科技有限公司 ", "杭州某某科技有限公司"),
        ("\u3000某某（分公司）\u3000", "某某（分公司）"),
        ("91330000MA2H", "91330000MA2H"),
        (91330000.0, "91330000"),
        (91330000, "91330000"),
        (2.5, "2.5"),
        (Decimal("1.50"), "1.50"),
        (True, "TRUE"),
        (datetime.date(2023, 4, 20), "2023-04-20"),
        (datetime.datetime(2023, 4, 20), "2023-04-20"),
        (datetime.datetime(2023, 4, 20, 8, 30), "2023-04-20 08:30:00"),
    ],
)
def test_parse_text(raw: object, expected: str | None) -> None:
    assert parse_text(raw) == expected


def test_parse_text_keeps_inner_text() -> None:
    # Full-width parentheses are the correct form in Chinese company names.
    assert parse_text("某某科技（杭州）有限公司") == "某某科技（杭州）有限公司"
    assert parse_text("A  B") == "A  B"


@given(st.integers(0, 10**15))
def test_parse_text_integral_floats(value: int) -> None:
    assert parse_text(float(value)) == str(int(float(value)))
    assert parse_text(value) == str(value)
