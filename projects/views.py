"""Pages of the projects app: the workbench (a year's figures by tier against the targets, queues per step,
the enterprise's own projects), a project's page (application, review score, decision, contract, tranches,
acceptance, files, log) and a call's page (review round, scores, 拟立项 list, decision and acceptance lists)."""

from __future__ import annotations

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
from projects.services import actions
from projects.services import calls as call_service
from projects.services import projects as service
from projects.services.steps import application_problems


def _year(text: str | None) -> int:
    if text and text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    return timezone.localdate().year


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
                messages.success(request, actions.on_project(request.user, code, request.POST))
        except BusinessError as exc:
            messages.error(request, str(exc))
        return redirect("projects:project", code)
    manages = roles.manages_region(request.user, project.region.code)
    allowed = [a for a in engine.allowed_actions(PROJECT_FLOW, project, request.user)
               if a.name not in ("approve", "sign", "send_to_review", "take_scores", "publicise", "file")]
    return render(request, "projects/project.html", {
        "title": project.title, "project": project, "manages": manages, "actions": allowed,
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
            messages.success(request, actions.on_call(request.user, code, request.POST))
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
