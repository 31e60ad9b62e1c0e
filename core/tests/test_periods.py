import django.conf

if not django.conf.settings.configured:
    django.conf.settings.configure(USE_I18N=False)

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.periods import ParsedPeriod, Period, PeriodError, parse_period_loose


def P(code: str) -> Period:
    return Period.parse(code)


@st.composite
def periods(draw: st.DrawFn, min_year: int = 1900, max_year: int = 2100) -> Period:
    year = draw(st.integers(min_year, max_year))
    kind = draw(st.sampled_from("YHQM"))
    index = {
        "Y": 0,
        "H": draw(st.integers(1, 2)),
        "Q": draw(st.integers(1, 4)),
        "M": draw(st.integers(1, 12)),
    }
    return Period(year, kind, index[kind])


# --- canonical parse and properties -----------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("2023", Period(2023, "Y", 0)),
        ("2023H1", Period(2023, "H", 1)),
        ("2023H2", Period(2023, "H", 2)),
        ("2023Q1", Period(2023, "Q", 1)),
        ("2023Q4", Period(2023, "Q", 4)),
        ("2023-01", Period(2023, "M", 1)),
        ("2023-12", Period(2023, "M", 12)),
        ("  2023Q2 ", Period(2023, "Q", 2)),
    ],
)
def test_parse_canonical(code: str, expected: Period) -> None:
    assert Period.parse(code) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2023Q5",
        "2023Q0",
        "2023H3",
        "2023-13",
        "2023-00",
        "2023-1",
        "2023q1",
        "2023年",
        "23",
        "",
        "abc",
        "２０２３",
    ],
)
def test_parse_rejects_non_canonical(text: str) -> None:
    with pytest.raises(PeriodError) as excinfo:
        Period.parse(text)
    assert "无法识别的期间" in str(excinfo.value)
    assert text.strip() in str(excinfo.value)


def test_parse_error_message_example() -> None:
    with pytest.raises(PeriodError, match="^无法识别的期间：2023Q5$"):
        Period.parse("2023Q5")


def test_period_error_is_value_error() -> None:
    assert issubclass(PeriodError, ValueError)


@pytest.mark.parametrize("year", [1899, 2101])
def test_year_range(year: int) -> None:
    with pytest.raises(PeriodError, match="年份应在1900至2100之间"):
        Period(year, "Y", 0)
    with pytest.raises(PeriodError):
        Period.parse(f"{year}Q1")


@pytest.mark.parametrize(
    ("kind", "index"), [("Y", 1), ("H", 0), ("H", 3), ("Q", 5), ("M", 13), ("M", 0), ("X", 1)]
)
def test_constructor_validates(kind: str, index: int) -> None:
    with pytest.raises(PeriodError):
        Period(2023, kind, index)


@pytest.mark.parametrize(
    ("code", "start", "end", "end_key"),
    [
        ("2023", 1, 12, 202312),
        ("2023H1", 1, 6, 202306),
        ("2023H2", 7, 12, 202312),
        ("2023Q1", 1, 3, 202303),
        ("2023Q2", 4, 6, 202306),
        ("2023Q4", 10, 12, 202312),
        ("2023-06", 6, 6, 202306),
        ("2023-01", 1, 1, 202301),
    ],
)
def test_months_and_end_key(code: str, start: int, end: int, end_key: int) -> None:
    period = P(code)
    assert (period.start_month, period.end_month) == (start, end)
    assert period.months_elapsed == end
    assert period.end_key == end_key


def test_end_key_shared_by_periods_ending_together() -> None:
    assert P("2023Q2").end_key == P("2023H1").end_key == P("2023-06").end_key == 202306


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("2023", "2023年"),
        ("2023H1", "2023年上半年"),
        ("2023H2", "2023年下半年"),
        ("2023Q1", "2023年第一季度"),
        ("2023Q2", "2023年第二季度"),
        ("2023Q3", "2023年第三季度"),
        ("2023Q4", "2023年第四季度"),
        ("2023-05", "2023年5月"),
        ("2023-12", "2023年12月"),
    ],
)
def test_label(code: str, label: str) -> None:
    assert P(code).label == label


def test_str_is_code() -> None:
    assert str(P("2023-05")) == "2023-05"
    assert str(P("2023Q3")) == "2023Q3"
    assert f"{P('2023')}" == "2023"


@pytest.mark.parametrize(
    ("code", "previous"),
    [
        ("2023Q1", "2022Q4"),
        ("2023Q3", "2023Q2"),
        ("2023-01", "2022-12"),
        ("2023-07", "2023-06"),
        ("2023", "2022"),
        ("2023H1", "2022H2"),
        ("2023H2", "2023H1"),
    ],
)
def test_previous_and_next(code: str, previous: str) -> None:
    assert P(code).previous() == P(previous)
    assert P(previous).next() == P(code)


def test_previous_out_of_range() -> None:
    with pytest.raises(PeriodError):
        P("1900Q1").previous()
    with pytest.raises(PeriodError):
        P("2100-12").next()


