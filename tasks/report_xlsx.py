"""The progress report as an Excel workbook (openpyxl) with the sheets of ``SHEET_NAMES``.

主要指标, 重点工作, 预警事项, 镇街道排名, 单位排名, 数据质量提示: the ranking is split into two sheets
(towns, units) so each sheet is one plain table with a frozen, filterable header; every sheet is always
present, even when its list is empty, so the workbook has one fixed layout.  Each sheet: row 1 title
(report title + sheet subject), row 2 bold header, data from row 3, panes frozen at A3.  Figures are
numbers at the indicator's decimals (stored rounded, shown with exactly those decimals: 52.71, 2.9, 90),
fractions carry the "0.0%" format, deadlines are dates and 名次变化 is an integer shown as ↑2 / ↓1 / —
by its number format.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.spreadsheets import safe_text
from plans.precision import rounded
from tasks.report_lines import SHEET_NAMES, RankLine, ReportData
from tasks.report_text import (
    _alert_words,
    _category_words,
    _clean,
    _float,
    _period_words,
    _status_words,
    fmt_amount,
    fmt_percent,
    group_tasks,
    indicator_sentence,
    red_items,
)

_TITLE_FONT = Font(bold=True, size=14)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)
_STATUS_FILLS = {
    "green": PatternFill("solid", fgColor="C6EFCE"),
    "yellow": PatternFill("solid", fgColor="FFEB9C"),
    "red": PatternFill("solid", fgColor="FFC7CE"),
}
PERCENT_FORMAT = "0.0%"
_AMOUNT_FORMAT = "amount"  # marker: "#,##0" plus exactly the decimals the value has (2.25 → #,##0.00)
_CHANGE_FORMAT = '"↑"0;"↓"0;"—"'
_DATE_FORMAT = "yyyy-mm-dd"


def _amount_format(value: float | int) -> str:
    """Thousands separators and as many decimals as the value has, so 51 shows 51 and 2.25 shows 2.25."""
    if isinstance(value, int):
        return "#,##0"
    text = fmt_amount(Decimal(repr(value)))
    decimals = len(text.partition(".")[2])
    return "#,##0." + "0" * min(decimals, 10) if decimals else "#,##0"


def _display_width(value) -> int:
    if value is None:
        return 0
    text = value if isinstance(value, str) else fmt_amount(value) if isinstance(value, int | float) else str(value)
    longest = max(text.split("\n"), key=len)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in longest)


@dataclass(frozen=True)
class _Fixed:
    """A figure stored at its indicator's decimals and shown with exactly them (51 亿元 → 51.00)."""

    number: float
    decimals: int

    @property
    def number_format(self) -> str:
        return "#,##0." + "0" * self.decimals if self.decimals else "#,##0"


def _fixed(value: Decimal | None, decimals: int | None) -> _Fixed | float | None:
    if value is None or decimals is None:
        return _float(value)
    return _Fixed(float(rounded(value, decimals)), decimals)


@dataclass
class _Column:
    header: str
    number_format: str | None = None
    wrap: bool = False
    max_width: int = 40


def _sheet(book: Workbook, name: str, subject: str, data: ReportData, columns: Sequence[_Column],
           rows: Iterable[Sequence], fills: Iterable[dict[int, PatternFill]] | None = None):
    """Row 1 title, row 2 bold header, data from row 3; frozen at A3, filter on the header."""
    sheet = book.create_sheet(name)
    title = sheet.cell(row=1, column=1, value=safe_text(_clean(f"{data.title}——{subject}")))
    title.font = _TITLE_FONT
    title.alignment = Alignment(vertical="center")
    sheet.row_dimensions[1].height = 24
    if len(columns) > 1:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    widths = [_display_width(c.header) for c in columns]
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=2, column=index, value=column.header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _HEADER_ALIGN

    fill_rows = iter(fills) if fills is not None else None
    row_number = 2
    for row_number, values in enumerate(rows, start=3):
        row_fills = next(fill_rows) if fill_rows is not None else {}
        for index, (column, value) in enumerate(zip(columns, values, strict=True)):
            if value is None:
                continue
            if isinstance(value, str):
                value = safe_text(_clean(value))
            fixed = value if isinstance(value, _Fixed) else None
            if fixed is not None:
                value = fixed.number
            cell = sheet.cell(row=row_number, column=index + 1, value=value)
            if fixed is not None:
                cell.number_format = fixed.number_format
            elif column.number_format == _AMOUNT_FORMAT:
                cell.number_format = _amount_format(value)
            elif column.number_format:
                cell.number_format = column.number_format
            if column.wrap:
                cell.alignment = _WRAP
            if index in row_fills:
                cell.fill = row_fills[index]
            width = (_display_width(value) + (fixed.decimals if fixed else 0)
                     if column.number_format != PERCENT_FORMAT else 7)
            if width > widths[index]:
                widths[index] = width
    for index, (column, width) in enumerate(zip(columns, widths, strict=True), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 6), column.max_width) + 2
    sheet.freeze_panes = "A3"
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{max(row_number, 2)}"
    sheet.print_title_rows = "2:2"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return sheet


