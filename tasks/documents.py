"""Monthly / quarterly / annual progress reports (月度/季度/年度进展报告) as Word and Excel files.

The caller fills the plain dataclasses of ``tasks.report_lines`` (no models, no database) and gets bytes
back.  This module is the one door the rest of the app uses; the work is split by concern:

- ``tasks.report_lines`` — the dataclasses (``ReportData``, ``IndicatorLine``, ``TaskLine``, ``RankLine``)
  and the words of statuses, alerts and sheets;
- ``tasks.report_text`` — number display at the indicator's precision, dates, the summary, one sentence
  per indicator in the documents' style, the red items (pure);
- ``tasks.report_docx`` — ``build_docx``: the Word document with government-document fonts, page numbers
  and the closing block;
- ``tasks.report_xlsx`` — ``build_xlsx``: the workbook, figures as numbers at their precision.
"""

from tasks.report_docx import build_docx
from tasks.report_lines import (
    ALERT_WORDS,
    SHEET_NAMES,
    STATUS_WORDS,
    IndicatorLine,
    RankLine,
    ReportData,
    TaskLine,
)
from tasks.report_text import (
    chinese_number,
    fmt_amount,
    fmt_change,
    fmt_figure,
    fmt_percent,
    group_tasks,
    indicator_sentence,
    period_phrase,
    red_items,
)
from tasks.report_xlsx import build_xlsx

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
    "fmt_figure",
    "fmt_percent",
    "group_tasks",
    "indicator_sentence",
    "period_phrase",
    "red_items",
]