@pytest.mark.parametrize(
    ("code", "last_year"),
    [("2023Q2", "2022Q2"), ("2023-01", "2022-01"), ("2023", "2022"), ("2023H2", "2022H2")],
)
def test_same_period_last_year(code: str, last_year: str) -> None:
    assert P(code).same_period_last_year() == P(last_year)


@pytest.mark.parametrize(
    ("outer", "inner", "expected"),
    [
        ("2023", "2023Q2", True),
        ("2023", "2023-05", True),
        ("2023", "2023H2", True),
        ("2023Q2", "2023-05", True),
        ("2023Q2", "2023-04", True),
        ("2023Q2", "2023-07", False),
        ("2023H1", "2023Q2", True),
        ("2023H1", "2023Q3", False),
        ("2023Q2", "2023H1", False),
        ("2023Q2", "2023", False),
        ("2023", "2022-05", False),
        ("2023", "2024Q1", False),
        ("2023Q2", "2023Q2", True),
        ("2023", "2023", True),
    ],
)
def test_contains(outer: str, inner: str, expected: bool) -> None:
    assert P(outer).contains(P(inner)) is expected


def test_months() -> None:
    assert [m.code for m in P("2023Q2").months()] == ["2023-04", "2023-05", "2023-06"]
    assert [m.code for m in P("2023H2").months()] == [f"2023-{m:02d}" for m in range(7, 13)]
    assert len(P("2023").months()) == 12
    assert P("2023-05").months() == [P("2023-05")]


def test_sort_order() -> None:
    codes = [
        "2023",
        "2023Q4",
        "2023-12",
        "2023H2",
        "2023-06",
        "2023Q2",
        "2023H1",
        "2023-07",
        "2022",
        "2024-01",
    ]
    assert [p.code for p in sorted(P(c) for c in codes)] == [
        "2022",
        "2023-06",
        "2023Q2",
        "2023H1",
        "2023-07",
        "2023-12",
        "2023Q4",
        "2023H2",
        "2023",
        "2024-01",
    ]
    assert P("2023-01") < P("2023Q1") < P("2023-04")
    assert P("2023") > P("2023H2") >= P("2023H2")


def test_periods_are_hashable_values() -> None:
    assert {P("2023Q1"), Period(2023, "Q", 1)} == {P("2023Q1")}
    assert P("2023Q1") != P("2023-03")


def test_comparison_with_other_types() -> None:
    assert P("2023") != "2023"
    with pytest.raises(TypeError):
        _ = P("2023") < "2024"  # type: ignore[operator]


# --- properties over all periods -------------------------------------------------------------


@given(periods())
def test_code_round_trip(period: Period) -> None:
    assert Period.parse(period.code) == period
    assert parse_period_loose(period.code) == ParsedPeriod(period, False)
    assert parse_period_loose(period.code.lower()).period == period


@given(periods(min_year=1901, max_year=2099))
def test_previous_then_next_is_identity(period: Period) -> None:
    assert period.previous().next() == period
    assert period.next().previous() == period
    assert period.previous() < period < period.next()
    assert period.previous().kind == period.kind


@given(periods(min_year=1901))
def test_same_period_last_year_properties(period: Period) -> None:
    last = period.same_period_last_year()
    assert last.year == period.year - 1
    assert (last.kind, last.index, last.start_month, last.end_month) == (
        period.kind,
        period.index,
        period.start_month,
        period.end_month,
    )
    assert last.end_key == period.end_key - 100


@given(periods())
def test_months_partition_the_period(period: Period) -> None:
    months = period.months()
    assert [m.index for m in months] == list(range(period.start_month, period.end_month + 1))
    assert all(period.contains(m) for m in months)
    assert period.contains(period)
    assert len(months) == {"Y": 12, "H": 6, "Q": 3, "M": 1}[period.kind]


@given(periods(), periods())
def test_contains_agrees_with_months(outer: Period, inner: Period) -> None:
    expected = set(inner.months()) <= set(outer.months())
    assert outer.contains(inner) is expected


@given(periods(), periods())
def test_order_is_total_and_consistent(a: Period, b: Period) -> None:
    assert (a < b) + (a == b) + (a > b) == 1
    if a.end_key < b.end_key:
        assert a < b


# --- loose parsing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2023", "2023"),
        ("2023年", "2023"),
        ("2023年度", "2023"),
        (" 2023 年 ", "2023"),
        ("2023年上半年", "2023H1"),
        ("2023年下半年", "2023H2"),
        ("2023h1", "2023H1"),
        ("2023H2", "2023H2"),
        ("2023年第二季度", "2023Q2"),
        ("2023年第2季度", "2023Q2"),
        ("2023年二季度", "2023Q2"),
        ("2023年2季度", "2023Q2"),
        ("2023年一季度", "2023Q1"),
        ("2023年三季度", "2023Q3"),
        ("2023年四季度", "2023Q4"),
        ("2023q4", "2023Q4"),
        ("2023Q1", "2023Q1"),
        ("2023年5月", "2023-05"),
        ("2023年05月", "2023-05"),
        ("2023年12月", "2023-12"),
        ("2023.5", "2023-05"),
        ("2023/05", "2023-05"),
        ("2023-5", "2023-05"),
        ("2023-05", "2023-05"),
        ("2023.10", "2023-10"),
        ("２０２３年５月", "2023-05"),
        ("２０２３Ｑ２", "2023Q2"),
        ("２０２３ｑ２", "2023Q2"),
        ("２０２３－０５", "2023-05"),
        ("2023\u3000年\u30005月", "2023-05"),
    ],
)
def test_loose_forms(text: str, code: str) -> None:
    parsed = parse_period_loose(text)
    assert parsed.period == P(code)
    assert parsed.year_to_date is False


