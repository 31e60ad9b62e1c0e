"""Data entry (填报), the review queue (审核), imports, exports and period locks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import BusinessError
from core.generic import BulkImportView
from core.periods import Period, PeriodError, latest_ended
from core.responses import download
from plans import exports
from plans.models import IndicatorValue, PeriodLock, Plan
from plans.queries import default_plan, entry_rows, reportable, review_queue
from plans.services import entry, value_import, values
from plans.views.common import period_choices, place_choices, visible_plan


def _first_plan_redirect(request, url_name: str):
    plan = default_plan(request.user)
    if plan is None:
        return render(request, "plans/no_plan.html", {"title": _("数据填报")})
    return redirect(url_name, plan.code)


@login_required
def report_go(request):
    return _first_plan_redirect(request, "plans:report")


@login_required
def review_go(request):
    return _first_plan_redirect(request, "plans:review")


def _entry_period(request, choices: list[Period]) -> Period:
    """The period asked for, else the latest one of the user's frequencies that is over (what is due now)."""
    text = request.GET.get("period") or request.POST.get("period")
    if text:
        try:
            return Period.parse(text)
        except PeriodError:
            pass
    return latest_ended(choices, timezone.localdate())


def _row_inputs(post) -> dict[str, entry.RowInput]:
    """The form's rows as posted: value-<key>, note-<key> and version-<key> fields."""
    out = {}
    for name in post:
        if not name.startswith("value-"):
            continue
        key = name.removeprefix("value-")
        version = post.get(f"version-{key}")
        out[key] = entry.RowInput(value=post.get(name, ""), note=post.get(f"note-{key}", ""),
                                  version=int(version) if version and version.isdigit() else None)
    return out


@login_required
def report(request, code):
    plan = visible_plan(request, code)
    choices = period_choices(plan, list(dict.fromkeys(ind for ind, _p in reportable(plan, request.user))) or None)
    period = _entry_period(request, choices)
    if period not in choices:  # a period asked for by address (a link, a bookmark) is shown as chosen
        choices = sorted([*choices, period], reverse=True)
    place = None
    place_code = request.GET.get("place") or request.POST.get("place")
    places = place_choices(request, plan) if request.user.is_bureau_admin else []
    if place_code and places:
        place = next((p for p in places if p.code == place_code), None)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        result = entry.save_entries(user=request.user, plan=plan, period=period, place=place,
                                    inputs=_row_inputs(request.POST), submit=request.POST.get("action") == "submit")
        if not result.ok:
            errors = result.errors
            messages.error(request, _("有%(n)s项填写有误，未保存任何数据，请修改后重新提交") % {"n": len(errors)})
        else:
            if result.saved:
                messages.success(request, (_("已提交审核：%(n)s项") if result.to_review
                                           else _("已保存：%(n)s项")) % {"n": result.saved})
            else:
                messages.info(request, _("没有填写任何数值"))
            url = reverse("plans:report", args=[plan.code]) + f"?period={period.code}"
            if place is not None:
                url += f"&place={place.code}"
            return redirect(url)
    rows = entry_rows(plan, request.user, period, place)
    return render(request, "plans/report.html", {
        "title": _("数据填报"), "plan": plan, "period": period, "rows": rows, "errors": errors,
        "periods": choices, "places": places, "place": place,
        "posted": request.POST if request.method == "POST" else {},
    })


@login_required
def review(request, code):
    plan = visible_plan(request, code)
    if not request.user.is_bureau_admin:
        raise PermissionDenied(_("只有科技局管理员可以审核"))
    queue = list(review_queue(plan, request.user)[:values.BULK_REVIEW_LIMIT])
    locks = PeriodLock.objects.filter(plan=plan).select_related("changed_by").order_by("-changed_at")
    return render(request, "plans/review.html", {"title": _("审核"), "plan": plan, "queue": queue,
                                                 "locks": locks, "lock_periods": period_choices(plan)})


@login_required
@require_POST
def review_bulk(request, code):
    """Several figures of the queue approved or returned with one opinion; all or nothing."""
    plan = visible_plan(request, code)
    if not request.user.is_bureau_admin:
        raise PermissionDenied(_("只有科技局管理员可以审核"))
    ids = [int(v) for v in request.POST.getlist("values") if v.isdigit()]
    try:
        done = values.review_values(reviewer=request.user, value_ids=ids, action=request.POST.get("action", ""),
                                    opinion=request.POST.get("opinion", ""), plan=plan)
    except BusinessError as exc:
        messages.error(request, _("未处理任何数据：%(reasons)s") % {"reasons": exc})
    else:
        messages.success(request, (_("已通过%(n)s条") if request.POST.get("action") == "approve"
                                   else _("已退回%(n)s条")) % {"n": len(done)})
    return redirect("plans:review", plan.code)


@login_required
@require_POST
def review_action(request, pk):
    row = get_object_or_404(IndicatorValue.objects.restrict(request.user, "change"), pk=pk)
    action = request.POST.get("action")
    opinion = request.POST.get("opinion", "")
    version = request.POST.get("version")
    expected = int(version) if version and version.isdigit() else None
    error = None
    try:
        if action == "approve":
            row = values.approve_value(reviewer=request.user, value_id=pk, opinion=opinion, expected_version=expected)
        elif action == "return":
            row = values.return_value(reviewer=request.user, value_id=pk, opinion=opinion, expected_version=expected)
        else:
            raise BusinessError(_("未知操作"))
    except BusinessError as exc:
        error = str(exc)
        row.refresh_from_db()
    if request.htmx:
        return render(request, "plans/_review_row.html", {"v": row, "error": error})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("已处理"))
    return redirect("plans:review", row.indicator.plan.code)


@login_required
@require_POST
def lock_action(request, code):
    plan = visible_plan(request, code)
    try:
        if request.POST.get("action") == "reopen":
            values.reopen_period(admin=request.user, plan=plan, period=request.POST.get("period", ""),
                                 reason=request.POST.get("reason", ""))
            messages.success(request, _("已重新开放"))
        else:
            values.lock_period(admin=request.user, plan=plan, period=request.POST.get("period", ""),
                               reason=request.POST.get("reason", ""))
            messages.success(request, _("已锁定"))
    except PeriodError as exc:
        messages.error(request, str(exc))
    except BusinessError as exc:
        messages.error(request, str(exc))
    return redirect("plans:review", plan.code)


class ValueImportView(BulkImportView):
    title = _("导入指标数据")
    help_text = _("表头：指标（名称或编码）、地区（名称或编码）、期间、数值、说明，可选“口径”。同一地区同一期间已有数据时，作为新版本替换，原数据保留在变更记录中。")

    def plan(self, request, code) -> Plan:
        return visible_plan(request, code)

    def check_access(self, request, code):
        self.plan(request, code)

    def run(self, request, name, data, code):
        return value_import.import_values(user=request.user, plan=self.plan(request, code), name=name, data=data)

    def template_bytes(self, request, code):
        return value_import.values_template(self.plan(request, code), request.user)

    def back_url(self, request, code):
        return reverse("plans:report", args=[code])


@login_required
def export(request, code):
    plan = visible_plan(request, code)
    year = request.GET.get("year", "")
    if not year.isdigit() or not plan.start_year - 1 <= int(year) <= plan.end_year:
        year = str(plan.start_year)
    return download(exports.progress_workbook(plan, int(year)), f"{plan.code}-{year}.xlsx")

