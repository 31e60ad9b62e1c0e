"""Pages of the vouchers app: the workbench (queues per step, the year's batches), a claim's page (award and
the limit that cut it, files, steps, log) and a batch's page (collect, 公示, 兑付表, 兑付; its documents)."""

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
from vouchers import queries
from vouchers.flow import CLAIM_FLOW, is_applicant
from vouchers.models import BatchStatus, ClaimFile, FileKind
from vouchers.services import batches as batch_service
from vouchers.services import claims as claim_service


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
    data = queries.workbench(user, year)
    return render(request, "vouchers/workbench.html", {
        "title": _("创新券工作台"), **data, "years": range(timezone.localdate().year, 2019, -1),
        "may_claim": roles.is_enterprise(user) or roles.manages_region(user)})


def _version(request) -> int | None:
    text = request.POST.get("version", "")
    return int(text) if text.isdigit() else None


@login_required
def claim_page(request, pk: int):
    try:
        claim = claim_service.visible_claim(request.user, pk)
    except Missing as exc:
        raise Http404(str(exc)) from exc
    if request.method == "POST":
        try:
            action = request.POST.get("action", "")
            if action == "file":
                upload = request.FILES.get("file")
                if upload is None:
                    raise BusinessError(_("请选择文件"))
                claim_service.add_file(actor=request.user, claim_id=pk, kind=request.POST.get("kind", ""),
                                       upload=upload)
                messages.success(request, _("材料已上传"))
            else:
                claim_service.step(actor=request.user, claim_id=pk, action=action,
                                   opinion=request.POST.get("opinion", ""), version=_version(request))
                messages.success(request, _("已办理"))
        except BusinessError as exc:
            messages.error(request, str(exc))
        return redirect("vouchers:claim", pk)
    editable = claim.status in claim_service.EDITABLE and is_applicant(request.user, claim)
    preview = problems = None
    if claim.status in claim_service.EDITABLE:
        problems = claim_service.problems(claim)
        try:
            preview = claim_service.quote(claim)
        except BusinessError:
            preview = None
    return render(request, "vouchers/claim.html", {
        "title": claim.code, "claim": claim, "editable": editable, "preview": preview, "problems": problems,
        "steps": (claim.award_basis or {}).get("steps", []), "limit": (claim.award_basis or {}).get("limit"),
        "files": claim.files.all(), "kinds": FileKind.choices,
        "actions": engine.allowed_actions(CLAIM_FLOW, claim, request.user), "log": engine.labelled_log(CLAIM_FLOW, claim),
        "history": history_for(claim)[:50]})


@login_required
def claim_file(request, pk: int):
    row = ClaimFile.objects.filter(pk=pk).first()
    if row is None:
        raise Http404(_("找不到该文件"))
    try:
        claim_service.visible_claim(request.user, row.claim_id)
        handle = row.file.open("rb")
    except (Missing, FileNotFoundError, OSError) as exc:
        raise Http404(_("找不到该文件")) from exc
    return FileResponse(handle, as_attachment=True, filename=row.name)


def _batch_or_404(user, code: str):
    batch = queries.visible_batch(user, code)
    if batch is None:
        raise Http404(_("找不到该批次，或不在您的管辖范围内"))
    return batch


@login_required
def batch_page(request, code: str):
    batch = _batch_or_404(request.user, code)
    manages = roles.manages_region(request.user, batch.region.code)
    if request.method == "POST":
        if not manages:
            raise PermissionDenied(_("只有本地区科技局管理员可以办理兑付批次"))
        try:
            messages.success(request, batch_service.run(request.user, batch, request.POST))
        except BusinessError as exc:
            messages.error(request, str(exc))
        return redirect("vouchers:batch", code)
    return render(request, "vouchers/batch.html", {
        "title": batch.display_title, "batch": batch, "figures": batch_service.figures(batch),
        "claims": queries.batch_claims(batch), "manages": manages, "addable": batch_service.addable(batch).count(),
        "today": timezone.localdate(), "S": BatchStatus, "history": history_for(batch)[:50]})


DOCUMENTS = {"notice": queries.notice_document, "payment": queries.payment_document}
def document_response(user, code: str, kind: str, fmt: str) -> HttpResponse:
    if kind not in DOCUMENTS or fmt not in list_documents.RENDERERS:
        raise Http404(_("没有这种文档"))
    batch = _batch_or_404(user, code)
    return list_documents.as_download(DOCUMENTS[kind](batch), fmt)


@login_required
def batch_document(request, code: str, kind: str, fmt: str):
    if not roles.reads_region(request.user):
        raise PermissionDenied(_("无权下载"))
    return document_response(request.user, code, kind, fmt)
