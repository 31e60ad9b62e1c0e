import django.conf

if not django.conf.settings.configured:
    django.conf.settings.configure(USE_I18N=False)

import datetime
import io
import struct

import openpyxl
import pytest
import xlrd
from hypothesis import given
from hypothesis import strategies as st

from core import tabular
from core.cells import parse_amount, parse_date
from core.tabular import (
    Row,
    Table,
    TableFileError,
    column_letter,
    normalise_header,
    read_table,
    xls_cell_value,
)

# --- building real files -------------------------------------------------------------------


def make_xlsx(rows: list[list[object]], sheet_title: str = "数据") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_title
    for row in rows:
        sheet.append(row)
    # A second sheet must be ignored: only the first worksheet is read.
    workbook.create_sheet("其他").append(["不应读取"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _biff_record(record_type: int, data: bytes) -> bytes:
    return struct.pack("<HH", record_type, len(data)) + data


def _biff_bof(stream_type: int) -> bytes:
    return _biff_record(0x0809, struct.pack("<HHHHII", 0x0600, stream_type, 0x0DBB, 1996, 0, 6))


def _biff_unicode(text: str, length_bytes: int) -> bytes:
    # Flag 0x01: characters stored as UTF-16LE.
    return struct.pack("<B" if length_bytes == 1 else "<H", len(text)) + b"\x01" + text.encode("utf-16-le")


def _biff_xf(format_index: int) -> bytes:
    return _biff_record(
        0x00E0, struct.pack("<HHHBBBBIiH", 0, format_index, 0x0001, 0x20, 0, 0, 0, 0, 0, 0x20C0)
    )


def make_xls(rows: list[list[object]], datemode: int = 0) -> bytes:
    """A minimal BIFF8 workbook in an OLE2 container (xlwt is not available).

    Cells: None, str (LABEL), bool (BOOLERR), ("error", code) (BOOLERR error), date
    (NUMBER with XF 1 = built-in date format 14) and numbers (NUMBER with XF 0).
    """
    epoch = datetime.date(1904, 1, 1) if datemode else datetime.date(1899, 12, 30)
    sheet = [_biff_bof(0x0010)]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            position = struct.pack("<HH", r, c)
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.append(_biff_record(0x0205, position + struct.pack("<HBB", 0, int(value), 0)))
            elif isinstance(value, tuple):
                sheet.append(_biff_record(0x0205, position + struct.pack("<HBB", 0, value[1], 1)))
            elif isinstance(value, str):
                sheet.append(_biff_record(0x0204, position + struct.pack("<H", 0) + _biff_unicode(value, 2)))
            elif isinstance(value, datetime.date):
                serial = float((value - epoch).days)
                sheet.append(_biff_record(0x0203, position + struct.pack("<Hd", 1, serial)))
            else:
                sheet.append(_biff_record(0x0203, position + struct.pack("<Hd", 0, float(value))))
    sheet.append(_biff_record(0x000A, b""))

    def workbook_globals(sheet_offset: int) -> bytes:
        return b"".join(
            [
                _biff_bof(0x0005),
                _biff_record(0x0022, struct.pack("<H", datemode)),
                _biff_xf(0),
                _biff_xf(14),
                _biff_record(0x0085, struct.pack("<IBB", sheet_offset, 0, 0) + _biff_unicode("Sheet1", 1)),
                _biff_record(0x000A, b""),
            ]
        )

    stream = workbook_globals(len(workbook_globals(0))) + b"".join(sheet)
    return _ole2(stream)


def _ole2(stream: bytes) -> bytes:
    # One FAT sector, one directory sector, then the stream padded to at least 4096 bytes
    # so it lives in regular sectors and no mini-stream is needed.
    sector = 512
    size = max(4096, -(-len(stream) // sector) * sector)
    stream += b"\x00" * (size - len(stream))
    count = size // sector
    end_of_chain, free, fat_sector, no_stream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    fat = [fat_sector, end_of_chain] + [3 + i for i in range(count - 1)] + [end_of_chain]
    fat += [free] * (128 - len(fat))
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack(
            "<HHHHH6sIIIIIIIII",
            0x3E,
            3,
            0xFFFE,
            9,
            6,
            b"",
            0,
            1,
            1,
            0,
            4096,
            end_of_chain,
            0,
            end_of_chain,
            0,
        )
        + struct.pack("<109I", 0, *([free] * 108))
    )
    entry = "<64sHBBIII16sIQQIQ"

    def directory_entry(name: str, kind: int, child: int, start: int, length: int) -> bytes:
        raw = (name + "\x00").encode("utf-16-le") if name else b""
        return struct.pack(
            entry, raw, len(raw), kind, 1, no_stream, no_stream, child, b"", 0, 0, 0, start, length
        )

    directory = (
        directory_entry("Root Entry", 5, 1, end_of_chain, 0)
        + directory_entry("Workbook", 2, no_stream, 2, len(stream))
        + directory_entry("", 0, no_stream, 0, 0) * 2
    )
    assert len(header) == len(directory) == sector
    return header + struct.pack("<128I", *fat) + directory + stream


# --- helpers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "letter"),
    [
        (0, "A"),
        (1, "B"),
        (25, "Z"),
        (26, "AA"),
        (27, "AB"),
        (51, "AZ"),
        (52, "BA"),
        (701, "ZZ"),
        (702, "AAA"),
        (16383, "XFD"),
    ],
)
def test_column_letter(index: int, letter: str) -> None:
    assert column_letter(index) == letter


def test_column_letter_rejects_negative() -> None:
    with pytest.raises(ValueError):
        column_letter(-1)


@given(st.integers(0, 20000))
def test_column_letter_is_bijective_base_26(index: int) -> None:
    letters = column_letter(index)
    value = 0
    for char in letters:
        value = value * 26 + ord(char) - ord("A") + 1
    assert value - 1 == index
    assert letters.isascii() and letters.isupper()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("指 标", "指标"),
        (" 指\u3000标 ", "指标"),
        ("营业收入\n(万元)", "营业收入(万元)"),
        ("营业收入（万元）", "营业收入(万元)"),
        ("营业收入 （万元）\r\n", "营业收入(万元)"),
        ("ＲＤ投入", "RD投入"),
        (None, ""),
        (2023, "2023"),
        (2023.0, "2023"),
    ],
)
def test_normalise_header(text: object, expected: str) -> None:
    assert normalise_header(text) == expected


