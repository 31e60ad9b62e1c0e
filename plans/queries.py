"""Reads: plan progress, rankings, trends and data-quality warnings.

Each function runs a fixed number of queries whatever the number of rows, then hands plain values to the
arithmetic in plans.progress.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from core import roles, versions
from core.models import OrgUnit
from core.periods import Period, picker_periods
from plans import caching
from plans import progress as calc
from plans.models import (
    FeedConflict,
    Frequency,
    Indicator,
    IndicatorFeed,
    IndicatorResponsibility,
    IndicatorValue,
    Plan,
    Target,
)
from plans.rules import can_view_place

FREQUENCY_KIND = {Frequency.MONTH: "M", Frequency.QUARTER: "Q", Frequency.YEAR: "Y"}


def plan_place(plan: Plan) -> OrgUnit:
    """The org unit that stands for the plan's region as a whole (平湖市 for 平湖's plan)."""
    # Asked by every plan page: kept by the plan's and the places' versions, which the page reads anyway.
    return versions.cached("plan-place", (plan.pk, plan.region.code), caching.version_keys(plan),
                           lambda: OrgUnit.objects.get(code=plan.region.code))


def visible_place_ids(user, plan: Plan) -> set[int]:
    """Ids of the plan's places ``user`` may read (a town: itself and the county; a unit: the county)."""
    places = OrgUnit.objects.places().filter(region__code__startswith=plan.region_prefix).select_related("region")
    return {p.pk for p in places if can_view_place(user, plan, p)}


def default_plan(user, with_tasks: bool = False) -> Plan | None:
    """The plan a menu entry opens: the user's region's own, newest first (with key tasks, for supervision)."""
    plans = Plan.objects.restrict(user)
    if with_tasks:
        plans = plans.filter(key_tasks__isnull=False).distinct()
    return plans.order_by("region__code", "-start_year").first()


def plan_indicators(plan: Plan):
    return (Indicator.objects.filter(plan=plan).order_by("seq", "code")
            .prefetch_related(Prefetch("unit_links", queryset=IndicatorResponsibility.objects
                                       .select_related("org_unit"))))


@dataclass
class TargetBook:
    """The targets of one indicator for one place, looked up the way the progress rules need."""

    targets: list[Target] = field(default_factory=list)

    def years(self) -> dict[int, tuple[Decimal | None, str | None]]:
        return {int(t.period): (t.value, t.basis or None) for t in self.targets if len(t.period) == 4}

    def year_target(self, year: int) -> calc.YearTarget | None:
        return calc.year_target(year, self.years())

    def explicit(self, period: Period, basis: str | None) -> Target | None:
        """A target for a period ending when ``period`` ends (Q2 ≡ H1 ≡ June), the exact code first."""
        same_end = [t for t in self.targets if t.period_end == period.end_key and t.value is not None
                    and (basis is None or (t.basis or None) == basis)]
        same_end.sort(key=lambda t: (t.period != period.code, len(t.period)))
        return same_end[0] if same_end else None

    def words(self, year: int) -> str:
        for t in self.targets:
            if t.period == str(year) and t.value is None:
                return t.text
        return ""


def _pick_value(values: list, period_code: str, basis: str | None):
    """Among approved figures ending at the same month, the exact period and the target's basis first."""
    if not values:
        return None
    wanted = basis or ""
    ranked = sorted(values, key=lambda v: (v.basis != wanted, v.basis != "", v.period != period_code,
                                           -len(v.period)))
    best = ranked[0]
    if basis and best.basis not in (wanted, ""):
        return None
    return best


def target_kind(indicator: Indicator, basis: str | None) -> str:
    """A running-total target (累计达) is a level even on a yearly-flow indicator: it is not prorated."""
    return "stock" if basis == "total" else indicator.kind


