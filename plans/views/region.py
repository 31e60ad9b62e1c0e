"""The city's and the province's view (地区比较): its counties ranked on the indicators their plans share."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.periods import Period, PeriodError
from plans import comparison as cmp
from plans.region_queries import (
    county_plans_below,
    region_comparisons,
    region_period_choices,
    resolve_common,
    shared_indicators,
    visible_region,
)

BY_CHOICES = ((cmp.BY_VALUE, "按数值"), (cmp.BY_GROWTH, "按同比增速"), (cmp.BY_COMPLETION, "按完成率"))


@login_required
def region_go(request):
    """The menu's 地区比较 and a city leader's landing: the comparison of the user's own region."""
    region = request.user.scope_region
    if region is None:
        raise Http404(_("您没有所属地区"))
    return redirect("plans:region", code=region.code)


def _period(request) -> Period | None:
    text = request.GET.get("period")
    if not text:
        return None
    try:
        return Period.parse(text)
    except PeriodError as exc:
        raise Http404(str(exc)) from exc


@login_required
def region_view(request, code):
    region = visible_region(request.user, code)
    period = _period(request)
    by = request.GET.get("by") or cmp.BY_VALUE
    if by not in cmp.RANK_BASES:
        by = cmp.BY_VALUE
    commons = shared_indicators(region)
    chosen = resolve_common(request.GET.get("indicator", ""))
    if chosen is not None and chosen in commons:
        commons = [chosen]
    comparisons = region_comparisons(region, commons, period, by)
    return render(request, "plans/region.html", {
        "title": _("%(region)s地区比较") % {"region": region.name}, "region": region,
        "comparisons": comparisons, "period": period, "periods": region_period_choices(region), "by": by,
        "by_choices": [(value, _(label)) for value, label in BY_CHOICES],
        "counties": county_plans_below(region).select_related("region").order_by("region__code"),
        "has_demo": any(r.is_demo for c in comparisons for r in c.rows),
    })
