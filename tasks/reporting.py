"""月报、季报、年报 and the annual competition (年比拼): gathering the figures, then the documents.

``report_data`` reads a fixed number of queries for a whole plan (indicators, targets and figures of every
place, tasks with their reports and transitions) and hands plain values to tasks.documents.
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
from plans.models import Plan
from plans.progress import competition_ranks, rank_changes
from plans.queries import completions_by_place, indicator_warnings, plan_indicators, plan_progress
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
    return {t.pk: (status[t.pk], percent.get(t.pk), frozenset(months[t.pk])) for t in tasks}


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


def report_data(plan: Plan, period: Period, today: datetime.date | None = None) -> documents.ReportData:
    today = today or timezone.localdate()
    on = as_of(period, today)
    previous = period.previous()
    before = as_of(previous, today)
    settings = plan_settings(plan)
    indicators = list(plan_indicators(plan))
    progress = plan_progress(plan, period, indicators=indicators)
    indicator_lines = [documents.IndicatorLine(
        seq=r.indicator.seq, name=r.indicator.name, unit=r.indicator.unit, actual=r.actual, target=r.target,
        completion=r.completion, status=r.status, yoy_growth=r.yoy_growth, annual_target=r.annual_target,
        annual_completion=r.annual_completion) for r in progress.rows]

    # The year's tasks first, then the plan's actions: spelled out, as databases put NULL years on either side.
    tasks = list(with_units(KeyTask.objects.filter(plan=plan)).filter(start__lte=on).order_by(
        F("year").asc(nulls_last=True), "action__number", "seq", "code"))
    states = _task_states(tasks, on)
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
    towns_now = _town_scores(plan, period, indicators, weights)
    towns_before = _town_scores(plan, previous, indicators, weights)
    units_now = _unit_scores(tasks, on, settings)
    units_before = _unit_scores(tasks, before, settings) if before < on else {}
    names = dict(OrgUnit.objects.filter(pk__in=set(towns_now) | set(units_now)).values_list("pk", "name"))
    notes = [w.message for found in indicator_warnings(plan, indicators).values() for w in found]
    kind = KIND_WORDS[period.kind]
    return documents.ReportData(
        title=_("%(plan)s%(period)s进展报告") % {"plan": plan.name, "period": period.label},
        plan_name=plan.name, region_name=plan.region.name, period_label=period.label, kind_label=kind,
        generated_at=timezone.localtime(), time_progress=progress.time_progress, indicators=indicator_lines,
        tasks=task_lines, town_ranking=_ranked(towns_now, towns_before, names),
        unit_ranking=_ranked(units_now, units_before, names), notes=notes)


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
