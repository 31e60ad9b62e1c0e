"""JSON API of the projects beyond the registry's endpoints (/api/projects/calls/, /api/projects/applications/,
/api/projects/): a project by its code, its tranches and their payments, the decision with its amount, the
contract, a call's collective actions and documents, and a year's figures. Steps are
/api/projects/{id}/transitions/ (the engine's endpoint)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.response import Response
from rest_framework.views import APIView

from core import roles
from core.api import query_region, query_year
from core.api_schema import year_parameter
from core.document_api import DocumentView
from core.errors import NotAllowed
from core.registry.api import ByCodeWrites
from projects import queries
from projects.models import Project, Tranche
from projects.services import actions
from projects.services import projects as service
from projects.views import document_response


def _money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def project_json(p: Project) -> dict:
    return {"id": p.pk, "code": p.code, "title": p.title, "year": p.year, "tier": p.tier,
            "tier_display": p.get_tier_display(), "call": p.call.code, "enterprise": p.enterprise.uscc,
            "enterprise_name": p.enterprise.name, "region": p.region.code, "status": p.status,
            "status_display": p.get_status_display(), "requested": _money(p.requested),
            "own_funds": _money(p.own_funds), "approved_amount": _money(p.approved_amount),
            "review_score": _money(p.review_score), "approved_on": p.approved_on.isoformat() if p.approved_on else None,
            "contract_no": p.contract_no, "acceptance": p.acceptance, "kpis": p.kpis, "budget_lines": p.budget_lines,
            "extended_to": p.extended_to.isoformat() if p.extended_to else None, "is_demo": p.is_demo,
            "version": p.version}


def tranche_json(t: Tranche) -> dict:
    return {"seq": t.seq, "name": t.name, "on": t.on, "amount": _money(t.amount), "paid": _money(t.paid),
            "left": _money(t.amount - t.paid), "due_on": t.due_on.isoformat() if t.due_on else None,
            "paid_on": t.paid_on.isoformat() if t.paid_on else None, "due": t.fund_entry_id is not None}


class ProjectDetail(ByCodeWrites, APIView):
    registry_name = "projects"

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, code: str):
        return Response(project_json(service.visible_project(request.user, code)))


class ProjectAction(APIView):
    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT},
                   description="action：decide 立项（amount）/ sign_contract 签订合同（contract_no）/ extend 延期（to）"
                               " / pay 拨付（seq、amount、paid_on）/ 或工作流的其他步骤（opinion）")
    def post(self, request, code: str):
        data = request.data if hasattr(request.data, "get") else {}
        message = actions.on_project(request.user, code, data)
        return Response({**project_json(service.visible_project(request.user, code)), "message": message})


class Tranches(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, code: str):
        project = service.visible_project(request.user, code)
        rows = [tranche_json(t) for t in Tranche.objects.filter(project=project)]
        paid = sum((t.paid for t in Tranche.objects.filter(project=project)), 0)
        return Response({"project": project.code, "approved_amount": _money(project.approved_amount),
                         "paid": _money(paid) if rows else "0.00", "tranches": rows})


class CallAction(APIView):
    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT},
                   description="action：review 组织评审（due_on、per_subject）/ scores 汇总得分 / "
                               "shortlist 拟立项公示（selected: 项目编号列表、working_days）")
    def post(self, request, code: str):
        data = request.data if hasattr(request.data, "get") else {}
        return Response({"message": actions.on_call(request.user, code, data)})


@extend_schema_view(get=extend_schema(description="kind：decisions 立项清单 / acceptance 验收结果；fmt：xlsx（Excel）/ docx（Word）"))
class CallDocument(DocumentView):
    respond = staticmethod(document_response)


class Figures(APIView):
    @extend_schema(parameters=[year_parameter(required=True), OpenApiParameter("region", str)],
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        if not roles.reads_region(request.user):
            raise NotAllowed(_("无权查看"))
        data = queries.year_figures(request.user, query_region(request), query_year(request))
        return Response({
            "year": data["year"], "region": data["region"], "count": data["count"],
            "local_count": data["local_count"],
            "approved": _money(data["approved"]), "paid": _money(data["paid"]), "average": _money(data["average"]),
            "rate": float(data["rate"]) if data["rate"] is not None else None,
            "tiers": [{**t, "approved": _money(t["approved"]), "paid": _money(t["paid"]),
                       "average": _money(t["average"])} for t in data["tiers"]],
            "targets": data["targets"]})