@pytest.mark.parametrize(
    "text",
    [
        "2023年1-5月",
        "2023年1—5月",
        "2023年1~5月",
        "2023年1～5月",
        "2023年1至5月",
        "2023年1月-5月",
        "２０２３年１－５月",
    ],
)
def test_loose_year_to_date(text: str) -> None:
    assert parse_period_loose(text) == ParsedPeriod(P("2023-05"), year_to_date=True)


def test_year_to_date_label() -> None:
    assert parse_period_loose("2023年1-5月").label == "2023年1-5月"
    assert parse_period_loose("2023年5月").label == "2023年5月"


def test_year_to_date_must_start_in_january() -> None:
    with pytest.raises(PeriodError) as excinfo:
        parse_period_loose("2023年3-5月")
    message = str(excinfo.value)
    assert "只接受从1月开始" in message
    assert "2023年3-5月" in message


def test_year_to_date_month_range() -> None:
    with pytest.raises(PeriodError, match="月份应在1至12之间"):
        parse_period_loose("2023年1-13月")


@pytest.mark.parametrize(
    "value",
    [datetime.date(2023, 5, 17), datetime.datetime(2023, 5, 1, 0, 0), datetime.datetime(2023, 5, 31, 23, 59)],
)
def test_loose_excel_dates(value: datetime.date) -> None:
    assert parse_period_loose(value) == ParsedPeriod(P("2023-05"), False)


@pytest.mark.parametrize(
    ("value", "code"), [(2023, "2023"), (2023.0, "2023"), (Decimal("2023"), "2023"), (202305, "2023-05")]
)
def test_loose_numbers_from_numeric_cells(value: object, code: str) -> None:
    assert parse_period_loose(value).period == P(code)


@pytest.mark.parametrize("value", [2023.5, 2023.1, Decimal("2023.5")])
def test_loose_rejects_fractional_numbers(value: object) -> None:
    # Excel stores a typed "2023.10" as 2023.1: guessing the month would be wrong half the time.
    with pytest.raises(PeriodError, match="小数"):
        parse_period_loose(value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2023Q5", "季度应在1至4之间"),
        ("2023年第五季度", "季度应在1至4之间"),
        ("2023年0季度", "季度应在1至4之间"),
        ("2023年13月", "月份应在1至12之间"),
        ("2023-00", "月份应在1至12之间"),
        ("2023.13", "月份应在1至12之间"),
        ("2023h3", "半年应为H1或H2"),
        ("1899年", "年份应在1900至2100之间"),
        ("2101-01", "年份应在1900至2100之间"),
        ("abc", "无法识别的期间"),
        ("2023年第二", "无法识别的期间"),
        ("23年5月", "无法识别的期间"),
        ("2023年五月", "无法识别的期间"),
        ("2023-05-01", "无法识别的期间"),
        ("上半年", "无法识别的期间"),
    ],
)
def test_loose_errors_name_the_text(text: str, fragment: str) -> None:
    with pytest.raises(PeriodError) as excinfo:
        parse_period_loose(text)
    assert fragment in str(excinfo.value)
    assert text in str(excinfo.value)


@pytest.mark.parametrize("value", ["", "   ", None, True, [2023]])
def test_loose_rejects_blank_and_odd_types(value: object) -> None:
    with pytest.raises(PeriodError):
        parse_period_loose(value)


_FULLWIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


@given(periods())
def test_loose_accepts_full_width_codes(period: Period) -> None:
    assert parse_period_loose(period.code.translate(_FULLWIDTH)).period == period


@given(st.integers(1900, 2100), st.integers(1, 12), st.sampled_from(["-", "—", "~", "～", "至"]))
def test_loose_year_to_date_any_month(year: int, month: int, dash: str) -> None:
    assert parse_period_loose(f"{year}年1{dash}{month}月") == ParsedPeriod(Period(year, "M", month), True)


@given(
    st.integers(1900, 2100),
    st.integers(1, 12),
    st.sampled_from(["{y}年{m}月", "{y}年{m:02d}月", "{y}.{m}", "{y}/{m:02d}", "{y}-{m}"]),
)
def test_loose_month_spellings(year: int, month: int, template: str) -> None:
    assert parse_period_loose(template.format(y=year, m=month)).period == Period(year, "M", month)
