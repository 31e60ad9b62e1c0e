"""The funds ledger: every amount any programme approved and paid, and 兑现率 = paid ÷ approved-and-due."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_change, snapshot
from core.errors import BusinessError, Conflict, NotAllowed
from core.models import ChangeRecord
from core.models_notice import FundEntry

CENT = Decimal("0.01")


def rate(paid: Decimal, due: Decimal) -> Decimal | None:
    """兑现率 as a fraction to four places (0.9997 is 99.97%); None when nothing was due."""
    if not due:
        return None
    return (paid / due).quantize(Decimal("0.0001"))


def _positive(amount: Decimal | None, message: str) -> Decimal:
    if amount is None or not amount.is_finite() or amount <= 0:
        raise BusinessError(message, field="amount")
    return amount.quantize(CENT)


def _change_entry(actor, entry_id: int, denied: str, check, apply, note, version: int | None = None) -> FundEntry:
    """The one shape of every change to an entry: lock it, refuse what the check finds, save, keep the history."""
    with transaction.atomic():
        entry = FundEntry.objects.restrict(actor, "change").select_for_update().filter(pk=entry_id).first()
        if entry is None:
            raise NotAllowed(denied)
        if version is not None and version != entry.version:
            raise Conflict(_("该记录已被他人修改，请刷新后重试"))
        problem = check(entry)
        if problem:
            raise BusinessError(problem, field="amount")
        before = snapshot(entry)
        apply(entry)
        entry.version += 1
        entry.save()
        record_change(actor=actor, obj=entry, action=ChangeRecord.Action.UPDATE, before=before,
                      after=snapshot(entry), note=note(entry))
    return entry


def record_payment(*, actor, entry_id: int, amount: Decimal, paid_on: datetime.date,
                   version: int | None = None) -> FundEntry:
    """Pay (part of) an approved amount; never more than approved, never twice for a stale screen."""
    amount = _positive(amount, _("兑付金额应为正数"))

    def check(entry):
        if entry.paid + amount > entry.approved:
            return _("兑付后累计%(total)s元，超过核定金额%(approved)s元") % {
                "total": entry.paid + amount, "approved": entry.approved}
        return None

    def apply(entry):
        entry.paid += amount
        entry.paid_on = paid_on

    return _change_entry(actor, entry_id, _("您无权登记此笔兑付"), check, apply,
                         lambda e: _("兑付 %(amount)s 元") % {"amount": amount}, version)


def open_entry(*, actor, obj, programme: str, policy_item: str, region, recipient_name: str, fiscal_year: int,
               approved: Decimal, approved_on: datetime.date, recipient_uscc: str = "", recipient_unit=None,
               due_on: datetime.date | None = None, note: str = "", document: str = "",
               is_demo: bool = False) -> FundEntry:
    """A programme's approved amount for ``obj``, entered in the ledger (inside the programme's transaction)."""
    if approved is None or not approved.is_finite() or approved <= 0:
        raise BusinessError(_("核定金额应为正数"), field="approved")
    from django.contrib.contenttypes.models import ContentType

    entry = FundEntry.objects.create(
        programme=programme, policy_item=policy_item[:200], region=region, recipient_name=recipient_name[:200],
        recipient_uscc=recipient_uscc, recipient_unit=recipient_unit, fiscal_year=fiscal_year,
        approved=approved.quantize(CENT), approved_on=approved_on, due_on=due_on,
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk), note=note[:300],
        document=document[:300], is_demo=is_demo)
    record_change(actor=actor, obj=entry, action=ChangeRecord.Action.CREATE, before=None, after=snapshot(entry),
                  note=_("核定 %(amount)s 元") % {"amount": entry.approved})
    return entry


def claim_refund(*, actor, entry_id: int, amount: Decimal, reason: str) -> FundEntry:
    """Record what a recipient must pay back (应退回): never more than was paid, the reason kept."""
    amount = _positive(amount, _("应退回金额应为正数"))
    if not (reason or "").strip():
        raise BusinessError(_("请填写退回原因"), field="reason")

    def check(entry):
        if entry.refund_due + amount > entry.paid:
            return _("应退回累计%(total)s元，超过已兑付%(paid)s元") % {
                "total": entry.refund_due + amount, "paid": entry.paid}
        return None

    def apply(entry):
        entry.refund_due += amount
        entry.refund_reason = reason.strip()[:300]

    return _change_entry(actor, entry_id, _("您无权登记此笔退回"), check, apply,
                         lambda e: _("应退回 %(amount)s 元：%(reason)s") % {"amount": amount,
                                                                          "reason": e.refund_reason})


def record_refund(*, actor, entry_id: int, amount: Decimal) -> FundEntry:
    """Money that came back against a refund receivable; never more than is due."""
    amount = _positive(amount, _("退回金额应为正数"))

    def check(entry):
        if entry.refunded + amount > entry.refund_due:
            return _("已退回累计%(total)s元，超过应退回%(due)s元") % {
                "total": entry.refunded + amount, "due": entry.refund_due}
        return None

    def apply(entry):
        entry.refunded += amount

    return _change_entry(actor, entry_id, _("您无权登记此笔退回"), check, apply,
                         lambda e: _("收回退款 %(amount)s 元") % {"amount": amount})


def summary(user, year: int, region_code: str | None = None, today: datetime.date | None = None) -> dict:
    """Approved, paid and 兑现率 of a fiscal year in the user's scope (optionally one region), by programme."""
    today = today or timezone.localdate()
    queryset = FundEntry.objects.restrict(user).filter(fiscal_year=year)
    if region_code:
        from core.scoping import region_prefix

        queryset = queryset.filter(region__code__startswith=region_prefix(region_code))
    due = Q(due_on__isnull=True) | Q(due_on__lte=today)
    rows = (queryset.values("programme").order_by("programme")
            .annotate(total_approved=Sum("approved"), total_paid=Sum("paid"), due=Sum("approved", filter=due),
                      paid_due=Sum("paid", filter=due), refund_due=Sum("refund_due"), refunded=Sum("refunded")))
    programmes = []
    totals = {"approved": Decimal(0), "paid": Decimal(0), "due": Decimal(0), "paid_due": Decimal(0)}
    for row in rows:
        values = {"approved": row["total_approved"] or Decimal(0), "paid": row["total_paid"] or Decimal(0),
                  "due": row["due"] or Decimal(0), "paid_due": row["paid_due"] or Decimal(0)}
        for k in totals:
            totals[k] += values[k]
        programmes.append({"programme": row["programme"], "approved": values["approved"], "paid": values["paid"],
                           "rate": rate(values["paid_due"], values["due"]),
                           "refund_due": row["refund_due"] or Decimal(0), "refunded": row["refunded"] or Decimal(0)})
    return {"year": year, "approved": totals["approved"], "paid": totals["paid"],
            "rate": rate(totals["paid_due"], totals["due"]), "programmes": programmes}


