"""JSON API of the enterprise registry, screening and pools."""

import datetime
import io

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from openpyxl import Workbook
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core import import_jobs, roles
from core.api import invalid, number, query_date
from core.api_schema import IMPORT_BODY, OBJECT_LIST, date_parameter
from core.errors import BusinessError, ImportRejected, NotAllowed, RowProblem
from core.responses import CONTENT_TYPES, download
from core.spreadsheets import safe_row
from enterprises.models import Enterprise, Pool, PoolMember, Screening
from enterprises.queries import may_see_screening, ruleset_names
from enterprises.serializers import AssessmentOut
from enterprises.services import imports, rulesets
from enterprises.services.rulesets import active
from enterprises.services.screening import assess, criterion_names, start_screening, unpack


def visible_enterprise(request, code: str) -> Enterprise:
    return get_object_or_404(Enterprise.objects.restrict(request.user).select_related("region"), uscc=code.upper())


class ImportView(APIView):
    """POST a file: 200 with the counts, or, past KECHUANG_IMPORT_JOB_ROWS rows, 202 with the job to follow."""

    parser_classes = [MultiPartParser, FormParser]
    importer = None
    job_importer = ""
    title = ""

    @extend_schema(request=IMPORT_BODY, responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT})
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise ImportRejected([RowProblem(0, "", _("请上传文件（字段名 file）"))])
        data = upload.read()
        if import_jobs.wants_job(upload.name, data):
            job = import_jobs.start_import(key=self.job_importer, title=f"{self.title}：{upload.name}"[:200],
                                           user=request.user, name=upload.name, data=data)
            # GET the url until status is done: result holds the counts, or errors by row and column.
            return Response({"job": job.pk, "status": job.status, "url": reverse("api-job", args=[job.pk])},
                            status=status.HTTP_202_ACCEPTED)
        return Response(type(self).importer(user=request.user, name=upload.name, data=data))


class EnterpriseImport(ImportView):
    importer = staticmethod(imports.import_enterprises)
    job_importer = "enterprises"
    title = _("导入企业年度数据")


class QualificationImport(ImportView):
    importer = staticmethod(imports.import_qualifications)
    job_importer = "qualifications"
    title = _("导入企业资质")


def enterprise_json(firm: Enterprise, on: datetime.date) -> dict:
    return {
        "uscc": firm.uscc, "name": firm.name, "region": firm.region.code, "region_name": firm.region.name,
        "established": firm.established.isoformat() if firm.established else None, "industry": firm.industry,
        "years": [{"year": y.year, "revenue": number(y.revenue), "total_cost": number(y.total_cost),
                   "rd_expense": number(y.rd_expense), "domestic_rd": number(y.domestic_rd),
                   "hitech_revenue": number(y.hitech_revenue), "total_assets": number(y.total_assets),
                   "total_liabilities": number(y.total_liabilities), "staff": y.staff, "tech_staff": y.tech_staff,
                   "ip1": y.ip1, "ip2": y.ip2, "above_scale": y.above_scale, "rd_staff": y.rd_staff,
                   "rd_area": number(y.rd_area)}
                  for y in firm.years.order_by("year")],
        "qualifications": [{"type": q.type, "number": q.number, "issued": q.issued.isoformat(),
                            "expires": q.expires.isoformat() if q.expires else None, "valid": q.valid_on(on)}
                           for q in firm.qualifications.order_by("issued")],
    }


class EnterpriseList(APIView):
    @extend_schema(parameters=[OpenApiParameter("q", str), OpenApiParameter("region", str)],
                   responses=OBJECT_LIST)
    def get(self, request):
        firms = Enterprise.objects.restrict(request.user).select_related("region").order_by("uscc")
        if request.query_params.get("q"):
            firms = firms.filter(name__icontains=request.query_params["q"])
        if request.query_params.get("region"):
            firms = firms.filter(region__code__startswith=request.query_params["region"])
        return Response([{"uscc": f.uscc, "name": f.name, "region": f.region.code} for f in firms[:500]])


