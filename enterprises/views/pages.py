"""Pages: enterprise list, portrait (企业画像) with self-check, ladder, pools, rule sets, screenings, imports."""

import datetime
import json
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2.paginators import LazyPaginator

from core import roles, sections
from core.errors import BusinessError, NotAllowed
from core.generic import BulkImportView, ObjectListView
from core.responses import download
from enterprises import engine
from enterprises.api import results_workbook, visible_screening
from enterprises.filters import EnterpriseFilter
from enterprises.models import Enterprise, Pool, PoolMember
from enterprises.queries import (
    expiring,
    ladder,
    moved_up,
    pool_counts,
    qualification_timeline,
    visible_screenings,
)
from enterprises.services import imports, pools, rulesets
from enterprises.services.screening import assess, criterion_names, start_screening, unpack
from enterprises.tables import EnterpriseTable

YEAR_INPUTS = ["revenue", "total_cost", "rd_expense", "domestic_rd", "hitech_revenue", "total_assets",
               "total_liabilities", "staff", "tech_staff", "ip1", "ip2", "rd_staff", "rd_area"]
YEAR_LABELS = {"revenue": "营业收入(万元)", "total_cost": "成本费用总额(万元)", "rd_expense": "研发费用(万元)",
               "domestic_rd": "境内研发费用(万元)", "hitech_revenue": "高新技术产品收入(万元)",
               "total_assets": "资产总额(万元)", "total_liabilities": "负债总额(万元)", "staff": "职工总数",
               "tech_staff": "科技人员数", "ip1": "Ⅰ类知识产权数", "ip2": "Ⅱ类知识产权数", "rd_staff": "研发人员数",
               "rd_area": "研发场地面积(平方米)"}


# What the registry can store (16 digits, 2 of them decimals); larger what-if figures are typing slips.
WHAT_IF_LIMIT = Decimal(10) ** 14


class EnterpriseList(ObjectListView):
    # Ordered by code (an index) so a filtered page stops after 50 matches instead of sorting them all.
    queryset = Enterprise.objects.select_related("region").order_by("uscc")
    paginator_class = LazyPaginator
    table_class = EnterpriseTable
    filterset_class = EnterpriseFilter
    title = _("企业")
    export_name = "enterprises"

    def get_actions(self):
        if self.request.user.is_bureau_admin:
            return [(_("导入企业数据"), reverse("enterprises:import-enterprises")),
                    (_("导入资质"), reverse("enterprises:import-qualifications")),
                    (_("批量评测"), reverse("enterprises:screening-list"))]
        return []


@login_required
def mine(request):
    if not roles.is_enterprise(request.user):
        raise Http404(_("只有企业用户有“我的企业”"))
    firm = Enterprise.objects.restrict(request.user).first()
    if firm is None:
        raise Http404(_("您的账号尚未关联企业"))
    return redirect("enterprises:portrait", firm.uscc)


def _rulesets(region):
    return rulesets.active_for(region)


def _what_if(request, firm: Enterprise) -> engine.YearFigures | None:
    """The self-check's numbers from the form (never stored)."""
    if request.method != "POST":
        return None
    try:
        year = int(request.POST.get("year", ""))
    except ValueError as exc:
        raise BusinessError(_("请选择年度")) from exc
    values = {}
    for field in YEAR_INPUTS:
        text = request.POST.get(field, "").strip()
        if not text:
            values[field] = None
            continue
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise BusinessError(_("%(label)s不是有效的数字") % {"label": YEAR_LABELS[field]}) from exc
        if not number.is_finite():  # "NaN", "Infinity" parse as decimals but break every comparison
            raise BusinessError(_("%(label)s不是有效的数字") % {"label": YEAR_LABELS[field]})
        if number < 0:
            raise BusinessError(_("%(label)s不能为负数") % {"label": YEAR_LABELS[field]})
        if number >= WHAT_IF_LIMIT:
            raise BusinessError(_("%(label)s数值过大") % {"label": YEAR_LABELS[field]})
        counted = field in ("staff", "tech_staff", "ip1", "ip2", "rd_staff")
        if counted and number != number.to_integral_value():
            raise BusinessError(_("%(label)s应为整数") % {"label": YEAR_LABELS[field]})
        values[field] = int(number) if counted else number
    return engine.YearFigures(year=year, **values)


