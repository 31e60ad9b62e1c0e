"""A few hundred demo enterprises across 平湖 and 嘉善 towns, screened, with pools filled."""

import datetime

from django.db import transaction

from core.models import OrgUnit, Region
from enterprises.models import Enterprise
from enterprises.services import synthetic
from enterprises.services.pools import ensure_pools
from enterprises.services.rulesets import SHIPPED, ensure_shipped
from enterprises.services.screening import screen_now

DEMO_COUNT = 320


@transaction.atomic
def load_demo_enterprises(admin, today: datetime.date) -> int:
    ensure_shipped()
    ensure_pools()
    created = 0
    if not Enterprise.objects.filter(is_demo=True, region__code__startswith="3304").exists():
        towns = list(Region.objects.filter(level="town", code__regex=r"^33048[2]|^330421").order_by("code"))
        years = [today.year - 3, today.year - 2, today.year - 1]
        created = synthetic.create(towns, DEMO_COUNT, years=years, seed=315)
        for county in ("330482", "330421"):
            for kind in SHIPPED:
                screen_now(user=admin, ruleset=kind, on=today, region=Region.objects.get(code=county))
    body = OrgUnit.objects.filter(code="DEMO-ENT-001").first()
    if body is not None and not Enterprise.objects.filter(org_unit=body).exists():
        firm = Enterprise.objects.filter(is_demo=True, region__code="330482101").order_by("uscc").first()
        if firm is not None:
            firm.org_unit = body
            firm.save(update_fields=["org_unit"])
            OrgUnit.objects.filter(pk=body.pk).update(name=firm.name)
    return created
