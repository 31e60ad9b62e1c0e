"""The words of a progress report: number display, dates, the summary and the sentence of each indicator.

Pure (no database): both the Word and the Excel file take their text from here, so they say the same.
Display rules: amounts at the indicator's decimals (``IndicatorLine.decimals``, from plans.precision:
33.77亿元, 2.9%, 90家) or, where none is given, without trailing zeros (2.25, 1,234.5); thousands
separators; percentages of completion and growth with one decimal (93.2%); a missing value as "—".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.cells import chinese_number  # noqa: F401 — re-exported for tasks.documents
from core.periods import Period
from plans.precision import rounded
from tasks.report_lines import ALERT_WORDS, STATUS_WORDS, IndicatorLine, ReportData, TaskLine

DASH = "—"
_HUNDRED = Decimal(100)
_TENTH = Decimal("0.1")
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


def fmt_figure(value: Decimal | int | float | None, decimals: int | None) -> str:
    """A figure at its indicator's decimals (52.708333 亿元 → 52.71); without decimals given, as fmt_amount."""
    if value is None or decimals is None:
        return fmt_amount(value)
    text = format(rounded(_decimal(value), decimals), ",f")
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text


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
        figures.append(_("实际值%(value)s%(unit)s") % {"value": fmt_figure(ind.actual, ind.decimals),
                                                      "unit": ind.unit})
    if ind.target is not None:
        figures.append(_("目标值%(value)s%(unit)s") % {"value": fmt_figure(ind.target, ind.decimals),
                                                      "unit": ind.unit})
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
    text += "。"
    earlier = sum(1 for ind in data.indicators if ind.figure_period_label and ind.actual is not None)
    if earlier:
        text += _("其中%(count)s项本期无新数据，按最近一期数据计。") % {"count": earlier}
    return text


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



# ------------------------------------------------------------------------------ indicator sentences

_QUARTER_WORDS = {1: "一季度", 2: "二季度", 3: "三季度", 4: "四季度"}
# What a running total of the year is called at each period's end, as the bureaus' documents write it.
_RUNNING_WORDS = {("Q", 1): "一季度", ("Q", 2): "上半年", ("H", 1): "上半年", ("Q", 3): "前三季度"}
PERCENT_UNITS = ("%", "％")


def _running_words(period: Period) -> str:
    if period.kind == "M":
        return _("1月") if period.index == 1 else _("1—%(month)s月") % {"month": period.index}
    if period.kind == "Y" or period.end_month == 12:
        return _("%(year)s年") % {"year": period.year}
    return _(_RUNNING_WORDS[(period.kind, period.index)])


def _point_words(period: Period) -> str:
    """A point in time: 11月末, 三季度末, 6月末, 年末."""
    if period.kind == "M":
        return _("%(month)s月末") % {"month": period.index}
    if period.kind == "Y" or period.end_month == 12:
        return _("%(year)s年末") % {"year": period.year}
    if period.kind == "Q":
        return _("%(quarter)s末") % {"quarter": _QUARTER_WORDS[period.index]}
    return _("%(month)s月末") % {"month": period.end_month}


def _short_words(period: Period) -> str:
    """The period inside its year: 11月, 三季度, 上半年, 全年."""
    if period.kind == "M":
        return _("%(month)s月") % {"month": period.index}
    if period.kind == "Q":
        return _(_QUARTER_WORDS[period.index])
    if period.kind == "H":
        return _("上半年") if period.index == 1 else _("下半年")
    return _("全年")


def period_phrase(report: Period, figure: Period, kind: str) -> str:
    """When a figure is, as a sentence opens: 1—11月 / 前三季度 (running totals), 截至11月末 (levels, rates),
    截至三季度 (the latest figure of the year when the report's own period has none), 2025年 (an earlier year)."""
    if figure.year != report.year:
        if figure.kind == "Y" or figure.end_month == 12:
            return _("%(year)s年") % {"year": figure.year}
        if kind == "cumulative":
            return _("%(year)s年%(inner)s") % {"year": figure.year, "inner": _running_words(figure)}
        return _("截至%(year)s年%(inner)s") % {"year": figure.year, "inner": _point_words(figure)}
    if figure != report and figure.end_key != report.end_key:
        return _("截至%(period)s") % {"period": _short_words(figure)}
    if kind == "cumulative":
        return _running_words(figure)
    return _("截至%(point)s") % {"point": _point_words(figure)}


def _growth_words(ind: IndicatorLine) -> str:
    if ind.yoy_growth is None or ind.unit in PERCENT_UNITS:
        return ""  # the growth of a share is spoken of in points, which the line does not carry
    growth = _decimal(ind.yoy_growth)
    if abs(growth) < Decimal("0.0005"):
        return _("与上年同期持平")
    word = _("同比增长%(rate)s") if growth > 0 else _("同比下降%(rate)s")
    return word % {"rate": fmt_percent(abs(growth))}


def _target_words(ind: IndicatorLine) -> str:
    if ind.annual_target is not None and ind.annual_completion is not None:
        return _("完成年度目标（%(target)s%(unit)s）的%(rate)s") % {
            "target": fmt_figure(ind.annual_target, ind.decimals), "unit": ind.unit,
            "rate": fmt_percent(ind.annual_completion)}
    if ind.target is not None and ind.completion is not None:
        return _("完成目标（%(target)s%(unit)s）的%(rate)s") % {
            "target": fmt_figure(ind.target, ind.decimals), "unit": ind.unit, "rate": fmt_percent(ind.completion)}
    return ""


_PACE_WORDS = {"red": gettext_noop("进度滞后"), "yellow": gettext_noop("略低于序时进度")}
# At the year's end the schedule is the year's target itself.
_YEAR_END_WORDS = {"red": gettext_noop("与年度目标差距较大"), "yellow": gettext_noop("尚未完成年度目标")}


def forecast_words(ind: IndicatorLine) -> str:
    """预计全年X，目标Y (，预计未完成), at the indicator's decimals."""
    words = _("预计全年%(value)s%(unit)s") % {"value": fmt_figure(ind.forecast, ind.decimals), "unit": ind.unit}
    if ind.forecast_target is not None:
        words += _("，目标%(target)s%(unit)s") % {"target": fmt_figure(ind.forecast_target, ind.decimals),
                                               "unit": ind.unit}
    if ind.forecast_misses:
        words += _("，预计未完成")
    return words


def indicator_sentence(ind: IndicatorLine) -> str:
    """One sentence in the documents' style, e.g.
    1—8月规上工业研发费用33.77亿元，同比增长5.8%，完成年度目标（51.00亿元）的66.2%，增速列全市第3位。"""
    name = _clean(ind.name)
    if ind.actual is None:
        return _("%(name)s本期暂无已审核数据。") % {"name": name}
    phrase = ind.period_phrase
    opening = f"{phrase}，" if phrase.startswith("截至") else phrase
    parts = [f"{opening}{name}{fmt_figure(ind.actual, ind.decimals)}{ind.unit}"]
    parts += [words for words in (_growth_words(ind), _target_words(ind)) if words]
    if ind.status in _PACE_WORDS:
        parts.append(_((_YEAR_END_WORDS if ind.at_year_end else _PACE_WORDS)[ind.status]))
    if ind.rank_phrase:
        parts.append(_clean(ind.rank_phrase))
    if ind.forecast is not None and not ind.at_year_end:
        parts.append(forecast_words(ind))
    return "，".join(parts) + "。"


def closing_date(data: ReportData) -> str:
    """The date of the closing block: the issue date, else the day the report was generated."""
    return _date_words(data.issued_on or data.generated_at)
