"""Published lists (公示名单, 兑付表, 立项清单) as an Excel workbook and a Word document.

The same table is published twice: xlsx for those who re-sort and sum it, docx for the notice that is
printed and posted.  Both come from one ``ListDocument`` so they never disagree (序号, money to the cent,
合计).  Amounts stay real numbers in Excel; every text cell goes through ``safe_cell`` so a name typed as
``=1+1`` is shown, not run.  Fixed document dates and zip times: the same list gives the same bytes.
"""

import datetime
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from core.spreadsheets import safe_cell

SERIAL_LABEL = "序号"
TOTAL_LABEL = "合计"
MONEY_FORMAT = "#,##0.00"
TITLE_FONT = "宋体"
BODY_FONT = "仿宋"
LATIN_FONT = "Times New Roman"
# More columns than this (序号 included) do not fit A4 portrait at a readable size.
PORTRAIT_MAX_COLUMNS = 6
_SERIAL_WIDTH = 6
_XLSX_FORMATS = {"money": MONEY_FORMAT, "date": "yyyy-mm-dd"}
# What XML 1.0 cannot hold; python-docx and openpyxl refuse the whole document over one such character.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Stamped on the documents instead of "now", so the same list gives byte-identical files.
_FIXED_TIME = datetime.datetime(2000, 1, 1)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Column:
    """One column of the list; ``kind`` decides how a value is stored, shown and aligned."""

    key: str
    label: str
    kind: str = "text"  # "text" | "money" | "int" | "date"
    width: float = 16  # xlsx column width (characters); also the column's share of the Word table


@dataclass(frozen=True)
class ListDocument:
    """A titled table as published: title, optional subtitle, rows, optional 合计 row, footer lines."""

    title: str
    columns: tuple[Column, ...]
    rows: list[dict]
    subtitle: str = ""
    totals: dict | None = None
    footer: tuple[str, ...] = ()
    sheet_name: str = "名单"


def _clean(text) -> str:
    """Text XML can hold; None is empty."""
    return "" if text is None else _XML_INVALID.sub("", str(text))


def _money(value) -> Decimal:
    """Amounts to two places, rounded half up as the finance office rounds."""
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _body(doc: ListDocument) -> list[tuple[list[tuple[object, Column | None]], bool]]:
    """Each table row after the header as ((value, column) per cell, 序号 first with column None; bold),
    the 合计 row last and bold."""
    rows = [(n, row, False) for n, row in enumerate(doc.rows, start=1)]
    if doc.totals is not None:
        rows.append((TOTAL_LABEL, doc.totals, True))
    return [([(serial, None)] + [(row.get(c.key), c) for c in doc.columns], bold) for serial, row, bold in rows]


def _typed(value, column: Column | None):
    """The value as its column's kind (Decimal to the cent, int, date), or None where it is not one."""
    kind = column.kind if column else "int"
    if kind in ("money", "int") and isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return _money(value) if kind == "money" else int(value)
    return value if kind == "date" and isinstance(value, datetime.date) else None


def _display(value, column: Column | None) -> str:
    """The text Word shows for a value: money with thousands separators, dates as YYYY-MM-DD."""
    typed = _typed(value, column)
    if isinstance(typed, Decimal):
        return f"{typed:,.2f}"
    if isinstance(typed, datetime.date):
        return typed.strftime("%Y-%m-%d")
    return _clean(value if typed is None else typed)


def _alignment(column: Column | None) -> str:
    return {"money": "right", "text": "left"}.get(column.kind, "center") if column else "center"


