"""JSON API over the same services and queries as the pages."""

import contextlib
from decimal import Decimal, InvalidOperation

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core import versions
from core.api import ChangeRecordSerializer, invalid, number, ratio
from core.api_schema import IMPORT_BODY, IMPORTED, OBJECT_LIST, period_parameter, year_parameter
from core.audit import history_for
from core.errors import BusinessError, ImportRejected, NotAllowed, RowProblem
from core.models import OrgUnit
from core.periods import Period, PeriodError
from core.responses import CONTENT_TYPES, download
from plans import caching, exports
from plans.derived import Derived, derive
from plans.flow import PLAN_ADMIN_ONLY, is_plan_admin
from plans.models import FeedConflict, Indicator, IndicatorValue, Plan, Target
from plans.queries import (
    feed_conflicts,
    indicator_warnings,
    plan_indicators,
    plan_progress,
    ranking,
    visible_place_ids,
)
from plans.rules import can_view_place
from plans.serializers import (
    FeedConflictSerializer,
    FeedDecisionIn,
    IndicatorSerializer,
    PlanSerializer,
    ProgressOut,
    ReviewIn,
    ValueIn,
    ValueSerializer,
)
from plans.services import feeds, value_import, values
from plans.views.common import visible_plan

SIX_PLACES = Decimal("0.000001")


def query_period(request, name: str = "period", required: bool = True) -> Period | None:
    text = request.query_params.get(name)
    if not text:
        if required:
            raise BusinessError(_("缺少参数%(name)s") % {"name": name}, field=name)
        return None
    try:
        period = Period.parse(text)
    except PeriodError as exc:
        raise BusinessError(str(exc), field=name) from exc
    try:
        # Progress and rankings also read the previous period and the same periods a year earlier.
        period.previous().same_period_last_year()
    except PeriodError as exc:
        raise BusinessError(_("期间%(period)s太早，无法与上年同期比较") % {"period": period.label},
                            field=name) from exc
    return period


class PlanList(generics.ListAPIView):
    serializer_class = PlanSerializer

    def get_queryset(self):
        return Plan.objects.restrict(self.request.user).select_related("region")


class IndicatorList(generics.ListAPIView):
    serializer_class = IndicatorSerializer
    pagination_class = None

    def get_queryset(self):
        self.plan = visible_plan(self.request, self.kwargs["code"])
        # Only the targets of places the user may read: a town must not see the other towns' figures.
        targets = Target.objects.filter(org_unit_id__in=visible_place_ids(self.request.user, self.plan))
        return plan_indicators(self.plan).prefetch_related(
            Prefetch("targets", queryset=targets.select_related("org_unit")
                                     .order_by("org_unit__code", "period_end", "period")))

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "plan"):
            context["warnings"] = indicator_warnings(self.plan)
        return context

    def list(self, request, *args, **kwargs):
        queryset = list(self.get_queryset())
        return Response(self.get_serializer(queryset, many=True).data)


class ValueListCreate(generics.ListCreateAPIView):
    serializer_class = ValueSerializer

    def get_queryset(self):
        qs = (IndicatorValue.objects.restrict(self.request.user)
              .select_related("indicator__plan", "place", "reporter").order_by("-updated_at", "-id"))
        params = self.request.query_params
        for param, lookup in (("plan", "indicator__plan__code"), ("indicator", "indicator__code"),
                              ("org_unit", "place__code"), ("period", "period"), ("status", "status")):
            if params.get(param):
                qs = qs.filter(**{lookup: params[param]})
        return qs

    @extend_schema(request=ValueIn, responses={201: ValueSerializer})
    def post(self, request, *args, **kwargs):
        form = ValueIn(data=request.data)
        if not form.is_valid():
            return invalid(form)
        data = form.validated_data
        row = values.report_value_by_codes(reporter=request.user, plan=data.get("plan"),
                                           indicator=data["indicator"], org_unit=data["org_unit"],
                                           period=data["period"], value=data["value"], basis=data.get("basis"),
                                           note=data["note"], submit=data["submit"], version=data.get("version"))
        return Response(ValueSerializer(row).data, status=status.HTTP_201_CREATED)


class ValueDetail(generics.RetrieveAPIView):
    serializer_class = ValueSerializer

    def get_queryset(self):
        return IndicatorValue.objects.restrict(self.request.user).select_related("indicator__plan", "place")