def load_seed_entries() -> int:
    """The ledger totals the source documents state (平湖 2023), idempotently; returns how many are new."""
    import json
    from pathlib import Path

    from core.models import Region

    data = json.loads((Path(__file__).parent / "seed_data" / "funds.json").read_text(encoding="utf-8"))
    created = 0
    for row in data["entries"]:
        values = {**row, "region": Region.objects.get(code=row["region"]), "approved": Decimal(row["approved"]),
                  "paid": Decimal(row["paid"])}
        _entry, new = FundEntry.objects.get_or_create(
            fiscal_year=row["fiscal_year"], programme=row["programme"], policy_item=row["policy_item"],
            region=values["region"], defaults=values)
        created += new
    return created


SUMMARY_ITEM = "全年科技资金兑现（汇总）"


def rebalance_summary(region_code: str, fiscal_year: int) -> FundEntry | None:
    """Keep a seeded year total exact once programmes enter their own part of it item by item: the summary row
    holds the document's total less what the itemised entries of that region and year approved and paid."""
    import json
    from pathlib import Path

    data = json.loads((Path(__file__).parent / "seed_data" / "funds.json").read_text(encoding="utf-8"))
    seed = next((r for r in data["entries"] if r["region"] == region_code and r["fiscal_year"] == fiscal_year
                 and r["policy_item"] == SUMMARY_ITEM), None)
    if seed is None:
        return None
    with transaction.atomic():
        row = (FundEntry.objects.select_for_update()
               .filter(region__code=region_code, fiscal_year=fiscal_year, policy_item=SUMMARY_ITEM).first())
        if row is None:
            return None
        # Itemised entries may name a town of the county: the county's total holds them all.
        items = (FundEntry.objects.filter(region__code__startswith=region_code, fiscal_year=fiscal_year)
                 .exclude(pk=row.pk).aggregate(approved=Sum("approved"), paid=Sum("paid")))
        row.approved = Decimal(seed["approved"]) - (items["approved"] or Decimal(0))
        row.paid = Decimal(seed["paid"]) - (items["paid"] or Decimal(0))
        if row.paid < 0 or row.approved < row.paid:
            raise BusinessError(_("逐项登记的兑现额超过了来源文件的全年汇总数"))
        row.note = _("来源文件全年汇总数减去已逐项登记的部分")
        row.save(update_fields=["approved", "paid", "note"])
    return row
