"""Synthetic projects for the scale benchmark (``kechuang generate --projects N``): N projects over five years in
the counties of the synthetic province (codes 99…, else every county), one call a county, year and tier, the
due tranches paid into the ledger; firms are made for it. A new run replaces the previous generated set."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from core.models import Region
from core.models_notice import FundEntry
from enterprises.models import Enterprise
from projects.models import Call, Project, Status, Tier, Tranche
from projects.queries import seed
from projects.services.steps import PROGRAMME, split_tranches

PREFIX = "GENP"
CHUNK = 5000
TIERS = (Tier.MAJOR, Tier.KEY, Tier.GENERAL, Tier.GENERAL, Tier.GENERAL, Tier.FILING)


def _counties() -> list[Region]:
    return list(Region.objects.filter(level="county", code__startswith="99").order_by("code")) or list(
        Region.objects.filter(level="county").order_by("code"))


def _clear() -> None:
    projects = Project.objects.filter(code__startswith=PREFIX)
    entries = list(Tranche.objects.filter(project__in=projects).exclude(fund_entry=None)
                   .values_list("fund_entry_id", flat=True))
    Tranche.objects.filter(project__in=projects).delete()
    projects.delete()
    for start in range(0, len(entries), CHUNK):
        FundEntry.objects.filter(pk__in=entries[start:start + CHUNK]).delete()
    Call.objects.filter(code__startswith=PREFIX).delete()
    Enterprise.objects.filter(uscc__startswith="91GENP").delete()


def generate_projects(count: int, *, seed_value: int = 2027, progress: Callable[[str], None] = print) -> dict:
    rng = random.Random(seed_value)
    today = timezone.localdate()
    years = list(range(today.year - 4, today.year + 1))
    counties = _counties()
    plans = seed()["tranche_plans"]
    project_type = ContentType.objects.get_for_model(Project)
    with transaction.atomic():
        _clear()
        firms, calls = [], {}
        per_county = max(20, count // (len(counties) * 4))
        for c_index, county in enumerate(counties):
            firms.append(Enterprise.objects.bulk_create([Enterprise(
                uscc=f"91GENP{c_index:04d}{n:08d}", name=f"模拟项目企业{county.code}-{n}", region=county,
                is_demo=True) for n in range(per_county)]))
            for year in years:
                for tier in set(TIERS):
                    calls[county.pk, year, tier] = Call(
                        code=f"{PREFIX}-{county.code}-{year}-{tier}", region=county, year=year, tier=tier,
                        title=f"{year}年模拟{Tier(tier).label}项目", budget=Decimal("100000000"), quota=0,
                        opens_on=datetime.date(year, 3, 1), closes_on=datetime.date(year, 4, 30),
                        tranches=plans.get(tier, []), midterm=tier in (Tier.MAJOR, Tier.KEY), is_demo=True)
        Call.objects.bulk_create(list(calls.values()))
        made = 0
        while made < count:
            rows = []
            for _ in range(min(CHUNK, count - made)):
                c_index = rng.randrange(len(counties))
                county, year, tier = counties[c_index], rng.choice(years), rng.choice(TIERS)
                amount = Decimal(rng.randrange(50, 2000) * 1000)
                made += 1
                rows.append(Project(
                    code=f"{PREFIX}{year}-{made:07d}", call=calls[county.pk, year, tier], year=year, tier=tier,
                    region=county, enterprise=rng.choice(firms[c_index]), title=f"模拟项目{made}",
                    starts_on=datetime.date(year, 7, 1), ends_on=datetime.date(year + 2, 6, 30), requested=amount,
                    own_funds=amount, status=Status.CLOSED if tier == Tier.FILING else Status.EXECUTING,
                    review_score=None if tier == Tier.FILING else Decimal(rng.randint(6000, 9500)) / 100,
                    approved_amount=amount, approved_on=datetime.date(year, 6, 15), is_demo=True))
            Project.objects.bulk_create(rows)
            tranches, entries = [], []
            for p in rows:
                plan = [{"name": "后补助", "share": "1", "on": "approved"}] if p.tier == Tier.FILING else p.call.tranches
                for seq, (name, on, value) in enumerate(split_tranches(plan, p.approved_amount), start=1):
                    due = on in ("approved", "contract")
                    day = datetime.date(p.year, 7, 20)
                    t = Tranche(project=p, seq=seq, name=name, on=on, amount=value, due_on=day if due else None,
                                paid=value if due else Decimal("0"), paid_on=day if due else None)
                    tranches.append(t)
                    if due:
                        entries.append((t, FundEntry(
                            programme=PROGRAMME, policy_item=p.call.title, region=p.region,
                            recipient_name=p.enterprise.name, recipient_uscc=p.enterprise.uscc, fiscal_year=p.year,
                            approved=value, paid=value, approved_on=day, due_on=day, paid_on=day,
                            content_type=project_type, object_id=str(p.pk), note=p.code, is_demo=True)))
            FundEntry.objects.bulk_create([e for _t, e in entries])
            for t, e in entries:
                t.fund_entry = e
            Tranche.objects.bulk_create(tranches)
            progress(f"科技计划项目 {made}/{count}")
    return {"projects": made, "calls": len(calls), "counties": len(counties)}
