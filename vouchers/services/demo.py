"""The demo's vouchers: 平湖 2023's four batches exactly as the document gives them (the first batch's 36 firms,
61 projects and 60.37万元; 694万元 for the year), built from synthetic claims marked 演示 whose awards the
rule's own arithmetic gives and whose totals equal the figures; and this year's claims in every step of the
workflow, taken through the real services, so each queue has work in it (seed_data/vouchers.json)."""

from __future__ import annotations

import datetime
import json
import random
from decimal import Decimal
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction

from core import funds, publicity
from core import workflow as engine
from core.amounts import split_total
from core.models import Region, User
from core.models_notice import FundEntry
from enterprises.models import Enterprise
from vouchers import award as arithmetic
from vouchers.flow import CLAIM_FLOW
from vouchers.models import (
    Batch,
    BatchStatus,
    CatalogueItem,
    Claim,
    ClaimFile,
    ClaimStatus,
    FileKind,
    Provider,
    SubsidyRule,
)
from vouchers.services import claims as claim_service
from vouchers.services.batches import NOTICE_COLUMNS
from vouchers.services.steps import PROGRAMME

SEED = Path(__file__).resolve().parent.parent / "seed_data" / "vouchers.json"


def seed() -> dict:
    return json.loads(SEED.read_text(encoding="utf-8"))


def _rules(data: dict, region: Region, years: range) -> dict[int, SubsidyRule]:
    spec = data["rule"]
    rules = {}
    for year in years:
        rules[year], _new = SubsidyRule.objects.get_or_create(region=region, year=year, defaults={
            "name": spec["name"], "ratio": Decimal(spec["ratio"]), "claim_cap": Decimal(spec["claim_cap"]),
            "preferred_types": spec["preferred_types"], "preferred_cap": Decimal(spec["preferred_cap"]),
            "general_cap": Decimal(spec["general_cap"]), "opens_on": datetime.date(year, 1, 1),
            "closes_on": datetime.date(year + 1, 3, 31), "is_example": True, "source": spec["source"]})
    return rules


def _catalogue(data: dict, region: Region, years: range) -> dict[tuple[int, str], CatalogueItem]:
    items = {}
    for year in years:
        for code, name, category in data["services"]:
            items[year, code], _new = CatalogueItem.objects.get_or_create(
                region=region, year=year, code=code,
                defaults={"name": name, "category": category, "is_demo": True, "source": "演示服务目录"})
    return items


def _providers(data: dict, region: Region) -> list[Provider]:
    rows = []
    for index, (name, services) in enumerate(data["providers"], start=1):
        provider, _new = Provider.objects.get_or_create(code=f"FWJG-{index:03d}", defaults={
            "name": name, "uscc": f"91330400PV{index:08d}", "region": region, "services": services,
            "accepts_vouchers": "不接受" not in name, "bank_name": "平湖农商银行（演示）",
            "bank_account": f"2010000{index:09d}", "is_demo": True, "source": "演示服务机构"})
        rows.append(provider)
    return [p for p in rows if p.accepts_vouchers]


def _dates(rng: random.Random, start: datetime.date, end: datetime.date) -> dict:
    used = start + datetime.timedelta(days=rng.randrange((end - start).days + 1))
    contract = max(datetime.date(used.year, 1, 1), used - datetime.timedelta(days=rng.randrange(20, 60)))
    completed = max(contract, used - datetime.timedelta(days=rng.randrange(1, 5)))
    return {"used_on": used, "contract_date": contract, "completed_on": completed, "invoice_date": completed}


