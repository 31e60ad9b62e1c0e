"""研发机构设置率: the share of 规上 enterprises that hold an R&D institution of their own, by region and year.

规上 is the enterprise's annual record for the year (``EnterpriseYear.above_scale``, as the imports keep it).
An enterprise holds an R&D institution when it operates (``Platform.operator_uscc``) a platform of a kind in
``ENTERPRISE_RD_KINDS`` — any level — that is not revoked and was recognised by the year's end (a platform
without a recognition date counts: it is on the register). The rate feeds plan indicators through core.feeds.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import feeds
from enterprises.models import Enterprise, EnterpriseYear
from platforms.models import ENTERPRISE_RD_KINDS, Platform, Status

KEY = "rd_coverage"
_TENTH = Decimal("0.1")


def _holding(year: int):
    """Operator codes of the R&D institutions standing at the end of ``year`` (a subquery, not a list)."""
    return (Platform.objects.filter(kind__in=ENTERPRISE_RD_KINDS)
            .exclude(status=Status.REVOKED).exclude(operator_uscc="")
            .filter(Q(recognised_on__isnull=True) | Q(recognised_on__lte=datetime.date(year, 12, 31)))
            .values("operator_uscc"))


def rd_coverage(region_prefix: str, year: int) -> dict:
    """{"enterprises": 规上 count, "with_institution": those holding one, "rate": per cent to 0.1, None if none}.

    One query whatever the region's size: both counts are aggregates over the year's records.
    """
    counts = (EnterpriseYear.objects.filter(year=year, above_scale=True,
                                            enterprise__region__code__startswith=region_prefix)
              .aggregate(enterprises=Count("enterprise_id", distinct=True),
                         with_institution=Count("enterprise_id", distinct=True,
                                                filter=Q(enterprise__uscc__in=_holding(year)))))
    total, holding = counts["enterprises"] or 0, counts["with_institution"] or 0
    rate = None
    if total:
        rate = (Decimal(holding) * 100 / Decimal(total)).quantize(_TENTH, rounding=ROUND_HALF_UP)
    return {"enterprises": total, "with_institution": holding, "rate": rate}


def _compute(region_prefix: str, year: int, today: datetime.date) -> Decimal | None:
    # A region without any 规上 enterprise has no rate (None: the runner writes no figure), not 0%.
    return rd_coverage(region_prefix, year)["rate"]


def _years_from(start: int | None) -> range:
    this_year = timezone.localdate().year
    return range(start if start is not None else this_year, this_year + 1)


def platform_touches(platform: Platform) -> list[tuple[str, int]]:
    """The (region, year)s whose rate a saved or deleted platform changes: its operator's region, from the
    year it was recognised (every year the operator is 规上, when no date is recorded)."""
    if platform.kind not in ENTERPRISE_RD_KINDS or not platform.operator_uscc:
        return []
    region = (Enterprise.objects.filter(uscc=platform.operator_uscc)
              .values_list("region__code", flat=True).first())
    if region is None:
        return []
    if platform.recognised_on is not None:
        return [(region, year) for year in _years_from(platform.recognised_on.year)]
    years = (EnterpriseYear.objects.filter(enterprise__uscc=platform.operator_uscc, above_scale=True)
             .values_list("year", flat=True))
    return [(region, year) for year in sorted(set(years))]


def year_touches(record: EnterpriseYear) -> list[tuple[str, int]]:
    """A changed annual record moves its year's rate only (规上 or not)."""
    firm = record._state.fields_cache.get("enterprise")
    if firm is not None and firm.pk == record.enterprise_id and "region" in firm._state.fields_cache:
        region = firm.region.code
    else:
        region = (Enterprise.objects.filter(pk=record.enterprise_id)
                  .values_list("region__code", flat=True).first())
    return [(region, record.year)] if region and record.year else []


def register_feeds() -> None:
    """Declare the source and what makes it stale (called once when the app is ready)."""
    feeds.register(feeds.Source(key=KEY, label=_("规上工业企业研发机构设置率"), unit="%", compute=_compute,
                                stale_on=("platforms.Platform", "enterprises.EnterpriseYear")))
    feeds.watch(Platform, platform_touches)
    feeds.watch(EnterpriseYear, year_touches)
