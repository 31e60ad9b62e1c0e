"""Reads of the city's and the province's view: the county plans under a region compared on the
indicators of the common catalogue (rank, value, growth, completion, rank change).

A fixed number of queries whatever the number of counties or indicators: the members, their targets and
their figures are read once each, then handed to the pure rules of ``plans.comparison``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F
from django.http import Http404
from django.utils.translation import gettext as _

from core import roles
from core.models import Region, RegionLevel
from core.periods import Period
from plans import comparison as cmp
from plans import progress as calc
from plans.models import CommonIndicator, Indicator, IndicatorValue, Plan, Target
from plans.queries import TargetBook, target_kind


def county_plans_below(region: Region | None):
    """Plans of the counties strictly inside ``region`` (none for a county itself: it sees only itself)."""
    if region is None or region.level not in (RegionLevel.PROVINCE, RegionLevel.CITY):
        return Plan.objects.none()
    return (Plan.objects.filter(region__code__startswith=region.prefix, region__level=RegionLevel.COUNTY)
            .exclude(region=region))


def compares_counties(user) -> bool:
    """A city's or the province's reader whose region holds county plans: its home is the region view."""
    if not roles.reads_region(user) or roles.is_sysadmin(user):
        return False
    return county_plans_below(user.scope_region).exists()


def visible_region(user, code: str) -> Region:
    """The region of this code if the user reads it (inside its scope), else 404 — also for reporters,
    enterprises and experts, who read no region's comparison."""
    region = None
    # Region codes are digits; anything else (a NUL byte PostgreSQL would refuse) names no region.
    if roles.reads_region(user) and code.isascii() and code.isdigit():
        region = Region.objects.restrict(user).filter(code=code).first()
    if region is None:
        raise Http404(_("未知地区或无权查看"))
    return region


def member_indicators(region: Region):
    """The county plans' indicators linked to the catalogue, newest plan first within a county."""
    return (Indicator.objects.filter(plan__in=county_plans_below(region), common__isnull=False)
            .select_related("plan__region", "common").order_by("plan__region__code", "-plan__start_year", "pk"))


def shared_indicators(region: Region) -> list[CommonIndicator]:
    """Catalogue entries at least two counties of the region have in their plans."""
    counts = (member_indicators(region).order_by().values("common_id")
              .annotate(n=Count("plan__region", distinct=True)).filter(n__gte=2).values("common_id"))
    return list(CommonIndicator.objects.filter(pk__in=counts).order_by("code"))


def resolve_common(text: str) -> CommonIndicator | None:
    """A catalogue entry named by its code or its common name."""
    text = (text or "").strip()
    if not text or "\x00" in text:
        return None
    return CommonIndicator.objects.filter(code=text).first() or CommonIndicator.objects.filter(name=text).first()


@dataclass
class ComparisonRow:
    rank: int | None
    region: Region
    plan: Plan | None
    indicator: Indicator | None
    value: Decimal | None
    growth: Decimal | None
    completion: Decimal | None
    rank_change: int | None
    target: Decimal | None = None
    is_demo: bool = False
    source: str = ""


@dataclass
class Comparison:
    common: CommonIndicator
    period: Period | None  # None: no period has figures of two counties yet
    automatic: bool  # the period was chosen as the latest two counties report
    by: str
    rows: list[ComparisonRow] = field(default_factory=list)

    @property
    def ranked(self) -> int:
        return sum(1 for r in self.rows if r.rank is not None)


def _target(indicator: Indicator, book: TargetBook, period: Period, basis: str) -> Decimal | None:
    """The plan's target for the period, when it is stated in the catalogue's basis (a 累计达 target does not
    judge a year's 新认定 count)."""
    year = book.year_target(period.year)
    if basis and year is not None and year.basis and year.basis != basis:
        year = None
    explicit = book.explicit(period, basis or (year.basis if year else None))
    return calc.period_target(explicit=explicit.value if explicit else None,
                              year_target=year.value if year else None,
                              kind=target_kind(indicator, year.basis if year else None),
                              months_elapsed=period.months_elapsed)


