"""The cockpit (驾驶舱) of a plan and an indicator's own page."""

import json

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core import page_cache, versions
from core.audit import history_for, history_for_many
from plans import caching
from plans.derived import derive, rollup_label
from plans.models import Indicator, Target
from plans.queries import (
    default_plan,
    indicator_warnings,
    overdue_places,
    own_town,
    plan_indicators,
    plan_progress,
    ranking,
)
from plans.rules import can_view_place
from plans.views.common import period_choices, place_choices, requested_period, requested_place, visible_plan


def _num(value):
    return float(value) if value is not None else None


def _chart_metric(row, by: str):
    if by == "value":
        return _num(row.value)
    fraction = row.completion if by == "completion" else row.growth
    return round(float(fraction) * 100, 1) if fraction is not None else None


@login_required
def go(request):
    """The menu's 驾驶舱: the first plan the user may see (a town lands on its own view)."""
    plan = default_plan(request.user)
    if plan is None:
        return render(request, "plans/no_plan.html", {"title": _("驾驶舱")})
    url = reverse("plans:cockpit", args=[plan.code])
    town = own_town(request.user)
    if town is not None:
        url += f"?place={town.code}"
    return redirect(url)


@login_required
def cockpit(request, code):
    plan = visible_plan(request, code)
    place = requested_place(request, plan)
    period = requested_period(request, plan, place)

    def compute() -> dict:
        indicators = list(plan_indicators(plan))
        report = plan_progress(plan, period, place, with_trend=True, indicators=indicators)
        warnings = indicator_warnings(plan, indicators)
        derived = derive(report, request.user)
        cards = []
        for row in report.rows:
            cards.append({"row": row, "warnings": warnings.get(row.indicator.pk, []),
                          "derived": derived[row.indicator.pk],
                          "trend": json.dumps({"labels": [p for p, _v, _t in row.trend],
                                               "values": [_num(v) for _p, v, _t in row.trend],
                                               "targets": [_num(t) for _p, _v, t in row.trend]})})
        return {"report": report, "cards": cards, "periods": period_choices(plan),
                "places": place_choices(request, plan),
                "counts": {s: report.count(s) for s in ("green", "yellow", "red", "missing", "no_target")}}

    # The page's body is cached by the plan's data version: only a miss computes the figures.
    key = versions.key_for("cockpit", caching.answer_parts(request.user, plan, place.pk, period.code),
                           caching.version_keys(plan))
    # The whole page is kept too (core.page_cache); the fragment serves requests that cannot use it.
    return page_cache.serve(request, key, lambda: render(request, "plans/cockpit.html", {
        "title": _("驾驶舱"), "plan": plan, "place": place, "period": period, "cache_key": key,
        "cache_seconds": versions.TTL_SECONDS, "is_area": place.code == plan.region.code,
        "rollup_label": rollup_label(place),
        **versions.lazy_values(compute, ("report", "cards", "periods", "places", "counts")),
    }))


@login_required
def indicator_detail(request, code, indicator):
    plan = visible_plan(request, code)
    ind = get_object_or_404(Indicator.objects.filter(plan=plan), code=indicator)
    place = requested_place(request, plan)
    period = requested_period(request, plan, place)
    by = request.GET.get("by", "completion")
    if by not in ("completion", "value", "growth"):
        by = "completion"

    def compute() -> dict:
        report = plan_progress(plan, period, place, with_trend=True, indicators=[ind])
        row = report.rows[0]
        ranks = [r for r in ranking(plan, ind, period, by) if can_view_place(request.user, plan, r.org_unit)]
        overdue_period, overdue = overdue_places(plan, ind, user=request.user)
        chart = {
            "labels": [p for p, _v, _t in row.trend], "values": [_num(v) for _p, v, _t in row.trend],
            "targets": [_num(t) for _p, _v, t in row.trend],
            "ranking": {"names": [r.org_unit.name for r in ranks if r.rank is not None],
                        "values": [_chart_metric(r, by) for r in ranks if r.rank is not None]},
        }
        # The selected place's targets; the ranking table already shows every town's target for the period.
        targets = list(ind.targets.filter(org_unit=place).select_related("org_unit")
                       .order_by("period_end", "period"))
        history = (history_for(ind) | history_for_many(Target, [t.pk for t in targets])).order_by("-at", "-id")[:100]
        return {"history": history, "derived": derive(report, request.user)[ind.pk], "row": row, "ranks": ranks,
                "chart": chart, "targets": targets, "warnings": indicator_warnings(plan, [ind]).get(ind.pk, []),
                "periods": period_choices(plan, [ind]), "places": place_choices(request, plan),
                "overdue": overdue, "overdue_period": overdue_period}

    # Cached like the cockpit: by the plan's data version, the user, the day and what is asked.
    key = versions.key_for("indicator", caching.answer_parts(request.user, plan, ind.pk, place.pk, period.code, by),
                           caching.version_keys(plan))
    return page_cache.serve(request, key, lambda: render(request, "plans/indicator.html", {
        "title": ind.name, "plan": plan, "indicator": ind, "place": place, "period": period, "by": by,
        "rollup_label": rollup_label(place), "cache_key": key, "cache_seconds": versions.TTL_SECONDS,
        "by_choices": [("completion", _("按完成率")), ("value", _("按数值")), ("growth", _("按增速"))],
        **versions.lazy_values(compute, ("history", "derived", "row", "ranks", "chart", "targets", "warnings",
                                         "periods", "places", "overdue", "overdue_period")),
    }))
