"""JSON API of key-task supervision, over tasks.services and tasks.queries."""


from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import invalid, number, query_date
from core.api_schema import OBJECT_LIST, PERIOD_PATTERN, date_parameter, period_parameter, year_parameter
from core.errors import BusinessError, Missing, NotAllowed
from core.models import Job
from core.periods import Period, PeriodError
from core.responses import CONTENT_TYPES, download
from plans.queries import visible_plan
from tasks import documents, rules
from tasks.models import KeyTask
from tasks.queries import can_read_reports, may_follow_job, overdue, task_views
from tasks.reporting import issue_report, report_data
from tasks.services import workflow


def task_json(view) -> dict:
    task = view.task
    return {
        "code": task.code, "title": task.title, "category": task.category, "year": task.year,
        "lead_unit": task.lead_unit.name, "assisting_units": [u.name for u in task.assisting_units],
        "goal": task.goal, "quantity": number(task.quantity), "quantity_unit": task.quantity_unit or None,
        "deadline": task.deadline.isoformat() if task.deadline else None, "status": task.status,
        "status_label": rules.STATUS_LABELS[task.status], "alert": view.alert.level,
        "alert_reasons": view.alert.reasons, "percent_done": number(task.percent_done),
        "quantity_done": number(task.quantity_done), "latest_period": task.latest_period or None,
        "version": task.version,
    }


def find_task(request, code: str) -> KeyTask:
    """A task the user may see; an unknown code is not found, another region's task is refused."""
    task = KeyTask.objects.filter(code=code).first()
    if task is None:
        raise Missing(_("未知任务“%(code)s”") % {"code": code}, field="task")
    if not KeyTask.objects.restrict(request.user).filter(pk=task.pk).exists():
        raise NotAllowed(_("无权查看或操作该任务"))
    return task


class TaskList(APIView):
    @extend_schema(parameters=[year_parameter()], responses=OBJECT_LIST)
    def get(self, request, code):
        plan = visible_plan(request, code)
        tasks = KeyTask.objects.restrict(request.user).filter(plan=plan)
        year = request.query_params.get("year")
        if year is not None:
            if not (year.isascii() and year.isdigit() and 2000 <= int(year) <= 2100):
                raise BusinessError(_("年度应为2000—2100之间的数字"), field="year")
            tasks = tasks.filter(year=int(year))
        return Response([task_json(v) for v in task_views(tasks)])


class Overdue(APIView):
    @extend_schema(parameters=[date_parameter()], responses=OBJECT_LIST)
    def get(self, request, code):
        plan = visible_plan(request, code)
        day = query_date(request)
        return Response([{**task_json(v), "missing_months": v.alert.missing_months}
                         for v in overdue(plan, request.user, day)])


class TaskDetail(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, code):
        task = find_task(request, code)
        view = task_views(KeyTask.objects.filter(pk=task.pk))[0]
        return Response({**task_json(view), "content": task.content,
                         "timeline": [{"action": t.action, "from": t.from_status, "to": t.to_status,
                                       "actor": str(t.actor) if t.actor_id else None, "opinion": t.opinion,
                                       "at": t.at.isoformat()} for t in task.transitions.select_related("actor")],
                         "reports": [{"period": r.period, "percent": number(r.percent), "quantity": number(r.quantity),
                                      "text": r.text, "problems": r.problems, "next_steps": r.next_steps,
                                      "revision": r.revision} for r in task.reports.order_by("-period")]})


class ReportIn(serializers.Serializer):
    period = serializers.CharField()
    percent = serializers.CharField()
    quantity = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    text = serializers.CharField(allow_blank=True)
    problems = serializers.CharField(required=False, allow_blank=True, default="")
    next_steps = serializers.CharField(required=False, allow_blank=True, default="")


