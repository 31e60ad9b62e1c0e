"""Batches (兑付批次): the 复审-passed claims whose vouchers were used in the batch's date range are collected,
published in one 公示, listed for payment once it has run clear and paid together. Each claim takes its own
step on the engine, so a batch action is its claims' steps in one transaction: all or nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core import publicity, roles
from core import workflow as engine
from core.audit import record_change, snapshot
from core.errors import BusinessError, Conflict, Missing, NotAllowed
from core.models import ChangeRecord
from vouchers import award as arithmetic
from vouchers.flow import CLAIM_FLOW
from vouchers.models import COUNTED, Batch, BatchStatus, Claim, ClaimStatus

NOTICE_COLUMNS = [("enterprise", "企业名称"), ("provider", "服务机构"), ("service", "服务项目"),
                  ("award", "补助金额（元）")]


def figures(batch: Batch) -> dict:
    """The batch as the bureau publishes it: firms, claims, amount (元) and the sentence (万元)."""
    row = (Claim.objects.filter(batch=batch, status__in=COUNTED)
           .aggregate(claims=Count("id"), enterprises=Count("enterprise", distinct=True), amount=Sum("award")))
    amount = row["amount"] or Decimal("0.00")
    return {"enterprises": row["enterprises"], "claims": row["claims"], "amount": amount,
            "amount_wan": arithmetic.wan(amount),
            "summary": arithmetic.batch_sentence(row["enterprises"], row["claims"], amount)}


def with_figures(queryset):
    """Each batch's published figures read with the batch in one query (counted claims only)."""
    counted = Q(claims__status__in=COUNTED)
    return queryset.annotate(counted_claims=Count("claims", filter=counted),
                             counted_enterprises=Count("claims__enterprise", filter=counted, distinct=True),
                             counted_amount=Sum("claims__award", filter=counted))


def year_figures(user, region_code: str, year: int) -> dict:
    """A year's batches with their figures and the year's total paid, in the user's scope, in one query."""
    batches = list(with_figures(Batch.objects.restrict(user).filter(region__code__startswith=region_code,
                                                                    year=year)).order_by("seq"))
    rows = []
    for b in batches:
        amount = b.counted_amount or Decimal("0.00")
        rows.append({"batch": b, "enterprises": b.counted_enterprises, "claims": b.counted_claims, "amount": amount,
                     "amount_wan": arithmetic.wan(amount),
                     "summary": arithmetic.batch_sentence(b.counted_enterprises, b.counted_claims, amount)})
    paid_rows = [r for r in rows if r["batch"].status == BatchStatus.PAID]
    paid = sum((r["amount"] for r in paid_rows), Decimal("0.00"))
    return {"year": year, "batches": rows, "count": len(rows), "paid_batches": len(paid_rows), "paid": paid,
            "paid_wan": arithmetic.wan(paid),
            "sentence": _("全年完成创新券兑付%(n)s批，兑付资金%(amount)s万元") % {
                "n": len(paid_rows), "amount": arithmetic.wan(paid)}}


def addable(batch: Batch):
    """The 复审-passed claims of the batch's region used in its range and not yet in any batch."""
    return Claim.objects.filter(region__code__startswith=batch.region.prefix, status=ClaimStatus.APPROVED,
                                batch__isnull=True, used_on__gte=batch.usage_from, used_on__lte=batch.usage_to)


def save_batch(actor, form, instance: Batch | None) -> Batch:
    batch: Batch = form.save(commit=False)
    if instance is not None and instance.status != BatchStatus.DRAFT:
        raise BusinessError(_("批次已发布公示，不能再修改"))
    if not roles.manages_region(actor, batch.region.code):
        raise NotAllowed(_("只有本地区科技局管理员可以设立兑付批次"))
    batch.version = (instance.version if instance is not None else 0) + 1
    batch.save()
    return batch


def _locked(actor, batch_id: int) -> Batch:
    batch = Batch.objects.restrict(actor, "change").select_for_update().filter(pk=batch_id).first()
    if batch is None:
        if Batch.objects.restrict(actor).filter(pk=batch_id).exists():
            raise NotAllowed(_("只有本地区科技局管理员可以办理兑付批次"))
        raise Missing(_("找不到该批次，或不在您的管辖范围内"))
    return batch


def _expect(batch: Batch, status: str, action: str) -> None:
    if batch.status != status:
        raise Conflict(_("批次当前为“%(state)s”，不能%(action)s") % {"state": batch.get_status_display(),
                                                                  "action": action})


def _save(actor, batch: Batch, before: dict, note: str) -> None:
    batch.version += 1
    batch.save()
    record_change(actor=actor, obj=batch, action=ChangeRecord.Action.UPDATE, before=before,
                  after=snapshot(batch), note=note)


@transaction.atomic
def collect(*, actor, batch_id: int) -> int:
    """Put into the batch every 复审-passed claim of its region used in its range and not yet in a batch."""
    batch = _locked(actor, batch_id)
    _expect(batch, BatchStatus.DRAFT, _("编入申请"))
    count = addable(batch).select_for_update().update(batch=batch)
    _save(actor, batch, snapshot(batch), _("编入%(n)s项申请") % {"n": count})
    return count


@transaction.atomic
def remove(*, actor, batch_id: int, claim_id: int) -> None:
    batch = _locked(actor, batch_id)
    _expect(batch, BatchStatus.DRAFT, _("移出申请"))
    if not Claim.objects.filter(pk=claim_id, batch=batch).update(batch=None):
        raise BusinessError(_("该申请不在本批次中"))
    _save(actor, batch, snapshot(batch), _("移出申请"))