# --- xlsx -------------------------------------------------------------------------------------


XLSX_ROWS: list[list[object]] = [
    ["2023年规上企业研发投入情况表", None, None],  # row 1: title above the header
    [None, None, None],  # row 2: blank
    ["企业名称", "营业收入（万元）", "研发\n投入（万元）", None, "填报日期"],  # row 3: header
    ["甲公司", 1234.5, "60.37万", None, datetime.datetime(2023, 4, 20)],  # row 4
    [None, None, None],  # row 5: blank row in the middle
    ["乙公司", 80, "-", "备注不读", "2023年4月21日", "超出表头宽度"],  # row 6
    ["丙公司"],  # row 7: trailing cells missing
]


def test_xlsx_with_title_row_blank_rows_and_full_width_headers() -> None:
    table = read_table("企业.xlsx", make_xlsx(XLSX_ROWS), header_row_hint=["企业名称"])
    assert table.headers == ["企业名称", "营业收入(万元)", "研发投入(万元)", "填报日期"]
    assert table.columns == {"企业名称": "A", "营业收入(万元)": "B", "研发投入(万元)": "C", "填报日期": "E"}
    assert table.header_row == 3
    assert [row.number for row in table.rows] == [4, 6, 7]
    first, second, third = table.rows
    assert first.cells == {
        "企业名称": "甲公司",
        "营业收入(万元)": 1234.5,
        "研发投入(万元)": "60.37万",
        "填报日期": datetime.datetime(2023, 4, 20),
    }
    # Column D has no header: "备注不读" is dropped, as is the cell beyond the header width.
    assert second.cells == {
        "企业名称": "乙公司",
        "营业收入(万元)": 80,
        "研发投入(万元)": "-",
        "填报日期": "2023年4月21日",
    }
    assert third.cells == {
        "企业名称": "丙公司",
        "营业收入(万元)": None,
        "研发投入(万元)": None,
        "填报日期": None,
    }
    # The raw values feed straight into the cell parsers.
    assert parse_amount(first.cells["研发投入(万元)"]) is not None
    assert parse_date(first.cells["填报日期"]) == datetime.date(2023, 4, 20)
    assert table.column_label("营业收入(万元)") == "B列（营业收入(万元)）"
    assert table.column_label("不存在") == "不存在"