class Reports(APIView):
    @extend_schema(request=ReportIn, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, code):
        task = find_task(request, code)
        data = request.data if isinstance(request.data, dict) else {}
        data = {k: (str(v) if isinstance(v, int | float) else v) for k, v in data.items()}
        form = ReportIn(data=data)
        if not form.is_valid():
            return invalid(form)
        values = form.validated_data
        report = workflow.report_progress(
            user=request.user, task_id=task.pk, period=values["period"], percent=workflow.to_decimal(values["percent"], "percent"),
            quantity=workflow.to_decimal(values.get("quantity"), "quantity"), text=values["text"],
            problems=values["problems"], next_steps=values["next_steps"])
        return Response({"task": task.code, "period": report.period, "percent": number(report.percent),
                         "quantity": number(report.quantity), "revision": report.revision},
                        status=status.HTTP_201_CREATED)


class TransitionIn(serializers.Serializer):
    action = serializers.CharField()
    opinion = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True)


class Transitions(APIView):
    @extend_schema(request=TransitionIn, responses=OpenApiTypes.OBJECT)
    def post(self, request, code):
        task = find_task(request, code)
        form = TransitionIn(data=request.data)
        if not form.is_valid():
            return invalid(form)
        values = form.validated_data
        task = workflow.transition(user=request.user, task_id=task.pk, action=values["action"],
                                   opinion=values["opinion"], expected_version=values.get("version"))
        view = task_views(KeyTask.objects.filter(pk=task.pk))[0]
        return Response(task_json(view))


class Remind(APIView):
    @extend_schema(request=None, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, code):
        task = find_task(request, code)
        reminder = workflow.remind(user=request.user, task_id=task.pk, message=str(request.data.get("message", "")))
        return Response({"task": task.code, "to_unit": reminder.to_unit.name, "message": reminder.message},
                        status=status.HTTP_201_CREATED)


class PeriodIn(serializers.Serializer):
    period = serializers.RegexField(PERIOD_PATTERN, help_text="期间：2024-05、2024Q2、2024H1 或 2024")


def _period(request) -> Period:
    body = request.data if request.method == "POST" and isinstance(request.data, dict) else {}
    text = request.query_params.get("period") or body.get("period")
    if not text:
        raise BusinessError(_("缺少参数period"), field="period")
    try:
        return Period.parse(str(text))
    except PeriodError as exc:
        raise BusinessError(str(exc), field="period") from exc


class ReportDocument(APIView):
    """GET /api/plans/{code}/report.docx|xlsx?period=P — generated on the spot and returned."""

    kind = "docx"

    @extend_schema(parameters=[period_parameter()],
                   responses={(200, CONTENT_TYPES["docx"]): OpenApiTypes.BINARY, (200, CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY})
    def get(self, request, code):
        plan = visible_plan(request, code)
        if not can_read_reports(request.user):
            raise NotAllowed(_("只有科技局和领导可以下载进展报告"))
        period = _period(request)
        data = report_data(plan, period)
        content = documents.build_docx(data) if self.kind == "docx" else documents.build_xlsx(data)
        return download(content, f"{plan.code}-{period.code}.{self.kind}")


class ReportJobs(APIView):
    """POST /api/plans/{code}/reports/ {"period"} starts a background report; GET /api/jobs/{id}/ follows it."""

    @extend_schema(request=PeriodIn, responses={202: OpenApiTypes.OBJECT})
    def post(self, request, code):
        plan = visible_plan(request, code)
        if not request.user.is_bureau_admin:
            raise NotAllowed(_("只有科技局管理员可以生成报告"))
        job = issue_report(plan=plan, period=_period(request), user=request.user)
        return Response({"id": job.pk}, status=status.HTTP_202_ACCEPTED)


class JobDetail(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        job = Job.objects.filter(pk=pk).first()
        if job is None or not may_follow_job(request.user, job):
            return Response({"errors": [{"field": None, "message": _("未找到该任务")}]}, status=404)
        return Response({"id": job.pk, "kind": job.kind, "title": job.title, "status": job.status,
                         "progress": job.progress, "total": job.total, "percent": job.percent,
                         "result": job.result, "message": job.message if job.status == "failed" else ""})