@login_required
def portrait(request, uscc):
    """企业画像: years as charts, qualifications on a timeline, each assessment with its gaps, pools."""
    firm = get_object_or_404(Enterprise.objects.restrict(request.user).select_related("region"), uscc=uscc.upper())
    today = timezone.localdate()
    years = list(firm.years.order_by("year"))
    error = None
    override = None
    try:
        override = _what_if(request, firm)
    except BusinessError as exc:
        error = str(exc)
    assessments = []
    for ruleset in _rulesets(firm.region):
        result = assess(firm, ruleset, today, override)
        assessments.append({"ruleset": ruleset, "result": result})
    chart = {"years": [y.year for y in years], "revenue": [float(y.revenue or 0) for y in years],
             "rd": [float(y.rd_expense or 0) for y in years], "staff": [y.staff or 0 for y in years],
             "tech_staff": [y.tech_staff or 0 for y in years]}
    latest = years[-1] if years else None
    return render(request, "enterprises/portrait.html", {
        "title": firm.name, "firm": firm, "years": years, "assessments": assessments, "chart": chart,
        "timeline": qualification_timeline(firm), "today": today, "what_if": override is not None, "error": error,
        "memberships": firm.pool_memberships.select_related("pool").order_by("-entered_on"),
        "expiring": expiring(Enterprise.objects.filter(pk=firm.pk), today),
        "sections": sections.for_place("enterprise-portrait", request.user, firm),
        "inputs": [(f, YEAR_LABELS[f], request.POST.get(f) if request.method == "POST"
                    else (getattr(latest, f) if latest else "")) for f in YEAR_INPUTS],
        "self_year": request.POST.get("year") or (latest.year if latest else today.year - 1),
    })


@login_required
def ladder_view(request):
    if not roles.reads_region(request.user):
        raise PermissionDenied(_("无权查看"))
    today = timezone.localdate()
    firms = Enterprise.objects.restrict(request.user)
    years = list(range(today.year - 3, today.year + 1))
    return render(request, "enterprises/ladder.html", {
        "title": _("科技企业梯队"), "ladder": ladder(firms, years, today), "pools": pool_counts(firms),
        "moved": [(y, moved_up(firms, y)) for y in years], "expiring": expiring(firms, today)[:100],
        "total": firms.count()})


@login_required
def pool_list(request):
    if not roles.reads_region(request.user):
        raise PermissionDenied(_("无权查看"))
    firms = Enterprise.objects.restrict(request.user)
    return render(request, "enterprises/pools.html", {"title": _("培育库"), "pools": pool_counts(firms)})


@login_required
def pool_detail(request, code):
    if not roles.reads_region(request.user):
        raise PermissionDenied(_("无权查看"))
    pool = get_object_or_404(Pool, code=code)
    firms = Enterprise.objects.restrict(request.user)
    today = timezone.localdate()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                member = get_object_or_404(PoolMember, pk=request.POST.get("member"), pool=pool, enterprise__in=firms)
                pools.remove_member(user=request.user, member=member, reason=request.POST.get("reason", ""), on=today)
            else:
                firm = firms.filter(uscc=request.POST.get("uscc", "").strip().upper()).first()
                if firm is None:
                    raise BusinessError(_("管辖范围内没有该统一社会信用代码的企业"))
                pools.add_member(user=request.user, pool=pool, enterprise=firm, reason=request.POST.get("reason", ""),
                                 on=today)
            messages.success(request, _("已更新"))
        except BusinessError as exc:
            messages.error(request, str(exc))
        return redirect("enterprises:pool-detail", pool.code)
    show_all = request.GET.get("all") == "1"
    members = PoolMember.objects.filter(pool=pool, enterprise__in=firms).select_related("enterprise__region")
    if not show_all:
        members = members.filter(exited_on__isnull=True)
    return render(request, "enterprises/pool_detail.html", {
        "title": pool.name, "pool": pool, "members": members.order_by("-entered_on", "enterprise__name")[:1000],
        "count": members.count(), "show_all": show_all})


@login_required
def ruleset_list(request):
    if not request.user.is_bureau_admin:
        raise PermissionDenied(_("只有科技局管理员可以管理认定规则"))
    shown = list(rulesets.visible(request.user).order_by("code", "region__code", "-version")[:200])
    return render(request, "enterprises/rulesets.html", {"title": _("认定规则"), "rulesets": shown,
                                                         "editable": rulesets.edit_targets(request.user, shown)})