@dataclass
class IndicatorProgress:
    indicator: Indicator
    period: Period
    actual: Decimal | None
    target: Decimal | None
    target_derived: bool
    completion: Decimal | None
    annual_target: Decimal | None
    annual_target_derived: bool
    annual_completion: Decimal | None
    status: str
    yoy_growth: Decimal | None
    basis: str | None
    target_words: str = ""
    value_id: int | None = None
    value_is_demo: bool = False
    value_source: str = ""
    trend: list[tuple[str, Decimal | None, Decimal | None]] = field(default_factory=list)


def indicator_progress(indicator: Indicator, period: Period, book: TargetBook, values_now: list,
                       values_last_year: list, *, green: Decimal, yellow: Decimal) -> IndicatorProgress:
    year = book.year_target(period.year)
    basis = year.basis if year else None
    explicit = book.explicit(period, basis)
    if explicit is not None and year is None:
        basis = explicit.basis or None
    target = calc.period_target(explicit=explicit.value if explicit else None,
                                year_target=year.value if year else None, kind=target_kind(indicator, basis),
                                months_elapsed=period.months_elapsed)
    derived = explicit is None and target is not None and (period.kind != "Y" or (year and year.derived))
    value = _pick_value(values_now, period.code, basis)
    actual = value.approved_value if value else None
    last = _pick_value(values_last_year, period.same_period_last_year().code, basis)
    comp = calc.completion(actual, target, indicator.direction)
    annual_target = year.value if year else None
    return IndicatorProgress(
        indicator=indicator, period=period, actual=actual, target=target, target_derived=bool(derived),
        completion=comp, annual_target=annual_target, annual_target_derived=bool(year and year.derived),
        annual_completion=calc.completion(actual, annual_target, indicator.direction),
        status=calc.status(actual=actual, target=target, completion=comp, direction=indicator.direction,
                           green=green, yellow=yellow),
        yoy_growth=calc.yoy_growth(actual, last.approved_value if last else None),
        basis=basis, target_words=book.words(period.year),
        value_id=value.pk if value else None, value_is_demo=bool(value and value.is_demo),
        value_source=value.source if value else "",
    )


@dataclass
class PlanProgress:
    plan: Plan
    period: Period
    place: OrgUnit
    time_progress: Decimal
    rows: list[IndicatorProgress]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


def plan_progress(plan: Plan, period: Period, place: OrgUnit | None = None, *, with_trend: bool = False,
                  indicators: list[Indicator] | None = None) -> PlanProgress:
    place = place or plan_place(plan)
    indicators = indicators if indicators is not None else list(plan_indicators(plan))
    books: dict[int, TargetBook] = defaultdict(TargetBook)
    for t in Target.objects.filter(indicator__plan=plan, org_unit=place):
        books[t.indicator_id].targets.append(t)
    last_key = period.same_period_last_year().end_key
    keys = [period.end_key, last_key]
    if with_trend:
        keys = list(range((period.year - 1) * 100 + 1, period.end_key + 1))
    values = (IndicatorValue.objects.approved()
              .filter(indicator__plan=plan, place=place, period_end__in=keys)
              .only("id", "indicator_id", "period", "period_end", "basis", "approved_value", "is_demo", "source"))
    by_key: dict[tuple[int, int], list] = defaultdict(list)
    for v in values:
        by_key[(v.indicator_id, v.period_end)].append(v)
    rows = []
    for ind in indicators:
        book = books[ind.pk]
        row = indicator_progress(ind, period, book, by_key[(ind.pk, period.end_key)],
                                 by_key[(ind.pk, last_key)], green=plan.green_threshold,
                                 yellow=plan.yellow_threshold)
        if with_trend:
            row.trend = _trend(ind, period, book, by_key, row.basis)
        rows.append(row)
    return PlanProgress(plan=plan, period=period, place=place,
                        time_progress=calc.time_progress(period.months_elapsed), rows=rows)


