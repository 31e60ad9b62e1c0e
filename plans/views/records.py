"""Plan, indicator and value records on the generic list / detail / edit pages of core."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.errors import BusinessError, ImportRejected
from core.generic import BulkImportView, ObjectDetailView, ObjectEditView, ObjectListView
from core.models import Region
from core.responses import download
from plans.filters import PlanFilter, ValueFilter
from plans.flow import is_plan_admin
from plans.forms import IndicatorForm, PlanCreateForm
from plans.models import Indicator, IndicatorValue, Plan
from plans.queries import plan_indicators
from plans.services import plan_import
from plans.services.plans import checked_formula, create_plan
from plans.tables import PlanTable, ValueTable
from plans.views.common import visible_plan


class PlanList(ObjectListView):
    queryset = Plan.objects.select_related("region")
    table_class = PlanTable
    filterset_class = PlanFilter
    title = _("规划")
    export_name = "plans"

    def get_actions(self):
        if self.request.user.is_bureau_admin:
            return [(_("新建规划"), reverse("plans:plan-create"))]
        return []


@login_required
def plan_detail(request, code):
    plan = visible_plan(request, code)
    actions = plan.actions.prefetch_related("tasks__unit_links__org_unit")
    return render(request, "plans/plan_detail.html", {
        "title": plan.name, "plan": plan, "actions": actions, "indicators": plan_indicators(plan),
        "can_import": request.user.is_bureau_admin and Plan.objects.restrict(request.user, "change")
        .filter(pk=plan.pk).exists(), "can_set_feeds": is_plan_admin(request.user, plan)})


class ValueList(ObjectListView):
    queryset = IndicatorValue.objects.select_related("indicator__plan", "place", "reporter")
    table_class = ValueTable
    filterset_class = ValueFilter
    title = _("指标数据")
    export_name = "indicator-values"


class ValueDetail(ObjectDetailView):
    queryset = IndicatorValue.objects.select_related("indicator__plan", "place", "reporter", "reporter_unit",
                                                     "reviewed_by")
    fields = ["indicator", "place", "period", "basis", "value", "status", "approved_value", "note", "source",
              "reporter", "reporter_unit", "reviewed_by", "review_opinion", "revision", "version", "updated_at",
              "is_demo"]
    template_name = "plans/value_detail.html"


class IndicatorEdit(ObjectEditView):
    queryset = Indicator.objects.select_related("plan")
    form_class = IndicatorForm

    def get_object(self, **kwargs):
        return get_object_or_404(self.queryset.restrict(self.request.user, "change"),
                                 plan__code=kwargs["code"], code=kwargs["indicator"])

    def save(self, form, obj):
        with transaction.atomic():
            form.instance.formula = checked_formula(obj, form.cleaned_data["formula"], form.cleaned_data["unit"])
            return super().save(form, obj)

    def success_url(self, obj):
        return reverse("plans:indicator", args=[obj.plan.code, obj.code])


class IndicatorTableImport(BulkImportView):
    title = _("导入指标进度表（附件1格式）")
    help_text = _("表头：序号、指标（名称后括号内写单位）、若干年度目标列（如2027年、2025年、2023年）、"
                  "其后的季度目标列（一季度至四季度，属于其左侧最近的年度）、责任单位。"
                  "“累计达800”记为累计口径，“新认定80”记为新增口径，“年度指标”表示无季度目标。"
                  "导入后请在指标页补全无法从表格判断的类型。")

    def plan(self, request, code) -> Plan:
        return get_object_or_404(Plan.objects.restrict(request.user, "change").select_related("region"), code=code)

    def check_access(self, request, code):
        self.plan(request, code)

    def run(self, request, name, data, code):
        return len(plan_import.import_indicator_table(actor=request.user, plan=self.plan(request, code),
                                                      name=name, data=data))

    def template_bytes(self, request, code):
        return plan_import.indicator_table_template()

    def back_url(self, request, code):
        return reverse("plans:plan-detail", args=[code])


@login_required
def plan_create(request):
    """新建规划: the header, and the indicator table imported from its sheet in the same step."""
    if not request.user.is_bureau_admin:
        raise PermissionDenied(_("只有科技局管理员可以创建规划"))
    regions = Region.objects.restrict(request.user).filter(level__in=["province", "city", "county"])
    form = PlanCreateForm(request.POST or None, request.FILES or None, regions=regions)
    problems = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.pop("indicator_file")
        try:
            plan = create_plan(admin=request.user, **data,
                               indicator_file=(upload.name, upload.read()) if upload else None)
        except ImportRejected as exc:
            problems = exc.problems
        except BusinessError as exc:
            for problem in exc.problems:
                form.add_error(problem.field if problem.field in form.fields else None, problem.message)
        else:
            messages.success(request, _("规划已创建"))
            return redirect("plans:plan-detail", plan.code)
    return render(request, "plans/plan_create.html", {"title": _("新建规划"), "form": form, "problems": problems})


@login_required
def plan_template(request):
    return download(plan_import.indicator_table_template(), "indicator-table.xlsx")
