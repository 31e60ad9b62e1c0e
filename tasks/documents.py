"""Monthly / quarterly / annual progress reports (月度/季度/年度进展报告) as Word and Excel files.

The caller fills the plain dataclasses below (no models, no database) and gets bytes back:

- ``build_docx(data)`` — a Word document (python-docx), A4 portrait, Chinese fonts set on the styles
  (Normal: 宋体, headings and title: 黑体), tables in the "Table Grid" style whose header row repeats on
  every page.  Sections: 一、主要指标完成情况 / 二、重点工作进展 (one （一）（二）… sub-heading per task
  category, in the order the categories are first seen in ``data.tasks``) / 三、预警事项 / 四、晾晒排名 /
  附：数据质量提示 (only when there are notes).
- ``build_xlsx(data)`` — a workbook (openpyxl) with the sheets of ``SHEET_NAMES``: 主要指标, 重点工作,
  预警事项, 镇街道排名, 单位排名, 数据质量提示.  The ranking is split into two sheets (towns, units) so
  each sheet is one plain table with a frozen, filterable header; every sheet is always present, even
  when its list is empty, so the workbook has one fixed layout.  Each sheet: row 1 title (report title +
  sheet subject), row 2 bold header, data from row 3, panes frozen at A3.  Figures are numbers,
  fractions carry the "0.0%" format, deadlines are dates and 名次变化 is an integer shown as ↑2 / ↓1 / —
  by its number format.

Scales: ``IndicatorLine.completion``, ``yoy_growth``, ``annual_completion`` and
``ReportData.time_progress`` are fractions (0.932 = 93.2%); ``TaskLine.percent`` is on the 0-100 scale
used by ``tasks.rules`` and ``KeyTask.percent_done`` (60 = 60.0%).  ``RankLine.rank_change`` is
positive when the place moved up (↑), negative when it moved down (↓).

Display rules shared by both files: amounts without trailing zeros and with thousands separators
(2.25, 1,234.5), percentages with one decimal (93.2%), a missing value as "—".
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.spreadsheets import safe_text

__all__ = [
    "ALERT_WORDS",
    "SHEET_NAMES",
    "STATUS_WORDS",
    "IndicatorLine",
    "RankLine",
    "ReportData",
    "TaskLine",
    "build_docx",
    "build_xlsx",
    "chinese_number",
    "fmt_amount",
    "fmt_change",
    "fmt_percent",
    "group_tasks",
    "red_items",
]

# ------------------------------------------------------------------------------- the data


@dataclass
class IndicatorLine:  # one indicator of the plan at the period
    seq: int
    name: str
    unit: str
    actual: Decimal | None
    target: Decimal | None
    completion: Decimal | None  # fraction, 0.932 = 93.2%
    status: str  # green|yellow|red|missing|no_target
    yoy_growth: Decimal | None  # fraction
    annual_target: Decimal | None
    annual_completion: Decimal | None  # fraction


@dataclass
class TaskLine:  # one key task
    code: str
    title: str
    category: str
    lead_unit: str
    assisting_units: list[str]
    goal: str
    deadline: date | None
    status_label: str  # e.g. 推进中
    alert: str  # green|yellow|red
    alert_reasons: list[str]
    percent: Decimal | None  # 0-100 scale, as KeyTask.percent_done (60 = 60.0%)
    latest_progress: str
    latest_period: str | None  # "2023-03" (shown as 2023年3月) or any label


@dataclass
class RankLine:
    rank: int | None
    name: str
    score: Decimal | None
    rank_change: int | None  # > 0 moved up (↑), < 0 moved down (↓), 0 / None unchanged or new (—)
    detail: str = ""


@dataclass
class ReportData:
    title: str  # e.g. "平湖市“315”科技创新体系建设工程2023年第二季度进展报告"
    plan_name: str
    region_name: str
    period_label: str  # "2023年第二季度"
    kind_label: str  # "季度"
    generated_at: datetime
    time_progress: Decimal  # fraction
    indicators: list[IndicatorLine]
    tasks: list[TaskLine]  # any order; the documents group them by category in first-seen order
    town_ranking: list[RankLine]  # 晾晒: towns by composite indicator score
    unit_ranking: list[RankLine]  # units by task score
    notes: list[str] = field(default_factory=list)  # e.g. data-quality warnings


# Plain strings (marked for extraction with gettext_noop) so the dicts can be built at import time;
# they go through gettext where they are written into a document.
STATUS_WORDS = {
    "green": gettext_noop("达标"),
    "yellow": gettext_noop("预警"),
    "red": gettext_noop("滞后"),
    "missing": gettext_noop("未填报"),
    "no_target": gettext_noop("无目标"),
}
ALERT_WORDS = {"green": gettext_noop("正常"), "yellow": gettext_noop("黄色预警"), "red": gettext_noop("红色预警")}

SHEET_NAMES = [
    gettext_noop("主要指标"),
    gettext_noop("重点工作"),
    gettext_noop("预警事项"),
    gettext_noop("镇街道排名"),
    gettext_noop("单位排名"),
    gettext_noop("数据质量提示"),
]

DASH = "—"
_HUNDRED = Decimal(100)
_TENTH = Decimal("0.1")
_DIGITS = "零一二三四五六七八九"
_MONTH_CODE = re.compile(r"^(\d{4})-(\d{2})$")
# Control characters that XML (so neither Word nor Excel) can hold; text pasted from Word or WeChat
# sometimes carries them (\x0b is Word's manual line break).  \t and \n are kept, \r\n and \r become \n.
_CONTROL = re.compile(r"\r\n?|[\x00-\x08\x0b\x0c\x0e-\x1f]")

# ------------------------------------------------------------------------------ formatting


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def fmt_amount(value: Decimal | int | float | None) -> str:
    """An amount without trailing zeros, with thousands separators: 2.25, 51, 1,234.5; None → —."""
    if value is None:
        return DASH
    text = format(_decimal(value), ",f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def fmt_percent(fraction: Decimal | int | float | None) -> str:
    """A fraction as a percentage with one decimal: 0.9321 → 93.2%; None → —."""
    if fraction is None:
        return DASH
    return _points(_decimal(fraction) * _HUNDRED)


def _points(points: Decimal | None) -> str:
    """A number already on the 0-100 scale as a percentage with one decimal: 60 → 60.0%."""
    if points is None:
        return DASH
    text = format(_decimal(points).quantize(_TENTH, rounding=ROUND_HALF_UP), ",f")
    return ("0.0" if text == "-0.0" else text) + "%"


def fmt_change(change: int | None) -> str:
    """Rank change: 2 → ↑2, -1 → ↓1, 0 or None → —."""
    if not change:
        return DASH
    return f"↑{change}" if change > 0 else f"↓{-change}"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (Arabic digits from 100 on)."""
    if not 1 <= n <= 99:
        return str(n)
    tens, ones = divmod(n, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else _DIGITS[tens]) + "十"
    return text + (_DIGITS[ones] if ones else "")


