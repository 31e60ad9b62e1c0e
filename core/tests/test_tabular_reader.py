"""The fast .xlsx reader (calamine) gives the cell parsers exactly what openpyxl gave them."""

import django.conf

if not django.conf.settings.configured:
    django.conf.settings.configure(USE_I18N=False)

import datetime
import io
import zipfile

import openpyxl
import pytest

from core import tabular
from core.cells import parse_amount, parse_date, parse_text
from core.tabular import read_table

HEADER = ["企业名称", "营业收入(万元)", "职工总数", "成立日期", "填报时间", "是否规上", "备注"]
ROWS: list[list[object]] = [
    ["甲公司", 1234.5, 80, datetime.datetime(2015, 6, 1), datetime.datetime(2023, 4, 20, 9, 30), True, None],
    ["乙公司", 0.1, 0, datetime.date(1999, 12, 31), datetime.time(10, 30), False, ""],
    ["丙公司", None, 123456789012345, "2020-01-01", None, None, "  有空格  "],
    [None, -12.75, 1e20, 45000, 0.5, None, None],  # 1e20: written as 1e+20, read as a float by both
]


def workbook(rows: list[list[object]], *, origin: str = "A1") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    start_row, start_column = openpyxl.utils.cell.coordinate_to_tuple(origin)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value is not None:
                sheet.cell(row=start_row + r, column=start_column + c, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def both(data: bytes) -> tuple[list, list]:
    fast = list(tabular._calamine_rows(data))
    slow = [(number, list(values)) for number, values in tabular._openpyxl_rows(data)]
    return fast, slow


def cells_of(rows: list) -> list:
    # Trailing empty cells differ in count between the readers and mean nothing.
    out = []
    for number, values in rows:
        values = list(values)
        while values and values[-1] is None:
            values.pop()
        out.append((number, values))
    return out


@pytest.mark.parametrize("origin", ["A1", "C4"])
def test_calamine_gives_the_values_openpyxl_gave(origin: str) -> None:
    fast, slow = both(workbook([HEADER, *ROWS], origin=origin))
    assert cells_of(fast) == cells_of(slow)
    # Same types too, so error messages that echo a cell print it alike ("80", not "80.0").
    for (_n, fast_values), (_m, slow_values) in zip(cells_of(fast), cells_of(slow), strict=True):
        assert [type(v) for v in fast_values] == [type(v) for v in slow_values]


def test_dates_numbers_and_blanks_parse_as_before() -> None:
    table = read_table("企业.xlsx", workbook([["标题行"], [], HEADER, *ROWS]), header_row_hint=["企业名称"])
    assert table.header_row == 3
    assert [row.number for row in table.rows] == [4, 5, 6, 7]
    first, second, third, fourth = (row.cells for row in table.rows)
    assert first["营业收入(万元)"] == 1234.5 and type(first["职工总数"]) is int
    assert parse_amount(first["营业收入(万元)"]).value == parse_amount("1234.5").value
    assert str(parse_amount(second["营业收入(万元)"]).value) == "0.1"
    assert parse_date(first["成立日期"]) == datetime.date(2015, 6, 1)
    assert first["成立日期"] == datetime.datetime(2015, 6, 1)  # a datetime, as openpyxl gave
    assert parse_date(second["成立日期"]) == datetime.date(1999, 12, 31)
    assert second["填报时间"] == datetime.time(10, 30)
    assert first["是否规上"] is True and second["是否规上"] is False
    assert second["备注"] is None and third["营业收入(万元)"] is None  # empty cells are None
    assert parse_text(third["备注"]) == "有空格"
    assert parse_text(third["职工总数"]) == "123456789012345"
    assert (
        fourth["企业名称"] is None
        and parse_amount(fourth["营业收入(万元)"]).value == parse_amount("-12.75").value
    )


def _patched(data: bytes, old: bytes, new: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                assert old in content
                content = content.replace(old, new)
            target.writestr(member, content)
    return buffer.getvalue()


def test_an_error_cell_keeps_its_text() -> None:
    data = workbook([["名称", "数值"], ["甲", 5]])
    broken = _patched(data, b'<c r="B2" t="n"><v>5</v></c>', b'<c r="B2" t="e"><v>#DIV/0!</v></c>')
    assert tabular.has_error_cells(broken) and not tabular.has_error_cells(data)
    table = read_table("a.xlsx", broken)
    # calamine alone would read it as blank ("not reported"); the user must see the formula is broken.
    assert table.rows[0].cells == {"名称": "甲", "数值": "#DIV/0!"}
    with pytest.raises(Exception, match="#DIV/0!"):
        parse_amount(table.rows[0].cells["数值"])


def test_infinite_and_nul_cells_reach_the_parsers() -> None:
    data = workbook([["名称", "数值"], ["甲", 5]])
    data = _patched(data, b'<c r="B2" t="n"><v>5</v></c>', b'<c r="B2" t="n"><v>1e309</v></c>')
    cells = read_table("a.xlsx", data).rows[0].cells
    assert cells["数值"] == float("inf")
    with pytest.raises(Exception, match="不是有效的数字"):
        parse_amount(cells["数值"])


def test_an_unreadable_xlsx_is_a_table_error() -> None:
    with pytest.raises(tabular.TableFileError, match="无法读取Excel文件"):
        read_table("a.xlsx", b"PK\x03\x04" + b"\x00" * 100)
