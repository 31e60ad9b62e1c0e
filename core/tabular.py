"""Read an uploaded .xlsx / .xls / .csv into header-keyed rows with real row numbers.

The cells are left raw (the parsers in :mod:`core.cells` interpret them) so the import
code can report "第12行 C列（营业收入(万元)）：不是有效的数字" against exactly what the
user sees when opening the file in Excel.

Decisions worth knowing:
* Row numbers are the spreadsheet's own (1-based, title and blank rows counted); for a
  CSV they are record numbers, which is what Excel shows when it opens the file.
* Columns whose header cell is blank are dropped, and so is anything right of the last
  header: a sheet often has notes or totals there that belong to no column.
* With a header hint, the header row is looked for among the first 10 non-blank rows.
* An empty cell is None in every format (CSV empty fields included).
* .xlsx is read with calamine (fast), falling back to openpyxl for a workbook with error cells, which
  calamine would read as empty; .xls with xlrd (at most 65,536 rows, so speed does not matter there).
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import warnings
import zipfile
import zlib
from collections.abc import Generator, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field

import xlrd
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from core.cells import to_halfwidth

MAX_BYTES = 20 * 1024 * 1024
# An .xlsx is a zip: a small file may unpack to gigabytes (a "zip bomb"). Real workbooks of MAX_ROWS rows
# unpack to well under this, and their XML compresses about 10 to 30 times.
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
MAX_RATIO = 200
MAX_ROWS = 200_000
HEADER_SEARCH_ROWS = 10

_XLSX_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # BIFF .xls lives in an OLE2 container


class TableFileError(ValueError):
    """The uploaded file cannot be used as a table; the message is shown to the user as is."""


@dataclass(slots=True)  # one per data row: a 100,000-row import holds them all at once
class Row:
    number: int
    cells: dict[str, object]


@dataclass
class Table:
    headers: list[str]
    rows: list[Row]
    columns: dict[str, str] = field(default_factory=dict)  # header -> column letter
    header_row: int = 1

    def column_label(self, header: str) -> str:
        """Column for error messages, e.g. "C列（营业收入(万元)）"; the bare header if unknown."""
        letter = self.columns.get(header)
        if letter is None:
            return header
        return _("%(letter)s列（%(header)s）") % {"letter": letter, "header": header}


def column_letter(index: int) -> str:
    """0-based column index to Excel's letters: 0 -> A, 25 -> Z, 26 -> AA."""
    if index < 0:
        raise ValueError(f"column index must be >= 0, got {index}")
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def normalise_header(text: object) -> str:
    """Header cell -> comparable name: half-width, no whitespace at all, parentheses kept.

    Templates wrap long headers over several lines and people pad with spaces
    ("指 标"), so whitespace anywhere is noise; the parenthesised unit is meaning.
    """
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)  # a year typed as a header arrives as 2023.0
    return "".join(to_halfwidth(str(text)).split())


