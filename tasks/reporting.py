"""月报、季报、年报 and the annual competition (年比拼): gathering the figures, then the documents.

``report_data`` reads a fixed number of queries for a whole plan (indicators, targets and figures of every
place, tasks with their reports and transitions) and hands plain values to tasks.documents.  What a
bureau forwards has to hold as it stands, so:

- an indicator without a figure for the report's period (a quarterly figure in a monthly report) shows
  its latest approved figure, evaluated for that figure's own period and said so (截至三季度);
- a task's status is the one it had at the period's end: its timeline (``TaskTransition``) up to then,
  and a monthly report filed for a month up to then shows it was being worked on;
- the town ranking falls back, the same way, to the latest period the towns have figures for; a ranking
  nobody can be ranked in is left out with the sentence saying why;
- where the county stands among its city's counties (增速列全市第2位) comes from the city comparison
  (``plans.region_queries.rank_phrases``) for indicators linked to the catalogue, only where two counties
  are ranked at that period; the year-end projection (预计全年X，目标Y) from ``plans.queries.forecast_for``,
  for a figure of the report's own period inside the year.
"""

import calendar
import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core import jobs
from core.models import Job, OrgUnit
from core.periods import Period
from plans.models import IndicatorValue, Plan
from plans.precision import decimals
from plans.progress import competition_ranks, rank_changes
from plans.queries import (
    completions_by_place,
    forecast_for,
    indicator_warnings,
    plan_indicators,
    plan_place,
    plan_progress,
)
from plans.region_queries import rank_phrases as region_rank_phrases
from tasks import documents, rules
from tasks.models import IssuedReport, KeyTask, ProgressReport, TaskTransition
from tasks.queries import plan_settings, with_units

KIND_WORDS = {"M": "月度", "Q": "季度", "H": "半年", "Y": "年度"}


def period_end_date(period: Period) -> datetime.date:
    return datetime.date(period.year, period.end_month, calendar.monthrange(period.year, period.end_month)[1])