def _trend_periods(indicator: Indicator, period: Period) -> list[Period]:
    kind = FREQUENCY_KIND[indicator.frequency]
    out = []
    for year in (period.year - 1, period.year):
        if kind == "Y":
            candidates = [Period(year, "Y", 0)]
        elif kind == "Q":
            candidates = [Period(year, "Q", q) for q in range(1, 5)]
        else:
            candidates = [Period(year, "M", m) for m in range(1, 13)]
        out.extend(p for p in candidates if p.end_key <= period.end_key)
    return out


def _trend(indicator, period, book: TargetBook, by_key, basis) -> list[tuple[str, Decimal | None, Decimal | None]]:
    points = []
    for p in _trend_periods(indicator, period):
        value = _pick_value(by_key[(indicator.pk, p.end_key)], p.code, basis)
        year = book.year_target(p.year)
        explicit = book.explicit(p, year.basis if year else None)
        target = calc.period_target(explicit=explicit.value if explicit else None,
                                    year_target=year.value if year else None,
                                    kind=target_kind(indicator, year.basis if year else None),
                                    months_elapsed=p.months_elapsed)
        points.append((p.code, value.approved_value if value else None, target))
    return points


def latest_period(plan: Plan, place: OrgUnit | None = None) -> Period:
    """The latest period with an approved figure for the plan's region, or the plan's first year."""
    place = place or plan_place(plan)
    row = (IndicatorValue.objects.approved().filter(indicator__plan=plan, place=place)
           .order_by("-period_end", "period").values_list("period", "period_end").first())
    if row is None:
        return Period(plan.start_year, "Y", 0)
    end = row[1]
    month = end % 100
    if month == 12:
        return Period(end // 100, "Y", 0)
    if month % 3 == 0:
        return Period(end // 100, "Q", month // 3)
    return Period(end // 100, "M", month)


@dataclass
class RankRow:
    rank: int | None
    org_unit: OrgUnit
    value: Decimal | None
    target: Decimal | None
    completion: Decimal | None
    growth: Decimal | None
    rank_change: int | None
    status: str


def ranking(plan: Plan, indicator: Indicator, period: Period, by: str = "completion") -> list[RankRow]:
    """Places that report the indicator ranked by completion, value or growth, with the change of rank."""
    area = plan_place(plan)
    previous = period.previous()
    books: dict[int, TargetBook] = defaultdict(TargetBook)
    for t in Target.objects.filter(indicator=indicator).exclude(org_unit=area):
        books[t.org_unit_id].targets.append(t)
    keys = {period.end_key, previous.end_key, period.same_period_last_year().end_key,
            previous.same_period_last_year().end_key}
    by_key: dict[tuple[int, int], list] = defaultdict(list)
    for v in (IndicatorValue.objects.approved().filter(indicator=indicator, period_end__in=keys)
              .exclude(place=area).only("id", "place_id", "period", "period_end", "basis", "approved_value",
                                        "is_demo", "source")):
        by_key[(v.place_id, v.period_end)].append(v)
    place_ids = set(books) | {pid for pid, _key in by_key}
    places = {u.pk: u for u in OrgUnit.objects.filter(pk__in=place_ids).select_related("region")}
    green, yellow = plan.green_threshold, plan.yellow_threshold

    def evaluate(p: Period) -> dict[int, IndicatorProgress]:
        last_key = p.same_period_last_year().end_key
        return {pid: indicator_progress(indicator, p, books[pid], by_key[(pid, p.end_key)],
                                        by_key[(pid, last_key)], green=green, yellow=yellow)
                for pid in places}

    now, before = evaluate(period), evaluate(previous)
    metric = {"completion": lambda r: r.completion, "value": lambda r: r.actual,
              "growth": lambda r: r.yoy_growth}[by]
    descending = not (by == "value" and indicator.direction == "lower")
    ranks = calc.competition_ranks([(pid, metric(r)) for pid, r in now.items()], descending=descending)
    previous_ranks = calc.competition_ranks([(pid, metric(r)) for pid, r in before.items()],
                                            descending=descending)
    changes = calc.rank_changes(ranks, previous_ranks)
    rows = [RankRow(rank=ranks[pid], org_unit=places[pid], value=r.actual, target=r.target,
                    completion=r.completion, growth=r.yoy_growth, rank_change=changes[pid], status=r.status)
            for pid, r in now.items()]
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.org_unit.code))
    return rows


def due_periods(indicator: Indicator, plan: Plan, today: datetime.date) -> list[Period]:
    """Periods of the indicator's frequency inside the plan whose reporting deadline has passed."""
    kind = FREQUENCY_KIND[indicator.frequency]
    out = []
    for year in plan.years:
        if kind == "Y":
            periods = [Period(year, "Y", 0)]
        elif kind == "Q":
            periods = [Period(year, "Q", q) for q in range(1, 5)]
        else:
            periods = [Period(year, "M", m) for m in range(1, 13)]
        for p in periods:
            end = datetime.date(p.year + p.end_month // 12, p.end_month % 12 + 1, 1)
            if end + datetime.timedelta(days=plan.report_deadline_days) <= today:
                out.append(p)
    return out


def indicator_warnings(plan: Plan, indicators: list[Indicator] | None = None,
                       today: datetime.date | None = None) -> dict[int, list[calc.Warning]]:
    """Data-quality warnings per indicator: reversed targets, missing reports, values off their history."""
    today = today or timezone.localdate()
    area = plan_place(plan)
    indicators = indicators if indicators is not None else list(plan_indicators(plan))
    books: dict[int, TargetBook] = defaultdict(TargetBook)
    for t in Target.objects.filter(indicator__plan=plan, org_unit=area):
        books[t.indicator_id].targets.append(t)
    reported: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for ind_id, end, basis, value in (IndicatorValue.objects.filter(indicator__plan=plan, place=area)
                                      .values_list("indicator_id", "period_end", "basis", "value")):
        reported[ind_id][end].append((basis, value))
    result: dict[int, list[calc.Warning]] = {}
    for ind in indicators:
        found = calc.trend_reversals(books[ind.pk].years(), ind.direction)
        missing = [p for p in due_periods(ind, plan, today) if p.end_key not in reported[ind.pk]]
        if missing:
            labels = "、".join(p.label for p in missing[:6]) + ("等" if len(missing) > 6 else "")
            found.append(calc.Warning(
                code=calc.MISSING_REPORT, period=missing[-1].code,
                message=_("%(n)s个期间已过填报期限仍未填报：%(labels)s") % {"n": len(missing), "labels": labels}))
        ends = sorted(reported[ind.pk])
        if ends:
            latest = ends[-1]
            same_month = [v for end in ends if end != latest and end % 100 == latest % 100
                          for b, v in reported[ind.pk][end] if b == ""]
            current = [v for b, v in reported[ind.pk][latest] if b == ""]
            if current:
                flagged = calc.outlier(current[0], same_month)
                if flagged:
                    found.append(calc.Warning(code=flagged.code, message=flagged.message,
                                              period=f"{latest // 100}-{latest % 100:02d}"))
        result[ind.pk] = found
    return result


def own_town(user) -> OrgUnit | None:
    """The town a town reporter reports for: its pages open on it and it is shown only its own standing."""
    if roles.is_town_reporter(user) and user.org_unit_id:
        return user.org_unit
    return None


def overdue_places(plan: Plan, indicator: Indicator, today: datetime.date | None = None,
                   user=None) -> tuple[Period | None, list[OrgUnit]]:
    """Places with a target for the indicator that have not reported its latest due period.

    With ``user`` a town reporter sees only whether its own town is late, not the other towns' standing.
    """
    due = due_periods(indicator, plan, today or timezone.localdate())
    if not due:
        return None, []
    period = due[-1]
    area = plan_place(plan)
    expected = set(Target.objects.filter(indicator=indicator).exclude(org_unit=area)
                   .values_list("org_unit_id", flat=True))
    done = set(IndicatorValue.objects.filter(indicator=indicator, period_end=period.end_key)
               .values_list("place_id", flat=True))
    late = list(OrgUnit.objects.filter(pk__in=expected - done).order_by("code"))
    if user is not None and roles.is_town_reporter(user):
        late = [u for u in late if u.pk == user.org_unit_id]
    return period, late


def reportable(plan: Plan, user) -> list[tuple[Indicator, OrgUnit]]:
    """The (indicator, place) pairs a user reports for a plan, in the plan's order."""
    indicators = list(plan_indicators(plan))
    if roles.is_town_reporter(user) and user.org_unit_id:
        decomposed = set(Target.objects.filter(indicator__plan=plan, org_unit_id=user.org_unit_id)
                         .values_list("indicator_id", flat=True))
        return [(ind, user.org_unit) for ind in indicators if ind.pk in decomposed]
    area = plan_place(plan)
    if roles.is_unit_reporter(user) and user.org_unit_id:
        return [(ind, area) for ind in indicators
                if any(link.org_unit_id == user.org_unit_id for link in ind.unit_links.all())]
    if roles.manages_region(user, plan.region.code):
        return [(ind, area) for ind in indicators]
    return []


@dataclass
class EntryRow:
    indicator: Indicator
    place: OrgUnit
    progress: IndicatorProgress
    current: IndicatorValue | None

    @property
    def key(self) -> str:
        return f"{self.indicator.pk}-{self.place.pk}"


def entry_rows(plan: Plan, user, period: Period, place: OrgUnit | None = None) -> list[EntryRow]:
    """The data-entry form: what the user reports for ``period``, each with its target and current figure."""
    pairs = reportable(plan, user)
    if place is not None:
        if user.is_bureau_admin:
            pairs = [(ind, place) for ind, _p in pairs]
        else:
            pairs = [(ind, p) for ind, p in pairs if p.pk == place.pk]
    if not pairs:
        return []
    by_place: dict[int, list[Indicator]] = defaultdict(list)
    places = {}
    for ind, p in pairs:
        by_place[p.pk].append(ind)
        places[p.pk] = p
    progress_rows = {}
    for pid, inds in by_place.items():
        for row in plan_progress(plan, period, places[pid], indicators=inds).rows:
            progress_rows[(row.indicator.pk, pid)] = row
    current = {}
    for v in IndicatorValue.objects.filter(indicator__plan=plan, place_id__in=list(places), period=period.code):
        current.setdefault((v.indicator_id, v.place_id, v.basis), v)
    out = []
    for ind, p in pairs:
        progress_row = progress_rows[(ind.pk, p.pk)]
        basis = progress_row.basis or ""
        out.append(EntryRow(ind, p, progress_row, current.get((ind.pk, p.pk, basis))))
    return out


def review_queue(plan: Plan, user):
    """Submitted figures waiting for this admin, oldest first."""
    return (IndicatorValue.objects.restrict(user, "change").filter(indicator__plan=plan, status="submitted")
            .select_related("indicator", "place", "reporter", "reporter_unit").order_by("updated_at", "id"))


def completions_by_place(plan: Plan, period: Period, indicators: list[Indicator] | None = None
                         ) -> dict[int, dict[str, Decimal | None]]:
    """Each place's completion of every indicator decomposed to it (three queries for the whole plan)."""
    indicators = indicators if indicators is not None else list(plan_indicators(plan))
    area = plan_place(plan)
    books: dict[tuple[int, int], TargetBook] = defaultdict(TargetBook)
    for t in Target.objects.filter(indicator__plan=plan).exclude(org_unit=area):
        books[(t.indicator_id, t.org_unit_id)].targets.append(t)
    last_key = period.same_period_last_year().end_key
    by_key: dict[tuple[int, int, int], list] = defaultdict(list)
    for v in (IndicatorValue.objects.approved().filter(indicator__plan=plan, period_end__in=[period.end_key, last_key])
              .exclude(place=area).only("id", "indicator_id", "place_id", "period", "period_end", "basis",
                                        "approved_value", "is_demo", "source")):
        by_key[(v.indicator_id, v.place_id, v.period_end)].append(v)
    out: dict[int, dict[str, Decimal | None]] = defaultdict(dict)
    for (indicator_id, place_id), book in books.items():
        ind = next(i for i in indicators if i.pk == indicator_id)
        row = indicator_progress(ind, period, book, by_key[(indicator_id, place_id, period.end_key)],
                                 by_key[(indicator_id, place_id, last_key)], green=plan.green_threshold,
                                 yellow=plan.yellow_threshold)
        out[place_id][ind.code] = row.completion
    return dict(out)


# --- derived figures: formula values, roll-ups and forecasts live in plans.derived ---------------------


def forecast_for(plan: Plan, period: Period, place: OrgUnit | None = None,
                 indicators: list[Indicator] | None = None) -> dict:
    """Each indicator's year-end projection by code (``plans.forecast.Forecast``), for reports and other apps.

    ``plans.forecast.sentence(f, unit)`` prints one as "预计全年X，目标Y". plans.derived reads through this
    module, hence the import here.
    """
    from plans.derived import forecast_for as derived_forecasts

    return derived_forecasts(plan, period, place, indicators)


# --- what plan pages and other apps' pages start from -------------------------------------------------


def visible_plan(request, code: str) -> Plan:
    """The plan of this code if the signed-in user may see it, else 404 (every plan page starts here)."""
    return get_object_or_404(Plan.objects.restrict(request.user).select_related("region"), code=code)


# The periods each reporting frequency is entered in; the year is always offered, since targets are yearly.
_FREQUENCY_KINDS = {Frequency.MONTH: "M", Frequency.QUARTER: "Q", Frequency.YEAR: "Y"}


def period_choices(plan: Plan, indicators: list[Indicator] | None = None,
                   today: datetime.date | None = None) -> list[Period]:
    """The period picker: the frequencies of ``indicators`` (default: the plan's), plus years, from the
    baseline year up to the current period (nothing not yet begun), newest first."""
    if indicators is None:
        frequencies = set(Indicator.objects.filter(plan=plan).values_list("frequency", flat=True).distinct())
    else:
        frequencies = {ind.frequency for ind in indicators}
    kinds = {"Y"} | {_FREQUENCY_KINDS[f] for f in frequencies if f in _FREQUENCY_KINDS}
    today = today or timezone.localdate()
    # A plan that has not begun still offers its baseline year, so the picker is never empty.
    today = max(today, datetime.date(plan.start_year - 1, 12, 31))
    return picker_periods(kinds, plan.start_year - 1, plan.end_year, today)
def feed_settings(plan: Plan) -> list[tuple[Indicator, list]]:
    """The plan's indicators each with its bindings to the platform's sources (plans.services.feeds)."""
    bindings = defaultdict(list)
    for binding in IndicatorFeed.objects.filter(indicator__plan=plan):
        bindings[binding.indicator_id].append(binding)
    return [(ind, bindings[ind.pk]) for ind in Indicator.objects.filter(plan=plan).order_by("seq", "code")]


def feed_conflicts(plan: Plan):
    """Open conflicts first, then the decided ones with who chose what and when (the history)."""
    return (FeedConflict.objects.filter(indicator__plan=plan)
            .select_related("indicator", "place", "decided_by")
            .annotate(open_first=Case(When(decision=FeedConflict.Decision.OPEN, then=Value(0)), default=Value(1),
                                      output_field=IntegerField()))
            .order_by("open_first", "-decided_at", "-created_at", "-id"))