def read_table(name: str, data: bytes, header_row_hint: Iterable[str] = ()) -> Table:
    """Read the first sheet (or the CSV) of an uploaded file; see the module docstring."""
    if len(data) > MAX_BYTES:
        raise TableFileError(
            _("文件过大（超过%(limit)sMB），请拆分后再上传") % {"limit": MAX_BYTES // (1024 * 1024)}
        )
    if not data:
        raise TableFileError(_("文件为空"))
    extension = os.path.splitext(name or "")[1].lower()
    if extension in (".xlsx", ".xlsm", ".xls"):
        # Trust the content over the name: files saved as "xls" by web systems are often
        # really xlsx (or the reverse), and Excel opens them either way.
        if data.startswith(_XLSX_MAGIC):
            reader = _xlsx_rows(data)
        elif data.startswith(_OLE2_MAGIC):
            reader = _xls_rows(data)
        elif data.lstrip()[:1] == b"<":
            raise TableFileError(
                _("该文件实际是网页（HTML）格式，不是Excel表格，请用Excel打开后另存为.xlsx再上传")
            )
        else:
            raise TableFileError(_("无法读取Excel文件“%(name)s”，文件可能已损坏") % {"name": name})
    elif extension == ".csv":
        reader = _csv_rows(data)
    else:
        raise TableFileError(
            _("不支持的文件格式：%(extension)s，请上传 .xlsx、.xls 或 .csv 文件")
            % {"extension": extension or name}
        )
    # closing() runs the readers' cleanup (closing the workbook) even when the table is
    # rejected before the last row was read.
    with closing(reader) as rows:
        return _build_table(rows, header_row_hint)


def count_rows(name: str, data: bytes) -> int:
    """Rows in the first sheet (title, header and blank rows included), without building the table.

    It decides whether an import runs within the request or as a job, so it is cheap (the row elements of
    the first sheet's XML, streamed, for .xlsx; xlrd's row count for .xls; line breaks for CSV) and never
    refuses: a file it cannot count gives 0 and is then refused by read_table, with its message, as before.
    """
    if not data or len(data) > MAX_BYTES:
        return 0
    extension = os.path.splitext(name or "")[1].lower()
    try:
        if extension == ".csv":
            return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        if extension not in (".xlsx", ".xlsm", ".xls"):
            return 0
        if data.startswith(_XLSX_MAGIC):
            check_unpacked_size(data)
            return _xlsx_row_elements(data)
        if data.startswith(_OLE2_MAGIC):
            book = xlrd.open_workbook(file_contents=data, on_demand=True)
            try:
                return book.sheet_by_index(0).nrows if book.nsheets else 0
            finally:
                book.release_resources()
    except Exception:  # noqa: BLE001 - unreadable files are refused by read_table, with their reason
        return 0
    return 0


_ROW_MARKS = (b"<row ", b"<row>", b":row ")  # ":row ": a sheet written with a namespace prefix
_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _xlsx_row_elements(data: bytes) -> int:
    """How many <row> elements the first worksheet has, counted while streaming its XML.

    Parsing the sheet (even calamine's) just to count costs a second and some 140 MB for 100,000 rows, in
    the request; this costs a fraction of that and no memory. Excel writes only rows with content or format.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(_first_sheet(archive)) as stream:
        count, tail = 0, b""
        while chunk := stream.read(1024 * 1024):
            window = tail + chunk
            count += sum(window.count(mark) for mark in _ROW_MARKS)
            tail = window[-4:]  # shorter than a mark: a mark is never counted twice
    return count


def _first_sheet(archive: zipfile.ZipFile) -> str:
    """The zip member of the workbook's first sheet, from workbook.xml and its relationships."""
    from xml.etree import ElementTree

    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    first = next(element for element in book.iter() if element.tag.endswith("}sheet"))
    target = next(
        element.get("Target", "")
        for element in ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        if element.get("Id") == first.get(_RELATIONSHIP)
    )
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


# --- readers: each yields (row number, raw values) for every row, blank ones included -----


def check_unpacked_size(data: bytes) -> None:
    """Refuse an .xlsx whose members unpack too large, from the zip directory alone (nothing is unpacked)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise TableFileError(_("无法读取Excel文件，文件可能已损坏")) from error
    total = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if total > MAX_UNPACKED_BYTES or (total > 10 * 1024 * 1024 and total > MAX_RATIO * max(packed, 1)):
        raise TableFileError(
            _("Excel文件解压后过大（%(mb)sMB），不像正常的表格，请检查文件") % {"mb": total // (1024 * 1024)}
        )


def _xlsx_rows(data: bytes) -> Generator[tuple[int, Sequence[object]]]:
    check_unpacked_size(data)
    # calamine (Rust) reads a 100,000-row sheet about twenty times faster than openpyxl, but it turns an
    # error cell (#DIV/0!, #N/A) into an empty one, which would make a broken formula read as "not
    # reported". Such files are rare, so they alone go through openpyxl, which keeps the error's text.
    if has_error_cells(data):
        yield from _openpyxl_rows(data)
    else:
        yield from _calamine_rows(data)


_ERROR_CELL_MARKS = (b't="e"', b"t='e'")


def has_error_cells(data: bytes) -> bool:
    """Whether any worksheet of an .xlsx holds an error cell, by streaming its XML (never unpacked whole)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.infolist():
                if not (member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")):
                    continue
                with archive.open(member) as stream:
                    tail = b""
                    while chunk := stream.read(1024 * 1024):
                        window = tail + chunk
                        if any(mark in window for mark in _ERROR_CELL_MARKS):
                            return True
                        tail = window[-8:]  # a mark split across two chunks is still seen
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error) as error:
        raise TableFileError(_("无法读取Excel文件，文件可能已损坏")) from error
    return False


def _calamine_rows(data: bytes) -> Generator[tuple[int, Sequence[object]]]:
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as error:  # CalamineError, zip and XML errors alike mean an unreadable file
        raise TableFileError(_("无法读取Excel文件，文件可能已损坏或加密")) from error
    try:
        if not workbook.sheet_names:
            raise TableFileError(_("Excel文件中没有工作表"))
        try:
            sheet = workbook.get_sheet_by_index(0)
        except Exception as error:
            raise TableFileError(_("无法读取Excel文件，文件可能已损坏")) from error
        if sheet.start is None:  # no cell at all
            return
        # iter_rows starts at the sheet's first row but at its first *used* column: pad the columns
        # before it so letters and header positions are the spreadsheet's own.
        pad = [None] * sheet.start[1]
        for number, values in enumerate(sheet.iter_rows(), start=1):
            yield number, pad + [_calamine_value(value) for value in values]
    finally:
        workbook.close()


_EXACT_FLOAT = 2**53


def _calamine_value(value: object) -> object:
    """A calamine cell as openpyxl would give it, so the cell parsers see exactly what they saw before.

    Empty -> None (calamine gives ""), an integral number -> int (openpyxl reads "80" as 80), a date-only
    cell -> datetime at midnight (openpyxl never gives a bare date).
    """
    kind = type(value)
    if kind is str:
        return value or None
    if kind is float:
        if value.is_integer() and -_EXACT_FLOAT <= value <= _EXACT_FLOAT:  # type: ignore[attr-defined,operator]
            return int(value)  # type: ignore[call-overload]
        return value
    if kind is datetime.date:
        return datetime.datetime(value.year, value.month, value.day)  # type: ignore[attr-defined]
    return value


def _openpyxl_rows(data: bytes) -> Generator[tuple[int, Sequence[object]]]:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles/extensions it ignores; users cannot act on that.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many unrelated types for a bad file
        raise TableFileError(_("无法读取Excel文件，文件可能已损坏或加密")) from error
    try:
        if not workbook.worksheets:
            raise TableFileError(_("Excel文件中没有工作表"))
        sheet = workbook.worksheets[0]
        # Read-only mode fills rows missing from the XML with empty tuples, so counting
        # from min_row=1 gives the real row numbers even across gaps.
        try:
            yield from enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise TableFileError(_("无法读取Excel文件，文件可能已损坏")) from error
    finally:
        workbook.close()


def _xls_rows(data: bytes) -> Generator[tuple[int, Sequence[object]]]:
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as error:  # xlrd raises XLRDError, struct.error, AssertionError, ...
        raise TableFileError(_("无法读取Excel文件，文件可能已损坏或加密")) from error
    try:
        if book.nsheets == 0:
            raise TableFileError(_("Excel文件中没有工作表"))
        sheet = book.sheet_by_index(0)  # .xls holds at most 65,536 rows: no limit check needed
        for index in range(sheet.nrows):
            values = [xls_cell_value(cell.ctype, cell.value, book.datemode) for cell in sheet.row(index)]
            yield index + 1, values
    finally:
        book.release_resources()


def xls_cell_value(ctype: int, value: object, datemode: int) -> object:
    """An xlrd cell (type code, value) as the same kind of value openpyxl would give.

    Empty/blank -> None, text -> str, number -> float, date -> datetime (a time-only cell
    -> time; an invalid serial -> its float), boolean -> bool,
    error -> its Excel text ("#DIV/0!") so the cell parser reports what the user sees.
    """
    if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if ctype == xlrd.XL_CELL_TEXT:
        return str(value)
    if ctype == xlrd.XL_CELL_NUMBER:
        return float(value)  # type: ignore[arg-type]
    if ctype == xlrd.XL_CELL_DATE:
        # xldate_as_tuple (unlike xldate_as_datetime) rejects negative serials and the
        # serials before 1900-03-01 that Excel's fake 1900-02-29 makes ambiguous.
        try:
            year, month, day, hour, minute, second = xlrd.xldate_as_tuple(value, datemode)
        except xlrd.xldate.XLDateError:
            # Hand over the number and let the date parser produce the user-facing error.
            return float(value)  # type: ignore[arg-type]
        if year == 0:  # time-of-day cell (serial below 1), returned as openpyxl does
            return datetime.time(hour, minute, second)
        return datetime.datetime(year, month, day, hour, minute, second)
    if ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    if ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERROR!")  # type: ignore[call-overload]
    return value


def _csv_rows(data: bytes) -> Generator[tuple[int, Sequence[object]]]:
    text = _decode_csv(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_guess_delimiter(text))
    try:
        for number, values in enumerate(reader, start=1):
            yield number, [value if value != "" else None for value in values]
    except csv.Error as error:
        raise TableFileError(_("CSV文件格式有误：%(error)s") % {"error": error}) from error


def _decode_csv(data: bytes) -> str:
    # Excel on Chinese Windows saves "CSV" in GBK; GB18030 is its superset.  UTF-8 is
    # tried first because GB18030 would "succeed" on most UTF-8 bytes and give mojibake.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # A GB18030 byte-order mark (84 31 95 33) decodes to U+FEFF and would stick to the first header.
        return data.decode("gb18030").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise TableFileError(_("无法识别CSV文件的编码，请另存为UTF-8或GBK编码")) from error


def _guess_delimiter(text: str) -> str:
    """Comma, tab or semicolon, whichever the first non-blank line uses most (comma on a tie).

    csv.Sniffer is avoided: on Chinese text it happily picks letters as delimiters.
    """
    for line in text.splitlines():
        if line.strip():
            counts = {delimiter: line.count(delimiter) for delimiter in (",", "\t", ";")}
            best = max(counts, key=lambda delimiter: counts[delimiter])
            return best if counts[best] > 0 else ","
    return ","


# --- shared table building ------------------------------------------------------------------


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _too_many_rows() -> TableFileError:
    return TableFileError(_("表格行数超过%(limit)s行，请拆分后再上传") % {"limit": f"{MAX_ROWS:,}"})


def _build_table(rows: Iterator[tuple[int, Sequence[object]]], header_row_hint: Iterable[str]) -> Table:
    hints = {normalise_header(hint) for hint in header_row_hint} - {""}
    header_number: int | None = None
    header_values: Sequence[object] = ()
    non_blank_seen = 0
    for number, values in rows:
        if all(_is_blank(value) for value in values):
            continue
        non_blank_seen += 1
        if not hints or any(normalise_header(value) in hints for value in values):
            header_number, header_values = number, values
            break
        if non_blank_seen >= HEADER_SEARCH_ROWS:
            break
    if header_number is None:
        if non_blank_seen == 0:
            raise TableFileError(_("表格为空，没有找到任何数据"))
        raise TableFileError(
            _("在前%(count)s行中没有找到表头，表头应包含以下列之一：%(names)s")
            % {"count": HEADER_SEARCH_ROWS, "names": "、".join(sorted(hints))}
        )

    # Column index -> header, skipping blank header cells.
    positions: dict[int, str] = {}
    columns: dict[str, str] = {}
    for index, value in enumerate(header_values):
        header = normalise_header(value)
        if not header:
            continue
        if header in columns:
            raise TableFileError(
                _("表头重复：“%(header)s”同时出现在%(first)s列和%(second)s列")
                % {"header": header, "first": columns[header], "second": column_letter(index)}
            )
        positions[index] = header
        columns[header] = column_letter(index)

    table_rows: list[Row] = []
    for number, values in rows:
        cells = {
            header: values[index] if index < len(values) else None for index, header in positions.items()
        }
        if all(_is_blank(value) for value in cells.values()):
            continue
        # Only rows with data count against the limit: sheets often carry a million
        # formatted-but-empty rows, which cost time to skip but are not content.
        if number > MAX_ROWS:
            raise _too_many_rows()
        table_rows.append(Row(number=number, cells=cells))
    return Table(headers=list(columns), rows=table_rows, columns=columns, header_row=header_number)
