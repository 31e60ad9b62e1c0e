"""Pages of key-task supervision: list, task page with its loop, a unit's home, timeline, reports."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import sections
from core.errors import BusinessError, NotAllowed
from core.generic import ObjectListView
from core.models import Job
from core.periods import Period, PeriodError, default_choice, picker_periods
from plans.models import Plan
from plans.queries import default_plan, latest_period, visible_plan
from tasks import rules
from tasks.filters import KeyTaskFilter
from tasks.models import IssuedReport, KeyTask
from tasks.queries import (
    can_read_reports,
    may_follow_job,
    overdue,
    overdue_by_unit,
    task_views,
    timeline,
    unit_home,
    visible_attachment,
    with_units,
)
from tasks.reporting import issue_report
from tasks.services import workflow
from tasks.services.report_settings import save_report_settings, settings_form
from tasks.tables import KeyTaskTable


class TaskList(ObjectListView):
    queryset = with_units(KeyTask.objects.all())
    table_class = KeyTaskTable
    filterset_class = KeyTaskFilter
    title = _("重点工作")
    export_name = "key-tasks"


def _task(request, code: str) -> KeyTask:
    return get_object_or_404(with_units(KeyTask.objects.restrict(request.user)), code=code)


@login_required
def task_detail(request, code):
    task = _task(request, code)
    view = task_views(KeyTask.objects.filter(pk=task.pk))[0]
    actor = workflow.actor_role(request.user, task)  # the side the user is on for this task, not their role
    allowed = workflow.allowed_actions(request.user, task)
    reports = task.reports.select_related("reporter", "unit").prefetch_related("notes__unit", "attachments")
    return render(request, "tasks/task_detail.html", {
        "title": task.title, "task": task, "alert": view.alert, "role": actor,
        "quantity_percent": rules.quantity_progress(task.quantity_done, task.quantity),
        "actions": [(a, rules.ACTION_LABELS[a]) for a in allowed if a != rules.Action.REPORT],
        "can_report": rules.Action.REPORT in allowed,
        "can_remind": rules.offers_remind(actor, task.status),
        "is_assist": actor == rules.Actor.ASSIST,
        "reports": reports, "transitions": task.transitions.select_related("actor", "actor_unit"),
        "attachments": task.attachments.filter(report__isnull=True),
        "this_month": timezone.localdate().strftime("%Y-%m"),
        "sections": sections.for_place("task-detail", request.user, task),
    })


@login_required
@require_POST
def task_action(request, code):
    task = _task(request, code)
    kind = request.POST.get("kind")
    try:
        if kind == "report":
            workflow.report_progress(
                user=request.user, task_id=task.pk, period=request.POST.get("period", ""),
                percent=workflow.to_decimal(request.POST.get("percent"), "percent"), quantity=workflow.to_decimal(request.POST.get("quantity"), "quantity"),
                text=request.POST.get("text", ""), problems=request.POST.get("problems", ""),
                next_steps=request.POST.get("next_steps", ""), attachments=request.FILES.getlist("attachments"))
            messages.success(request, _("进展已报送"))
        elif kind == "assist":
            # Only a report of this task; anything else (a typo, another task's report) is an unknown report.
            report_id = request.POST.get("report", "")
            report = task.reports.filter(pk=int(report_id)).first() if report_id.isdigit() else None
            workflow.add_assist_note(user=request.user, report_id=report.pk if report else 0,
                                     text=request.POST.get("text", ""))
            messages.success(request, _("配合情况已补充"))
        elif kind == "remind":
            workflow.remind(user=request.user, task_id=task.pk, message=request.POST.get("message", ""))
            messages.success(request, _("已催办"))
        else:
            version = request.POST.get("version")
            workflow.transition(user=request.user, task_id=task.pk, action=request.POST.get("action", ""),
                                opinion=request.POST.get("opinion", ""),
                                expected_version=int(version) if version and version.isdigit() else None,
                                evidence=request.FILES.getlist("evidence"))
            messages.success(request, _("已办理"))
    except BusinessError as exc:
        messages.error(request, str(exc))
    return redirect("tasks:task-detail", task.code)


@login_required
def my_tasks(request):
    """A unit's home: the tasks it leads and assists, and the reminders the bureau sent it."""
    context = unit_home(request.user)
    response = render(request, "tasks/my_tasks.html", {"title": _("我的任务"), **context})
    workflow.mark_reminders_read(request.user)
    return response


