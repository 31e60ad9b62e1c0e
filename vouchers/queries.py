"""Reads of the vouchers app: the workbench's queues and counts, a batch's page, its 公示名单 and 兑付表 as
documents — always inside the user's scope."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count

from core import roles
from core.list_documents import Column, ListDocument
from vouchers import award as arithmetic
from vouchers.models import COUNTED, Batch, Claim, ClaimStatus
from vouchers.services import batches as batch_service

QUEUE_SIZE = 50


def _claims(user):
    return Claim.objects.restrict(user).select_related("enterprise", "provider", "service", "batch", "region")


def workbench(user, year: int) -> dict:
    """Counts per status of the year, the steps waiting for this user, and the year's batches."""
    mine = _claims(user).filter(year=year)
    counts = dict(mine.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    statuses = [{"status": s.value, "label": s.label, "count": counts.get(s.value, 0)} for s in ClaimStatus]
    queues = []
    if roles.manages_region(user):
        queues.append((str(ClaimStatus.SUBMITTED.label), list(mine.filter(status=ClaimStatus.SUBMITTED)
                                                            .order_by("submitted_on", "code")[:QUEUE_SIZE])))
        if roles.is_division_head(user):
            queues.append((str(ClaimStatus.FIRST_PASSED.label),
                           list(mine.filter(status=ClaimStatus.FIRST_PASSED).exclude(first_reviewer=user)
                                .order_by("submitted_on", "code")[:QUEUE_SIZE])))
        queues.append(("复审通过、待编入批次", list(mine.filter(status=ClaimStatus.APPROVED, batch__isnull=True)
                                             .order_by("used_on", "code")[:QUEUE_SIZE])))
    own = list(mine.order_by("-created_at", "-id")[:QUEUE_SIZE]) if roles.is_enterprise(user) else []
    figures = (batch_service.year_figures(user, user.scope_prefix or "", year)
               if roles.reads_region(user) else None)
    return {"year": year, "statuses": statuses, "queues": queues, "own": own, "figures": figures}


def visible_batch(user, code: str) -> Batch | None:
    return Batch.objects.restrict(user).select_related("region", "notice").filter(code=code).first()


def batch_claims(batch: Batch) -> list[Claim]:
    return list(Claim.objects.filter(batch=batch).select_related("enterprise", "provider", "service")
                .order_by("enterprise__name", "code"))


def _document(batch: Batch, title: str, claims: list[Claim], *, with_voucher: bool) -> ListDocument:
    columns = [Column("enterprise", "企业名称", width=30), Column("uscc", "统一社会信用代码", width=22),
               Column("provider", "服务机构", width=28), Column("service", "服务项目", width=18),
               Column("fee", "服务费（元）", "money", 14), Column("award", "补助金额（元）", "money", 14)]
    if with_voucher:
        columns.append(Column("voucher", "创新券编号", width=18))
    rows = [{"enterprise": c.enterprise.name, "uscc": c.enterprise.uscc, "provider": c.provider.name,
             "service": c.service.name, "fee": arithmetic.service_fee(c.contract_amount, c.invoice_amount),
             "award": c.award, "voucher": c.voucher_no} for c in claims]
    facts = batch_service.figures(batch)
    return ListDocument(
        title=title, columns=tuple(columns), rows=rows,
        subtitle=f"兑付范围：{batch.usage_from:%Y年%m月%d日}至{batch.usage_to:%Y年%m月%d日}期间使用的创新券",
        totals={"award": facts["amount"], "fee": sum((r["fee"] for r in rows), Decimal("0.00"))},
        footer=(facts["summary"] + "。",), sheet_name=title[:31])


def notice_document(batch: Batch) -> ListDocument:
    claims = [c for c in batch_claims(batch) if c.status in COUNTED]
    return _document(batch, f"{batch.display_title}公示名单", claims, with_voucher=False)


def payment_document(batch: Batch) -> ListDocument:
    claims = [c for c in batch_claims(batch) if c.status in (ClaimStatus.PAYABLE, ClaimStatus.PAID)]
    return _document(batch, f"{batch.display_title}兑付表", claims, with_voucher=True)
