"""Loads the plans transcribed from the source documents (plans/seed_data/plans.json)."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import record_change, snapshot
from core.models import ChangeRecord, OrgKind, OrgUnit, Region
from core.periods import Period
from core.seed import find_unit
from plans.models import (
    Action,
    ActionTask,
    ActionTaskUnit,
    Indicator,
    IndicatorResponsibility,
    IndicatorValue,
    Plan,
    Target,
)
from plans.services.feeds import seed_feeds
from plans.services.values import report_value

SEED_FILE = Path(__file__).resolve().parent.parent / "seed_data" / "plans.json"


def _unit(name: str, region: Region) -> OrgUnit:
    unit = find_unit(name, region)
    if unit is None:
        raise ValueError(_("参考数据中没有单位“%(name)s”（%(region)s）") % {"name": name, "region": region.name})
    return unit


def set_target(*, actor, indicator: Indicator, place: OrgUnit, period: str, value: Decimal | None,
               basis: str = "", text: str = "", is_demo: bool = False) -> Target:
    """Create or change a target, keeping its history."""
    p = Period.parse(period)
    target = Target.objects.filter(indicator=indicator, org_unit=place, period=p.code).first()
    before = snapshot(target) if target else None
    if target is None:
        target = Target(indicator=indicator, org_unit=place, period=p.code)
    target.period_end, target.value, target.basis, target.text, target.is_demo = (
        p.end_key, value, basis or "", text, is_demo)
    after_values = snapshot(target)
    if before is not None and {k: v for k, v in before.items() if k != "id"} == {
            k: v for k, v in after_values.items() if k != "id"}:
        return target
    target.save()
    record_change(actor=actor, obj=target,
                  action=ChangeRecord.Action.CREATE if before is None else ChangeRecord.Action.UPDATE,
                  before=before, after=snapshot(target))
    return target


@transaction.atomic
def load_plans(actor, path: Path = SEED_FILE) -> list[Plan]:
    """Create or update the seed plans with their actions, tasks, indicators, targets and reported figures."""
    data = json.loads(path.read_text(encoding="utf-8"))
    plans = []
    for item in data["plans"]:
        region = Region.objects.get(code=item["region"])
        place = OrgUnit.objects.get(code=region.code)
        plan, _created = Plan.objects.update_or_create(code=item["code"], defaults={
            "name": item["name"], "region": region, "issuer": item["issuer"],
            "issued_on": datetime.date.fromisoformat(item["issued_on"]) if item["issued_on"] else None,
            "start_year": item["start_year"], "end_year": item["end_year"],
            "goals_text": item["goals_text"], "source": item["source"][:300]})
        for a in item["actions"]:
            action, _c = Action.objects.update_or_create(plan=plan, number=a["number"],
                                                         defaults={"title": a["title"]})
            for t in a["tasks"]:
                task, _c = ActionTask.objects.update_or_create(
                    action=action, number=t["number"], defaults={"title": t["title"], "content": t["content"]})
                task.unit_links.all().delete()
                for pos, name in enumerate(t["units"]):
                    ActionTaskUnit.objects.create(task=task, org_unit=_unit(name, region), position=pos)
        for i in item["indicators"]:
            ind, _c = Indicator.objects.update_or_create(plan=plan, code=i["code"], defaults={
                "seq": i["seq"], "name": i["name"], "printed_name": i["printed_name"], "unit": i["unit"],
                "kind": i["kind"], "direction": i["direction"], "frequency": i["frequency"],
                "note": i.get("note", "")})
            ind.unit_links.all().delete()
            for pos, name in enumerate(i["responsible_units"]):
                IndicatorResponsibility.objects.create(indicator=ind, org_unit=_unit(name, region), position=pos)
            for t in i["targets"]:
                set_target(actor=actor, indicator=ind, place=place, period=t["period"],
                           value=Decimal(t["value"]) if t["value"] is not None else None,
                           basis=t["basis"] or "", text=t["text"])
            # Which 口径 the registry's counts feed is read from the document's own wording (see "quote").
            seed_feeds(actor=actor, indicator=ind, items=i.get("feeds", []))
        plans.append(plan)
    for v in data["values"]:
        ind = Indicator.objects.select_related("plan__region").get(plan__code=v["plan"], code=v["indicator"])
        place = OrgUnit.objects.get(code=v["place"], kind__in=[OrgKind.COUNTY, OrgKind.CITY, OrgKind.TOWN])
        value = Decimal(v["value"])
        existing = IndicatorValue.objects.filter(indicator=ind, place=place, period=v["period"],
                                                 basis=v["basis"] or "").first()
        if existing and existing.approved_value == value and existing.source == v["source"][:300]:
            continue
        report_value(reporter=actor, indicator=ind, place=place, period=Period.parse(v["period"]), value=value,
                     basis=v["basis"] or "", source=v["source"][:300], note=_("来源文件报告的数据"))
    return plans
