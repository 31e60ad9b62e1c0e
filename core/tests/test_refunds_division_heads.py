"""Refund receivables in the funds ledger (追回, a project ended early) and the 科室负责人 who takes a second look."""

import datetime
from decimal import Decimal

import pytest

from core import roles
from core.errors import BusinessError, NotAllowed
from core.funds import claim_refund, open_entry, record_payment, record_refund, summary
from core.models import Region
from core.models_notice import FundEntry


def _paid_entry(actor, approved="1000.00", paid="800.00"):
    region = Region.objects.get(code="330482")
    entry = open_entry(actor=actor, obj=region, programme="创新券", policy_item="2023年第一批创新券补助",
                       region=region, recipient_name="某企业", fiscal_year=2023, approved=Decimal(approved),
                       approved_on=datetime.date(2023, 3, 10))
    return record_payment(actor=actor, entry_id=entry.pk, amount=Decimal(paid), paid_on=datetime.date(2023, 3, 20))


@pytest.mark.django_db
def test_a_refund_is_due_up_to_what_was_paid_and_comes_back_up_to_what_is_due(users):
    admin = users["ph_admin"]
    entry = _paid_entry(admin)
    with pytest.raises(BusinessError, match="超过已兑付800.00元"):
        claim_refund(actor=admin, entry_id=entry.pk, amount=Decimal("800.01"), reason="抽查不合格")
    entry = claim_refund(actor=admin, entry_id=entry.pk, amount=Decimal("800.00"), reason="抽查发现发票不实")
    assert entry.refund_due == Decimal("800.00") and entry.refund_reason == "抽查发现发票不实"
    with pytest.raises(BusinessError, match="超过应退回800.00元"):
        record_refund(actor=admin, entry_id=entry.pk, amount=Decimal("800.50"))
    entry = record_refund(actor=admin, entry_id=entry.pk, amount=Decimal("300"))
    assert entry.refunded == Decimal("300.00")
    row = summary(admin, 2023, "330482")["programmes"]
    assert [(p["programme"], p["refund_due"], p["refunded"]) for p in row if p["programme"] == "创新券"] == [
        ("创新券", Decimal("800.00"), Decimal("300.00"))]


@pytest.mark.django_db
def test_refund_refusals_change_nothing(users):
    entry = _paid_entry(users["ph_admin"])
    with pytest.raises(BusinessError, match="请填写退回原因"):
        claim_refund(actor=users["ph_admin"], entry_id=entry.pk, amount=Decimal("1"), reason="  ")
    with pytest.raises(BusinessError, match="正数"):
        claim_refund(actor=users["ph_admin"], entry_id=entry.pk, amount=Decimal("NaN"), reason="x")
    with pytest.raises(NotAllowed):
        claim_refund(actor=users["js_admin"], entry_id=entry.pk, amount=Decimal("1"), reason="x")
    assert FundEntry.objects.get(pk=entry.pk).refund_due == 0


@pytest.mark.django_db
def test_an_entry_needs_a_positive_approved_amount(users):
    region = Region.objects.get(code="330482")
    with pytest.raises(BusinessError, match="核定金额应为正数"):
        open_entry(actor=users["ph_admin"], obj=region, programme="创新券", policy_item="x", region=region,
                   recipient_name="某企业", fiscal_year=2023, approved=Decimal("0"), approved_on=datetime.date(2023, 1, 1))


@pytest.mark.django_db
def test_only_a_marked_bureau_admin_of_the_region_is_a_division_head(users):
    assert roles.is_division_head(users["ph_kezhang"], "330482101")
    assert not roles.is_division_head(users["ph_kezhang"], "330421")
    assert not roles.is_division_head(users["ph_admin"], "330482")
    assert not roles.is_division_head(users["ph_leader"], "330482")
    assert roles.is_division_head(users["admin"], "330421")