@login_required
def ruleset_edit(request, code):
    if not request.user.is_bureau_admin:
        raise PermissionDenied(_("只有科技局管理员可以管理认定规则"))
    try:
        current = rulesets.editable(request.user, code)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    if current is None and code != "new":
        raise Http404(_("没有该认定规则"))
    copying = rulesets.saves_a_copy(request.user, current)
    text = json.dumps(current.definition, ensure_ascii=False, indent=2) if current else "{}"
    error = None
    if request.method == "POST":
        text = request.POST.get("definition", "")
        try:
            saved = rulesets.save_ruleset(user=request.user, definition=json.loads(text))
        except json.JSONDecodeError as exc:
            error = _("不是有效的JSON：第%(line)s行第%(col)s列") % {"line": exc.lineno, "col": exc.colno}
        except BusinessError as exc:
            error = str(exc)
        else:
            messages.success(request, _("已保存为第%(v)s版") % {"v": saved.version})
            return redirect("enterprises:ruleset-list")
    return render(request, "enterprises/ruleset_edit.html", {"title": _("编辑认定规则"), "current": current,
                                                             "text": text, "error": error, "copying": copying})


@login_required
def screening_list(request):
    if not roles.reads_region(request.user):
        raise PermissionDenied(_("无权查看"))
    if request.method == "POST":
        try:
            on = datetime.date.fromisoformat(request.POST.get("date", ""))
            start_screening(user=request.user, ruleset=request.POST.get("ruleset", ""), on=on)
            messages.success(request, _("评测已开始"))
        except ValueError:
            messages.error(request, _("日期应写作YYYY-MM-DD"))
        except BusinessError as exc:
            messages.error(request, str(exc))
        return redirect("enterprises:screening-list")
    return render(request, "enterprises/screenings.html", {
        "title": _("批量评测"), "screenings": visible_screenings(request.user)[:100], "today": timezone.localdate(),
        "rulesets": rulesets.for_screening(request.user)})


@login_required
def screening_detail(request, pk):
    screening = visible_screening(request, pk)
    if request.GET.get("_export") == "xlsx":
        return download(results_workbook(screening), f"screening-{screening.pk}.xlsx")
    status = request.GET.get("status", "")
    results = screening.results.select_related("enterprise__region").order_by("failed", "enterprise__name")
    if status:
        results = results.filter(status=status)
    names = criterion_names(screening.ruleset)
    rows = [{"result": r, "criteria": unpack(r.criteria, names)} for r in results[:200]]
    return render(request, "enterprises/screening_detail.html", {
        "title": str(screening), "screening": screening, "rows": rows, "status": status})


class EnterpriseImportView(BulkImportView):
    title = _("导入企业年度数据")
    help_text = _("表头：统一社会信用代码、企业名称、所属区域、成立日期、年度、营业收入(万元)、成本费用总额(万元)、研发费用(万元)、"
                  "境内研发费用(万元)、高新技术产品收入(万元)、资产总额(万元)、负债总额(万元)、职工总数、科技人员数、"
                  "Ⅰ类知识产权数、Ⅱ类知识产权数、是否规上。同一企业同一年度再次导入即更新，原数据留在变更记录中。")
    job_importer = "enterprises"

    def check_access(self, request, **kwargs):
        if not request.user.is_bureau_admin:
            raise PermissionDenied(_("只有科技局管理员可以导入"))

    def run(self, request, name, data, **kwargs):
        result = imports.import_enterprises(user=request.user, name=name, data=data)
        return result["created"] + result["updated"]

    def template_bytes(self, request, **kwargs):
        return imports.enterprise_spec(request.user).template()

    def back_url(self, request, **kwargs):
        return reverse("enterprises:enterprise-list")


class QualificationImportView(EnterpriseImportView):
    title = _("导入企业资质")
    help_text = _("表头：统一社会信用代码、资质类型、证书编号、发证日期、有效期至（不填时按资质类型推算：高新技术企业3年，科技型中小企业1年）。")
    job_importer = "qualifications"

    def run(self, request, name, data, **kwargs):
        result = imports.import_qualifications(user=request.user, name=name, data=data)
        return result["created"] + result["updated"]

    def template_bytes(self, request, **kwargs):
        return imports.qualification_spec(request.user).template()


@login_required
@require_POST
def run_feeds(request):
    """Feed the year into the plan indicators bound to the registry's counts (plans.services.feeds)."""
    from plans.services.feeds import feed_all

    today = timezone.localdate()
    try:
        year = int(request.POST.get("year") or today.year - 1)
    except ValueError:
        year = 0  # not a year: refused by the service like any year out of range
    try:
        summary = feed_all(admin=request.user, year=year, today=today)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except BusinessError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已同步%(n)s项指标数据") % {"n": summary["written"]})
        if summary["conflicts"]:
            messages.warning(request, _("%(n)s项与已有的其他来源数据不一致，未覆盖，请在规划的“数据来源冲突”页选择")
                             % {"n": summary["conflicts"]})
    return redirect("enterprises:ladder")