def _date_words(d: date | datetime) -> str:
    return _("%(year)s年%(month)s月%(day)s日") % {"year": d.year, "month": d.month, "day": d.day}


def _datetime_words(d: datetime) -> str:
    return f"{_date_words(d)} {d:%H:%M}"


def _period_words(period: str | None) -> str:
    if not period:
        return ""
    match = _MONTH_CODE.match(period)
    if match:
        return _("%(year)s年%(month)s月") % {"year": match[1], "month": int(match[2])}
    return period


def _clean(text: str) -> str:
    """Text safe for XML: line breaks as \n (also for \r\n, \r and \x0b), other control characters dropped."""
    return _CONTROL.sub(lambda m: "" if m[0] not in ("\x0b", "\r", "\r\n") else "\n", text)


def _float(value) -> float | None:
    return None if value is None else float(value)


# ------------------------------------------------------------------------------ content


def group_tasks(tasks: Iterable[TaskLine]) -> list[tuple[str, list[TaskLine]]]:
    """Tasks grouped by category, categories in the order first seen, tasks in their given order."""
    groups: dict[str, list[TaskLine]] = {}
    for task in tasks:
        groups.setdefault(task.category, []).append(task)
    return list(groups.items())


def _category_words(category: str) -> str:
    return category or _("其他重点工作")


def _status_words(status: str) -> str:
    return _(STATUS_WORDS[status]) if status in STATUS_WORDS else status


def _alert_words(alert: str) -> str:
    return _(ALERT_WORDS[alert]) if alert in ALERT_WORDS else alert


def _indicator_reason(ind: IndicatorLine) -> str:
    parts = [_("完成率%(completion)s") % {"completion": fmt_percent(ind.completion)}]
    figures = []
    if ind.actual is not None:
        figures.append(_("实际值%(value)s%(unit)s") % {"value": fmt_amount(ind.actual), "unit": ind.unit})
    if ind.target is not None:
        figures.append(_("目标值%(value)s%(unit)s") % {"value": fmt_amount(ind.target), "unit": ind.unit})
    if figures:
        parts.append("（" + "，".join(figures) + "）")
    return "".join(parts)


