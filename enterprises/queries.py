"""Reads: the ladder (梯队), certificate reminders, a portrait's content, indicator feeds."""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from core import roles
from enterprises.models import LADDER, Enterprise, Pool, PoolMember, Qualification, RuleSet, Screening
from enterprises.year_change import year_over_year


def valid_filter(on: datetime.date) -> Q:
    return Q(issued__lte=on) & (Q(expires__isnull=True) | Q(expires__gte=on))


def ladder(enterprises, years: list[int], today: datetime.date) -> dict:
    """Counts at each rung on each year's end (today for the current year) and the year's new recognitions."""
    quals = Qualification.objects.filter(enterprise__in=enterprises, type__in=LADDER)

    def held_on(on: datetime.date) -> list[int]:
        held = dict(quals.filter(valid_filter(on)).values("type").annotate(n=Count("enterprise", distinct=True))
                    .values_list("type", "n"))
        return [held.get(t, 0) for t in LADDER]

    rows = []
    for year in years:
        on = min(datetime.date(year, 12, 31), today)
        new = dict(quals.filter(issued__year=year).values("type").annotate(n=Count("enterprise", distinct=True))
                   .values_list("type", "n"))
        rows.append({"year": year, "on": on, "held": held_on(on), "new": [new.get(t, 0) for t in LADDER]})
    for previous, row in zip(rows, rows[1:], strict=False):
        row["change"] = [now - before for now, before in zip(row["held"], previous["held"], strict=True)]
    # 较上年增减 of every shown year, the first against the end of the year before it (one query more).
    baseline = held_on(datetime.date(years[0] - 1, 12, 31)) if years else None
    for row, changes in zip(rows, year_over_year([row["held"] for row in rows], baseline), strict=True):
        row["yoy"] = changes
    return {"rungs": LADDER, "rows": rows}


def moved_up(enterprises, year: int) -> int:
    """Enterprises that gained a higher rung in the year while already holding a lower one before it."""
    start = datetime.date(year, 1, 1)
    count = 0
    for lower, higher in zip(LADDER, LADDER[1:], strict=False):
        count += (Qualification.objects.filter(enterprise__in=enterprises, type=higher, issued__year=year)
                  .filter(enterprise__qualifications__type=lower, enterprise__qualifications__issued__lt=start)
                  .values("enterprise").distinct().count())
    return count


def pool_counts(enterprises) -> list[tuple[Pool, int]]:
    counts = dict(PoolMember.objects.filter(enterprise__in=enterprises, exited_on__isnull=True).values("pool")
                  .annotate(n=Count("id")).values_list("pool", "n"))
    return [(pool, counts.get(pool.pk, 0)) for pool in Pool.objects.all()]


def expiring(enterprises, today: datetime.date, days: int | None = None):
    """Certificates that expire within ``days`` (a reminder list for the bureau and the enterprise)."""
    days = settings.KECHUANG_CERT_REMINDER_DAYS if days is None else days
    return (Qualification.objects.filter(enterprise__in=enterprises, expires__gte=today,
                                         expires__lte=today + datetime.timedelta(days=days))
            .select_related("enterprise").order_by("expires"))


def new_recognitions(region_prefix: str, kind: str, year: int) -> int:
    return (Qualification.objects.filter(enterprise__region__code__startswith=region_prefix, type=kind,
                                         issued__year=year).values("enterprise").distinct().count())


def held_at(region_prefix: str, kind: str, on: datetime.date) -> int:
    return (Qualification.objects.filter(enterprise__region__code__startswith=region_prefix, type=kind)
            .filter(valid_filter(on)).values("enterprise").distinct().count())


def qualification_timeline(enterprise: Enterprise) -> list[dict]:
    by_type = defaultdict(list)
    for q in enterprise.qualifications.order_by("issued"):
        by_type[q.type].append(q)
    return [{"type": kind, "items": items} for kind, items in by_type.items()]


def may_see_screening(user, screening: Screening) -> bool:
    """A screening lists every firm of its region with its gaps: the region's bureau and leaders only."""
    if not roles.reads_region(user):
        return False
    return roles.is_sysadmin(user) or screening.region.code.startswith(user.scope_prefix)


def visible_screenings(user) -> QuerySet[Screening]:
    """The screenings ``user`` may open (the same rule as ``may_see_screening``), newest first."""
    if not roles.reads_region(user):
        return Screening.objects.none()
    found = Screening.objects.all()
    if not roles.is_sysadmin(user):
        found = found.filter(region__code__startswith=user.scope_prefix)
    return found.select_related("ruleset__region", "region", "job", "created_by")


def ruleset_names() -> dict[str, str]:
    """Code → name of the current shared rule sets, for what names a rule set only by its code (a pool's rule)."""
    return dict(RuleSet.objects.filter(region__isnull=True, is_active=True).values_list("code", "name"))