def _history(admin: User, data: dict, region: Region, firms: list[Enterprise], providers: list[Provider],
             catalogue: dict, rules: dict) -> int:
    """The document's batches, each claim's award computed by the rule's arithmetic, paid and in the ledger."""
    rng = random.Random(2023)
    awarded: dict[tuple[int, int], Decimal] = {}
    claim_type = ContentType.objects.get_for_model(Claim)
    serial = {}
    made = 0
    for spec in data["batches"]:
        usage_from, usage_to = (datetime.date.fromisoformat(spec[k]) for k in ("usage_from", "usage_to"))
        batch = Batch.objects.create(
            code=spec["code"], region=region, year=spec["year"], seq=spec["seq"], usage_from=usage_from,
            usage_to=usage_to, status=BatchStatus.PAID, paid_on=datetime.date.fromisoformat(spec["paid_on"]),
            source=spec["source"][:300], is_demo=True)
        # The first batch's firms are as many as the document says; later batches spread over all firms.
        pool = firms[:spec["enterprises"]] if spec.get("enterprises") else firms
        amounts = split_total(Decimal(spec["amount"]), spec["claims"], rng)
        claims = []
        for index, amount in enumerate(amounts):
            firm = pool[index % len(pool)]
            dates = _dates(rng, usage_from, usage_to)
            year = dates["used_on"].year
            rule = rules[year]
            provider = providers[rng.randrange(len(providers))]
            service = catalogue[year, provider.services.split("、")[0]]
            fee = amount / rule.ratio
            already = awarded.get((firm.pk, year), Decimal("0.00"))
            cap, cap_type = arithmetic.annual_cap_for(claim_service.held_types(firm, dates["used_on"]),
                                                      rule.preferred(), rule.preferred_cap, rule.general_cap)
            result = arithmetic.compute(contract_amount=fee, invoice_amount=fee, ratio=rule.ratio, claimed=amount,
                                        claim_cap=rule.claim_cap, annual_cap=cap, already=already,
                                        cap_type=cap_type)
            if result.amount != amount:
                raise ValueError(f"演示金额{amount}被{result.limit_words}，请调整演示数据")
            awarded[firm.pk, year] = already + amount
            serial[year] = serial.get(year, 0) + 1
            claims.append(Claim(
                code=f"CXQ{year}-{serial[year]:06d}", voucher_no=f"ZJKJDN-{year}-{serial[year]:06d}", year=year,
                region=firm.region, enterprise=firm, provider=provider, service=service,
                contract_name=f"{service.name}合同（演示）", contract_amount=fee, invoice_no=f"{year}{made + 1:08d}",
                invoice_amount=fee, amount_claimed=amount, award=amount, award_basis=result.basis(),
                status=ClaimStatus.PAID, batch=batch, submitted_on=dates["used_on"], is_demo=True,
                source=spec["source"][:300], **dates))
            made += 1
        Claim.objects.bulk_create(claims)
        batch.notice = publicity.open_notice(
            actor=admin, title=f"{batch.display_title}公示名单", programme=PROGRAMME, region=region,
            columns=NOTICE_COLUMNS, items=[(c, {"enterprise": c.enterprise.name, "provider": c.provider.name,
                                                "service": c.service.name, "award": f"{c.award:.2f}"})
                                           for c in claims],
            starts_on=datetime.date.fromisoformat(spec["notice_on"]),
            body="经过初审、复审、公示，" + arithmetic.batch_sentence(
                len({c.enterprise_id for c in claims}), len(claims), Decimal(spec["amount"])) + "。")
        batch.save(update_fields=["notice"])
        entries = FundEntry.objects.bulk_create([FundEntry(
            programme=PROGRAMME, policy_item=batch.display_title, region=c.region, recipient_name=c.enterprise.name,
            recipient_uscc=c.enterprise.uscc, fiscal_year=batch.year, approved=c.award, paid=c.award,
            approved_on=batch.paid_on, paid_on=batch.paid_on, content_type=claim_type, object_id=str(c.pk),
            note=c.code, document=data["document"], is_demo=True) for c in claims])
        for claim, entry in zip(claims, entries, strict=True):
            claim.fund_entry = entry
        Claim.objects.bulk_update(claims, ["fund_entry"])
    return made