def red_items(data: ReportData) -> list[tuple[str, str, str]]:
    """("指标"|"任务", name, reason): the red indicators, then the red tasks, each in the given order."""
    items = [(_("指标"), ind.name, _indicator_reason(ind)) for ind in data.indicators if ind.status == "red"]
    items += [
        (_("任务"), task.title, "；".join(task.alert_reasons) or _(ALERT_WORDS["red"]))
        for task in data.tasks
        if task.alert == "red"
    ]
    return items


def _status_counts(data: ReportData) -> dict[str, int]:
    counts = dict.fromkeys(STATUS_WORDS, 0)
    for ind in data.indicators:
        if ind.status in counts:
            counts[ind.status] += 1
    return counts


def _summary_sentence(data: ReportData) -> str:
    counts = _status_counts(data)
    text = _(
        "截至%(period)s，时序进度%(progress)s。%(total)s项主要指标中，%(green)s项达标、%(yellow)s项预警、"
        "%(red)s项滞后、%(missing)s项未填报"
    ) % {
        "period": data.period_label,
        "progress": fmt_percent(data.time_progress),
        "total": len(data.indicators),
        "green": counts["green"],
        "yellow": counts["yellow"],
        "red": counts["red"],
        "missing": counts["missing"],
    }
    if counts["no_target"]:
        text += _("、%(count)s项本期无目标") % {"count": counts["no_target"]}
    return text + "。"


def _goal_text(task: TaskLine) -> str:
    text = task.goal or DASH
    if task.deadline is not None:
        text += "\n" + _("完成时限：%(date)s") % {"date": _date_words(task.deadline)}
    return text


def _progress_text(task: TaskLine) -> str:
    if not task.latest_progress:
        return DASH
    period = _period_words(task.latest_period)
    return f"{period}：{task.latest_progress}" if period else task.latest_progress


def _alert_text(task: TaskLine) -> str:
    words = _alert_words(task.alert)
    if task.alert != "green" and task.alert_reasons:
        words += "：" + "；".join(task.alert_reasons)
    return words


# ------------------------------------------------------------------------------ Word

_LATIN_FONT = "Times New Roman"
_BODY_FONT = "宋体"
_HEADING_FONT = "黑体"
_TEXT_WIDTH_MM = 170  # A4 portrait with 20 mm left and right margins
_RED = RGBColor(0xC0, 0x00, 0x00)
_AMBER = RGBColor(0xBF, 0x8F, 0x00)
_BLACK = RGBColor(0, 0, 0)
_CELL_STYLE = "Table Text"
_CELL_CENTRED_STYLE = "Table Text Centred"
# Colour of a status / alert word in a table cell.
_WORD_COLOURS = {"red": _RED, "yellow": _AMBER}


