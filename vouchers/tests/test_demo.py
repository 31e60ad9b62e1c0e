"""The demo holds the document's voucher figures exactly: 2023's first batch is "36家企业61个项目…60.37万元"
for vouchers used from 1 November to 31 December 2022, the year has 4 paid batches of 694万元, and the ledger's
year total for 平湖 stays 11938.6万元 at 99.97% with the vouchers itemised inside it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from core import funds
from core.amounts import split_total
from core.models_notice import FundEntry
from enterprises.services.demo import load_demo_enterprises
from vouchers.models import Batch, Claim, ClaimStatus, SubsidyRule
from vouchers.services import batches
from vouchers.services.demo import load_demo

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 1)


@pytest.fixture
def loaded(users):
    funds.load_seed_entries()
    load_demo_enterprises(users["admin"], TODAY)
    load_demo(users["admin"], TODAY)
    return users


def test_the_first_batch_is_the_documents_sentence(loaded):
    first = Batch.objects.get(code="PH-2023-1")
    assert (first.usage_from, first.usage_to) == (datetime.date(2022, 11, 1), datetime.date(2022, 12, 31))
    assert batches.figures(first)["summary"] == "共有36家企业61个项目获得创新券补助60.37万元"
    assert "36家企业61个项目获得创新券补助60.37万元" in first.source
    assert "60.37万元" in first.notice.body and first.notice.items.count() == 61


def test_the_year_has_four_batches_of_694_wan_in_the_ledger(loaded):
    year = batches.year_figures(loaded["ph_admin"], "330482", 2023)
    assert year["sentence"] == "全年完成创新券兑付4批，兑付资金694万元"
    assert year["paid"] == Decimal("6940000.00")
    ledger = FundEntry.objects.filter(programme="创新券", fiscal_year=2023)
    assert ledger.count() == Claim.objects.filter(batch__year=2023).count() == 631
    assert sum(e.paid for e in ledger) == Decimal("6940000.00")
    assert not Claim.objects.filter(batch__year=2023, is_demo=False).exists()


def test_the_ledgers_year_total_stays_the_documents(loaded):
    summary = funds.summary(loaded["ph_admin"], 2023, "330482")
    assert summary["paid"] == Decimal("119386000.00") and summary["rate"] == Decimal("0.9997")
    vouchers = next(p for p in summary["programmes"] if p["programme"] == "创新券")
    assert vouchers["paid"] == Decimal("6940000.00")
    # Loading twice changes nothing.
    load_demo(loaded["admin"], TODAY)
    assert funds.summary(loaded["ph_admin"], 2023, "330482")["paid"] == Decimal("119386000.00")


def test_every_award_is_the_rules_arithmetic_and_this_year_has_work_at_each_step(loaded):
    rule = SubsidyRule.objects.get(region__code="330482", year=2023)
    assert rule.is_example and "示例" in rule.source
    for claim in Claim.objects.filter(batch__code="PH-2023-2")[:50]:
        assert claim.award_basis["amount"] == str(claim.award) and claim.award <= rule.claim_cap
    live = set(Claim.objects.filter(year=TODAY.year).values_list("status", flat=True))
    assert live == {ClaimStatus.DRAFT, ClaimStatus.SUBMITTED, ClaimStatus.FIRST_PASSED, ClaimStatus.APPROVED}
    assert Claim.objects.filter(year=TODAY.year, status=ClaimStatus.DRAFT,
                                enterprise__org_unit__code="DEMO-ENT-001").exists()


def test_split_adds_up_in_hundreds():
    import random

    parts = split_total(Decimal("603700.00"), 61, random.Random(1))
    assert len(parts) == 61 and sum(parts) == Decimal("603700.00")
    assert all(p > 0 and p % 100 == 0 for p in parts)
