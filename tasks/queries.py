"""Reads for key tasks: alerts at a date, lists, overdue lists, a unit's home, the timeline."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from core import roles
from core.models import Job
from plans.models import Plan
from tasks import rules
from tasks.models import (
    Attachment,
    KeyTask,
    ProgressReport,
    Reminder,
    ReportSettings,
    TaskAssist,
    unit_family,
)


def can_read_reports(user) -> bool:
    """Reports and the board carry every town's and unit's standing: the bureau and leaders only."""
    return roles.reads_region(user)


def may_follow_job(user, job: Job) -> bool:
    """Who started a background job follows it; the system admin, and the readers of reports in its region."""
    if roles.is_sysadmin(user) or job.created_by_id == user.pk:
        return True
    return can_read_reports(user) and bool(job.region_id) and job.region.code.startswith(user.scope_prefix)


def visible_attachment(user, code: str, pk: int) -> Attachment | None:
    """An attachment of a task the user sees; None for anyone the task is hidden from (the page says 404,
    so nobody learns that a file exists behind a task they may not open)."""
    return (Attachment.objects.filter(pk=pk, task__in=KeyTask.objects.restrict(user), task__code=code)
            .select_related("task").first())


def plan_settings(plan: Plan) -> ReportSettings:
    found = ReportSettings.objects.filter(plan=plan).first()
    return found or ReportSettings(plan=plan)


def with_units(queryset):
    return queryset.select_related("plan__region", "lead_unit", "action").prefetch_related(
        Prefetch("assists", queryset=TaskAssist.objects.select_related("org_unit")))


@dataclass
class TaskView:
    task: KeyTask
    alert: rules.Alert

    @property
    def level(self) -> str:
        return self.alert.level


def alerts_for(tasks: list[KeyTask], today: datetime.date, *, until: str | None = None) -> dict[int, rules.Alert]:
    """The alert of each task at ``today`` (two queries, whatever the number of tasks)."""
    months: dict[int, set[str]] = defaultdict(set)
    reports = ProgressReport.objects.filter(task__in=[t.pk for t in tasks])
    if until:
        reports = reports.filter(period__lte=until)
    for task_id, period in reports.values_list("task_id", "period"):
        months[task_id].add(period)
    settings_by_plan = {s.plan_id: s for s in ReportSettings.objects.filter(plan__in={t.plan_id for t in tasks})}
    out = {}
    for task in tasks:
        conf = settings_by_plan.get(task.plan_id) or ReportSettings()
        out[task.pk] = rules.alert(
            rules.AlertInput(status=task.status, start=task.start, deadline=task.deadline,
                             percent_done=task.percent_done, reported_months=frozenset(months[task.pk])),
            today, lag_threshold=conf.lag_threshold, report_day=conf.report_day)
    return out


def task_views(queryset, today: datetime.date | None = None) -> list[TaskView]:
    today = today or timezone.localdate()
    tasks = list(with_units(queryset))
    alerts = alerts_for(tasks, today)
    return [TaskView(t, alerts[t.pk]) for t in tasks]


def is_overdue(view: TaskView, today: datetime.date, report_day: int) -> bool:
    """Past its deadline and not finished, or its latest report that is already late is missing."""
    task = view.task
    if task.status in ("closed", "done_reported"):
        return False
    if task.deadline and task.deadline < today:
        return True
    # A month's report is late from the day after its due day (tasks.rules counts it the same way).
    late = rules.due_months(task.start, today - datetime.timedelta(days=1), report_day)
    if task.deadline:
        late = [m for m in late if m <= task.deadline.strftime("%Y-%m")]
    return bool(late and view.alert.missing_months and view.alert.missing_months[-1] == late[-1])


def overdue(plan: Plan, user, today: datetime.date) -> list[TaskView]:
    report_day = plan_settings(plan).report_day
    views = task_views(KeyTask.objects.restrict(user).filter(plan=plan), today)
    return [v for v in views if is_overdue(v, today, report_day)]


def overdue_by_unit(views: list[TaskView]) -> list[tuple[str, list[TaskView]]]:
    grouped: dict[str, list[TaskView]] = defaultdict(list)
    for view in views:
        grouped[view.task.lead_unit.name].append(view)
    return sorted(grouped.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def unit_home(user, today: datetime.date | None = None) -> dict:
    units = unit_family(user)
    tasks = task_views(KeyTask.objects.restrict(user).filter(lead_unit_id__in=units).exclude(status="closed"), today)
    assisting = task_views(KeyTask.objects.restrict(user).filter(assists__org_unit_id__in=units)
                           .exclude(status="closed").distinct(), today)
    reminders = list(Reminder.objects.filter(to_unit_id__in=units).select_related("task", "sent_by")[:50])
    return {"tasks": tasks, "assisting": assisting, "reminders": reminders,
            "unread": sum(1 for r in reminders if r.read_at is None)}


def latest_report(task: KeyTask, until: str | None = None) -> ProgressReport | None:
    reports = task.reports.all()
    if until:
        reports = reports.filter(period__lte=until)
    return reports.order_by("-period").first()


def timeline(views: list[TaskView]) -> dict:
    """Data for the Gantt-like chart: one bar per task from start to deadline, coloured by alert; tasks
    without a deadline have no bar and are counted (``undated``) so the page can say they are left out."""
    rows = [v for v in views if v.task.deadline]
    rows.sort(key=lambda v: (v.task.deadline, v.task.code))
    return {"undated": len(views) - len(rows), "names": [f"{v.task.code} {v.task.title}" for v in rows],
            "bars": [[i, v.task.start.isoformat(), v.task.deadline.isoformat(), v.level,
                      float(v.task.percent_done or 0)] for i, v in enumerate(rows)]}