def test_xlsx_hint_is_normalised_too() -> None:
    table = read_table("a.XLSX", make_xlsx(XLSX_ROWS), header_row_hint=["营业收入（万元）"])
    assert table.header_row == 3


def test_xlsx_without_hint_takes_first_non_blank_row_as_header() -> None:
    table = read_table("a.xlsx", make_xlsx(XLSX_ROWS))
    assert table.header_row == 1
    assert table.headers == ["2023年规上企业研发投入情况表"]
    # Rows are numbered and filtered against that (single) column.
    assert [row.number for row in table.rows] == [3, 4, 6, 7]


def test_xlsx_header_not_found_in_first_ten_rows() -> None:
    rows: list[list[object]] = [[f"说明{i}"] for i in range(10)] + [["企业名称", "数值"], ["甲", 1]]
    with pytest.raises(TableFileError) as excinfo:
        read_table("a.xlsx", make_xlsx(rows), header_row_hint=["企业名称"])
    assert "没有找到表头" in str(excinfo.value)
    assert "企业名称" in str(excinfo.value)
    rows = [[f"说明{i}"] for i in range(9)] + [["企业名称", "数值"], ["甲", 1]]
    assert read_table("a.xlsx", make_xlsx(rows), header_row_hint=["企业名称"]).header_row == 10


def test_duplicate_headers() -> None:
    rows: list[list[object]] = [["企业名称", "营业收入(万元)", "营业收入（万元）"], ["甲", 1, 2]]
    with pytest.raises(TableFileError) as excinfo:
        read_table("a.xlsx", make_xlsx(rows))
    message = str(excinfo.value)
    assert message.startswith("表头重复：")
    assert "营业收入(万元)" in message and "B" in message and "C" in message


def test_only_whitespace_rows_are_blank() -> None:
    rows: list[list[object]] = [["名称", "数值"], ["  ", None], ["\u3000", ""], ["甲", 0]]
    table = read_table("a.xlsx", make_xlsx(rows))
    assert [row.number for row in table.rows] == [4]
    assert table.rows[0].cells == {"名称": "甲", "数值": 0}


def test_empty_xlsx() -> None:
    with pytest.raises(TableFileError, match="表格为空"):
        read_table("a.xlsx", make_xlsx([]))


