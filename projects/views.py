"""Pages of the projects app: the workbench (a year's figures by tier against the targets, queues per step,
the enterprise's own projects), a project's page (application, review score, decision, contract, tranches,
acceptance, files, log) and a call's page (review round, scores, 拟立项 list, decision and acceptance lists)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core import list_documents, roles
from core import workflow as engine
from core.audit import history_for
from core.errors import BusinessError, Missing
from projects import queries
from projects.flow import PROJECT_FLOW, is_applicant
from projects.models import ProjectFile, Status, Tranche
from projects.services import calls as call_service
from projects.services import projects as service
from projects.services.steps import application_problems


def _year(text: str | None) -> int:
    if text and text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    return timezone.localdate().year


def _date(text: str | None, field: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError as exc:
        raise BusinessError(_("日期应写作YYYY-MM-DD"), field=field) from exc


def _version(data) -> int | None:
    text = str(data.get("version", ""))
    return int(text) if text.isdigit() else None


@login_required
def workbench(request):
    user = request.user
    if not (roles.reads_region(user) or roles.is_enterprise(user)):
        raise PermissionDenied(_("无权查看"))
    year = _year(request.GET.get("year"))
    return render(request, "projects/workbench.html", {
        "title": _("科技计划项目"), "year": year, **queries.workbench(user, year),
        "years": range(timezone.localdate().year, 2019, -1),
        "may_apply": roles.is_enterprise(user) or roles.manages_region(user)})


def run_project_action(user, code: str, data) -> str:
    """One action on a project from a page's or the API's fields; returns what to tell the user."""
    action = data.get("action", "")
    if action == "decide":
        service.decide(actor=user, code=code, amount=data.get("amount"), opinion=data.get("opinion", ""),
                       version=_version(data))
        return _("已立项")
    if action == "sign_contract":
        service.sign(actor=user, code=code, contract_no=data.get("contract_no", ""), version=_version(data))
        return _("合同已登记")
    if action == "extend":
        to = _date(data.get("to"), "to")
        if to is None:
            raise BusinessError(_("请填写延期至的日期"), field="to")
        service.extend(actor=user, code=code, to=to)
        return _("已延期")
    if action == "pay":
        seq = str(data.get("seq", ""))
        if not seq.isdigit():
            raise BusinessError(_("请指定拨付期次"), field="seq")
        service.pay_tranche(actor=user, code=code, seq=int(seq), amount=data.get("amount"),
                            paid_on=_date(data.get("paid_on"), "paid_on"))
        return _("已拨付")
    service.step(actor=user, code=code, action=action, opinion=data.get("opinion", ""), version=_version(data))
    return _("已办理")


@login_required
def project_page(request, code: str):
    try:
        project = service.visible_project(request.user, code)
    except Missing as exc:
        raise Http404(str(exc)) from exc
    if request.method == "POST":
        try:
            if request.POST.get("action") == "file":
                upload = request.FILES.get("file")
                if upload is None:
                    raise BusinessError(_("请选择文件"))
                service.add_file(actor=request.user, code=code, upload=upload)
                messages.success(request, _("附件已上传"))
            else:
                messages.success(request, run_project_action(request.user, code, request.POST))
        except BusinessError as exc:
            messages.error(request, str(exc))
        return redirect("projects:project", code)
    manages = roles.manages_region(request.user, project.region.code)
    actions = [a for a in engine.allowed_actions(PROJECT_FLOW, project, request.user)
               if a.name not in ("approve", "sign", "send_to_review", "take_scores", "publicise", "file")]
    return render(request, "projects/project.html", {
        "title": project.title, "project": project, "manages": manages, "actions": actions,
        "may_decide": project.status == Status.PUBLICISED and roles.is_division_head(request.user,
                                                                                    project.region.code),
        "may_sign": project.status == Status.APPROVED and manages,
        "may_extend": manages and project.status in (Status.EXECUTING, Status.CHECKED) and not project.extended_to,
        "tranches": Tranche.objects.filter(project=project), "files": project.files.all(),
        "editable": project.status in service.EDITABLE and is_applicant(request.user, project),
        "problems": application_problems(project) if project.status in service.EDITABLE else [],
        "log": engine.labelled_log(PROJECT_FLOW, project), "history": history_for(project)[:50],
        "today": timezone.localdate()})


@login_required
def project_file(request, pk: int):
    row = ProjectFile.objects.filter(pk=pk).first()
    if row is None:
        raise Http404(_("找不到该文件"))
    try:
        service.visible_project(request.user, row.project.code)
        handle = row.file.open("rb")
    except (Missing, FileNotFoundError, OSError) as exc:
        raise Http404(_("找不到该文件")) from exc
    return FileResponse(handle, as_attachment=True, filename=row.name)


def run_call_action(user, code: str, data) -> str:
    action = data.get("action", "")
    if action == "review":
        per = str(data.get("per_subject") or "3")
        if not per.isdigit():
            raise BusinessError(_("每个项目的评审专家应为1—9人"), field="per_subject")
        due = _date(data.get("due_on"), "due_on") or timezone.localdate() + datetime.timedelta(days=14)
        made = call_service.open_review(actor=user, code=code, due_on=due, per_subject=int(per))
        return _("已组织评审：%(n)s个项目，分配专家%(m)s人次") % {"n": made["projects"], "m": made["assigned"]}
    if action == "scores":
        return _("已汇总%(n)s个项目的评审得分") % {"n": call_service.take_scores(actor=user, code=code)}
    if action == "shortlist":
        selected = data.getlist("selected") if hasattr(data, "getlist") else list(data.get("selected") or [])
        days = str(data.get("working_days") or "5")
        if not days.isdigit():
            raise BusinessError(_("公示期应为1至30个工作日"), field="working_days")
        made = call_service.publish_shortlist(actor=user, code=code, selected=[str(s) for s in selected],
                                              working_days=int(days))
        return _("拟立项公示已发布：%(n)s项；未立项%(m)s项") % {"n": made["publicised"], "m": made["not_selected"]}
    raise BusinessError(_("未知的操作"), field="action")


@login_required
def call_page(request, code: str):
    try:
        call = call_service.visible_call(request.user, code)
    except Missing as exc:
        raise Http404(str(exc)) from exc
    manages = roles.manages_region(request.user, call.region.code)
    if request.method == "POST":
        if not manages:
            raise PermissionDenied(_("只有本地区科技局管理员可以办理"))
        try:
            messages.success(request, run_call_action(request.user, code, request.POST))
        except BusinessError as exc:
            messages.error(request, str(exc))
        return redirect("projects:call", code)
    projects = list(call.projects.restrict(request.user).select_related("enterprise").order_by("-review_score", "code"))
    return render(request, "projects/call.html", {
        "title": call.title, "call": call, "manages": manages, "projects": projects,
        "figures": call_service.figures(call), "S": Status, "reads": roles.reads_region(request.user)})


DOCUMENTS = {"decisions": queries.decision_document, "acceptance": queries.acceptance_document}
def document_response(user, code: str, kind: str, fmt: str) -> HttpResponse:
    if kind not in DOCUMENTS or fmt not in list_documents.RENDERERS:
        raise Http404(_("没有这种文档"))
    try:
        call = call_service.visible_call(user, code)
    except Missing as exc:
        raise Http404(str(exc)) from exc
    return list_documents.as_download(DOCUMENTS[kind](call), fmt)


@login_required
def call_document(request, code: str, kind: str, fmt: str):
    if not roles.reads_region(request.user):
        raise PermissionDenied(_("无权下载"))
    return document_response(request.user, code, kind, fmt)