def _first_plan(request) -> Plan:
    plan = default_plan(request.user, with_tasks=True)
    if plan is None:
        raise Http404(_("没有可查看的规划"))
    return plan


@login_required
def board_go(request):
    return redirect("tasks:board", _first_plan(request).code)


@login_required
def board(request, code):
    """督办看板: a plan's tasks by alert, overdue lists per unit and the timeline by deadline."""
    plan = visible_plan(request, code)
    if not can_read_reports(request.user):
        raise PermissionDenied(_("只有科技局和领导可以查看督办看板"))
    text = request.GET.get("date")
    try:
        today = datetime.date.fromisoformat(text) if text else timezone.localdate()
    except ValueError:
        today = timezone.localdate()
    views = task_views(KeyTask.objects.restrict(request.user).filter(plan=plan), today)
    late = overdue(plan, request.user, today)
    counts = {level: sum(1 for v in views if v.level == level) for level in ("green", "yellow", "red")}
    return render(request, "tasks/board.html", {
        "title": _("督办看板"), "plan": plan, "views": views, "counts": counts, "today": today,
        "overdue_units": overdue_by_unit(late), "chart": timeline(views)})


@login_required
def reports_go(request):
    return redirect("tasks:reports", _first_plan(request).code)


@login_required
def reports(request, code):
    plan = visible_plan(request, code)
    if not can_read_reports(request.user):
        raise PermissionDenied(_("只有科技局和领导可以查看进展报告"))
    if request.method == "POST":
        if not request.user.is_bureau_admin:
            raise PermissionDenied(_("只有科技局管理员可以生成报告"))
        try:
            period = Period.parse(request.POST.get("period", ""))
        except PeriodError as exc:
            messages.error(request, str(exc))
        else:
            issue_report(plan=plan, period=period, user=request.user)
            messages.success(request, _("报告已开始生成"))
        return redirect("tasks:reports", plan.code)
    issued = IssuedReport.objects.filter(plan=plan).select_related("job", "created_by")[:50]
    running = Job.objects.filter(kind="progress_report", params__plan=plan.code,
                                 status__in=[Job.Status.PENDING, Job.Status.RUNNING])
    # Key tasks report monthly, so a report is for a month, a quarter or a year whatever the indicators' frequency.
    periods = picker_periods({"M", "Q", "Y"}, plan.start_year - 1, plan.end_year, timezone.localdate())
    return render(request, "tasks/reports.html", {
        "title": _("进展报告"), "plan": plan, "issued": issued, "running": running, "periods": periods,
        "period": default_choice(periods, latest_period(plan))})


@login_required
def report_settings(request, code):
    """The plan's alert threshold, report day and competition weights (tasks.services.report_settings)."""
    plan = visible_plan(request, code)
    try:
        form = settings_form(request.user, plan, request.POST or None)
        if request.method == "POST" and form.is_valid():
            save_report_settings(user=request.user, plan=plan, form=form)
            messages.success(request, _("设置已保存"))
            return redirect("tasks:reports", plan.code)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    return render(request, "core/object_edit.html", {"form": form, "object": form.instance, "stamp": "",
                                                     "title": _("督办与报告设置：%(plan)s") % {"plan": plan.name}})


@login_required
def job_status(request, pk):
    job = get_object_or_404(Job, pk=pk)
    if not may_follow_job(request.user, job):
        raise Http404
    return render(request, "tasks/_job.html", {"job": job})


@login_required
def download(request, pk, kind):
    issued = get_object_or_404(IssuedReport.objects.select_related("plan"), pk=pk)
    if not can_read_reports(request.user) or not Plan.objects.restrict(request.user).filter(
            pk=issued.plan_id).exists():
        raise Http404
    if kind not in ("docx", "xlsx"):
        raise Http404
    field = issued.docx if kind == "docx" else issued.xlsx
    if not field:
        raise Http404
    return FileResponse(field.open("rb"), as_attachment=True,
                        filename=f"{issued.plan.code}-{issued.period}.{kind}")


@login_required
def attachment(request, code, pk):
    """A task's attachment or 办结佐证, to whoever may open the task (tasks.queries.visible_attachment)."""
    found = visible_attachment(request.user, code, pk)
    if found is None or not found.file:
        raise Http404(_("附件不存在"))
    try:
        handle = found.file.open("rb")
    except FileNotFoundError as exc:  # the record outlived its file (a restore without media): not a 500
        raise Http404(_("附件文件已丢失")) from exc
    return FileResponse(handle, as_attachment=True, filename=found.name)