class ValueHistory(generics.ListAPIView):
    serializer_class = ChangeRecordSerializer
    pagination_class = None

    def get_queryset(self):
        row = get_object_or_404(IndicatorValue.objects.restrict(self.request.user), pk=self.kwargs["pk"])
        return history_for(row)


class ValueTransition(APIView):
    """POST /api/values/{id}/submit/, /approve/ or /return/."""

    action = ""

    @extend_schema(request=ReviewIn, responses={200: ValueSerializer})
    def post(self, request, pk):
        form = ReviewIn(data=request.data)
        form.is_valid(raise_exception=True)
        get_object_or_404(IndicatorValue.objects.restrict(request.user), pk=pk)
        version, opinion = form.validated_data.get("version"), form.validated_data["opinion"]
        if self.action == "submit":
            row = values.submit_value(user=request.user, value_id=pk, expected_version=version)
        elif self.action == "approve":
            row = values.approve_value(reviewer=request.user, value_id=pk, opinion=opinion, expected_version=version)
        else:
            row = values.return_value(reviewer=request.user, value_id=pk, opinion=opinion, expected_version=version)
        return Response(ValueSerializer(row).data)


class ValueImport(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=IMPORT_BODY, responses={200: IMPORTED})
    def post(self, request, code):
        plan = visible_plan(request, code)
        upload = request.FILES.get("file")
        if upload is None:
            raise ImportRejected([RowProblem(0, "", _("请上传文件（字段名 file）"))])
        imported = value_import.import_values(user=request.user, plan=plan, name=upload.name, data=upload.read())
        return Response({"imported": imported})


