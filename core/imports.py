"""Bulk import written once: a model declares its columns and how one row becomes a write.

An import reads the whole file, checks every row, and writes only if no row has a problem; otherwise it
raises ImportRejected listing every problem with its row (as Excel numbers it), column and reason.
"""

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from core.cells import CellError
from core.errors import BusinessError, ImportRejected, RowProblem
from core.spreadsheets import safe_cell
from core.tabular import Row, Table, TableFileError, read_table

# (done, total): a large import reports how far it got, for the job page's progress bar.
Progress = Callable[[int, int], None]
PROGRESS_EVERY = 2000


@dataclass(frozen=True)
class Column:
    header: str
    required: bool = True
    aliases: tuple[str, ...] = ()
    help: str = ""
    example: str = ""
    # Longest text the column's field keeps; cells past it are refused, not cut or left to the database.
    max_length: int = 1000


class RowErrors:
    """Collects the problems of one row; ``cell`` runs a parser and files its error under the column."""

    def __init__(self, row: Row, table: Table, spec: "ImportSpec"):
        self.row, self.table, self.spec = row, table, spec
        self.problems: list[RowProblem] = []

    def raw(self, header: str):
        return self.row.cells.get(self.spec.actual_header(self.table, header))

    def add(self, header: str, message: str) -> None:
        actual = self.spec.actual_header(self.table, header) or header
        self.problems.append(RowProblem(self.row.number, self.table.column_label(actual), message))

    def cell(self, header: str, parser: Callable, *, required: bool | None = None):
        column = self.spec.column(header)
        must = column.required if required is None else required
        value = self.raw(header)
        try:
            parsed = parser(value)
        except (CellError, BusinessError, ValueError) as exc:
            self.add(header, str(exc))
            return None
        if parsed is None and must:
            self.add(header, _("必填项不能为空"))
        if isinstance(parsed, str) and len(parsed) > column.max_length:
            self.add(
                header, _("内容过长（%(n)s字），最多%(max)s字") % {"n": len(parsed), "max": column.max_length}
            )
            return None
        return parsed


@dataclass
class ImportSpec:
    """What an importable table looks like; ``check_row`` turns a row into a pending write."""

    columns: list[Column]
    check_row: Callable[[RowErrors], object]
    write: Callable[[list], object]
    duplicate_key: Callable[[object], object] | None = None
    title: str = ""
    # The writer takes a Progress as its second argument (a long write can say how far it got).
    write_reports_progress: bool = False
    _index: dict = field(default_factory=dict, init=False)

    def column(self, header: str) -> Column:
        # Looked up once per cell: a dict, not a scan of the columns (a 100,000-row import asks 1.7 million times).
        by_header = self._index.get("columns")
        if by_header is None:
            by_header = self._index["columns"] = {c.header: c for c in self.columns}
        return by_header[header]

    def actual_header(self, table: Table, header: str) -> str | None:
        key = (id(table), header)
        if key not in self._index:
            column = self.column(header)
            self._index[key] = next((h for h in (column.header, *column.aliases) if h in table.headers), None)
        return self._index[key]

    def run(self, name: str, data: bytes, progress: Progress | None = None):
        """Check every row, then write them all in one transaction; progress: checking is the first half."""
        try:
            table = read_table(name, data, header_row_hint=[c.header for c in self.columns])
        except TableFileError as exc:
            raise ImportRejected([RowProblem(0, "", str(exc))]) from exc
        problems = [
            RowProblem(table.header_row, "", _("缺少必需的列“%(header)s”") % {"header": c.header})
            for c in self.columns
            if c.required and self.actual_header(table, c.header) is None
        ]
        if problems:
            raise ImportRejected(problems)
        if not table.rows:
            raise ImportRejected([RowProblem(table.header_row + 1, "", _("文件中没有数据行"))])
        pending, seen = [], {}
        total = len(table.rows)
        for index, row in enumerate(table.rows, start=1):
            if progress and index % PROGRESS_EVERY == 0:
                progress(index, 2 * total)
            errors = RowErrors(row, table, self)
            item = self.check_row(errors)
            if not errors.problems and item is not None and self.duplicate_key is not None:
                key = self.duplicate_key(item)
                if key in seen:
                    errors.add(self.columns[0].header, _("与第%(row)s行重复") % {"row": seen[key]})
                seen.setdefault(key, row.number)
            problems.extend(errors.problems)
            if (
                not errors.problems and item is not None
            ):  # None: a row the spec skips (untouched template row)
                pending.append(item)
        if problems:
            raise ImportRejected(problems)
        first_row = table.header_row + 1
        # The rows as read are not needed for the write: letting them go lowers a large import's peak memory.
        del table, row, errors, seen
        if not pending:
            raise ImportRejected([RowProblem(first_row, "", _("文件中没有填写任何数据"))])
        with transaction.atomic():
            if progress and self.write_reports_progress:
                return self.write(
                    pending, lambda done, of: progress(total + done * total // max(of, 1), 2 * total)
                )
            return self.write(pending)

    def template(self, examples: Iterable[Iterable[str]] = ()) -> bytes:
        """An .xlsx with the headers (required ones bold), a note on each, and example rows."""
        book = Workbook()
        sheet = book.active
        sheet.title = self.title[:31] or "导入模板"
        for index, column in enumerate(self.columns, start=1):
            cell = sheet.cell(row=1, column=index, value=column.header)
            cell.font = Font(bold=column.required)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            note = (_("必填。") if column.required else _("选填。")) + column.help
            cell.comment = Comment(note, "科创平台")
            sheet.column_dimensions[cell.column_letter].width = max(12, len(column.header) * 3)
        rows = list(examples) or [[c.example for c in self.columns]]
        for r, values in enumerate(rows, start=2):
            for c, value in enumerate(values, start=1):
                sheet.cell(row=r, column=c, value=safe_cell(value))
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