def test_corrupt_xlsx() -> None:
    data = make_xlsx(XLSX_ROWS)
    with pytest.raises(TableFileError, match="无法读取Excel文件"):
        read_table("a.xlsx", data[: len(data) // 2])
    with pytest.raises(TableFileError, match="无法读取Excel文件"):
        read_table("a.xlsx", b"not a spreadsheet at all")


def test_html_saved_as_xls() -> None:
    with pytest.raises(TableFileError, match="网页"):
        read_table("导出.xls", b"<html><table><tr><td>1</td></tr></table></html>")


def test_content_wins_over_extension() -> None:
    table = read_table("mislabelled.xls", make_xlsx(XLSX_ROWS), header_row_hint=["企业名称"])
    assert table.header_row == 3


# --- xls --------------------------------------------------------------------------------------


XLS_ROWS: list[list[object]] = [
    ["企业研发情况"],
    [],
    ["统一社会信用代码", "营业收入（万元）", "填报日期", "是否高企", "增长率"],
    ["91330000MA2H", 1234.5, datetime.date(2023, 4, 20), True, ("error", 0x07)],
    [],
    [None, 80.0, None, False, 2.5],
]


@pytest.mark.parametrize("datemode", [0, 1])
def test_xls(datemode: int) -> None:
    table = read_table(
        "企业.XLS", make_xls(XLS_ROWS, datemode=datemode), header_row_hint=["统一社会信用代码"]
    )
    assert table.headers == ["统一社会信用代码", "营业收入(万元)", "填报日期", "是否高企", "增长率"]
    assert table.header_row == 3
    assert [row.number for row in table.rows] == [4, 6]
    assert table.rows[0].cells == {
        "统一社会信用代码": "91330000MA2H",
        "营业收入(万元)": 1234.5,
        "填报日期": datetime.datetime(2023, 4, 20),
        "是否高企": True,
        "增长率": "#DIV/0!",
    }
    assert table.rows[1].cells == {
        "统一社会信用代码": None,
        "营业收入(万元)": 80.0,
        "填报日期": None,
        "是否高企": False,
        "增长率": 2.5,
    }
    assert isinstance(table.rows[1].cells["营业收入(万元)"], float)


def test_corrupt_xls() -> None:
    data = make_xls(XLS_ROWS)
    with pytest.raises(TableFileError, match="无法读取Excel文件"):
        read_table("a.xls", data[:600])


@pytest.mark.parametrize(
    ("ctype", "value", "datemode", "expected"),
    [
        (xlrd.XL_CELL_EMPTY, "", 0, None),
        (xlrd.XL_CELL_BLANK, "", 0, None),
        (xlrd.XL_CELL_TEXT, "营业收入", 0, "营业收入"),
        (xlrd.XL_CELL_NUMBER, 1234.5, 0, 1234.5),
        (xlrd.XL_CELL_NUMBER, 80.0, 0, 80.0),
        (xlrd.XL_CELL_DATE, 45000.0, 0, datetime.datetime(2023, 3, 15)),
        (xlrd.XL_CELL_DATE, 45000.5, 0, datetime.datetime(2023, 3, 15, 12, 0)),
        (xlrd.XL_CELL_DATE, 45000.0 - 1462, 1, datetime.datetime(2023, 3, 15)),
        (xlrd.XL_CELL_DATE, 0.5, 0, datetime.time(12, 0)),
        (xlrd.XL_CELL_DATE, -5.0, 0, -5.0),
        (xlrd.XL_CELL_DATE, 30.0, 0, 30.0),
        (xlrd.XL_CELL_BOOLEAN, 1, 0, True),
        (xlrd.XL_CELL_BOOLEAN, 0, 0, False),
        (xlrd.XL_CELL_ERROR, 0x07, 0, "#DIV/0!"),
        (xlrd.XL_CELL_ERROR, 0x2A, 0, "#N/A"),
    ],
)
def test_xls_cell_value(ctype: int, value: object, datemode: int, expected: object) -> None:
    result = xls_cell_value(ctype, value, datemode)
    assert result == expected
    assert type(result) is type(expected)


# --- csv --------------------------------------------------------------------------------------


CSV_TEXT = (
    '企业名称,营业收入（万元）,备注\r\n甲公司,"1,234.5",\r\n,,\r\n乙公司,60.37万,"多行\n备注"\r\n丙公司\r\n'
)


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("utf-8-sig", "a.csv"), ("utf-8", "a.CSV"), ("gbk", "a.csv"), ("gb18030", "a.csv")],
)
def test_csv_encodings(encoding: str, name: str) -> None:
    data = CSV_TEXT.encode(encoding)
    table = read_table(name, data)
    assert table.headers == ["企业名称", "营业收入(万元)", "备注"]
    assert table.columns == {"企业名称": "A", "营业收入(万元)": "B", "备注": "C"}
    assert table.header_row == 1
    assert table.rows == [
        Row(2, {"企业名称": "甲公司", "营业收入(万元)": "1,234.5", "备注": None}),
        Row(4, {"企业名称": "乙公司", "营业收入(万元)": "60.37万", "备注": "多行\n备注"}),
        Row(5, {"企业名称": "丙公司", "营业收入(万元)": None, "备注": None}),
    ]