def _stable_zip(data: bytes) -> bytes:
    """The package re-zipped with fixed entry times and the save-time stamp openpyxl adds replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                blob = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\g<2>", blob)
            dst.writestr(zipfile.ZipInfo(info.filename, _ZIP_TIME), blob, zipfile.ZIP_DEFLATED)
    return out.getvalue()


# ------------------------------------------------------------------------------ Excel

def _xlsx_value(value, column: Column | None):
    """Numbers and dates stay typed so Excel sums and sorts them; all text is neutralised."""
    typed = _typed(value, column)
    return typed if typed is not None or value is None else safe_cell(_clean(value))


def to_xlsx(doc: ListDocument) -> bytes:
    """The list as an .xlsx workbook: merged title rows, a bordered table, frozen header, footer lines."""
    wb = Workbook()
    wb.properties.created = _FIXED_TIME
    wb.properties.creator = None
    ws = wb.active
    ws.title = safe_cell(_clean(doc.sheet_name))[:31] or "Sheet1"
    ncols = len(doc.columns) + 1
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    def banner(row: int, text: str, font: Font, horizontal: str) -> None:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        cell = ws.cell(row=row, column=1, value=safe_cell(_clean(text)))
        cell.font = font
        cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)

    banner(1, doc.title, Font(name=TITLE_FONT, bold=True, size=16), "center")
    ws.row_dimensions[1].height = 30
    row = 2
    if doc.subtitle:
        banner(row, doc.subtitle, Font(name=TITLE_FONT, size=11), "left")
        row += 1

    header_row = row
    header = [(label, None) for label in [SERIAL_LABEL] + [c.label for c in doc.columns]]  # centred text
    body = _body(doc)
    for offset, (cells, bold) in enumerate([(header, True)] + body):
        for col, (value, column) in enumerate(cells, start=1):
            cell = ws.cell(row=header_row + offset, column=col, value=_xlsx_value(value, column))
            cell.border = border
            cell.font = Font(name=TITLE_FONT, bold=bold)
            cell.alignment = Alignment(horizontal=_alignment(column), vertical="center", wrap_text=True)
            cell.number_format = _XLSX_FORMATS.get(column.kind if column else "int", "General")

    row = header_row + len(body) + 2  # one empty row between the table and the footer
    for line in doc.footer:
        banner(row, line, Font(name=TITLE_FONT, size=11), "left")
        row += 1

    ws.column_dimensions["A"].width = _SERIAL_WIDTH
    for col, column in enumerate(doc.columns, start=2):
        ws.column_dimensions[get_column_letter(col)].width = column.width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if ncols > PORTRAIT_MAX_COLUMNS else "portrait"
    out = io.BytesIO()
    wb.save(out)
    return _stable_zip(out.getvalue())


# ------------------------------------------------------------------------------ Word

def _set_fonts(element, east_asia: str) -> None:
    """Explicit fonts on an rPr: w:eastAsia is what Word uses for Chinese characters."""
    fonts = element.get_or_add_rPr().get_or_add_rFonts()
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]  # theme fonts would win over the named ones
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)


def _paragraph(document, text: str, *, size: float, bold: bool = False, font: str = BODY_FONT,
               align=WD_ALIGN_PARAGRAPH.LEFT):
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    run = paragraph.add_run(_clean(text))
    run.bold = bold
    run.font.size = Pt(size)
    _set_fonts(run._r, font)
    return paragraph


def to_docx(doc: ListDocument) -> bytes:
    """The list as a .docx notice: A4 (landscape when wide), title, subtitle, grid table, footer lines."""
    document = Document()
    props = document.core_properties
    props.title = _clean(doc.title)
    props.author = props.last_modified_by = props.comments = ""
    props.created = props.modified = _FIXED_TIME
    _set_fonts(document.styles["Normal"].element, BODY_FONT)

    ncols = len(doc.columns) + 1
    section = document.sections[0]
    landscape = ncols > PORTRAIT_MAX_COLUMNS
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(20)
    text_width = section.page_width - section.left_margin - section.right_margin

    title = _paragraph(document, doc.title, size=16, bold=True, font=TITLE_FONT, align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.space_after = Pt(6)
    if doc.subtitle:
        _paragraph(document, doc.subtitle, size=12).paragraph_format.first_line_indent = Pt(24)

    shares = [_SERIAL_WIDTH] + [c.width for c in doc.columns]
    widths = [int(text_width * share / sum(shares)) for share in shares]
    table = document.add_table(rows=0, cols=ncols)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False

    def add_row(cells: list[tuple[str, str]], bold: bool):
        row = table.add_row()
        for cell, (text, align), width in zip(row.cells, cells, widths, strict=True):
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH[align.upper()]
            run = paragraph.add_run(_clean(text))
            run.bold = bold
            run.font.size = Pt(10.5)
            _set_fonts(run._r, BODY_FONT)
        return row

    header = add_row([(SERIAL_LABEL, "center")] + [(c.label, "center") for c in doc.columns], bold=True)
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeated on every page
    for cells, bold in _body(doc):
        add_row([(_display(v, c), _alignment(c)) for v, c in cells], bold)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width

    for line in doc.footer:
        _paragraph(document, line, size=12).paragraph_format.first_line_indent = Pt(24)
    out = io.BytesIO()
    document.save(out)
    return _stable_zip(out.getvalue())


RENDERERS = {"xlsx": to_xlsx, "docx": to_docx}


def as_download(doc: ListDocument, fmt: str):
    """The document as an attachment named by its title (``fmt`` "xlsx" or "docx", checked by the caller)."""
    from urllib.parse import quote

    from core.responses import download

    return download(RENDERERS[fmt](doc), f"{quote(doc.title)}.{fmt}")