def as_of(period: Period, today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return min(today, period_end_date(period))


def _task_states(tasks: list[KeyTask], on: datetime.date) -> dict[int, tuple[str, Decimal | None, frozenset]]:
    """Each task's status, percent and reported months as they stood on a date (for rank changes)."""
    month = on.strftime("%Y-%m")
    status = {t.pk: "assigned" for t in tasks}
    for task_id, to_status in (TaskTransition.objects.filter(task__in=tasks, at__date__lte=on)
                               .order_by("at", "id").values_list("task_id", "to_status")):
        status[task_id] = to_status
    percent: dict[int, Decimal | None] = {}
    months: dict[int, set[str]] = defaultdict(set)
    for task_id, period, value in (ProgressReport.objects.filter(task__in=tasks, period__lte=month)
                                   .order_by("period").values_list("task_id", "period", "percent")):
        percent[task_id] = value
        months[task_id].add(period)
    return {t.pk: (_worked_on(status[t.pk], months[t.pk]), percent.get(t.pk), frozenset(months[t.pk]))
            for t in tasks}


def _worked_on(status: str, months: set[str]) -> str:
    """A task with a monthly report up to the date was being worked on then, even where its timeline
    recorded 签收 later (steps entered after the fact): a report is only filed after 签收."""
    if months and status in (rules.Status.ASSIGNED, rules.Status.ACKNOWLEDGED):
        return rules.Status.IN_PROGRESS
    return status


def _unit_scores(tasks: list[KeyTask], on: datetime.date, settings) -> dict[int, Decimal | None]:
    states = _task_states(tasks, on)
    by_unit: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for task in tasks:
        if task.start > on:
            continue
        status, percent, months = states[task.pk]
        level = rules.alert(rules.AlertInput(status=status, start=task.start, deadline=task.deadline,
                                             percent_done=percent, reported_months=months),
                            on, lag_threshold=settings.lag_threshold, report_day=settings.report_day).level
        by_unit[task.lead_unit_id].append((status, level))
    return {unit: rules.task_score(states) for unit, states in by_unit.items()}


def _town_scores(plan: Plan, period: Period, indicators, weights: dict) -> dict[int, Decimal | None]:
    completions = completions_by_place(plan, period, indicators)
    return {place: rules.composite_score(values, {code: Decimal(str(weights.get(code, 1))) for code in values})
            for place, values in completions.items()}


def _ranked(scores_now: dict, scores_before: dict, names: dict[int, str]) -> list[documents.RankLine]:
    ranks = competition_ranks(list(scores_now.items()))
    changes = rank_changes(ranks, competition_ranks(list(scores_before.items())))
    lines = [documents.RankLine(rank=ranks[k], name=names.get(k, str(k)), score=scores_now[k], rank_change=changes[k])
             for k in scores_now]
    lines.sort(key=lambda line: (line.rank is None, line.rank or 0, line.name))
    return lines


def _latest_figure_periods(plan: Plan, period: Period, indicator_ids: set[int]) -> dict[int, Period]:
    """For each indicator, the period of its latest approved figure for the plan's region up to the period's end."""
    if not indicator_ids:
        return {}
    found: dict[int, Period] = {}
    rows = (IndicatorValue.objects.approved()
            .filter(indicator_id__in=indicator_ids, place=plan_place(plan), period_end__lte=period.end_key)
            .order_by("indicator_id", "-period_end", "period").values_list("indicator_id", "period"))
    for indicator_id, code in rows:
        found.setdefault(indicator_id, Period.parse(code))
    return found


def _indicator_lines(plan: Plan, period: Period, indicators: list, rank_phrases: dict[str, str]):
    """The indicator lines, and the time progress of the report's period."""
    progress = plan_progress(plan, period, indicators=indicators)
    rows = {r.indicator.pk: r for r in progress.rows}
    fallback = _latest_figure_periods(plan, period, {pk for pk, r in rows.items() if r.actual is None})
    by_period: dict[Period, list] = defaultdict(list)
    for ind in indicators:
        if ind.pk in fallback:
            by_period[fallback[ind.pk]].append(ind)
    for figure_period, subset in by_period.items():  # one evaluation per period, not per indicator
        for row in plan_progress(plan, figure_period, indicators=subset).rows:
            if row.actual is not None:
                rows[row.indicator.pk] = row
    forecasts = forecast_for(plan, period, indicators=indicators)
    lines = []
    for ind in indicators:
        r = rows[ind.pk]
        own = r.period.end_key == period.end_key and r.period.year == period.year
        lines.append(documents.IndicatorLine(
            seq=ind.seq, name=ind.name, unit=ind.unit, actual=r.actual, target=r.target, completion=r.completion,
            status=r.status, yoy_growth=r.yoy_growth, annual_target=r.annual_target,
            annual_completion=r.annual_completion, decimals=decimals(ind.unit, ind.kind),
            period_phrase=documents.period_phrase(period, r.period, ind.kind),
            rank_phrase=rank_phrases.get(ind.code, ""), figure_period_label="" if own else r.period.label,
            at_year_end=r.period.end_month == 12,
            **_forecast_fields(forecasts.get(ind.code) if own else None)))
    return lines, progress.time_progress


def _forecast_fields(forecast) -> dict:
    """A projection for a figure of the report's own period (an older figure's projection says nothing new)."""
    if forecast is None or forecast.value is None:
        return {}
    return {"forecast": forecast.value, "forecast_target": forecast.target,
            "forecast_misses": bool(forecast.misses_target)}


def _town_ranking(plan: Plan, period: Period, indicators, weights: dict, names: dict[int, str]):
    """The towns' ranking and its note: the period's own figures, else the latest period the towns have."""
    now = _town_scores(plan, period, indicators, weights)
    used, note = period, ""
    if not any(score is not None for score in now.values()):
        code = (IndicatorValue.objects.approved().filter(indicator__plan=plan, period_end__lte=period.end_key)
                .exclude(place=plan_place(plan)).order_by("-period_end", "period")
                .values_list("period", flat=True).first())
        if code is None:
            return [], _("各镇（街道）尚无已审核的指标数据，本期不作排名。")
        used = Period.parse(code)
        now = _town_scores(plan, used, indicators, weights)
        if not any(score is not None for score in now.values()):
            return [], _("各镇（街道）本期尚无可比的指标完成情况，本期不作排名。")
        note = _("各镇（街道）指标数据按期报送，%(period)s无新数据，以下按%(used)s数据排名。") % {
            "period": period.label, "used": used.label}
    before = _town_scores(plan, used.previous(), indicators, weights)
    names.update(OrgUnit.objects.filter(pk__in=set(now) - set(names)).values_list("pk", "name"))
    return _ranked(now, before, names), note


def _issuer(plan: Plan) -> str:
    """The issuing unit of the closing block: the region's science and technology bureau (平湖市科技局)."""
    bureau = (OrgUnit.objects.filter(region=plan.region, kind="bureau", name__contains="科技局")
              .order_by("code").values_list("name", flat=True).first())
    if bureau is None:
        return plan.region.name
    return bureau if bureau.startswith(plan.region.name) else plan.region.name + bureau.lstrip("市县区")


def report_data(plan: Plan, period: Period, today: datetime.date | None = None, *,
                rank_phrases: dict[str, str] | None = None) -> documents.ReportData:
    """The report's values.  ``rank_phrases`` by indicator code ("增速列全市第3位") where a comparison with
    other regions is known to the caller; none is made up here."""
    today = today or timezone.localdate()
    on = as_of(period, today)
    previous = period.previous()
    before = as_of(previous, today)
    settings = plan_settings(plan)
    indicators = list(plan_indicators(plan))
    if rank_phrases is None:
        rank_phrases = region_rank_phrases(plan, period)
    indicator_lines, time_progress = _indicator_lines(plan, period, indicators, rank_phrases)

    # The year's tasks first, then the plan's actions: spelled out, as databases put NULL years on either side.
    tasks = list(with_units(KeyTask.objects.filter(plan=plan)).filter(start__lte=on).order_by(
        F("year").asc(nulls_last=True), "action__number", "seq", "code"))
    states = _task_states(tasks, on)
    # An earlier year's task is carried into the year's reports (结转) unless it was 销号 before the year began.
    earlier = [t for t in tasks if t.year is not None and t.year < period.year]
    if earlier:
        at_new_year = _task_states(earlier, datetime.date(period.year - 1, 12, 31))
        done = {pk for pk, (status, _p, _m) in at_new_year.items() if status == rules.Status.CLOSED}
        tasks = [t for t in tasks if t.pk not in done]
    month = on.strftime("%Y-%m")
    latest: dict[int, ProgressReport] = {}
    for report in ProgressReport.objects.filter(task__in=tasks, period__lte=month).order_by("period"):
        latest[report.task_id] = report
    task_lines = []
    for task in tasks:
        status, percent, months = states[task.pk]
        alert = rules.alert(rules.AlertInput(status=status, start=task.start, deadline=task.deadline,
                                             percent_done=percent, reported_months=months),
                            on, lag_threshold=settings.lag_threshold, report_day=settings.report_day)
        report = latest.get(task.pk)
        task_lines.append(documents.TaskLine(
            code=task.code, title=task.title, category=task.category or _("其他"), lead_unit=task.lead_unit.name,
            assisting_units=[u.name for u in task.assisting_units], goal=task.goal, deadline=task.deadline,
            status_label=rules.STATUS_LABELS[status], alert=alert.level, alert_reasons=alert.reasons,
            percent=percent, latest_progress=report.text if report else "", latest_period=report.period if report else None))

    weights = settings.indicator_weights or {}
    units_now = _unit_scores(tasks, on, settings)
    units_before = _unit_scores(tasks, before, settings) if before < on else {}
    names = dict(OrgUnit.objects.filter(pk__in=set(units_now)).values_list("pk", "name"))
    town_ranking, town_note = _town_ranking(plan, period, indicators, weights, names)
    unit_note = "" if units_now else _("本期无已启动的重点工作，不作责任单位排名。")
    # Each warning names its indicator, as of the month after the period (when the report is due), not today.
    warnings = indicator_warnings(plan, indicators, today=max(on, min(today, on + datetime.timedelta(days=31))))
    notes = [_("%(indicator)s：%(message)s") % {"indicator": ind.name, "message": w.message}
             for ind in indicators for w in warnings.get(ind.pk, [])]
    kind = KIND_WORDS[period.kind]
    return documents.ReportData(
        title=_("%(plan)s%(period)s进展报告") % {"plan": plan.name, "period": period.label},
        plan_name=plan.name, region_name=plan.region.name, period_label=period.label, kind_label=kind,
        generated_at=timezone.localtime(), time_progress=time_progress, indicators=indicator_lines,
        tasks=task_lines, town_ranking=town_ranking, unit_ranking=_ranked(units_now, units_before, names),
        notes=notes, town_ranking_note=town_note, unit_ranking_note=unit_note, issuer=_issuer(plan),
        issued_on=today)


def issue_report(*, plan: Plan, period: Period, user) -> Job:
    """Generate the Word and Excel reports as a background job; the files are kept for download."""
    return jobs.start(kind="progress_report", title=_("%(plan)s%(period)s进展报告") % {
        "plan": plan.name, "period": period.label}, user=user, region=plan.region,
        params={"plan": plan.code, "period": period.code})


@jobs.handler("progress_report")
def _issue_report_job(job: Job, report) -> dict:
    plan = Plan.objects.select_related("region").get(code=job.params["plan"])
    period = Period.parse(job.params["period"])
    report(0, 3)
    data = report_data(plan, period)
    report(1, 3)
    docx = documents.build_docx(data)
    report(2, 3)
    xlsx = documents.build_xlsx(data)
    issued = IssuedReport(plan=plan, period=period.code, job=job, created_by=job.created_by)
    stem = f"{plan.code}-{period.code}-{job.pk}"
    issued.docx.save(f"{stem}.docx", ContentFile(docx), save=False)
    issued.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
    issued.save()
    report(3, 3)
    return {"issued_report": issued.pk, "tasks": len(data.tasks), "indicators": len(data.indicators),
            "red_items": len(documents.red_items(data))}