def _claims(batch: Batch, status: str) -> list[Claim]:
    return list(Claim.objects.filter(batch=batch, status=status)
                .select_related("enterprise", "provider", "service", "region").order_by("enterprise__name", "code"))


@transaction.atomic
def publish(*, actor, batch_id: int, starts_on: datetime.date | None = None, working_days: int = 5) -> Batch:
    """One 公示 for the batch's claims (published fields only), each claim stepping to 公示中."""
    batch = _locked(actor, batch_id)
    _expect(batch, BatchStatus.DRAFT, _("发布公示"))
    claims = _claims(batch, ClaimStatus.APPROVED)
    if not claims:
        raise BusinessError(_("批次中没有复审通过的申请"))
    facts = figures(batch)
    items = [(c, {"enterprise": c.enterprise.name, "provider": c.provider.name, "service": c.service.name,
                  "award": f"{c.award:.2f}"}) for c in claims]
    before = snapshot(batch)
    batch.notice = publicity.open_notice(
        actor=actor, title=_("%(title)s公示名单") % {"title": batch.display_title}, programme="创新券",
        region=batch.region, columns=NOTICE_COLUMNS, items=items, starts_on=starts_on, working_days=working_days,
        body=_("经过初审、复审，%(sentence)s，现予公示。") % {"sentence": facts["summary"]})
    batch.status = BatchStatus.PUBLICISED
    _save(actor, batch, before, _("发布公示"))
    for claim in claims:
        engine.perform(CLAIM_FLOW, claim, actor, "publicise")
    return batch


@transaction.atomic
def list_for_payment(*, actor, batch_id: int) -> int:
    """After the notice has run clear, list its claims for payment (each entered in the ledger). Claims an
    upheld objection stopped stay behind for 不予兑付; a notice still running refuses the whole batch."""
    batch = _locked(actor, batch_id)
    _expect(batch, BatchStatus.PUBLICISED, _("列入兑付表"))
    today = timezone.localdate()
    if batch.notice.ends_on >= today:
        raise BusinessError(_("公示期至%(day)s，期满后方可列入兑付表") % {"day": batch.notice.ends_on.isoformat()})
    listed = 0
    for claim in _claims(batch, ClaimStatus.PUBLICISED):
        if publicity.notice_cleared(claim, today) is None:
            engine.perform(CLAIM_FLOW, claim, actor, "list_for_payment")
            listed += 1
    if Claim.objects.filter(batch=batch, status=ClaimStatus.PUBLICISED).exists():
        if not listed:
            raise BusinessError(publicity.notice_cleared(_claims(batch, ClaimStatus.PUBLICISED)[0], today))
        return listed  # the batch waits for the stopped claims' 不予兑付
    before = snapshot(batch)
    batch.status = BatchStatus.PAYABLE
    _save(actor, batch, before, _("列入兑付表%(n)s项") % {"n": listed})
    return listed


@transaction.atomic
def pay(*, actor, batch_id: int, paid_on: datetime.date | None = None) -> int:
    batch = _locked(actor, batch_id)
    if batch.status == BatchStatus.PUBLICISED and not Claim.objects.filter(
            batch=batch, status=ClaimStatus.PUBLICISED).exists():
        batch.status = BatchStatus.PAYABLE  # the last stopped claim was refused after the listing
    _expect(batch, BatchStatus.PAYABLE, _("确认兑付"))
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise BusinessError(_("兑付日期不能晚于今天"), field="paid_on")
    before = snapshot(batch)
    batch.paid_on = paid_on
    batch.save(update_fields=["paid_on", "status"])
    claims = _claims(batch, ClaimStatus.PAYABLE)
    for claim in claims:
        engine.perform(CLAIM_FLOW, claim, actor, "pay")
    batch.status = BatchStatus.PAID
    _save(actor, batch, before, _("兑付%(n)s项") % {"n": len(claims)})
    return len(claims)


def _date(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError as exc:
        raise BusinessError(_("日期应写作YYYY-MM-DD")) from exc


def run(user, batch: Batch, data) -> str:
    """One batch action from a page's or the API's fields; returns what to tell the user."""
    action = data.get("action", "")
    if action == "collect":
        n = collect(actor=user, batch_id=batch.pk)
        return _("已编入%(n)s项申请") % {"n": n}
    if action == "remove":
        claim = data.get("claim", "")
        if not str(claim).isdigit():
            raise BusinessError(_("请指定要移出的申请"), field="claim")
        remove(actor=user, batch_id=batch.pk, claim_id=int(claim))
        return _("已移出")
    if action == "publish":
        days = data.get("working_days") or "5"
        if not str(days).isdigit():
            raise BusinessError(_("公示期应为1至30个工作日"), field="working_days")
        publish(actor=user, batch_id=batch.pk, starts_on=_date(data.get("starts_on")),
                              working_days=int(days))
        return _("公示已发布")
    if action == "list_for_payment":
        n = list_for_payment(actor=user, batch_id=batch.pk)
        return _("已列入兑付表%(n)s项") % {"n": n}
    if action == "pay":
        n = pay(actor=user, batch_id=batch.pk, paid_on=_date(data.get("paid_on")))
        return _("已兑付%(n)s项") % {"n": n}
    raise BusinessError(_("未知的操作"), field="action")