def _indicator_sheet(book: Workbook, data: ReportData) -> None:
    columns = [
        _Column(_("序号")), _Column(_("指标")), _Column(_("单位")),
        _Column(_("实际值"), _AMOUNT_FORMAT), _Column(_("目标值"), _AMOUNT_FORMAT),
        _Column(_("完成率"), PERCENT_FORMAT), _Column(_("状态")), _Column(_("同比"), PERCENT_FORMAT),
        _Column(_("年度目标"), _AMOUNT_FORMAT), _Column(_("年度完成率"), PERCENT_FORMAT),
        _Column(_("数据期"), max_width=20), _Column(_("情况说明"), wrap=True, max_width=80),
    ]
    rows = [
        [ind.seq, ind.name, ind.unit or None, _fixed(ind.actual, ind.decimals), _fixed(ind.target, ind.decimals),
         _float(ind.completion), _status_words(ind.status), _float(ind.yoy_growth),
         _fixed(ind.annual_target, ind.decimals), _float(ind.annual_completion),
         ind.figure_period_label or data.period_label, indicator_sentence(ind)]
        for ind in data.indicators
    ]
    fills = [{6: _STATUS_FILLS[ind.status]} if ind.status in _STATUS_FILLS else {} for ind in data.indicators]
    subject = _("主要指标完成情况（时序进度%(progress)s）") % {"progress": fmt_percent(data.time_progress)}
    _sheet(book, _(SHEET_NAMES[0]), subject, data, columns, rows, fills)


def _task_sheet(book: Workbook, data: ReportData) -> None:
    columns = [
        _Column(_("序号")), _Column(_("编号")), _Column(_("类别"), max_width=24), _Column(_("重点工作"), wrap=True),
        _Column(_("牵头单位")), _Column(_("配合单位"), wrap=True, max_width=30), _Column(_("目标"), wrap=True),
        _Column(_("完成时限"), _DATE_FORMAT), _Column(_("状态")), _Column(_("完成进度"), PERCENT_FORMAT),
        _Column(_("预警")), _Column(_("预警原因"), wrap=True), _Column(_("最新进展"), wrap=True, max_width=60),
        _Column(_("进展月份")),
    ]
    ordered = [task for _category, tasks in group_tasks(data.tasks) for task in tasks]
    rows = [
        [number, task.code or None, _category_words(task.category), task.title, task.lead_unit or None,
         "、".join(task.assisting_units) or None, task.goal or None, task.deadline, task.status_label or None,
         None if task.percent is None else float(task.percent) / 100, _alert_words(task.alert),
         "；".join(task.alert_reasons) or None, task.latest_progress or None,
         _period_words(task.latest_period) or None]
        for number, task in enumerate(ordered, start=1)
    ]
    fills = [{10: _STATUS_FILLS[task.alert]} if task.alert in _STATUS_FILLS else {} for task in ordered]
    _sheet(book, _(SHEET_NAMES[1]), _("重点工作进展"), data, columns, rows, fills)


def _red_sheet(book: Workbook, data: ReportData) -> None:
    columns = [_Column(_("序号")), _Column(_("类别")), _Column(_("名称"), wrap=True),
               _Column(_("原因"), wrap=True, max_width=80)]
    rows = [[number, *item] for number, item in enumerate(red_items(data), start=1)]
    _sheet(book, _(SHEET_NAMES[2]), _("红色预警事项"), data, columns, rows)


def _ranking_sheet(book: Workbook, data: ReportData, name: str, subject: str, lines: Sequence[RankLine],
                   name_header: str, score_header: str, note: str = "") -> None:
    columns = [_Column(_("名次")), _Column(name_header), _Column(score_header, _AMOUNT_FORMAT),
               _Column(_("名次变化"), _CHANGE_FORMAT), _Column(_("说明"), wrap=True, max_width=60)]
    rows = [[line.rank, line.name, _fixed(line.score, 1), line.rank_change, line.detail or None] for line in lines]
    if note:
        subject = f"{subject}（{note.rstrip('。')}）"
    _sheet(book, name, subject, data, columns, rows)


def _notes_sheet(book: Workbook, data: ReportData) -> None:
    columns = [_Column(_("序号")), _Column(_("提示"), wrap=True, max_width=100)]
    rows = [[number, note] for number, note in enumerate(data.notes, start=1)]
    _sheet(book, _(SHEET_NAMES[5]), _("数据质量提示"), data, columns, rows)


def build_xlsx(data: ReportData) -> bytes:
    """The report as an Excel workbook (.xlsx bytes) with the sheets of SHEET_NAMES, in that order."""
    book = Workbook()
    book.remove(book.active)
    _indicator_sheet(book, data)
    _task_sheet(book, data)
    _red_sheet(book, data)
    _ranking_sheet(book, data, _(SHEET_NAMES[3]), _("镇（街道）晾晒排名"), data.town_ranking,
                   _("镇（街道）"), _("综合得分"), data.town_ranking_note)
    _ranking_sheet(book, data, _(SHEET_NAMES[4]), _("责任单位晾晒排名"), data.unit_ranking,
                   _("责任单位"), _("任务得分"), data.unit_ranking_note)
    _notes_sheet(book, data)
    book.properties.title = _clean(data.title)
    book.properties.subject = _clean(data.plan_name)
    book.properties.creator = _clean(data.region_name)
    book.properties.created = data.generated_at.replace(tzinfo=None)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