class EnterpriseDetail(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="enterprise_portrait")
    def get(self, request, uscc):
        return Response(enterprise_json(visible_enterprise(request, uscc), timezone.localdate()))


class AssessmentView(APIView):
    @extend_schema(parameters=[OpenApiParameter("ruleset", str, required=True), date_parameter()],
                   responses=AssessmentOut)
    def get(self, request, uscc):
        firm = visible_enterprise(request, uscc)
        code = request.query_params.get("ruleset")
        if not code:
            raise BusinessError(_("缺少参数ruleset"), field="ruleset")
        ruleset = active(code, firm.region)  # as a screening of the enterprise's region would judge it
        on = query_date(request)
        result = assess(firm, ruleset, on)
        names = criterion_names(ruleset)
        return Response({"ruleset": ruleset.code, "ruleset_name": ruleset.name, "version": ruleset.version,
                         "date": on.isoformat(), "eligible": result.eligible, "direct": result.direct,
                         "score": number(result.score), "status": result.status, "notes": list(result.notes),
                         "criteria": [criterion_json(c, names) for c in result.criteria]})


def criterion_json(c, names: dict[str, str]) -> dict:
    """A criterion's figures as numbers with their unit, and beside them the texts the pages show."""
    return {"code": c.code, "name": c.name or names.get(c.code, c.code), "passed": c.passed,
            "actual": number(c.actual_number), "required": number(c.required_number), "unit": c.unit,
            "comparison": c.comparison, "actual_text": c.actual, "required_text": c.required, "gap": c.gap}


class ScreeningIn(serializers.Serializer):
    ruleset = serializers.CharField()
    date = serializers.DateField()
    region = serializers.CharField(required=False)


def visible_screening(request, pk: int) -> Screening:
    screening = get_object_or_404(Screening.objects.select_related("ruleset", "region", "job"), pk=pk)
    if not may_see_screening(request.user, screening):
        raise PermissionDenied(_("无权查看该评测"))
    return screening


class ScreeningCreate(APIView):
    @extend_schema(request=ScreeningIn, responses={202: OpenApiTypes.OBJECT})
    def post(self, request):
        form = ScreeningIn(data=request.data)
        if not form.is_valid():
            return invalid(form)
        region = None
        if form.validated_data.get("region"):
            from core.models import Region

            region = Region.objects.restrict(request.user).filter(code=form.validated_data["region"]).first()
            if region is None:
                raise BusinessError(_("未知或不在管辖范围内的区域"), field="region")
        screening = start_screening(user=request.user, ruleset=form.validated_data["ruleset"],
                                    on=form.validated_data["date"], region=region)
        return Response({"id": screening.pk}, status=status.HTTP_202_ACCEPTED)


