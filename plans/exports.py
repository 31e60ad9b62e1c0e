"""The plan's progress as an Excel sheet laid out like 附件1, with the year's figures beside the targets."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from core.periods import Period
from core.spreadsheets import safe_cell
from plans.models import Frequency, Plan
from plans.progress import fmt
from plans.queries import indicator_warnings, plan_indicators, plan_place, plan_progress

QUARTER_WORDS = ["一季度", "二季度", "三季度", "四季度"]
STATUS_WORDS = {"green": "绿", "yellow": "黄", "red": "红", "no_target": "无目标", "missing": "未填报"}
STATUS_FILL = {"green": "C6EFCE", "yellow": "FFEB9C", "red": "FFC7CE"}


def _num(value):
    return float(value) if value is not None else None


def progress_workbook(plan: Plan, year: int) -> bytes:
    indicators = list(plan_indicators(plan))
    area = plan_place(plan)
    target_years = sorted({int(t.period) for ind in indicators for t in ind.targets.filter(org_unit=area)
                           if len(t.period) == 4}, reverse=True)
    annual = plan_progress(plan, Period(year, "Y", 0), area, indicators=indicators)
    quarters = [plan_progress(plan, Period(year, "Q", q), area, indicators=indicators) for q in range(1, 5)]
    warnings = indicator_warnings(plan, indicators)

    book = Workbook()
    sheet = book.active
    sheet.title = f"{year}年进度"
    headers = ([_("序号"), _("指标")] + [f"{y}年" for y in target_years] + QUARTER_WORDS + [_("责任单位")]
               + [f"{year}年{w}完成" for w in QUARTER_WORDS]
               + [_("%(year)s年完成值") % {"year": year}, _("年度目标"), _("年度完成率"), _("状态"), _("同比增长"),
                  _("数据质量提示")])
    title = _("%(plan)s 主要指标进度表（%(year)s年）") % {"plan": plan.name, "year": year}
    sheet.cell(row=1, column=1, value=safe_cell(title)).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    thin = Side(style="thin", color="999999")
    for col, header in enumerate(headers, start=1):
        cell = sheet.cell(row=2, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for index, ind in enumerate(indicators):
        targets = {t.period: t for t in ind.targets.all() if t.org_unit_id == area.pk}
        row = [ind.seq or index + 1, ind.printed_name or f"{ind.name}({ind.unit})"]
        for y in target_years:
            t = targets.get(str(y))
            row.append((t.text or fmt(t.value)) if t and (t.basis or t.value is None) else _num(t.value) if t else None)
        if ind.frequency == Frequency.YEAR:
            row += [_("年度指标"), None, None, None]
        else:
            row += [_num(targets[f"{year}Q{q}"].value) if f"{year}Q{q}" in targets else None for q in range(1, 5)]
        row.append("、".join(u.name for u in ind.ordered_units))
        row += [_num(q.rows[index].actual) for q in quarters]
        a = annual.rows[index]
        row += [_num(a.actual), _num(a.annual_target) if a.annual_target is not None else (a.target_words or None),
                _num(a.annual_completion), STATUS_WORDS[a.status], _num(a.yoy_growth),
                "；".join(w.message for w in warnings.get(ind.pk, []))]
        excel_row = index + 3
        for col, value in enumerate(row, start=1):
            cell = sheet.cell(row=excel_row, column=col, value=safe_cell(value))
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
            if headers[col - 1] in (_("年度完成率"), _("同比增长")) and value is not None:
                cell.number_format = "0.0%"
        status_cell = sheet.cell(row=excel_row, column=headers.index(_("状态")) + 1)
        if a.status in STATUS_FILL:
            status_cell.fill = PatternFill("solid", fgColor=STATUS_FILL[a.status])
    for col in range(1, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(col)].width = 34 if col == 2 else 12
    sheet.freeze_panes = "C3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
