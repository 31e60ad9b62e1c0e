"""JSON API of the platforms: a platform by its code, its table of a year (read, open, fill), the ranking of a
kind and year, and 研发机构设置率. Lists, writes and imports of the registry are the registry's own endpoints
(/api/platforms/, /api/performance-templates/ …); table steps are /api/performance-tables/{id}/transitions/."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core import roles
from core.api import number
from core.api_schema import OBJECT_LIST, year_parameter
from core.errors import BusinessError, Missing, NotAllowed
from core.models import Region
from core.registry.api import ByCodeWrites
from platforms import coverage, queries
from platforms.models import Kind, PerformanceTable, Platform
from platforms.services import tables as table_service

KIND_PARAMETER = OpenApiParameter("kind", {"type": "string", "enum": list(Kind.values)}, required=True,
                                  description="平台类型")


def year_of(text: str | None, field: str = "year", *, required: bool = True) -> int | None:
    if text in (None, "") and not required:
        return None
    if text is None or not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise BusinessError(_("年度应为2000—2100之间的整数"), field=field)
    return int(text)


def kind_of(text: str | None) -> str:
    if text not in Kind.values:
        raise BusinessError(_("平台类型应为：%(kinds)s") % {"kinds": "、".join(Kind.values)}, field="kind")
    return text


def visible_platform(user, code: str) -> Platform:
    platform = Platform.objects.restrict(user).select_related("region", "operator_unit").filter(code=code).first()
    if platform is None:
        raise Missing(_("找不到该平台，或不在您的管辖范围内"))
    return platform


def table_json(table: PerformanceTable) -> dict:
    return {"id": table.pk, "platform": table.platform.code, "year": table.year, "status": table.status,
            "status_display": table.get_status_display(), "template": str(table.template),
            "template_id": table.template_id, "values": table.values, "expert_scores": table.expert_scores,
            "opinion": table.opinion, "score": number(table.score), "grade": table.grade or None,
            "rank": table.rank, "rank_change": table.rank_change,
            "contributions": [{**row, "weight": str(row["weight"])} for row in queries.contributions(table)],
            "version": table.version}


class PlatformDetail(ByCodeWrites, APIView):
    registry_name = "platforms"

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, code: str):
        page = queries.platform_page(request.user, code)
        if page is None:
            raise Missing(_("找不到该平台，或不在您的管辖范围内"))
        p = page["platform"]
        return Response({
            "code": p.code, "name": p.name, "kind": p.kind, "kind_display": p.get_kind_display(), "level": p.level,
            "level_display": p.get_level_display(), "region": p.region.code, "region_name": p.region.name,
            "recognised_by": p.recognised_by, "document_no": p.document_no,
            "recognised_on": p.recognised_on.isoformat() if p.recognised_on else None,
            "review_on": p.review_on.isoformat() if p.review_on else None, "operator_name": p.operator_name,
            "operator_uscc": p.operator_uscc, "co_builders": [c for c in p.co_builders.split("、") if c],
            "fields": [f for f in p.fields.split("、") if f], "area": number(p.area), "status": p.status,
            "town": p.town.name if p.town_id else None, "in_pool": page["in_pool"], "source": p.source,
            "levels": [{"level": lv.level, "level_display": lv.get_level_display(),
                        "starts_on": lv.starts_on.isoformat(), "ends_on": lv.ends_on.isoformat() if lv.ends_on else None,
                        "document_no": lv.document_no} for lv in page["levels"]],
            "pool_periods": [{"entered_on": pp.entered_on.isoformat(), "entry_reason": pp.entry_reason,
                              "left_on": pp.left_on.isoformat() if pp.left_on else None,
                              "exit_reason": pp.exit_reason} for pp in page["pool"]],
            "tables": [{"year": t.year, "status": t.status, "score": number(t.score), "grade": t.grade or None,
                        "rank": t.rank} for t in page["tables"]],
            "instruments": [{"name": i.name, "model_no": i.model_no, "value": number(i.value), "shared": i.shared,
                             "served": i.served} for i in page["instruments"]],
        })


class TableDetail(APIView):
    """GET the table of a year; POST opens it on the current template; PATCH {"values", "version"} fills it."""

    def _table(self, request, code: str, year: int) -> PerformanceTable:
        platform = visible_platform(request.user, code)
        table = (PerformanceTable.objects.restrict(request.user).select_related("platform", "template")
                 .filter(platform=platform, year=year).first())
        if table is None:
            raise Missing(_("%(year)s年度的绩效评价表尚未填报") % {"year": year})
        return table

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, code: str, year: int):
        return Response(table_json(self._table(request, code, year)))

    @extend_schema(request=None, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, code: str, year: int):
        year_of(str(year))
        table = table_service.open_table(actor=request.user, platform_code=code, year=year)
        return Response(table_json(table), status=status.HTTP_201_CREATED)

    @extend_schema(request={"application/json": {"type": "object", "properties": {
        "values": {"type": "object", "additionalProperties": {"type": ["string", "number", "null"]}},
        "version": {"type": "integer"}}, "required": ["values"], "additionalProperties": False}},
        responses={200: OpenApiTypes.OBJECT})
    def patch(self, request, code: str, year: int):
        table = self._table(request, code, year)
        body = request.data if isinstance(request.data, dict) else None
        if body is None or set(body) - {"values", "version"} or "values" not in body:
            raise BusinessError(_("请求应为 {\"values\": {...}, \"version\": 版本}"))
        version = body.get("version")
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
            raise BusinessError(_("版本应为整数"), field="version")
        table = table_service.save_values(actor=request.user, table_id=table.pk, values=body["values"],
                                          version=version)
        return Response(table_json(table))


class Ranking(APIView):
    @extend_schema(parameters=[KIND_PARAMETER, year_parameter(required=True),
                               OpenApiParameter("region", str, description="区域代码（不填为本人范围）")],
                   responses={200: OBJECT_LIST})
    def get(self, request):
        if not roles.reads_region(request.user) and not roles.is_outsider(request.user):
            raise NotAllowed(_("您无权查看平台排名"))
        kind = kind_of(request.query_params.get("kind"))
        year = year_of(request.query_params.get("year"))
        region = request.query_params.get("region") or None
        if region is not None and (not region.isdigit() or len(region) > 12):
            raise BusinessError(_("区域代码应为数字"), field="region")
        rows = queries.cached_ranking(request.user, kind=kind, year=year, region_code=region)
        return Response([{"rank": r["rank"], "platform": r["platform"], "name": r["name"], "score": number(r["score"]),
                          "grade": r["grade"], "rank_change": r["rank_change"]} for r in rows])


class RdCoverage(APIView):
    @extend_schema(parameters=[OpenApiParameter("region", str, required=True, description="区域代码"),
                               year_parameter(required=True)], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        code = request.query_params.get("region", "")
        year = year_of(request.query_params.get("year"))
        if not code.isdigit() or len(code) > 12:
            raise BusinessError(_("区域代码应为数字"), field="region")
        region = Region.objects.restrict(request.user).filter(code=code).first()
        if region is None or not roles.reads_region(request.user):
            raise Missing(_("找不到该区域，或不在您的管辖范围内"))
        figures = coverage.rd_coverage(region.prefix, year)
        return Response({"region": region.code, "year": year, "enterprises": figures["enterprises"],
                         "with_institution": figures["with_institution"], "rate": number(figures["rate"])})
