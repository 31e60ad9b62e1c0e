"""The catalogue of common indicators (plans/seed_data/common_indicators.json): entries, the plans'
indicators linked to them, and the demo figures that give a city a period both counties report."""

import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from core.audit import record_change, snapshot
from core.models import ChangeRecord, OrgUnit
from core.periods import Period
from plans.models import CommonIndicator, Indicator, IndicatorValue, ValueStatus

CATALOGUE_FILE = Path(__file__).resolve().parent.parent / "seed_data" / "common_indicators.json"
DEMO_NOTE = "演示数据（市级比较）"


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def link_indicator(*, actor, indicator: Indicator, common: CommonIndicator | None) -> bool:
    """Point a plan's indicator at a catalogue entry (or at none), keeping the indicator's history."""
    if indicator.common_id == (common.pk if common else None):
        return False
    before = snapshot(indicator)
    indicator.common = common
    indicator.save(update_fields=["common"])
    record_change(actor=actor, obj=indicator, action=ChangeRecord.Action.UPDATE, before=before,
                  after=snapshot(indicator))
    return True


@transaction.atomic
def load_catalogue(actor, path: Path = CATALOGUE_FILE) -> list[CommonIndicator]:
    """Create or update the catalogue entries and link the seed plans' indicators that share them."""
    entries = []
    for item in _read(path)["indicators"]:
        fields = {k: item[k] for k in ("name", "unit", "kind", "direction", "basis", "note")}
        entry = CommonIndicator.objects.filter(code=item["code"]).first()
        before = snapshot(entry) if entry else None
        if entry is None:
            entry = CommonIndicator(code=item["code"])
        for name, value in fields.items():
            setattr(entry, name, value)
        if before is None or before != snapshot(entry):
            entry.save()
            record_change(actor=actor, obj=entry,
                          action=ChangeRecord.Action.CREATE if before is None else ChangeRecord.Action.UPDATE,
                          before=before, after=snapshot(entry))
        for member in item["members"]:
            indicator = Indicator.objects.filter(plan__code=member["plan"], code=member["indicator"]).first()
            if indicator is not None:  # a deployment without that seed plan simply has fewer members
                link_indicator(actor=actor, indicator=indicator, common=entry)
        entries.append(entry)
    return entries


@transaction.atomic
def load_demo_figures(actor, path: Path = CATALOGUE_FILE) -> int:
    """County figures marked 演示 where the documents give the counties no common year; never over a figure
    already there (the documents' own or the plan demo's)."""
    created = 0
    for item in _read(path)["demo_figures"]:
        indicator = Indicator.objects.filter(plan__code=item["plan"], code=item["indicator"]).first()
        place = OrgUnit.objects.filter(code=item["place"]).first()
        if indicator is None or place is None:
            continue
        period = Period.parse(item["period"])
        if IndicatorValue.objects.filter(indicator=indicator, place=place, period_end=period.end_key,
                                         basis=item["basis"]).exists():
            continue
        value = Decimal(item["value"])
        row = IndicatorValue.objects.create(
            indicator=indicator, place=place, period=period.code, period_end=period.end_key,
            basis=item["basis"], value=value, approved_value=value, status=ValueStatus.APPROVED,
            note=DEMO_NOTE, reporter=actor, reporter_unit=place, reviewed_by=actor, is_demo=True)
        record_change(actor=actor, obj=row, action=ChangeRecord.Action.CREATE, before=None, after=snapshot(row),
                      note=DEMO_NOTE)
        created += 1
    return created