def test_csv_with_bom_keeps_first_header_clean() -> None:
    data = "\ufeff企业名称,数值\n甲,1\n".encode()
    assert read_table("a.csv", data).headers == ["企业名称", "数值"]


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_csv_other_delimiters(delimiter: str) -> None:
    data = (
        delimiter.join(["企业名称", "数值"]).encode() + b"\n" + delimiter.join(["甲", "1,5"]).encode() + b"\n"
    )
    table = read_table("a.csv", data)
    assert table.rows == [Row(2, {"企业名称": "甲", "数值": "1,5"})]


def test_csv_title_line_and_hint() -> None:
    data = "2023年科技企业名单\n\n企业名称,数值\n甲,1\n".encode("gbk")
    table = read_table("a.csv", data, header_row_hint=("企业名称", "不存在的列"))
    assert table.header_row == 3
    assert table.rows == [Row(4, {"企业名称": "甲", "数值": "1"})]


def test_csv_undecodable() -> None:
    with pytest.raises(TableFileError, match="编码"):
        read_table("a.csv", b"\xff\xfe\xfd,\x80\x80\xff\n")


def test_csv_malformed() -> None:
    # A field beyond the csv module's size limit (a stray quote swallowing the file, typically).
    with pytest.raises(TableFileError, match="CSV文件格式有误"):
        read_table("a.csv", b'a,b\n1,"' + b"x" * 200_000 + b"\n")


def test_blank_csv() -> None:
    with pytest.raises(TableFileError, match="表格为空"):
        read_table("a.csv", b"\n,,\n  \n")


@given(
    st.lists(
        st.lists(st.text(alphabet='甲乙丙123 ,"\n', max_size=6), min_size=2, max_size=2),
        max_size=8,
    )
)
def test_csv_rows_keep_spreadsheet_numbers(body: list[list[str]]) -> None:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["名称", "数值"])
    writer.writerows(body)
    table = read_table("a.csv", buffer.getvalue().encode("utf-8"))
    expected = [
        Row(number, {"名称": row[0] or None, "数值": row[1] or None})
        for number, row in enumerate(body, start=2)
        if any(cell.strip() for cell in row)
    ]
    assert table.rows == expected


# --- general guards ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a.pdf", "a.docx", "a", "数据.txt", "a.xlsx.zip"])
def test_unsupported_format(name: str) -> None:
    with pytest.raises(TableFileError) as excinfo:
        read_table(name, b"a,b\n1,2\n")
    assert "不支持的文件格式" in str(excinfo.value)


@pytest.mark.parametrize("name", ["a.xlsx", "a.xls", "a.csv"])
def test_empty_file(name: str) -> None:
    with pytest.raises(TableFileError, match="文件为空"):
        read_table(name, b"")


def test_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    assert tabular.MAX_BYTES == 20 * 1024 * 1024
    with pytest.raises(TableFileError, match="文件过大"):
        read_table("a.csv", b"a\n" + b"1\n" * (10 * 1024 * 1024))
    monkeypatch.setattr(tabular, "MAX_BYTES", 10)
    with pytest.raises(TableFileError, match="文件过大"):
        read_table("a.csv", b"a,b\n1,2\n3,4\n")


def test_too_many_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    assert tabular.MAX_ROWS == 200_000
    monkeypatch.setattr(tabular, "MAX_ROWS", 3)
    ok = "名称\n1\n2\n\n\n".encode()
    assert len(read_table("a.csv", ok).rows) == 2
    with pytest.raises(TableFileError, match="行数超过"):
        read_table("a.csv", "名称\n1\n2\n3\n".encode())
    with pytest.raises(TableFileError, match="行数超过"):
        read_table("a.xlsx", make_xlsx([["名称"], [1], [2], [3]]))


def test_too_many_rows_real_limit() -> None:
    data = ("名称\n" + "1\n" * 200_000).encode()
    with pytest.raises(TableFileError, match="行数超过"):
        read_table("a.csv", data)
    assert len(read_table("a.csv", ("名称\n" + "1\n" * 199_999).encode()).rows) == 199_999


def test_table_error_is_value_error() -> None:
    assert issubclass(TableFileError, ValueError)
    assert Table(headers=[], rows=[]).columns == {}