def _files(claim: Claim, actor: User) -> None:
    for kind in (FileKind.CONTRACT, FileKind.INVOICE, FileKind.PAYMENT):
        row = ClaimFile(claim=claim, kind=kind, name=f"{FileKind(kind).label}（演示）.pdf", uploaded_by=actor)
        row.file.save(f"demo-{claim.pk}-{kind}.pdf", ContentFile(b"%PDF-1.4\n% demo\n"), save=False)
        row.save()


def _live(admin: User, region: Region, firms: list[Enterprise], providers: list[Provider], catalogue: dict,
          today: datetime.date) -> int:
    """This year's claims: one draft of the demo enterprise account's firm, and others at each step."""
    rng = random.Random(today.year)
    first = User.objects.filter(username="ph_admin").first() or admin
    own = Enterprise.objects.filter(org_unit__code="DEMO-ENT-001").first()
    plan = [ClaimStatus.DRAFT] + [ClaimStatus.SUBMITTED] * 3 + [ClaimStatus.FIRST_PASSED] * 2 + \
        [ClaimStatus.APPROVED] * 3
    made = 0
    for index, target in enumerate(plan):
        firm = own if index == 0 and own is not None else firms[-1 - index]
        provider = providers[index % len(providers)]
        fee = Decimal(rng.randrange(40, 400) * 100)
        start = datetime.date(today.year, 1, 1)
        dates = _dates(rng, start, max(start, today - datetime.timedelta(days=10)))
        claim = Claim(
            code=claim_service.next_code(today.year), voucher_no=f"ZJKJDN-{today.year}-D{index + 1:05d}",
            year=today.year, region=firm.region, enterprise=firm, provider=provider,
            service=catalogue[today.year, provider.services.split("、")[0]],
            contract_name=f"{provider.name.removesuffix('（演示）')}服务合同（演示）", contract_amount=fee,
            invoice_no=f"D{today.year}{index + 1:06d}", invoice_amount=fee, amount_claimed=fee / 2,
            is_demo=True, source="演示申请", **dates)
        found = claim_service.problems(claim, today)
        if found:
            raise ValueError(f"演示申请不成立：{found[0]}")
        claim.save()
        made += 1
        if target == ClaimStatus.DRAFT:
            continue
        _files(claim, admin)
        engine.perform(CLAIM_FLOW, claim, admin, "submit")
        if target in (ClaimStatus.FIRST_PASSED, ClaimStatus.APPROVED):
            engine.perform(CLAIM_FLOW, claim, first, "first_pass")
        if target == ClaimStatus.APPROVED:
            engine.perform(CLAIM_FLOW, claim, admin, "second_pass")
    Batch.objects.get_or_create(region=region, year=today.year, seq=1, defaults={
        "code": f"PH-{today.year}-1", "usage_from": datetime.date(today.year, 1, 1),
        "usage_to": datetime.date(today.year, 12, 31), "is_demo": True, "source": "演示批次"})
    return made


@transaction.atomic
def load_demo(admin: User, today: datetime.date) -> str:
    data = seed()
    region = Region.objects.get(code=data["region"])
    if Batch.objects.filter(code=data["batches"][0]["code"]).exists():
        return "创新券演示数据已存在"
    years = range(2022, today.year + 1)
    rules = _rules(data, region, years)
    catalogue = _catalogue(data, region, years)
    providers = _providers(data, region)
    firms = list(Enterprise.objects.filter(is_demo=True, region__code__startswith=region.code)
                 .exclude(org_unit__code="DEMO-ENT-001").order_by("uscc"))
    made = _history(admin, data, region, firms, providers, catalogue, rules)
    funds.rebalance_summary(data["region"], data["year_total"]["year"])
    live = _live(admin, region, firms, providers, catalogue, today)
    return f"创新券兑付申请 {made + live} 项（2023年4批，694万元）"
