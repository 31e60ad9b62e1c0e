"""Indicators fed by the qualification registry (新认定高企数, 科技型中小企业数) so they are not typed twice."""

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from core import roles
from core.errors import BusinessError, NotAllowed
from core.models import OrgUnit
from core.periods import Period
from enterprises.queries import held_at, new_recognitions
from plans.models import Indicator, IndicatorValue, Plan
from plans.services.values import report_value

FEED_SOURCE = "由企业资质库自动汇总"
# indicator code → (qualification type, basis): the seed plans' indicators that count recognitions.
FEEDS = {
    "PH07": ("高新技术企业", ("new", "total")),
    "PH08": ("科技型中小企业", ("new", "total")),
    "JS04": ("高新技术企业", ("new",)),
}


def sync_indicators(*, admin, plan: Plan, year: int, today: datetime.date) -> list[dict]:
    """Write the year's recognition counts into the plan's fed indicators (approved, with their source).

    A figure that came from elsewhere (a document, a person) is never overwritten: it is reported back.
    """
    out = []
    place = OrgUnit.objects.get(code=plan.region.code)
    prefix = plan.region_prefix
    for indicator in Indicator.objects.filter(plan=plan, code__in=FEEDS).select_related("plan__region"):
        kind, bases = FEEDS[indicator.code]
        for basis in bases:
            count = (new_recognitions(prefix, kind, year) if basis == "new"
                     else held_at(prefix, kind, min(datetime.date(year, 12, 31), today)))
            existing = IndicatorValue.objects.filter(indicator=indicator, place=place, period=str(year),
                                                     basis=basis).first()
            if existing and existing.source != FEED_SOURCE:
                out.append({"indicator": indicator.code, "basis": basis, "count": count, "written": False,
                            "reason": _("已有其他来源的数据（%(source)s），未覆盖") % {"source": existing.source or _("人工填报")}})
                continue
            if existing and existing.approved_value == count:
                out.append({"indicator": indicator.code, "basis": basis, "count": count, "written": False,
                            "reason": _("无变化")})
                continue
            try:
                report_value(reporter=admin, indicator=indicator, place=place, period=Period(year, "Y", 0),
                             value=Decimal(count), basis=basis, source=FEED_SOURCE, note=_("按资质发证日期统计"))
            except BusinessError as exc:  # a locked year, a plan outside the admin's region: reported back
                out.append({"indicator": indicator.code, "basis": basis, "count": count, "written": False,
                            "reason": str(exc)})
                continue
            out.append({"indicator": indicator.code, "basis": basis, "count": count, "written": True, "reason": ""})
    return out


# The registry holds no certificates before the national scheme began; a later year has nothing to count.
FIRST_FEED_YEAR = 1990


def sync_all(*, admin, year: int, today: datetime.date) -> int:
    """Feed ``year`` into every plan the admin changes; the number of indicator figures written."""
    if not roles.is_bureau_admin(admin):
        raise NotAllowed(_("只有科技局管理员可以同步指标"))
    if not FIRST_FEED_YEAR <= year <= today.year:
        raise BusinessError(_("年度应为1990至%(y)s之间的四位数字") % {"y": today.year}, field="year")
    return sum(1 for plan in Plan.objects.restrict(admin, "change")
               for row in sync_indicators(admin=admin, plan=plan, year=year, today=today) if row["written"])
