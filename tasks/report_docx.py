"""The progress report as a Word document (python-docx), laid out as the bureau's own documents are.

A4 portrait; fonts named as Chinese government documents use them (GB/T 9704): the title in 方正小标宋简体,
一、 headings in 黑体, （一） headings in 楷体_GB2312, body and tables in 仿宋_GB2312, each declared in the
font table with the font Word and WPS take where it is not installed (宋体, 楷体, 仿宋); page numbers
"— 1 —" in the footer.  Sections: 一、主要指标完成情况 (the summary, one sentence per indicator, then the
table) / 二、重点工作进展 (one （一）（二）… sub-heading per task category, in first-seen order) /
三、预警事项 / 四、晾晒排名 (each ranking a table, or the sentence saying why there is none) /
附：数据质量提示 (only when there are notes), then the closing block: issuing unit and date.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from tasks.report_lines import RankLine, ReportData, TaskLine
from tasks.report_text import (
    DASH,
    _alert_text,
    _category_words,
    _clean,
    _datetime_words,
    _goal_text,
    _points,
    _progress_text,
    _status_words,
    _summary_sentence,
    chinese_number,
    closing_date,
    fmt_change,
    fmt_figure,
    fmt_percent,
    group_tasks,
    indicator_sentence,
    red_items,
)

# ------------------------------------------------------------------------------ Word

_LATIN_FONT = "Times New Roman"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
# The font Word / WPS use where a named one is not installed (w:altName in the font table), and its
# GB2312 charset: a machine without the 方正 and _GB2312 fonts still shows a 宋体 title and 仿宋 text.
FONT_FALLBACKS = {TITLE_FONT: "宋体", HEADING_FONT: "SimHei", SUBHEADING_FONT: "楷体", BODY_FONT: "仿宋"}
_HEADING_FONT = HEADING_FONT
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


def _declare_fonts(doc) -> None:
    """Each named font in the font table with its fallback (altName) and the GB2312 charset."""
    part = doc.part.part_related_by(RELATIONSHIP_TYPE.FONT_TABLE)
    fonts = parse_xml(part.blob)
    for name, fallback in FONT_FALLBACKS.items():
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        for tag, value in (("w:altName", fallback), ("w:charset", "86"), ("w:family", "modern"),
                           ("w:pitch", "fixed")):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            font.append(child)
        fonts.append(font)
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


def _setup_document(doc, data: ReportData) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(20)
    section.header_distance = section.footer_distance = Mm(12)

    styles = doc.styles
    normal = styles["Normal"]
    _set_fonts(normal.element, BODY_FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    normal.font.size = Pt(16)  # 三号, as the body of a government document
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = Pt(28)

    for name, font, before, after in (("Heading 1", HEADING_FONT, 6, 0), ("Heading 2", SUBHEADING_FONT, 0, 0)):
        style = styles[name]
        _set_fonts(style.element, font)
        size = 16  # 三号 for both levels: the documents tell them apart by the font
        style.font.size = Pt(size)
        style.font.bold = False  # 黑体 is heavy enough; bold 黑体 smudges in WPS
        style.font.italic = False
        style.font.color.rgb = _BLACK
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(after)
        style.paragraph_format.line_spacing = Pt(28)
        style.paragraph_format.first_line_indent = Pt(32)  # two characters, as the body

    for name, alignment in ((_CELL_STYLE, None), (_CELL_CENTRED_STYLE, WD_ALIGN_PARAGRAPH.CENTER)):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.size = Pt(10.5)  # 五号
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

    _declare_fonts(doc)

    # Page number in the footer: — 1 — (4号 宋体 in the documents' own style)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.style.font.size = Pt(14)
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
        paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters at 16 pt
    else:
        paragraph.paragraph_format.first_line_indent = Pt(0)
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


def _figure_cell(ind) -> str:
    """The figure, with its own period when it is not the report's (截至三季度: a quarterly figure)."""
    text = fmt_figure(ind.actual, ind.decimals)
    if ind.actual is not None and ind.figure_period_label:
        text += "\n（" + ind.figure_period_label + "）"
    return text