class ScreeningDetail(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        screening = visible_screening(request, pk)
        job = screening.job
        return Response({"id": screening.pk, "ruleset": screening.ruleset.code,
                         "ruleset_name": screening.ruleset.name, "version": screening.ruleset.version,
                         "date": screening.date.isoformat(), "region": screening.region.code,
                         "status": job.status if job else "done", "progress": job.progress if job else screening.total,
                         "total": (job.total if job and job.total else screening.total),
                         "eligible": screening.eligible, "incomplete": screening.incomplete})


def results_workbook(screening: Screening) -> bytes:
    names = criterion_names(screening.ruleset)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("评测结果"))
    codes = None
    rows = screening.results.select_related("enterprise__region").order_by("enterprise__uscc")
    for result in rows.iterator(chunk_size=2000):
        criteria = unpack(result.criteria, names)
        if codes is None:
            codes = [c["code"] for c in criteria]
            sheet.append([_("统一社会信用代码"), _("企业名称"), _("所属区域"), _("结果"), _("直接认定"), _("得分"),
                          _("未通过项数")] + [f"{names.get(c, c)}" for c in codes] + [_("差距")])
        sheet.append(safe_row([result.enterprise.uscc, result.enterprise.name, result.enterprise.region.name,
                      {"eligible": "达标", "not_eligible": "未达标", "incomplete": "资料不全"}.get(result.status),
                      "是" if result.direct else "", float(result.score) if result.score is not None else None,
                      result.failed] + [c["actual"] for c in criteria]
                     + ["；".join(c["gap"] for c in criteria if c["gap"])]))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class ScreeningResults(APIView):
    @extend_schema(responses={(200, CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY})
    def get(self, request, pk):
        screening = visible_screening(request, pk)
        return download(results_workbook(screening), f"screening-{screening.pk}.xlsx")


def _pools_scope(request):
    if not roles.reads_region(request.user):
        raise NotAllowed(_("无权查看培育库"))
    return Enterprise.objects.restrict(request.user)


class PoolList(APIView):
    @extend_schema(responses=OBJECT_LIST)
    def get(self, request):
        firms = _pools_scope(request)
        names = ruleset_names()
        return Response([{"code": p.code, "name": p.name, "description": p.description, "rule": p.rule,
                          "ruleset_name": names.get(p.rule.get("ruleset", ""), p.rule.get("ruleset", "")),
                          "members": PoolMember.objects.filter(pool=p, exited_on__isnull=True,
                                                               enterprise__in=firms).count()}
                         for p in Pool.objects.all()])


class PoolMembers(APIView):
    @extend_schema(parameters=[OpenApiParameter("all", bool)], responses=OBJECT_LIST)
    def get(self, request, code):
        firms = _pools_scope(request)
        pool = get_object_or_404(Pool, code=code)
        members = PoolMember.objects.filter(pool=pool, enterprise__in=firms).select_related("enterprise__region")
        if request.query_params.get("all") not in ("1", "true"):
            members = members.filter(exited_on__isnull=True)
        return Response([{"uscc": m.enterprise.uscc, "name": m.enterprise.name, "region": m.enterprise.region.code,
                          "entered_on": m.entered_on.isoformat(), "reason": m.reason, "source": m.source,
                          "exited_on": m.exited_on.isoformat() if m.exited_on else None,
                          "exit_reason": m.exit_reason} for m in members.order_by("enterprise__uscc")[:5000]])


def ruleset_json(ruleset) -> dict:
    return {"code": ruleset.code, "name": ruleset.name, "version": ruleset.version,
            "region": ruleset.region.code if ruleset.region_id else None, "is_active": ruleset.is_active,
            "definition": ruleset.definition}


def _rulesets_scope(request):
    if not request.user.is_bureau_admin:
        raise NotAllowed(_("只有科技局管理员可以管理认定规则"))


class RuleSetList(APIView):
    @extend_schema(responses=OBJECT_LIST)
    def get(self, request):
        """Current versions the user may read: shared ones and the own region's copies (all for the system admin)."""
        _rulesets_scope(request)
        return Response([ruleset_json(r) for r in rulesets.visible(request.user).filter(is_active=True)
                         .order_by("code", "region__code")])


class RuleSetDetail(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="ruleset_current")
    def get(self, request, code):
        """The version the user edits under this code: its own copy, else the shared one."""
        _rulesets_scope(request)
        current = rulesets.editable(request.user, code)
        if current is None:
            raise Http404(_("没有该认定规则"))
        return Response(ruleset_json(current))

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def put(self, request, code):
        """Save the definition as the next version of the user's copy (the system admin: the shared one)."""
        _rulesets_scope(request)
        definition = request.data.get("definition") if isinstance(request.data, dict) else None
        if not isinstance(definition, dict):
            raise BusinessError(_("请提交规则定义（字段 definition，JSON对象）"), field="definition")
        if definition.get("code") != code:
            raise BusinessError(_("规则定义中的编码应为“%(code)s”") % {"code": code}, field="definition")
        return Response(ruleset_json(rulesets.save_ruleset(user=request.user, definition=definition)))
