"""What every plan page needs: the plan the user may see, the period and place asked for."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from core import versions
from core.models import OrgUnit
from core.periods import Period, PeriodError
from plans.models import Plan
from plans.queries import latest_period, period_choices, plan_place, visible_plan  # noqa: F401 (used by the pages)
from plans.rules import can_view_place


def requested_period(request, plan: Plan, place: OrgUnit | None = None) -> Period:
    text = request.GET.get("period")
    if text:
        try:
            return Period.parse(text)
        except PeriodError as exc:
            raise Http404(str(exc)) from exc
    # Finding the latest period with figures reads the plan's values: kept by data version like the pages.
    from plans import caching

    return versions.cached("latest-period", (plan.pk, place and place.pk, date.today().isoformat()),
                           caching.version_keys(plan), lambda: latest_period(plan, place))


def requested_place(request, plan: Plan) -> OrgUnit:
    code = request.GET.get("place")
    if not code:
        return plan_place(plan)
    place = OrgUnit.objects.select_related("region").filter(code=code).first()
    if place is None:
        raise Http404(_("未知地区"))
    if not can_view_place(request.user, plan, place):
        raise PermissionDenied(_("无权查看该地区的数据"))
    return place


def place_choices(request, plan: Plan) -> list[OrgUnit]:
    """The plan's region and the places its targets are decomposed to (not every town of a province)."""
    from plans.models import Target

    decomposed = Target.objects.filter(indicator__plan=plan).values("org_unit_id").distinct()
    places = (OrgUnit.objects.filter(Q(code=plan.region.code) | Q(pk__in=decomposed))
              .select_related("region").only("id", "code", "name", "kind", "sort_order", "region__code")
              .order_by("region__code", "sort_order", "code"))
    return [p for p in places if can_view_place(request.user, plan, p)]