@dataclass
class _Member:
    """One county on one catalogue entry: its linked indicators (newest plan first) and what they hold."""

    region: Region
    indicators: list[Indicator] = field(default_factory=list)
    # indicator id → period end → figures: a lookup reads the few figures of one month, not the years.
    figures: dict[int, dict[int, list[cmp.Figure]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    books: dict[int, TargetBook] = field(default_factory=lambda: defaultdict(TargetBook))

    def ends(self, basis: str) -> set[int]:
        return {end for by_end in self.figures.values() for end, figs in by_end.items()
                if any(f.basis in (basis, "") for f in figs)}

    def choose(self, period: Period, basis: str) -> Indicator:
        """The plan covering the period if it has the figure, else the first plan that has it, else the
        plan covering the period, else the newest."""
        def covers(ind):
            return ind.plan.start_year <= period.year <= ind.plan.end_year

        ordered = sorted(self.indicators, key=lambda ind: not covers(ind))
        for ind in ordered:
            if self.figure(ind, period, basis) is not None:
                return ind
        return ordered[0]

    def figure(self, ind: Indicator, period: Period, basis: str) -> cmp.Figure | None:
        return cmp.pick_figure(self.figures[ind.pk].get(period.end_key, ()), period, basis)

    def at(self, period: Period, basis: str):
        ind = self.choose(period, basis)
        figure = self.figure(ind, period, basis)
        last = self.figure(ind, period.same_period_last_year(), basis)
        return ind, figure, last, _target(ind, self.books[ind.pk], period, basis)


def _members(region: Region, commons: list[CommonIndicator], period: Period | None
             ) -> dict[int, dict[str, _Member]]:
    indicators = list(member_indicators(region).filter(common__in=commons))
    members: dict[int, dict[str, _Member]] = defaultdict(dict)
    by_id = {}
    for ind in indicators:
        member = members[ind.common_id].setdefault(ind.plan.region.code, _Member(ind.plan.region))
        member.indicators.append(ind)
        by_id[ind.pk] = member
    ids = list(by_id)
    # A county's own figures and targets: those of the org unit standing for the plan's region.
    for t in Target.objects.filter(indicator_id__in=ids, org_unit__code=F("indicator__plan__region__code")):
        by_id[t.indicator_id].books[t.indicator_id].targets.append(t)
    rows = (IndicatorValue.objects.approved()
            .filter(indicator_id__in=ids, place__code=F("indicator__plan__region__code"))
            .values_list("indicator_id", "period", "period_end", "basis", "approved_value", "is_demo", "source"))
    if period is not None:
        # A chosen period reads four months' figures: its own, the previous period's and a year before each.
        previous = period.previous()
        rows = rows.filter(period_end__in={p.end_key for p in (period, previous, period.same_period_last_year(),
                                                                previous.same_period_last_year())})
    for ind_id, code, end, basis, value, is_demo, source in rows:
        by_id[ind_id].figures[ind_id][end].append(cmp.Figure(code, end, basis, value, is_demo, source))
    return members


def _compare_one(common: CommonIndicator, members: dict[str, _Member], period: Period | None,
                 by: str) -> Comparison:
    basis = common.basis
    automatic = period is None
    if automatic:
        end = cmp.comparison_end({code: m.ends(basis) for code, m in members.items()})
        period = cmp.period_of_end(end) if end is not None else None
    if period is None:
        return Comparison(common=common, period=None, automatic=True, by=by)
    previous = period.previous()
    inputs, facts = [], {}
    for code in sorted(members):
        member = members[code]
        ind, figure, last, target = member.at(period, basis)
        _p_ind, p_figure, p_last, p_target = member.at(previous, basis)
        inputs.append(cmp.CountyInput(
            key=code, value=figure.value if figure else None, last_year=last.value if last else None,
            target=target, previous_value=p_figure.value if p_figure else None,
            previous_last_year=p_last.value if p_last else None, previous_target=p_target))
        facts[code] = (member.region, ind, figure, target)
    rows = []
    for r in cmp.rank_counties(inputs, by=by, direction=common.direction):
        region, ind, figure, target = facts[r.key]
        rows.append(ComparisonRow(rank=r.rank, region=region, plan=ind.plan, indicator=ind, value=r.value,
                                  growth=r.growth, completion=r.completion, rank_change=r.rank_change,
                                  target=target, is_demo=bool(figure and figure.is_demo),
                                  source=figure.source if figure else ""))
    return Comparison(common=common, period=period, automatic=automatic, by=by, rows=rows)


def region_comparisons(region: Region, commons: list[CommonIndicator] | None = None,
                       period: Period | None = None, by: str = cmp.BY_VALUE) -> list[Comparison]:
    """Each catalogue entry (default: those two counties share) compared across the region's counties, at
    ``period`` or, without one, at the latest period two counties report."""
    if by not in cmp.RANK_BASES:
        raise ValueError(f"by must be one of {cmp.RANK_BASES}, got {by!r}")
    commons = shared_indicators(region) if commons is None else commons
    members = _members(region, commons, period)
    return [_compare_one(common, members.get(common.pk, {}), period, by) for common in commons]


def region_period_choices(region: Region) -> list[Period]:
    """Years and quarters the county plans cover (and the year before, their baseline), newest first."""
    span = county_plans_below(region).order_by().values_list("start_year", "end_year")
    years = [y for start, end in span for y in (start, end)]
    if not years:
        return []
    out = []
    for year in range(max(years), min(years) - 2, -1):
        out.append(Period(year, "Y", 0))
        out += [Period(year, "Q", q) for q in (4, 3, 2, 1)]
    return out


def rank_phrases(plan: Plan, period: Period) -> dict[str, str]:
    """For a county plan's report: where the county stands among the counties of its city on each indicator
    linked to the catalogue, by code — "增速列全市第2位" (by growth; by value where no growth can be worked
    out). Only where at least two counties are ranked at that very period; nothing is guessed."""
    commons = list(CommonIndicator.objects.filter(indicators__plan=plan).distinct())
    # Read, not followed through plan.region: the same number of queries on every call.
    region = Region.objects.filter(pk=plan.region.parent_id).first() if commons else None
    if region is None:
        return {}
    whole = "全省" if region.level == RegionLevel.PROVINCE else "全市"
    out: dict[str, str] = {}
    for by, words in ((cmp.BY_VALUE, "列%s第%d位"), (cmp.BY_GROWTH, "增速列%s第%d位")):
        for comparison in region_comparisons(region, commons, period, by):
            if comparison.ranked < 2:
                continue
            for row in comparison.rows:
                if row.region.pk == plan.region_id and row.rank is not None and row.indicator is not None:
                    out[row.indicator.code] = words % (whole, row.rank)
    return out
