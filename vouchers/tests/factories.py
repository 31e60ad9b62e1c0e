"""A 平湖 voucher world for the tests: the demo enterprise account's firm and another, providers, last year's
catalogue and the rule of that year (ratio 50%, 单笔 30,000, 科技型中小企业 50,000 a year, others 20,000)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import OrgUnit, Region
from enterprises.models import Enterprise, Qualification
from vouchers.models import CatalogueItem, Claim, ClaimFile, ClaimStatus, FileKind, Provider, SubsidyRule

PH, JS = "330482", "330421"
# Last year: every date of a claim is in the past whatever day the tests run, and the window is still open.
YEAR = timezone.localdate().year - 1


def D(text) -> Decimal:  # noqa: N802 — reads like the type it makes
    return Decimal(str(text))


@dataclass
class World:
    firm: Enterprise  # the demo_qiye account's enterprise, a 科技型中小企业
    other: Enterprise  # another 平湖 firm, no qualification
    far: Enterprise  # a 嘉善 firm
    provider: Provider
    related: Provider  # declared related to ``other``
    closed: Provider  # does not take vouchers
    service: CatalogueItem
    old_service: CatalogueItem  # the catalogue of the year before
    rule: SubsidyRule


def _firm(uscc: str, name: str, region: str, unit: str | None = None) -> Enterprise:
    return Enterprise.objects.create(uscc=uscc, name=name, region=Region.objects.get(code=region),
                                     org_unit=OrgUnit.objects.get(code=unit) if unit else None)


def world() -> World:
    ph, js = Region.objects.get(code=PH), Region.objects.get(code=JS)
    firm = _firm("91330482TEST000001", "平湖测试装备有限公司", "330482101", "DEMO-ENT-001")
    Qualification.objects.create(enterprise=firm, type="科技型中小企业", number="KX-1",
                                 issued=datetime.date(YEAR, 1, 1))
    other = _firm("91330482TEST000002", "平湖另一测试公司", PH)
    far = _firm("91330421TEST000003", "嘉善测试公司", JS)
    provider = Provider.objects.create(code="T-001", name="测试检测中心", uscc="91330400TESTPV0001", region=ph,
                                       services="FW01", bank_name="测试银行", bank_account="6222000011112222")
    related = Provider.objects.create(code="T-002", name="关联服务公司", uscc="91330400TESTPV0002", region=ph,
                                      related_usccs=f"{other.uscc}\n")
    closed = Provider.objects.create(code="T-003", name="不收券公司", uscc="91330400TESTPV0003", region=ph,
                                     accepts_vouchers=False)
    service = CatalogueItem.objects.create(region=ph, year=YEAR, code="FW01", name="检验检测服务")
    old = CatalogueItem.objects.create(region=ph, year=YEAR - 1, code="FW01", name="检验检测服务")
    CatalogueItem.objects.create(region=js, year=YEAR, code="FW01", name="检验检测服务")
    rule = SubsidyRule.objects.create(
        region=ph, year=YEAR, name="测试规则", ratio=D("0.5"), claim_cap=D(30000), preferred_cap=D(50000),
        general_cap=D(20000), opens_on=datetime.date(YEAR, 1, 1), closes_on=datetime.date(YEAR + 2, 3, 31),
        is_example=True)
    return World(firm, other, far, provider, related, closed, service, old, rule)


def claim(w: World, *, firm: Enterprise | None = None, provider: Provider | None = None, invoice_no: str = "INV-1",
          fee=20000, claimed=None, status: str = ClaimStatus.DRAFT, service: CatalogueItem | None = None,
          used_on: datetime.date | None = None, code: str | None = None, persist: bool = True, **extra) -> Claim:
    firm = firm or w.firm
    used_on = used_on or datetime.date(YEAR, 6, 15)
    contract = extra.pop("contract_date", datetime.date(YEAR, 5, 1))
    values = dict(
        code=code or f"CXQ{YEAR}-{900000 + Claim.objects.count() + 1}", voucher_no="ZJ-1", year=YEAR,
        region=firm.region, enterprise=firm, provider=provider or w.provider, service=service or w.service,
        contract_name="检测服务合同", contract_amount=D(fee), contract_date=contract, invoice_no=invoice_no,
        invoice_amount=D(fee), invoice_date=datetime.date(YEAR, 6, 1), used_on=used_on,
        completed_on=datetime.date(YEAR, 6, 1), amount_claimed=D(claimed if claimed is not None else D(fee) / 2),
        status=status)
    values.update(extra)
    return Claim.objects.create(**values) if persist else Claim(**values)


def attach_all(c: Claim, actor) -> None:
    for kind in (FileKind.CONTRACT, FileKind.INVOICE, FileKind.PAYMENT):
        row = ClaimFile(claim=c, kind=kind, name=f"{kind}.pdf", uploaded_by=actor)
        row.file.save(f"{kind}.pdf", SimpleUploadedFile(f"{kind}.pdf", b"%PDF-1.4 test"), save=False)
        row.save()


def pdf(name: str = "合同.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", content_type="application/pdf")
