"""Published lists as xlsx and docx: 序号, typed money, 合计, no live formulas, Word-safe text, layout."""

import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from openpyxl import load_workbook

from core.list_documents import Column, ListDocument, to_docx, to_xlsx
from core.spreadsheets import safe_cell

TITLE = "2023年第一批创新券补助公示名单"
SUBTITLE = "共有36家企业61个项目获得创新券补助60.37万元。"
COLUMNS = (
    Column("name", "企业名称", width=30),
    Column("amount", "补助金额（元）", kind="money"),
    Column("projects", "项目数", kind="int", width=8),
)
ROWS = [
    {"name": "嘉兴某某科技有限公司", "amount": Decimal("603700.00"), "projects": 3},
    {"name": "=1+1", "amount": Decimal("0.10"), "projects": None},
    {"name": "平湖\x00某\x07公司", "amount": None, "projects": 1},
]
TOTALS = {"amount": Decimal("603700.10"), "projects": 4}
FOOTER = ("公示期：2023年6月1日至6月7日。", "平湖市科学技术局", "2023年6月1日")


def make(columns=COLUMNS, rows=ROWS, **kwargs) -> ListDocument:
    values = {"title": TITLE, "subtitle": SUBTITLE, "totals": TOTALS, "footer": FOOTER} | kwargs
    return ListDocument(columns=columns, rows=rows, **values)


def sheet(doc: ListDocument):
    return load_workbook(io.BytesIO(to_xlsx(doc))).active


def word(doc: ListDocument):
    return Document(io.BytesIO(to_docx(doc)))


def table_texts(document) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in document.tables[0].rows]


# ------------------------------------------------------------------------------ Excel

def test_xlsx_title_subtitle_and_headers():
    ws = sheet(make())
    assert ws.title == "名单"
    assert ws["A1"].value == TITLE and ws["A1"].font.b
    assert ws["A2"].value == SUBTITLE
    assert {str(r) for r in ws.merged_cells.ranges} >= {"A1:D1", "A2:D2"}
    assert [c.value for c in ws[3]] == ["序号", "企业名称", "补助金额（元）", "项目数"]
    assert all(c.font.b and c.border.left.style == "thin" for c in ws[3])
    assert ws.freeze_panes == "A4"


def test_xlsx_without_subtitle_puts_the_header_in_row_two():
    ws = sheet(make(subtitle=""))
    assert [c.value for c in ws[2]][:2] == ["序号", "企业名称"]
    assert ws.freeze_panes == "A3"
    assert "A2:D2" not in {str(r) for r in ws.merged_cells.ranges}


def test_xlsx_rows_have_serial_numbers_and_money_as_numbers():
    ws = sheet(make())
    first, second, third = ws[4], ws[5], ws[6]
    assert [c.value for c in first] == [1, "嘉兴某某科技有限公司", 603700, 3]
    assert first[2].data_type == "n" and first[2].number_format == "#,##0.00"
    assert second[0].value == 2 and second[2].value == 0.1 and second[2].data_type == "n"
    assert second[3].value is None
    assert [third[0].value, third[1].value, third[2].value] == [3, "平湖某公司", None]
    assert all(c.border.top.style == "thin" for row in (first, second, third) for c in row)


def test_xlsx_formula_looking_text_is_not_a_formula():
    cell = sheet(make())["B5"]
    assert cell.data_type != "f"
    assert cell.value == safe_cell("=1+1") == "'=1+1"


def test_xlsx_totals_row_and_footer():
    ws = sheet(make())
    totals = ws[7]
    assert [c.value for c in totals] == ["合计", None, 603700.1, 4]
    assert all(c.font.b for c in totals)
    assert [ws.cell(row=r, column=1).value for r in (9, 10, 11)] == list(FOOTER)


def test_xlsx_dates_stay_dates():
    columns = (Column("name", "项目名称"), Column("day", "立项日期", kind="date"))
    ws = sheet(make(columns, [{"name": "项目甲", "day": datetime.date(2023, 5, 8)}], totals=None))
    cell = ws["C4"]
    assert cell.value == datetime.datetime(2023, 5, 8) and cell.number_format == "yyyy-mm-dd"
    assert ws.max_row == 4 + 1 + len(FOOTER)  # no 合计 row without totals


# ------------------------------------------------------------------------------ Word

def test_docx_title_subtitle_and_footer():
    paragraphs = word(make()).paragraphs
    title = paragraphs[0]
    assert title.text == TITLE and title.alignment == 1  # centred
    run = title.runs[0]
    assert run.bold and run.font.size.pt == 16
    assert run._r.rPr.rFonts.get(qn("w:eastAsia"))
    assert paragraphs[1].text == SUBTITLE
    assert [p.text for p in paragraphs[-len(FOOTER):]] == list(FOOTER)


def test_docx_table_rows_money_and_totals():
    document = word(make())
    assert document.tables[0].style.name == "Table Grid"
    rows = table_texts(document)
    assert rows[0] == ["序号", "企业名称", "补助金额（元）", "项目数"]
    assert rows[1] == ["1", "嘉兴某某科技有限公司", "603,700.00", "3"]
    assert rows[2] == ["2", "=1+1", "0.10", ""]  # Word runs nothing: the text is shown as typed
    assert rows[4] == ["合计", "", "603,700.10", "4"]
    table = document.tables[0]
    assert table.rows[1].cells[2].paragraphs[0].alignment == 2  # money right-aligned
    assert all(r.bold for c in table.rows[0].cells for r in c.paragraphs[0].runs)
    assert all(r.bold for c in table.rows[4].cells for r in c.paragraphs[0].runs)
    assert not any(r.bold for c in table.rows[1].cells for r in c.paragraphs[0].runs)


def test_docx_strips_nul_and_control_characters():
    document = word(make(title="公示\x00名单\x0b", footer=("落款\x1f",)))
    assert document.paragraphs[0].text == "公示名单"
    assert table_texts(document)[3][1] == "平湖某公司"
    assert document.paragraphs[-1].text == "落款"


def test_docx_header_row_repeats_on_each_page():
    rows = word(make()).tables[0].rows
    assert rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert rows[1]._tr.trPr is None or rows[1]._tr.trPr.find(qn("w:tblHeader")) is None


@pytest.mark.parametrize("count,orientation", [(7, WD_ORIENT.LANDSCAPE), (2, WD_ORIENT.PORTRAIT)])
def test_docx_orientation_follows_column_count(count, orientation):
    columns = tuple(Column(f"c{i}", f"第{i}列") for i in range(count))  # plus 序号: 8 or 3
    section = word(make(columns, [{"c0": "值"}], totals=None)).sections[0]
    assert section.orientation == orientation
    assert (section.page_width > section.page_height) == (orientation == WD_ORIENT.LANDSCAPE)
    assert round(section.page_width.mm) in (210, 297)


def test_docx_dates_as_iso_text():
    columns = (Column("day", "兑付日期", kind="date"),)
    rows = table_texts(word(make(columns, [{"day": datetime.date(2023, 12, 1)}], totals=None)))
    assert rows[1] == ["1", "2023-12-01"]


@pytest.mark.parametrize("render", [to_xlsx, to_docx])
def test_outputs_are_deterministic(render):
    data = render(make())
    assert render(make()) == data
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = package.read("docProps/core.xml").decode()
    assert re.search(r"<dcterms:modified[^>]*>2000-01-01T00:00:00Z<", core)
