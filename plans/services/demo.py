"""Demo towns: decomposed targets and plausible figures so rankings and charts have something to show.

Everything written here is marked ``is_demo`` and its note says 演示数据; the seed figures are never
overwritten.
"""

import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from core.audit import record_change, snapshot
from core.models import ChangeRecord, OrgKind, OrgUnit
from core.periods import Period
from plans.models import IndicatorKind, IndicatorValue, Plan, Target, ValueStatus
from plans.progress import trend_reversals
from plans.queries import TargetBook, plan_place
from plans.services.seed import set_target

# Indicators decomposed to towns, and each town's share of the county target.
DECOMPOSED = {"PH315-2023": ["PH01", "PH03", "PH05", "PH07", "PH08"], "JS-2025": ["JS04", "JS05"]}
DEMO_NOTE = "演示数据"


def _q(value: Decimal, places: int = 2) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _shares(towns: list[OrgUnit], rng: random.Random) -> dict[int, Decimal]:
    weights = [Decimal(rng.randint(6, 20)) for _ in towns]
    total = sum(weights)
    return {t.pk: w / total for t, w in zip(towns, weights, strict=True)}


def _demo_periods(plan: Plan, frequency: str, today) -> list[Period]:
    out = []
    for year in plan.years:
        if frequency == "year":
            candidates = [Period(year, "Y", 0)]
        else:
            candidates = [Period(year, "Q", q) for q in range(1, 5)]
        out.extend(p for p in candidates if (p.year, p.end_month) < (today.year, today.month))
    return out


def _put_value(actor, indicator, place, period: Period, value: Decimal, basis: str, status: str) -> bool:
    if IndicatorValue.objects.filter(indicator=indicator, place=place, period_end=period.end_key,
                                     basis=basis).exists():
        return False
    row = IndicatorValue.objects.create(
        indicator=indicator, place=place, period=period.code, period_end=period.end_key, basis=basis,
        value=value, status=status, approved_value=value if status == ValueStatus.APPROVED else None,
        note=DEMO_NOTE, reporter=actor, reporter_unit=place, is_demo=True,
        reviewed_by=actor if status == ValueStatus.APPROVED else None)
    record_change(actor=actor, obj=row, action=ChangeRecord.Action.CREATE, before=None,
                  after=snapshot(row), note=DEMO_NOTE)
    return True


@transaction.atomic
def load_demo_towns(actor, plan: Plan, seed: int = 315) -> int:
    """Decompose the plan's targets to its towns and parks and fill figures up to last quarter."""
    rng = random.Random(f"{seed}-{plan.code}")
    today = timezone.localdate()
    area = plan_place(plan)
    towns = list(OrgUnit.objects.filter(region__parent=plan.region, kind=OrgKind.TOWN).order_by("code"))
    towns += list(OrgUnit.objects.filter(parent=area, kind=OrgKind.PARK).order_by("code")[:1])
    created = 0
    for ind in plan.indicators.filter(code__in=DECOMPOSED.get(plan.code, [])).order_by("seq"):
        shares = _shares(towns, rng)
        book = TargetBook(list(Target.objects.filter(indicator=ind, org_unit=area)))
        first_new = next((t.value for t in book.targets if t.basis == "new" and t.value is not None), None)
        for year in plan.years:
            if year > today.year:
                break
            year_target = book.year_target(year)
            if year_target is None or year_target.basis == "total":
                # Running totals (累计达) are not split: towns get yearly counts like the first yearly target.
                yearly = first_new
            else:
                yearly = year_target.value
            if yearly is None:
                continue
            growth = Decimal(1) + Decimal("0.06") * (year - plan.start_year)
            basis = "new" if ind.kind == IndicatorKind.CUMULATIVE and ind.unit == "家" else ""
            for town in towns:
                town_year = _q(yearly * growth * shares[town.pk], 0 if ind.unit == "家" else 2)
                set_target(actor=actor, indicator=ind, place=town, period=str(year), value=town_year,
                           basis=basis, text=DEMO_NOTE, is_demo=True)
        for period in _demo_periods(plan, ind.frequency, today):
            for town in towns:
                target = Target.objects.filter(indicator=ind, org_unit=town, period=str(period.year)).first()
                if target is None or target.value is None:
                    continue
                fraction = Decimal(period.months_elapsed) / 12
                performance = Decimal(rng.randint(78, 118)) / 100
                value = _q(target.value * fraction * performance, 0 if ind.unit == "家" else 2)
                latest = period.end_key == max(p.end_key for p in _demo_periods(plan, ind.frequency, today))
                status = ValueStatus.SUBMITTED if latest and rng.random() < 0.3 else ValueStatus.APPROVED
                if latest and rng.random() < 0.1:
                    continue  # a town that has not reported yet, so the overdue list is not empty
                created += _put_value(actor, ind, town, period, value, target.basis, status)
    created += _county_figures(actor, plan, area, rng, today)
    return created


def _county_figures(actor, plan: Plan, area: OrgUnit, rng: random.Random, today) -> int:
    """County-level demo figures around the plan's targets where the documents report none."""
    created = 0
    for ind in plan.indicators.order_by("seq"):
        book = TargetBook(list(Target.objects.filter(indicator=ind, org_unit=area)))
        # Where the plan's own targets reverse (附件1 row 6), figures after the first year would only
        # echo the suspicious target; the warning is the point there, not invented data.
        reversed_trend = bool(trend_reversals(book.years(), ind.direction))
        # A year the documents report on keeps only their figures: invented quarters would contradict them.
        reported_years = {end // 100 for end in IndicatorValue.objects.filter(
            indicator=ind, place=area, is_demo=False).values_list("period_end", flat=True)}
        for period in _demo_periods(plan, ind.frequency, today):
            year = book.year_target(period.year)
            if (year is None or year.basis == "total" or period.year in reported_years
                    or (reversed_trend and period.year > plan.start_year)):
                continue
            explicit = book.explicit(period, year.basis)
            if explicit is not None:
                target = explicit.value
            elif ind.kind == IndicatorKind.CUMULATIVE:
                target = year.value * Decimal(period.months_elapsed) / 12
            else:
                target = year.value
            spread = (92, 112) if ind.direction == "higher" else (100, 100)
            value = _q(target * Decimal(rng.randint(*spread)) / 100, 0 if ind.unit in ("家", "名") else 2)
            created += _put_value(actor, ind, area, period, value, year.basis or "", ValueStatus.APPROVED)
    return created
