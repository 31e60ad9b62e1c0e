"""JSON API of the vouchers beyond the registry's own endpoints (/api/providers/, /api/vouchers/claims/,
/api/vouchers/batches/ …): a batch by its code with its published figures, a batch's actions and documents,
a claim's files, and the year's batches. Claim steps are /api/vouchers/claims/{id}/transitions/."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core import roles
from core.api import query_region, query_year
from core.api_schema import year_parameter
from core.document_api import DocumentView
from core.errors import BusinessError, Missing, NotAllowed
from core.registry.api import ByCodeWrites
from core.scoping import region_prefix
from vouchers import queries
from vouchers.models import Batch
from vouchers.services import batches as batch_service
from vouchers.services import claims as claim_service
from vouchers.views import document_response


def batch_json(batch: Batch) -> dict:
    facts = batch_service.figures(batch)
    return {"code": batch.code, "title": batch.display_title, "region": batch.region.code, "year": batch.year,
            "seq": batch.seq, "usage_from": batch.usage_from.isoformat(), "usage_to": batch.usage_to.isoformat(),
            "status": batch.status, "status_display": batch.get_status_display(),
            "notice": batch.notice_id, "paid_on": batch.paid_on.isoformat() if batch.paid_on else None,
            "enterprises": facts["enterprises"], "claims": facts["claims"], "amount": facts["amount_wan"],
            "amount_yuan": f"{facts['amount']:.2f}", "summary": facts["summary"], "is_demo": batch.is_demo,
            "version": batch.version}


def _batch(user, code: str) -> Batch:
    batch = queries.visible_batch(user, code)
    if batch is None:
        raise Missing(_("找不到该批次，或不在您的管辖范围内"))
    return batch


class BatchDetail(ByCodeWrites, APIView):
    registry_name = "vouchers/batches"

    @extend_schema(responses={200: OpenApiTypes.OBJECT},
                   description="批次及其公布口径：enterprises 企业数、claims 项目数、amount 万元、summary 汇总句")
    def get(self, request, code: str):
        if not roles.reads_region(request.user):
            raise NotAllowed(_("无权查看兑付批次"))
        return Response(batch_json(_batch(request.user, code)))


class BatchAction(APIView):
    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT},
                   description="action：collect 编入 / remove 移出（claim）/ publish 发布公示（starts_on、working_days）"
                               " / list_for_payment 列入兑付表 / pay 确认兑付（paid_on）")
    def post(self, request, code: str):
        batch = _batch(request.user, code)
        if not roles.manages_region(request.user, batch.region.code):
            raise NotAllowed(_("只有本地区科技局管理员可以办理兑付批次"))
        data = request.data if hasattr(request.data, "get") else {}
        message = batch_service.run(request.user, batch, data)
        batch.refresh_from_db()
        return Response({**batch_json(batch), "message": message})


@extend_schema_view(get=extend_schema(description="kind：notice 公示名单 / payment 兑付表；fmt：xlsx（Excel）/ docx（Word）"))
class BatchDocument(DocumentView):
    respond = staticmethod(document_response)


class ClaimFiles(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": {"type": "object", "properties": {
        "kind": {"type": "string", "enum": ["contract", "invoice", "payment", "other"]},
        "file": {"type": "string", "format": "binary"}}}}, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, pk: int):
        upload = request.FILES.get("file")
        if upload is None:
            raise BusinessError(_("请选择文件"), field="file")
        row = claim_service.add_file(actor=request.user, claim_id=pk, kind=request.data.get("kind", ""),
                                     upload=upload)
        return Response({"id": row.pk, "kind": row.kind, "name": row.name}, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        claim = claim_service.visible_claim(request.user, pk)
        return Response([{"id": f.pk, "kind": f.kind, "kind_display": f.get_kind_display(), "name": f.name,
                          "uploaded_at": f.uploaded_at.isoformat()} for f in claim.files.all()])


class YearSummary(APIView):
    @extend_schema(parameters=[year_parameter(required=True),
                               OpenApiParameter("region", str, description="区域代码，默认本人辖区")],
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        if not roles.reads_region(request.user):
            raise NotAllowed(_("无权查看"))
        year, region = query_year(request), query_region(request)
        data = batch_service.year_figures(request.user, region_prefix(region) if region else "", year)
        return Response({
            "year": year, "paid_batches": data["paid_batches"], "paid": f"{data['paid']:.2f}",
            "paid_wan": data["paid_wan"], "sentence": data["sentence"], "batches": [
                {"code": r["batch"].code, "title": r["batch"].display_title, "status": r["batch"].status,
                 "enterprises": r["enterprises"], "claims": r["claims"], "amount": r["amount_wan"],
                 "summary": r["summary"]} for r in data["batches"]]})
