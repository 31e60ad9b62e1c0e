"""GET /api/regions/{code}/comparison/: a region's counties ranked on one common indicator."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import number, ratio
from core.api_schema import OBJECT_LIST, period_parameter
from core.errors import BusinessError
from plans import comparison as cmp
from plans.api import query_period
from plans.region_queries import region_comparisons, resolve_common, visible_region


class RegionComparison(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("code", str, OpenApiParameter.PATH, pattern=r"^[0-9]{6}$",
                             description="区划代码（市、省），如 330400"),
            OpenApiParameter("indicator", {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"},
                             required=True, description="通用指标编码或通用名称，如 RD-RATIO 或 规上工业研发费用占营业收入比重"),
            period_parameter(required=False),
            OpenApiParameter("by", str, enum=list(cmp.RANK_BASES),
                             description="排名依据：value 数值（默认）、growth 同比增速、completion 完成率"),
        ],
        responses=OBJECT_LIST,
        description="各县（市、区）在一项通用指标上的排名。不给期间时取至少两个县（市、区）都有数据的最近期间。"
                    "只能查看本人管辖范围内的地区（县级用户看不到市级排名）。")
    def get(self, request, code):
        region = visible_region(request.user, code)
        period = query_period(request, required=False)
        by = request.query_params.get("by") or cmp.BY_VALUE
        if by not in cmp.RANK_BASES:
            raise BusinessError(_("排名依据只能是value、growth或completion"), field="by")
        text = request.query_params.get("indicator", "")
        common = resolve_common(text)
        if common is None:
            raise BusinessError(_("未知通用指标“%(text)s”") % {"text": text.strip()[:200]}, field="indicator")
        comparison = region_comparisons(region, [common], period, by)[0]
        period_code = comparison.period.code if comparison.period else None
        return Response([{
            "rank": r.rank, "region": r.region.code, "region_name": r.region.name,
            "value": number(r.value), "growth": ratio(r.growth), "completion": ratio(r.completion),
            "rank_change": r.rank_change, "period": period_code, "plan": r.plan.code if r.plan else None,
            "is_demo": r.is_demo,
        } for r in comparison.rows])
