"""The figures the qualification registry feeds into plan indicators (registered with core.feeds).

Each source counts distinct enterprises of a region: those recognised in the year (新认定, by issue date) or
those holding a valid certificate at the year's end (有效, or today for the year under way). An indicator
is bound to one of them in its settings; which indicators is never written here.
"""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from core import feeds
from core.models import Region
from enterprises.models import Enterprise, Qualification
from enterprises.queries import held_at, new_recognitions

HITECH, SME = "高新技术企业", "科技型中小企业"
WATCHED = ("enterprises.Qualification",)


def _new(kind: str):
    def compute(region_prefix: str, year: int, today: datetime.date) -> Decimal:
        return Decimal(new_recognitions(region_prefix, kind, year))
    return compute


def _valid(kind: str):
    def compute(region_prefix: str, year: int, today: datetime.date) -> Decimal:
        return Decimal(held_at(region_prefix, kind, min(datetime.date(year, 12, 31), today)))
    return compute


def years_counted(issued: datetime.date, expires: datetime.date | None) -> range:
    """A certificate counts in its issue year (新认定) and at each year-end it is valid at (有效), to this year."""
    last = min(expires.year if expires else issued.year, timezone.localdate().year)
    return range(issued.year, max(last, issued.year) + 1)


def touched(qualification: Qualification) -> list[tuple[str, int]]:
    """The (region, year)s a saved or deleted certificate counts in."""
    # An import saves thousands of certificates of firms it has loaded already: no query per row for those.
    firm = qualification._state.fields_cache.get("enterprise")
    if firm is not None and firm.pk == qualification.enterprise_id:
        region = _region_code(firm.region_id)
    else:
        region = (Enterprise.objects.filter(pk=qualification.enterprise_id)
                  .values_list("region__code", flat=True).first())
    if region is None or qualification.issued is None:
        return []
    return [(region, year) for year in years_counted(qualification.issued, qualification.expires)]


def _region_code(region_id: int) -> str | None:
    # A region's code is its key (GB/T 2260) and is not edited: the process keeps the codes it has met.
    cache = _region_codes
    if region_id not in cache:
        if len(cache) > 10_000:
            cache.clear()
        cache[region_id] = Region.objects.filter(pk=region_id).values_list("code", flat=True).first()
    return cache[region_id]


_region_codes: dict[int, str | None] = {}


def register() -> None:
    for key, label, compute in (
        ("hitech_new", _("新认定高新技术企业数"), _new(HITECH)),
        ("hitech_valid", _("有效高新技术企业数"), _valid(HITECH)),
        ("sme_new", _("新认定科技型中小企业数"), _new(SME)),
        ("sme_valid", _("有效科技型中小企业数"), _valid(SME)),
    ):
        feeds.register(feeds.Source(key=key, label=label, unit=_("家"), compute=compute, stale_on=WATCHED))
    feeds.watch(Qualification, touched)
