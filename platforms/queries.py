"""Reads of the platforms app, each a fixed number of queries: the ranking of a kind and year, a platform's
page, its tables, the instruments' 入网率 / 共享率 / 服务企业家次, incubators against their thresholds, the
sums of a year's tables that feed plan indicators, and an enterprise's own R&D institutions."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext as _

from core import roles, versions
from core.scoping import region_prefix
from platforms.models import (
    ENTERPRISE_RD_KINDS,
    Booking,
    IncubatorFigures,
    IncubatorThreshold,
    Instrument,
    Kind,
    Level,
    PerformanceTable,
    PerformanceTemplate,
    Platform,
    Status,
)
from platforms.services.results import VERSION_KEY

HUNDRED = Decimal(100)


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / whole).quantize(Decimal("0.1"))


def ranking(user, *, kind: str, year: int, region_code: str | None = None) -> list[dict]:
    """The official result of a kind's year in the user's scope, best first: one query whatever the size, the
    columns shown only (no model instances, no JSON columns decoded)."""
    tables = (PerformanceTable.objects.restrict(user)
              .filter(platform__kind=kind, year=year, rank__isnull=False).order_by("rank", "platform__code"))
    if region_code:
        tables = tables.filter(platform__region__code__startswith=region_prefix(region_code))
    names = ("rank", "platform", "name", "region", "score", "grade", "rank_change", "table_id")
    rows = tables.values_list("rank", "platform__code", "platform__name", "platform__region__name", "score", "grade",
                              "rank_change", "pk")
    return [dict(zip(names, row, strict=True)) for row in rows]


def cached_ranking(user, *, kind: str, year: int, region_code: str | None = None) -> list[dict]:
    """The ranking keyed by the platforms' data version and what the user may see."""
    parts = (kind, year, region_code or "", user.role, user.org_unit_id or "", user.scope_prefix)
    return versions.cached("platform-ranking", parts, (VERSION_KEY,),
                           lambda: ranking(user, kind=kind, year=year, region_code=region_code))


def contributions(table: PerformanceTable) -> list[dict]:
    """Each indicator of a scored table: its value, weight and the points it contributed."""
    rows = []
    for item in table.template.indicators:
        source = table.expert_scores if item["rule"]["type"] == "expert" else table.values
        rows.append({"code": item["code"], "name": item["name"], "unit": item.get("unit", ""),
                     "weight": item["weight"], "rule": item["rule"]["type"], "value": source.get(item["code"]),
                     "points": table.contributions.get(item["code"])})
    return rows


def platform_page(user, code: str) -> dict | None:
    platform = (Platform.objects.restrict(user).select_related("region", "town", "operator_unit")
                .filter(code=code).first())
    if platform is None:
        return None
    tables = list(platform.tables.select_related("template").order_by("-year"))
    instruments = list(platform.instruments.annotate(
        served=Count("bookings", filter=Q(bookings__state=Booking.State.SERVED))).order_by("name"))
    return {"platform": platform, "levels": list(platform.levels.order_by("starts_on")),
            "pool": list(platform.pool_periods.order_by("entered_on")),
            "in_pool": any(p.left_on is None for p in platform.pool_periods.all()),
            "tables": tables, "instruments": instruments,
            "figures": list(platform.figures.order_by("-year"))}


def instrument_rates(user, *, year: int, region_code: str | None = None) -> dict:
    """入网率 = shared instruments ÷ instruments of platforms obliged to share; 共享率 = shared instruments
    served to others in the year ÷ shared instruments; 服务企业家次 = served bookings in the year."""
    instruments = Instrument.objects.restrict(user)
    if region_code:
        instruments = instruments.filter(platform__region__code__startswith=region_prefix(region_code))
    served = Booking.objects.filter(instrument=OuterRef("pk"), state=Booking.State.SERVED, used_on__year=year)
    counts = instruments.aggregate(
        obliged=Count("pk", filter=Q(platform__shares_instruments=True)),
        networked=Count("pk", filter=Q(platform__shares_instruments=True, shared=True)),
        shared=Count("pk", filter=Q(shared=True)))
    used = instruments.filter(shared=True).filter(Exists(served)).count()
    visits = Booking.objects.filter(instrument__in=instruments.values("pk"), state=Booking.State.SERVED,
                                    used_on__year=year).count()
    return {"year": year, "obliged": counts["obliged"], "networked": counts["networked"],
            "network_rate": percent(counts["networked"], counts["obliged"]), "shared": counts["shared"],
            "used": used, "share_rate": percent(used, counts["shared"]), "visits": visits}


def incubator_checks(user, *, year: int) -> list[dict]:
    """Each incubator's own counts for the year beside the thresholds that apply to its kind and level."""
    figures = list(IncubatorFigures.objects.restrict(user).filter(year=year).select_related("platform__region"))
    thresholds = defaultdict(list)
    for threshold in IncubatorThreshold.objects.restrict(user):
        thresholds[(threshold.kind, threshold.level)].append(threshold)
    rows = []
    for row in figures:
        platform = row.platform
        for threshold in thresholds.get((platform.kind, platform.level), []):
            gaps = []
            for attr, minimum, label, unit in (("area", threshold.min_area, _("孵化面积"), _("平方米")),
                                               ("incubating", threshold.min_incubating, _("在孵企业"), _("家")),
                                               ("graduated", threshold.min_graduated, _("累计毕业企业"), _("家"))):
                value = getattr(row, attr)
                if minimum is not None and (value is None or value < minimum):
                    gaps.append(_("%(label)s%(value)s，低于%(minimum)s%(unit)s") % {
                        "label": label, "value": "未填" if value is None else value, "minimum": minimum,
                        "unit": unit})
            rows.append({"figures": row, "threshold": threshold, "meets": not gaps, "gaps": gaps})
    return rows


def table_sums(user, *, year: int, region_code: str) -> dict[str, Decimal]:
    """The approved tables' figures summed by item code (the documents' 累计服务本土企业 … across platforms),
    for a region the user reads."""
    from platforms import feeds

    if not roles.reads_region(user):
        return {}
    return feeds.sums(region_prefix(region_code), year)


def labelled_sums(user, *, year: int, region_code: str) -> list[tuple[str, str, Decimal]]:
    """The sums with each item's name and unit, as the year's templates call them."""
    sums = table_sums(user, year=year, region_code=region_code)
    labels = {}
    for indicators in PerformanceTemplate.objects.filter(year=year).values_list("indicators", flat=True):
        for item in indicators:
            labels.setdefault(item["code"], (item["name"], item.get("unit", "")))
    return [(*labels.get(code, (code, "")), total) for code, total in sorted(sums.items())]


def enterprise_institutions(uscc: str) -> list[Platform]:
    """An enterprise's own R&D institutions (研究院, 研发中心, 重点实验室, 院士工作站), for its portrait."""
    return list(Platform.objects.filter(operator_uscc=uscc, kind__in=ENTERPRISE_RD_KINDS)
                .exclude(status=Status.REVOKED).order_by("kind", "name"))


def kind_counts(user, region_code: str | None = None) -> list[dict]:
    platforms = Platform.objects.restrict(user).exclude(status=Status.REVOKED)
    if region_code:
        platforms = platforms.filter(region__code__startswith=region_prefix(region_code))
    rows = list(platforms.values("kind", "level").annotate(n=Count("pk"), area=Sum("area")).order_by("kind", "level"))
    kinds, levels = dict(Kind.choices), dict(Level.choices)
    return [{**row, "kind_label": kinds.get(row["kind"], row["kind"]), "level_label": levels.get(row["level"], row["level"])}
            for row in rows]
