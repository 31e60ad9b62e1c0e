"""The plain values a progress report is written from (no models, no database).

Scales: ``IndicatorLine.completion``, ``yoy_growth``, ``annual_completion`` and
``ReportData.time_progress`` are fractions (0.932 = 93.2%); ``TaskLine.percent`` is on the 0-100 scale
used by ``tasks.rules`` and ``KeyTask.percent_done`` (60 = 60.0%).  ``RankLine.rank_change`` is
positive when the place moved up (↑), negative when it moved down (↓).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext_noop


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
    # How the figures are printed: decimals of the indicator (plans.precision); None prints them as stored.
    decimals: int | None = None
    # When the figure is: "1—11月", "前三季度", "截至三季度" (a quarterly figure in a monthly report), "2025年".
    period_phrase: str = ""
    # The indicator's rank where a comparison is known, e.g. "增速列全市第3位"; never guessed.
    rank_phrase: str = ""
    # The year-end projection inside the year (plans.forecast): value, the year's target, and whether it misses.
    forecast: Decimal | None = None
    forecast_target: Decimal | None = None
    forecast_misses: bool = False
    # The period the figure is of, when it is not the report's own (a quarterly figure in a monthly report).
    figure_period_label: str = ""
    at_year_end: bool = False  # the figure closes its year: its schedule is the year's target itself


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
    notes: list[str] = field(default_factory=list)  # e.g. data-quality warnings, each naming its indicator
    # Why a ranking is left out, or which period it was taken from; shown in place of / above the table.
    town_ranking_note: str = ""
    unit_ranking_note: str = ""
    issuer: str = ""  # the closing block: the issuing unit (平湖市科技局) …
    issued_on: date | None = None  # … and the date, 2026年12月3日


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
