"""Reads of the figures derived from reported ones: formula values (计算值), roll-ups (镇街道合计), forecasts.

``derive`` takes a place's progress report and adds, per indicator, in three queries whatever the number of
indicators or towns: the formula's value from its inputs at that place and period (never stored: it follows
its inputs as they are revised, and a reported figure, when there is one, stays the official figure), the
roll-up of the places directly under it (towns and parks under a county, counties under a city), and the
year-end projection. The arithmetic is in the pure modules ``formulas``, ``rollup`` and ``forecast``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import OrgKind, OrgUnit
from core.periods import Period
from plans import forecast as projection
from plans import formulas
from plans import rollup as rolls
from plans.models import Indicator, IndicatorKind, IndicatorValue, Plan, Target
from plans.queries import PlanProgress, _pick_value, plan_progress, target_kind
from plans.rules import can_view_place

HISTORY_YEARS = 3  # previous years a seasonal share is taken from


@dataclass
class Derived:
    computed: Decimal | None = None  # the formula's value at this place and period (计算值)
    rollup: rolls.RollUp | None = None
    forecast: projection.Forecast | None = None
    missing_places: list[OrgUnit] = field(default_factory=list)

    @property
    def forecast_text(self) -> str:
        return projection.sentence(self.forecast, self._unit) if self.forecast else ""

    _unit: str = ""


def rollup_label(place: OrgUnit) -> str:
    """What the places under ``place`` add up to is called on the pages: towns under a county, else counties."""
    return str(_("镇街道合计")) if place.kind in (OrgKind.COUNTY, OrgKind.TOWN, OrgKind.PARK) else str(_("区县合计"))


def parsed_formula(indicator: Indicator) -> formulas.Node | None:
    """The indicator's formula, or None for a reported one (a formula saved before a rule changed and no
    longer parsable is treated as none rather than breaking every page)."""
    if not indicator.formula:
        return None
    try:
        return formulas.parse(indicator.formula)
    except formulas.FormulaError:
        return None


def child_places(plan: Plan, place: OrgUnit) -> list[OrgUnit]:
    """The places directly under ``place`` inside the plan: towns and parks of a county, counties of a city."""
    return list(OrgUnit.objects.places().filter(region__code__startswith=plan.region_prefix)
                .filter(Q(region__parent_id=place.region_id) | Q(parent_id=place.pk)).exclude(pk=place.pk)
                .select_related("region").order_by("code"))


def derive(report: PlanProgress, user=None) -> dict[int, Derived]:
    """What each indicator of ``report`` derives; roll-ups only for a ``user`` who may read every place under
    it (a town reporter or a unit sees none: the roll-up names the other towns and their total)."""
    plan, period, place = report.plan, report.period, report.place
    indicators = {i.code: i for i in Indicator.objects.filter(plan=plan)}
    children = child_places(plan, place)
    if user is not None and not all(can_view_place(user, plan, c) for c in children):
        children = []
    child_ids = {c.pk for c in children}
    history_keys = {(period.year - n) * 100 + m for n in range(1, HISTORY_YEARS + 1)
                    for m in (period.end_month, 12)}
    values: dict[tuple[int, int, int], list] = defaultdict(list)
    rows = (IndicatorValue.objects.approved().filter(indicator__plan=plan)
            .filter(Q(place=place, period_end__in=history_keys | {period.end_key})
                    | Q(place_id__in=child_ids, period_end=period.end_key))
            .only("id", "indicator_id", "place_id", "period", "period_end", "basis", "approved_value")
            .order_by())  # the models' orderings would join the plan, region and place tables for nothing
    for v in rows:
        values[(v.indicator_id, v.place_id, v.period_end)].append(v)
    decomposed: dict[int, set[int]] = defaultdict(set)
    for ind_id, unit_id in (Target.objects.filter(indicator__plan=plan, org_unit_id__in=child_ids)
                            .order_by().values_list("indicator_id", "org_unit_id").distinct()):
        decomposed[ind_id].add(unit_id)

    def figure(ind: Indicator, place_id: int, end_key: int, code: str, basis: str | None) -> Decimal | None:
        picked = _pick_value(values[(ind.pk, place_id, end_key)], code, basis)
        return picked.approved_value if picked else None

    by_name = {c.pk: c for c in children}
    out: dict[int, Derived] = {}
    for row in report.rows:
        ind = row.indicator
        node = parsed_formula(ind)
        inputs = [indicators[c] for c in sorted(formulas.references(node)) if c in indicators] if node else []
        item = Derived(_unit=ind.unit)
        if node is not None and len(inputs) == len(formulas.references(node)):
            item.computed = formulas.evaluate(node, {i.code: figure(i, place.pk, period.end_key, period.code, None)
                                                     for i in inputs})
        item.rollup = _rollup(row.actual, ind, node, inputs, row.basis, children, decomposed, figure, period)
        if item.rollup is not None:
            item.missing_places = [by_name[pk] for pk in item.rollup.missing]
        item.forecast = _forecast(row, ind, item.computed, place, figure)
        out[ind.pk] = item
    return out


def _rollup(official, ind: Indicator, node, inputs: list[Indicator], basis: str | None, children, decomposed,
            figure, period: Period) -> rolls.RollUp | None:
    if not children:
        return None
    if node is not None:
        # A formula rolls up through its inputs, each summed over the towns: only inputs that add up.
        if not inputs or any(i.formula or i.kind == IndicatorKind.RATE for i in inputs):
            return None
        method, sources = rolls.FORMULA, inputs
    else:
        method = rolls.rollup_method(target_kind(ind, basis), False)
        if method is None:
            return None
        sources = [ind]
    expected = set().union(*(decomposed.get(i.pk, set()) for i in [ind, *sources]))
    figures = {c.pk: {i.code: figure(i, c.pk, period.end_key, period.code, basis if node is None else None)
                      for i in sources} for c in children}
    if not expected and not any(v is not None for f in figures.values() for v in f.values()):
        return None  # not decomposed to the towns and none reports it: nothing to add up
    return rolls.roll_up(method=method, official=official, children=figures, expected=expected,
                         inputs=[i.code for i in sources], formula=node)


def _forecast(row, ind: Indicator, computed, place: OrgUnit, figure) -> projection.Forecast:
    period = row.period
    actual = row.actual if row.actual is not None else computed
    kind = target_kind(ind, row.basis)
    history, last_year_end = [], None
    if period.months_elapsed < 12:
        for n in range(1, HISTORY_YEARS + 1):
            year = period.year - n
            same = figure(ind, place.pk, year * 100 + period.end_month, _code_at(year, period), row.basis)
            whole = figure(ind, place.pk, year * 100 + 12, str(year), row.basis)
            if same is not None and whole is not None:
                history.append((year, same, whole))
        last_year_end = figure(ind, place.pk, (period.year - 1) * 100 + 12, str(period.year - 1), row.basis)
    return projection.project(kind=kind, actual=actual, months_elapsed=period.months_elapsed, history=history,
                              last_year_end=last_year_end, target=row.annual_target, direction=ind.direction)


def _code_at(year: int, period: Period) -> str:
    return Period(year, period.kind, period.index).code


def forecast_for(plan: Plan, period: Period, place: OrgUnit | None = None,
                 indicators: list[Indicator] | None = None) -> dict[str, projection.Forecast]:
    """Each indicator's year-end projection (by code) for a place (the plan's region by default), for reports:
    ``projection.sentence(f, unit)`` prints it as "预计全年X，目标Y"."""
    report = plan_progress(plan, period, place, indicators=indicators)
    derived = derive(report)
    return {row.indicator.code: derived[row.indicator.pk].forecast for row in report.rows}
