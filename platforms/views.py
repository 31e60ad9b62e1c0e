"""Pages of the platforms app: a platform's page, its table of a year (fill, evidence, steps), the ranking of a
kind and year (official result, budget allocation, what-if under another template), the overview with
instruments and incubators, and the 县级研发中心 达标即准 recognition."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core import roles
from core import workflow as engine
from core.audit import history_for
from core.errors import BusinessError, ImportRejected, Missing, RowProblem
from core.generic import BulkImportView
from core.models_review import ReviewRound, ScoringSheet
from platforms import coverage, queries
from platforms.flow import TABLE_FLOW, fills
from platforms.models import Kind, PerformanceTemplate, TableEvidence
from platforms.services import recognition, results, table_import, templates
from platforms.services import tables as table_service


def _date(text: str | None, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text) if text else default
    except ValueError as exc:
        raise BusinessError(_("日期应写作YYYY-MM-DD")) from exc


def _year(text: str | None, default: int) -> int:
    if not text:
        return default
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise Http404(_("年度应为2000—2100之间的整数"))
    return int(text)


@login_required
def platform_page(request, code: str):
    page = queries.platform_page(request.user, code)
    if page is None:
        raise Http404(_("找不到该平台，或不在您的管辖范围内"))
    platform = page["platform"]
    manages = roles.manages_region(request.user, platform.region.code)
    if request.method == "POST":
        try:
            action, today = request.POST.get("action"), timezone.localdate()
            if action == "enter" and manages:
                results.enter_pool(actor=request.user, platform_code=code, reason=request.POST.get("reason", ""),
                                   entered_on=_date(request.POST.get("on"), today))
            elif action == "leave" and manages:
                results.leave_pool(actor=request.user, platform_code=code, reason=request.POST.get("reason", ""),
                                   left_on=_date(request.POST.get("on"), today))
            elif action == "open":
                table = table_service.open_table(actor=request.user, platform_code=code,
                                                 year=_year(request.POST.get("year"), today.year - 1))
                return redirect("platforms:table", table.pk)
            else:
                raise PermissionDenied(_("无权执行此操作"))
            messages.success(request, _("已更新"))
        except BusinessError as exc:
            messages.error(request, str(exc))
        return redirect("platforms:platform", code)
    from platforms.models import PerformanceTable

    probe = PerformanceTable(platform=platform)
    return render(request, "platforms/platform.html", {
        **page, "title": platform.name, "manages": manages, "fills": fills(request.user, probe),
        "open_year": timezone.localdate().year - 1, "history": history_for(platform)[:50]})


@login_required
def table_page(request, pk: int):
    try:
        table = table_service.visible_table(request.user, pk)
    except Missing as exc:
        raise Http404(str(exc)) from exc
    if request.method == "POST":
        try:
            action = request.POST.get("action", "")
            version = int(request.POST["version"]) if request.POST.get("version", "").isdigit() else None
            if action == "save":
                values = {item["code"]: request.POST.get(f"v_{item['code']}", "")
                          for item in table.template.indicators if item["rule"]["type"] != "expert"}
                table_service.save_values(actor=request.user, table_id=pk, values=values, version=version)
            elif action == "evidence":
                upload = request.FILES.get("file")
                if upload is None:
                    raise BusinessError(_("请选择文件"))
                table_service.add_evidence(actor=request.user, table_id=pk, upload=upload,
                                           indicator=request.POST.get("indicator", ""))
            else:
                table_service.step(actor=request.user, table_id=pk, action=action,
                                   opinion=request.POST.get("opinion", ""), version=version)
            messages.success(request, _("已保存"))
        except BusinessError as exc:
            messages.error(request, str(exc))
        return redirect("platforms:table", pk)
    editable = table.status in table_service.EDITABLE and fills(request.user, table)
    return render(request, "platforms/table.html", {
        "title": str(table), "table": table, "rows": queries.contributions(table), "editable": editable,
        "actions": engine.allowed_actions(TABLE_FLOW, table, request.user), "evidence": table.evidence.all(),
        "log": engine.labelled_log(TABLE_FLOW, table), "history": history_for(table)[:50]})


@login_required
def evidence_file(request, pk: int):
    evidence = TableEvidence.objects.filter(pk=pk).select_related("table").first()
    if evidence is None:
        raise Http404
    try:
        table_service.visible_table(request.user, evidence.table_id)
        handle = evidence.file.open("rb")
    except (Missing, FileNotFoundError, OSError) as exc:
        raise Http404(_("找不到该文件")) from exc
    return FileResponse(handle, as_attachment=True, filename=evidence.name)


RANKING_PAGE = 100  # rows of the ranking a page shows; the chart shows the first 30


def _chart(rows: list[dict]) -> dict:
    top = rows[:30]
    return {"names": [r["name"] for r in top], "scores": [float(r["score"]) for r in top]}


@login_required
def ranking_page(request):
    user = request.user
    if not (roles.reads_region(user) or roles.is_outsider(user)):
        raise PermissionDenied(_("无权查看"))
    kind = request.GET.get("kind") or Kind.NRI
    if kind not in Kind.values:
        raise Http404(_("没有这个平台类型"))
    year = _year(request.GET.get("year"), timezone.localdate().year - 1)
    region = user.scope_region
    region_code = region.code if region else ""
    if request.method == "POST":
        if not (region_code and roles.manages_region(user, region_code)):
            raise PermissionDenied(_("只有本地区科技局管理员可以评定与分配"))
        try:
            action = request.POST.get("action")
            if action == "score":
                results.score_official(actor=user, kind=kind, year=year, region_code=region_code)
            elif action == "allocate":
                try:
                    budget = Decimal(request.POST.get("budget", "").replace(",", "").strip())
                except InvalidOperation as exc:
                    raise BusinessError(_("预算应为正的整数元")) from exc
                entries = results.allocate_budget(actor=user, kind=kind, year=year, region_code=region_code,
                                                  budget=budget, approved_on=timezone.localdate())
                messages.success(request, _("已分配给%(n)s个平台，已记入资金兑现台账") % {"n": len(entries)})
                return redirect(f"{reverse('platforms:ranking')}?kind={kind}&year={year}")
            elif action == "expert_round":
                sheet = ScoringSheet.objects.restrict(user, "change").filter(
                    pk=request.POST.get("sheet") if request.POST.get("sheet", "").isdigit() else None).first()
                if sheet is None:
                    raise BusinessError(_("请选择评分表"))
                opened = table_service.open_expert_round(
                    actor=user, kind=kind, year=year, sheet=sheet,
                    due_on=_date(request.POST.get("due_on"), timezone.localdate() + datetime.timedelta(days=14)))
                return redirect("review-round", opened.pk)
            elif action == "expert_scores":
                round_id = request.POST.get("round", "")
                count = table_service.take_expert_scores(actor=user, round_id=int(round_id) if round_id.isdigit() else 0)
                messages.success(request, _("已汇总%(n)s张评价表的专家评分") % {"n": count})
                return redirect(f"{reverse('platforms:ranking')}?kind={kind}&year={year}")
            else:
                raise PermissionDenied
            messages.success(request, _("已评定"))
        except BusinessError as exc:
            messages.error(request, str(exc))
        return redirect(f"{reverse('platforms:ranking')}?kind={kind}&year={year}")
    rows = queries.cached_ranking(user, kind=kind, year=year)
    shown = Paginator(rows, RANKING_PAGE).get_page(request.GET.get("page"))
    template_options = PerformanceTemplate.objects.restrict(user).filter(kind=kind).order_by("-year", "-version")
    whatif = None
    chosen = request.GET.get("template", "")
    if chosen.isdigit():
        template = template_options.filter(pk=int(chosen)).first()
        if template is not None:
            whatif = results.what_if(user, kind=kind, year=year, region_code=region_code, template=template)
    return render(request, "platforms/ranking.html", {
        "title": _("%(year)s年度%(kind)s绩效排名") % {"year": year, "kind": Kind(kind).label}, "rows": shown,
        "total": len(rows),
        "kind": kind, "year": year, "kinds": Kind.choices, "chart": _chart(rows),
        "manages": roles.manages_region(user, region_code) if region_code else False,
        "templates": template_options[:50], "whatif": whatif, "chosen": chosen,
        "sheets": ScoringSheet.objects.restrict(user, "change").order_by("name")[:50],
        "rounds": ReviewRound.objects.restrict(user).filter(programme=table_service.PROGRAMME).order_by("-pk")[:10],
        "due_on": (timezone.localdate() + datetime.timedelta(days=14)).isoformat()})


@login_required
def overview(request):
    user = request.user
    if not roles.reads_region(user):
        raise PermissionDenied(_("无权查看"))
    year = _year(request.GET.get("year"), timezone.localdate().year - 1)
    region = user.scope_region
    prefix = region.prefix if region else "-"
    return render(request, "platforms/overview.html", {
        "title": _("创新平台概览"), "year": year, "kinds": queries.kind_counts(user),
        "instruments": queries.instrument_rates(user, year=year), "incubators": queries.incubator_checks(user, year=year),
        "coverage": coverage.rd_coverage(prefix, year) if region else None,
        "sums": queries.labelled_sums(user, year=year, region_code=region.code) if region else []})


@login_required
def template_copy(request, pk: int):
    template = PerformanceTemplate.objects.restrict(request.user).filter(pk=pk).first()
    if template is None:
        raise Http404
    if request.method == "POST":
        try:
            copy = templates.copy_as_new_version(actor=request.user, template_id=pk)
        except BusinessError as exc:
            messages.error(request, str(exc))
            return redirect("registry:performance-templates-detail", pk)
        messages.success(request, _("已另存为第%(v)s版，请调整后保存") % {"v": copy.version})
        return redirect("registry:performance-templates-edit", copy.pk)
    return render(request, "platforms/template_copy.html", {"title": _("另存为新版本"), "template": template})


@login_required
def recognition_page(request):
    user = request.user
    region = user.scope_region
    if not (region and roles.manages_region(user, region.code)):
        raise PermissionDenied(_("只有科技局管理员可以认定"))
    year = _year(request.GET.get("year") or request.POST.get("year"), timezone.localdate().year - 1)
    if request.method == "POST":
        try:
            made = recognition.confirm_batch(
                actor=user, region_code=region.code, year=year, usccs=request.POST.getlist("uscc"),
                document_no=request.POST.get("document_no", ""),
                recognised_on=_date(request.POST.get("recognised_on"), timezone.localdate()))
            messages.success(request, _("已认定%(n)s家县级研发中心") % {"n": len(made)})
        except BusinessError as exc:
            messages.error(request, str(exc))
        return redirect(f"{reverse('platforms:recognition')}?year={year}")
    try:
        proposals, error = recognition.propose(user, region.code, year), None
    except BusinessError as exc:  # e.g. the rule set has not been loaded on this database
        proposals, error = [], str(exc)
    return render(request, "platforms/recognition.html", {
        "title": _("县级研发中心“达标即准”"), "year": year, "proposals": proposals, "error": error,
        "today": timezone.localdate().isoformat()})


class TableImport(BulkImportView):
    """导入绩效评价表: a year's tables of a kind from one workbook (bureau for its region, an institution for its
    own platforms)."""

    title = _lazy("导入绩效评价表")
    help_text = _lazy("每行一个平台（平台编号），各列为模板中由平台填报的指标；专家评分指标不在此导入。")

    def check_access(self, request, kind: str, year: int):
        if kind not in Kind.values or not 2000 <= year <= 2100:
            raise Http404
        user = request.user
        if not (roles.manages_region(user) or roles.is_institution(user) or roles.is_enterprise(user)):
            raise PermissionDenied(_("无权导入绩效评价表"))

    def run(self, request, name: str, data: bytes, kind: str, year: int) -> int:
        try:
            return table_import.import_tables(user=request.user, kind=kind, year=year, name=name, data=data)
        except BusinessError as exc:
            raise ImportRejected([RowProblem(0, "", str(exc))]) from exc

    def template_bytes(self, request, kind: str, year: int) -> bytes:
        try:
            return table_import.tables_template(request.user, kind, year)
        except BusinessError as exc:
            raise Http404(str(exc)) from exc
