"""Synthetic vouchers for the scale benchmark (``kechuang generate --vouchers N``): N claims over five policy
years in the counties of the synthetic province (codes 99…, else every county), four batches a county and
year, paid claims in the ledger and this year's last batch still in 公示. Firms and providers are made for it.
A new run replaces the previous generated set."""

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
from vouchers.models import Batch, BatchStatus, CatalogueItem, Claim, ClaimStatus, Provider, SubsidyRule
from vouchers.services.demo import seed
from vouchers.services.steps import PROGRAMME

PREFIX = "GENV"
CHUNK = 5000
QUARTERS = ((1, 3), (4, 6), (7, 9), (10, 12))


def _counties() -> list[Region]:
    return list(Region.objects.filter(level="county", code__startswith="99").order_by("code")) or list(
        Region.objects.filter(level="county").order_by("code"))


def _clear() -> None:
    claims = Claim.objects.filter(code__startswith=PREFIX)
    entries = list(claims.exclude(fund_entry=None).values_list("fund_entry_id", flat=True))
    claims.delete()
    for start in range(0, len(entries), CHUNK):
        FundEntry.objects.filter(pk__in=entries[start:start + CHUNK]).delete()
    Batch.objects.filter(code__startswith=PREFIX).delete()
    Provider.objects.filter(code__startswith=PREFIX).delete()
    Enterprise.objects.filter(uscc__startswith="91GENV").delete()


def _quarter_end(year: int, last_month: int) -> datetime.date:
    after = datetime.date(year + (last_month == 12), last_month % 12 + 1, 1)
    return after - datetime.timedelta(days=1)


def generate_vouchers(count: int, *, seed_value: int = 2027, progress: Callable[[str], None] = print) -> dict:
    rng = random.Random(seed_value)
    today = timezone.localdate()
    years = list(range(today.year - 4, today.year + 1))
    counties = _counties()
    data = seed()
    with transaction.atomic():
        _clear()
        firms, providers, catalogue, batches = [], [], {}, {}
        per_county = max(20, count // (len(counties) * 6))
        for c_index, county in enumerate(counties):
            firms.append(Enterprise.objects.bulk_create([Enterprise(
                uscc=f"91GENV{c_index:04d}{n:08d}", name=f"模拟企业{county.code}-{n}", region=county, is_demo=True)
                for n in range(per_county)]))
            providers.append(Provider.objects.bulk_create([Provider(
                code=f"{PREFIX}-{county.code}-{n}", name=f"模拟服务机构{county.code}-{n}",
                uscc=f"91GENVPV{c_index:04d}{n:06d}", region=county, services="FW01", is_demo=True)
                for n in range(10)]))
            for year in years:
                spec = data["rule"]
                SubsidyRule.objects.get_or_create(region=county, year=year, defaults={
                    "name": spec["name"], "ratio": Decimal(spec["ratio"]), "claim_cap": Decimal(spec["claim_cap"]),
                    "preferred_types": spec["preferred_types"], "preferred_cap": Decimal(spec["preferred_cap"]),
                    "general_cap": Decimal(spec["general_cap"]), "opens_on": datetime.date(year, 1, 1),
                    "closes_on": datetime.date(year + 1, 3, 31), "is_example": True, "source": spec["source"]})
                catalogue[county.pk, year] = CatalogueItem.objects.get_or_create(
                    region=county, year=year, code="FW01", defaults={"name": "检验检测服务", "is_demo": True})[0]
                for seq, (first, last) in enumerate(QUARTERS, start=1):
                    status = BatchStatus.PUBLICISED if (year, seq) == (today.year, 4) else BatchStatus.PAID
                    batches[county.pk, year, seq] = Batch.objects.create(
                        code=f"{PREFIX}-{county.code}-{year}-{seq}", region=county, year=year, seq=seq,
                        usage_from=datetime.date(year, first, 1), usage_to=_quarter_end(year, last),
                        status=status, paid_on=_quarter_end(year, last) if status == BatchStatus.PAID else None,
                        is_demo=True)
        claim_type = ContentType.objects.get_for_model(Claim)
        made = 0
        while made < count:
            rows = []
            for _ in range(min(CHUNK, count - made)):
                c_index = rng.randrange(len(counties))
                county = counties[c_index]
                year, seq = rng.choice(years), rng.randrange(1, 5)
                batch = batches[county.pk, year, seq]
                used = batch.usage_from + datetime.timedelta(days=rng.randrange((batch.usage_to - batch.usage_from).days))
                award = Decimal(rng.randrange(10, 300) * 100)
                paid = batch.status == BatchStatus.PAID
                made += 1
                rows.append(Claim(
                    code=f"{PREFIX}{year}-{made:07d}", voucher_no=f"GV{made}", year=year, region=county,
                    enterprise=rng.choice(firms[c_index]), provider=rng.choice(providers[c_index]),
                    service=catalogue[county.pk, year], contract_name="模拟服务合同", contract_amount=award * 2,
                    contract_date=used, invoice_no=f"GV{made:09d}", invoice_amount=award * 2, invoice_date=used,
                    used_on=used, completed_on=used, amount_claimed=award, award=award,
                    status=ClaimStatus.PAID if paid else ClaimStatus.PUBLICISED, batch=batch, is_demo=True))
            Claim.objects.bulk_create(rows)
            entries = FundEntry.objects.bulk_create([FundEntry(
                programme=PROGRAMME, policy_item=c.batch.display_title, region=c.region,
                recipient_name=c.enterprise.name, recipient_uscc=c.enterprise.uscc, fiscal_year=c.batch.year,
                approved=c.award, paid=c.award, approved_on=c.batch.paid_on, paid_on=c.batch.paid_on,
                content_type=claim_type, object_id=str(c.pk), note=c.code, is_demo=True)
                for c in rows if c.status == ClaimStatus.PAID])
            paid_rows = [c for c in rows if c.status == ClaimStatus.PAID]
            for claim, entry in zip(paid_rows, entries, strict=True):
                claim.fund_entry = entry
            Claim.objects.bulk_update(paid_rows, ["fund_entry"], batch_size=1000)
            progress(f"创新券申请 {made}/{count}")
    return {"claims": made, "batches": len(batches), "counties": len(counties)}