def _set_fonts(element, east_asia: str, latin: str = _LATIN_FONT) -> None:
    """Explicit fonts on a style's or run's rPr, dropping theme fonts (which would win over them)."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _setup_document(doc, data: ReportData) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(20)
    section.header_distance = section.footer_distance = Mm(12)

    styles = doc.styles
    normal = styles["Normal"]
    _set_fonts(normal.element, _BODY_FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    normal.font.size = Pt(12)  # 小四
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.3

    for name, size, before, after in (("Heading 1", 16, 12, 6), ("Heading 2", 14, 8, 4)):
        style = styles[name]
        _set_fonts(style.element, _HEADING_FONT)
        style.font.size = Pt(size)
        style.font.bold = False  # 黑体 is heavy enough; bold 黑体 smudges in WPS
        style.font.italic = False
        style.font.color.rgb = _BLACK
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(after)

    for name, alignment in ((_CELL_STYLE, None), (_CELL_CENTRED_STYLE, WD_ALIGN_PARAGRAPH.CENTER)):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.size = Pt(9)  # 小五
        style.paragraph_format.space_before = Pt(0)
        style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.line_spacing = 1.0
        style.paragraph_format.alignment = alignment

    props = doc.core_properties
    props.title = _clean(data.title)
    props.subject = _clean(data.plan_name)
    props.author = _clean(data.region_name)
    props.last_modified_by = _clean(data.region_name)
    props.comments = ""
    props.keywords = _clean(f"{data.kind_label} {data.period_label}")
    props.created = props.modified = data.generated_at.replace(tzinfo=None)

    # Page number in the footer: — 1 —
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    field_ = OxmlElement("w:fldSimple")
    field_.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field_.append(run)
    footer._p.append(field_)
    footer._p.append(footer.add_run(" —")._r)


def _paragraph(doc, text: str, *, indent: bool = True):
    paragraph = doc.add_paragraph(_clean(text))
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(24)  # two characters at 12 pt
    return paragraph


def _table(doc, headers: Sequence[str], widths_mm: Sequence[float], centred: Sequence[bool],
           rows: Iterable[Sequence[str]], colours: Iterable[Sequence[RGBColor | None]] | None = None):
    """A "Table Grid" table with a shaded, repeating header row; `centred` per column."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    scale = _TEXT_WIDTH_MM / sum(widths_mm) if sum(widths_mm) > _TEXT_WIDTH_MM else 1
    widths = [Mm(w * scale) for w in widths_mm]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid; add_row copies it into each new cell

    header = table.rows[0]
    tr_pr = header._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))  # repeat on every page
    for cell, text, width in zip(header.cells, headers, widths, strict=True):
        cell.width = width
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        shading.set(qn("w:fill"), "D9E2F3")
        cell._tc.get_or_add_tcPr().append(shading)
        paragraph = cell.paragraphs[0]
        paragraph.style = doc.styles[_CELL_CENTRED_STYLE]
        _set_fonts(paragraph.add_run(text)._r, _HEADING_FONT)

    left = doc.styles[_CELL_STYLE].style_id
    centre = doc.styles[_CELL_CENTRED_STYLE].style_id
    styles = [centre if c else left for c in centred]
    colour_rows = iter(colours) if colours is not None else None
    for values in rows:
        row_colours = next(colour_rows) if colour_rows is not None else None
        row = table.add_row()
        for index, (tc, value) in enumerate(zip(row._tr.tc_lst, values, strict=True)):
            p = tc.p_lst[0]
            p.get_or_add_pPr().style = styles[index]
            r = p.add_r()
            r.text = _clean(value)  # "\n" becomes a line break
            if row_colours is not None and row_colours[index] is not None:
                color = OxmlElement("w:color")
                color.set(qn("w:val"), str(row_colours[index]))
                r.get_or_add_rPr().append(color)
    return table


def _indicator_table(doc, data: ReportData) -> None:
    headers = [_("序号"), _("指标"), _("单位"), _("实际值"), _("目标值"), _("完成率"), _("状态"), _("同比")]
    rows = [
        [str(ind.seq), ind.name, ind.unit or DASH, fmt_amount(ind.actual), fmt_amount(ind.target),
         fmt_percent(ind.completion), _status_words(ind.status), fmt_percent(ind.yoy_growth)]
        for ind in data.indicators
    ]
    colours = [[None] * 6 + [_WORD_COLOURS.get(ind.status), None] for ind in data.indicators]
    _table(doc, headers, [10, 50, 14, 22, 22, 18, 16, 18],
           [True, False, True, True, True, True, True, True], rows, colours)


def _task_table(doc, tasks: Sequence[TaskLine]) -> None:
    headers = [_("序号"), _("重点工作"), _("牵头单位"), _("配合单位"), _("目标"), _("最新进展"),
               _("完成进度"), _("状态"), _("预警")]
    rows = [
        [str(number), task.title, task.lead_unit or DASH, "、".join(task.assisting_units) or DASH,
         _goal_text(task), _progress_text(task), _points(task.percent), task.status_label or DASH,
         _alert_text(task)]
        for number, task in enumerate(tasks, start=1)
    ]
    colours = [[None] * 8 + [_WORD_COLOURS.get(task.alert)] for task in tasks]
    _table(doc, headers, [8, 24, 16, 16, 28, 40, 13, 12, 13],
           [True, False, True, True, False, False, True, True, True], rows, colours)


def _ranking_table(doc, lines: Sequence[RankLine], name_header: str, score_header: str) -> None:
    with_detail = any(line.detail for line in lines)
    headers = [_("名次"), name_header, score_header, _("名次变化")] + ([_("说明")] if with_detail else [])
    widths = [16, 50, 26, 22] + ([56] if with_detail else [])
    centred = [True, False, True, True] + ([False] if with_detail else [])
    rows = []
    colours = []
    for line in lines:
        row = [DASH if line.rank is None else str(line.rank), line.name, fmt_amount(line.score),
               fmt_change(line.rank_change)]
        if with_detail:
            row.append(line.detail or DASH)
        rows.append(row)
        change = line.rank_change or 0
        colour = _RED if change < 0 else RGBColor(0x37, 0x86, 0x3C) if change > 0 else None
        colours.append([None, None, None, colour] + ([None] if with_detail else []))
    _table(doc, headers, widths, centred, rows, colours)