def _indicator_table(doc, data: ReportData) -> None:
    headers = [_("序号"), _("指标"), _("单位"), _("实际值"), _("目标值"), _("完成率"), _("状态"), _("同比")]
    rows = [
        [str(ind.seq), ind.name, ind.unit or DASH, _figure_cell(ind), fmt_figure(ind.target, ind.decimals),
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
        row = [DASH if line.rank is None else str(line.rank), line.name, fmt_figure(line.score, 1),
               fmt_change(line.rank_change)]
        if with_detail:
            row.append(line.detail or DASH)
        rows.append(row)
        change = line.rank_change or 0
        colour = _RED if change < 0 else RGBColor(0x37, 0x86, 0x3C) if change > 0 else None
        colours.append([None, None, None, colour] + ([None] if with_detail else []))
    _table(doc, headers, widths, centred, rows, colours)


def _ranking_section(doc, lines: Sequence[RankLine], note: str, none_words: str, name_header: str,
                     score_header: str) -> None:
    """The table when anyone has a score; the note says which period it is of, or why there is none."""
    ranked = [line for line in lines if line.score is not None]
    if note:
        _paragraph(doc, note)
    if ranked:
        _ranking_table(doc, lines, name_header, score_header)
    elif not note:
        _paragraph(doc, none_words)


def _closing_block(doc, data: ReportData) -> None:
    """The issuing unit and the date, right-aligned under the text (a blank line before them)."""
    if not data.issuer:
        return
    _paragraph(doc, "", indent=False)
    for text in (data.issuer, closing_date(data)):
        paragraph = _paragraph(doc, text, indent=False)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Pt(64)  # four characters from the margin, as GB/T 9704


def build_docx(data: ReportData) -> bytes:
    """The report as a Word document (.docx bytes)."""
    doc = Document()
    _setup_document(doc, data)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(6)
    run = title.add_run(_clean(data.title))
    run.font.size = Pt(22)  # 二号
    _set_fonts(run._r, TITLE_FONT)

    meta = _paragraph(
        doc,
        _("地区：%(region)s　报告期：%(period)s（%(kind)s报告）　生成时间：%(time)s")
        % {"region": data.region_name, "period": data.period_label, "kind": data.kind_label,
           "time": _datetime_words(data.generated_at)},
        indent=False,
    )
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta.runs[0].font.size = Pt(12)
    _set_fonts(meta.runs[0]._r, SUBHEADING_FONT)
    if data.plan_name:
        plan = _paragraph(doc, _("所属规划：%(plan)s") % {"plan": data.plan_name}, indent=False)
        plan.alignment = WD_ALIGN_PARAGRAPH.CENTER
        plan.runs[0].font.size = Pt(12)
        _set_fonts(plan.runs[0]._r, SUBHEADING_FONT)

    doc.add_heading(_("一、主要指标完成情况"), level=1)
    _paragraph(doc, _summary_sentence(data))
    for ind in data.indicators:
        _paragraph(doc, indicator_sentence(ind))
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
    _ranking_section(doc, data.town_ranking, data.town_ranking_note, _("本期无镇（街道）排名。"),
                     _("镇（街道）"), _("综合得分"))
    if data.unit_ranking or data.unit_ranking_note:
        doc.add_heading(_("（二）责任单位排名"), level=2)
        _ranking_section(doc, data.unit_ranking, data.unit_ranking_note, _("本期无责任单位排名。"),
                         _("责任单位"), _("任务得分"))

    if data.notes:
        doc.add_heading(_("附：数据质量提示"), level=1)
        for number, note in enumerate(data.notes, start=1):
            _paragraph(doc, f"{number}. {note}")

    _closing_block(doc, data)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()