class ValueTemplate(APIView):
    @extend_schema(responses={(200, CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY})
    def get(self, request, code):
        plan = visible_plan(request, code)
        return download(value_import.values_template(plan, request.user), f"{plan.code}-template.xlsx")


def _place_for(request, plan: Plan) -> OrgUnit | None:
    code = request.query_params.get("org_unit")
    if not code:
        return None
    place = OrgUnit.objects.select_related("region").filter(code=code).first()
    if place is None or not place.is_place:
        raise BusinessError(_("未知地区“%(code)s”") % {"code": code}, field="org_unit")
    if not can_view_place(request.user, plan, place):
        raise NotAllowed(_("无权查看该地区的数据"))
    return place


class Progress(APIView):
    @extend_schema(parameters=[period_parameter(),
                               OpenApiParameter("org_unit", str)], responses=ProgressOut)
    def get(self, request, code):
        plan = visible_plan(request, code)
        period = query_period(request)
        place = _place_for(request, plan)
        return Response(versions.cached(
            "progress-api", caching.answer_parts(request.user, plan, period.code, place and place.pk),
            caching.version_keys(plan), lambda: _progress_answer(request.user, plan, period, place)))


def _progress_answer(user, plan: Plan, period: Period, place: OrgUnit | None) -> dict:
    report = plan_progress(plan, period, place)
    derived = derive(report, user)
    return {
        "plan": plan.code, "period": period.code, "org_unit": report.place.code,
        "time_progress": ratio(report.time_progress),
        "indicators": [{
            "code": r.indicator.code, "name": r.indicator.name, "unit": r.indicator.unit,
            "actual": number(r.actual), "target": number(r.target), "target_derived": r.target_derived,
            "completion": ratio(r.completion), "annual_target": number(r.annual_target),
            "annual_target_derived": r.annual_target_derived,
            "annual_completion": ratio(r.annual_completion), "status": r.status,
            "yoy_growth": ratio(r.yoy_growth), "basis": r.basis,
            **derived_fields(r.indicator, derived[r.indicator.pk]),
        } for r in report.rows],
    }


def _figure(value: Decimal | None):
    # Projections and ratios of sums carry many digits; six decimals are what a stored figure has.
    if value is None:
        return None
    # With more digits than a Decimal context holds the value stays as it is: the float keeps its magnitude.
    with contextlib.suppress(InvalidOperation):
        value = value.quantize(SIX_PLACES)
    return number(value)


def derived_fields(indicator: Indicator, item: Derived) -> dict:
    """A progress row's formula value, year-end projection and roll-up (plans.derived), as JSON."""
    f, r = item.forecast, item.rollup
    return {
        "formula": indicator.formula, "computed": _figure(item.computed),
        "forecast": {"value": _figure(f.value), "method": f.method, "method_label": f.method_label,
                     "target": _figure(f.target), "misses_target": f.misses_target, "text": item.forecast_text},
        "rollup": None if r is None else {
            "method": r.method, "method_label": r.method_label, "total": _figure(r.total),
            "official": _figure(r.official), "difference": _figure(r.difference), "reported": len(r.reported),
            "missing": [{"code": p.code, "name": p.name} for p in item.missing_places]},
    }


class Ranking(APIView):
    @extend_schema(parameters=[OpenApiParameter("indicator", str, required=True),
                               period_parameter(),
                               OpenApiParameter("by", str, enum=["completion", "value", "growth"])],
                   responses=OBJECT_LIST)
    def get(self, request, code):
        plan = visible_plan(request, code)
        period = query_period(request)
        by = request.query_params.get("by", "completion")
        if by not in ("completion", "value", "growth"):
            raise BusinessError(_("排名依据只能是completion、value或growth"), field="by")
        indicator = Indicator.objects.filter(plan=plan, code=request.query_params.get("indicator", "")).first()
        if indicator is None:
            raise BusinessError(_("未知指标“%(code)s”") % {"code": request.query_params.get("indicator", "")},
                                field="indicator")
        return Response(versions.cached(
            "ranking-api", caching.answer_parts(request.user, plan, indicator.pk, period.code, by),
            caching.version_keys(plan), lambda: _ranking_answer(request.user, plan, indicator, period, by)))


def _ranking_answer(user, plan: Plan, indicator: Indicator, period: Period, by: str) -> list[dict]:
    rows = [r for r in ranking(plan, indicator, period, by) if can_view_place(user, plan, r.org_unit)]
    return [{"rank": r.rank, "org_unit": r.org_unit.code, "org_unit_name": r.org_unit.name,
             "value": number(r.value), "target": number(r.target),
             "completion": ratio(r.completion), "growth": ratio(r.growth),
             "rank_change": r.rank_change, "status": r.status} for r in rows]


class Export(APIView):
    @extend_schema(parameters=[year_parameter(required=True)],
                   responses={(200, CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY})
    def get(self, request, code):
        plan = visible_plan(request, code)
        year_text = request.query_params.get("year", "")
        if not year_text.isdigit() or not plan.start_year - 1 <= int(year_text) <= plan.end_year:
            raise BusinessError(_("年度应为%(start)s—%(end)s之间的数字") % {"start": plan.start_year, "end": plan.end_year},
                                field="year")
        return download(exports.progress_workbook(plan, int(year_text)), f"{plan.code}-{year_text}.xlsx")


class FeedConflictList(generics.ListAPIView):
    """规划的数据来源冲突：平台汇总数据与已有其他来源数据不一致的记录（仅规划所属科技局）。"""

    serializer_class = FeedConflictSerializer
    pagination_class = None

    def get_queryset(self):
        plan = visible_plan(self.request, self.kwargs["code"])
        if not is_plan_admin(self.request.user, plan):
            raise NotAllowed(_(PLAN_ADMIN_ONLY))
        return feed_conflicts(plan)


class FeedConflictDecision(APIView):
    """科技局选择：保留原数据（kept）或采用汇总数据（fed）。"""

    @extend_schema(request=FeedDecisionIn, responses={200: FeedConflictSerializer})
    def post(self, request, pk):
        if not isinstance(request.data, dict):
            raise BusinessError(_("请求体应为JSON对象"))
        unknown = sorted(set(request.data) - {"choice"})
        if unknown:
            raise BusinessError(_("不认识的字段：%(names)s") % {"names": "、".join(unknown)}, field=unknown[0])
        form = FeedDecisionIn(data=request.data)
        if not form.is_valid():
            return invalid(form)
        visible = FeedConflict.objects.filter(indicator__plan__in=Plan.objects.restrict(request.user))
        get_object_or_404(visible, pk=pk)
        conflict = feeds.decide_conflict(admin=request.user, conflict_id=pk, choice=form.validated_data["choice"])
        return Response(FeedConflictSerializer(conflict).data)