def build_docx(data: ReportData) -> bytes:
    """The report as a Word document (.docx bytes)."""
    doc = Document()
    _setup_document(doc, data)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(6)
    run = title.add_run(_clean(data.title))
    run.font.size = Pt(18)  # 小二
    _set_fonts(run._r, _HEADING_FONT)

    meta = _paragraph(
        doc,
        _("地区：%(region)s　报告期：%(period)s（%(kind)s报告）　生成时间：%(time)s")
        % {"region": data.region_name, "period": data.period_label, "kind": data.kind_label,
           "time": _datetime_words(data.generated_at)},
        indent=False,
    )
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta.runs[0].font.size = Pt(10.5)
    if data.plan_name:
        plan = _paragraph(doc, _("所属规划：%(plan)s") % {"plan": data.plan_name}, indent=False)
        plan.alignment = WD_ALIGN_PARAGRAPH.CENTER
        plan.runs[0].font.size = Pt(10.5)

    doc.add_heading(_("一、主要指标完成情况"), level=1)
    _paragraph(doc, _summary_sentence(data))
    if data.indicators:
        _indicator_table(doc, data)

    doc.add_heading(_("二、重点工作进展"), level=1)
    groups = group_tasks(data.tasks)
    if not groups:
        _paragraph(doc, _("本期无重点工作进展。"))
    for number, (category, tasks) in enumerate(groups, start=1):
        doc.add_heading(_clean(f"（{chinese_number(number)}）{_category_words(category)}"), level=2)
        _task_table(doc, tasks)

    doc.add_heading(_("三、预警事项"), level=1)
    items = red_items(data)
    if not items:
        _paragraph(doc, _("本期无红色预警事项。"))
    for number, (kind, name, reason) in enumerate(items, start=1):
        _paragraph(doc, f"{number}. 【{kind}】{name}：{reason}")

    doc.add_heading(_("四、晾晒排名"), level=1)
    doc.add_heading(_("（一）镇（街道）排名"), level=2)
    if data.town_ranking:
        _ranking_table(doc, data.town_ranking, _("镇（街道）"), _("综合得分"))
    else:
        _paragraph(doc, _("本期无镇（街道）排名。"))
    if data.unit_ranking:
        doc.add_heading(_("（二）责任单位排名"), level=2)
        _ranking_table(doc, data.unit_ranking, _("责任单位"), _("任务得分"))

    if data.notes:
        doc.add_heading(_("附：数据质量提示"), level=1)
        for number, note in enumerate(data.notes, start=1):
            _paragraph(doc, f"{number}. {note}")

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ------------------------------------------------------------------------------ Excel

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
            cell = sheet.cell(row=row_number, column=index + 1, value=value)
            if column.number_format == _AMOUNT_FORMAT:
                cell.number_format = _amount_format(value)
            elif column.number_format:
                cell.number_format = column.number_format
            if column.wrap:
                cell.alignment = _WRAP
            if index in row_fills:
                cell.fill = row_fills[index]
            width = _display_width(value) if column.number_format != PERCENT_FORMAT else 7
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
    ]
    rows = [
        [ind.seq, ind.name, ind.unit or None, _float(ind.actual), _float(ind.target), _float(ind.completion),
         _status_words(ind.status), _float(ind.yoy_growth), _float(ind.annual_target),
         _float(ind.annual_completion)]
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
                   name_header: str, score_header: str) -> None:
    columns = [_Column(_("名次")), _Column(name_header), _Column(score_header, _AMOUNT_FORMAT),
               _Column(_("名次变化"), _CHANGE_FORMAT), _Column(_("说明"), wrap=True, max_width=60)]
    rows = [[line.rank, line.name, _float(line.score), line.rank_change, line.detail or None] for line in lines]
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
                   _("镇（街道）"), _("综合得分"))
    _ranking_sheet(book, data, _(SHEET_NAMES[4]), _("责任单位晾晒排名"), data.unit_ranking,
                   _("责任单位"), _("任务得分"))
    _notes_sheet(book, data)
    book.properties.title = _clean(data.title)
    book.properties.subject = _clean(data.plan_name)
    book.properties.creator = _clean(data.region_name)
    book.properties.created = data.generated_at.replace(tzinfo=None)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
