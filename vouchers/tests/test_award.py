"""The award arithmetic at each limit's boundary, without a database."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vouchers.award import batch_sentence, compute, service_fee, wan

D = Decimal


def award(fee="20000", claimed="10000", claim_cap="50000", annual="100000", already="0", ratio="0.5"):
    return compute(contract_amount=D(fee), invoice_amount=D(fee), ratio=D(ratio), claimed=D(claimed),
                   claim_cap=D(claim_cap), annual_cap=D(annual), already=D(already), cap_type="科技型中小企业")


def test_the_ratio_gives_the_award_when_no_cap_is_lower():
    result = award(fee="20000", claimed="10000.01")
    assert (result.amount, result.limit) == (D("10000.00"), "ratio")


def test_a_tie_between_the_ratio_and_a_cap_is_not_called_a_cut():
    result = award(fee="20000", claimed="10000")
    assert (result.amount, result.limit) == (D("10000.00"), "ratio")


def test_the_claimed_amount_cuts_one_fen_below_the_ratio():
    result = award(fee="20000", claimed="9999.99")
    assert (result.amount, result.limit) == (D("9999.99"), "claimed")


def test_the_claim_cap_cuts_at_its_boundary():
    assert award(fee="100000", claimed="50000", claim_cap="50000").limit == "ratio"
    result = award(fee="100000", claimed="50000", claim_cap="49999.99")
    assert (result.amount, result.limit) == (D("49999.99"), "claim_cap")


def test_the_annual_cap_counts_what_was_already_awarded():
    result = award(fee="20000", claimed="10000", annual="100000", already="90000.01")
    assert (result.amount, result.limit) == (D("9999.99"), "annual_cap")
    assert award(fee="20000", claimed="10000", annual="100000", already="90000").limit == "ratio"


def test_an_exhausted_annual_cap_gives_zero_never_a_negative():
    result = award(already="120000")
    assert (result.amount, result.annual_left) == (D("0.00"), D("0.00"))


def test_the_fee_is_the_invoice_never_more_than_the_contract():
    assert service_fee(D("30000"), D("32000")) == D("30000.00")
    assert service_fee(D("30000"), D("28000.5")) == D("28000.50")


def test_the_share_is_rounded_down_to_the_fen():
    assert award(fee="333.33", claimed="1000").amount == D("166.66")


def test_the_steps_say_which_limit_cut_it():
    steps = award(fee="100000", claimed="50000", claim_cap="30000").steps
    assert steps[-1] == "核定补助：30,000.00元（受单笔上限限制）"
    assert "尚余100,000.00元" in steps[4]


def test_the_batch_sentence_reads_as_the_bureau_publishes_it():
    assert batch_sentence(36, 61, D("603700.00")) == "共有36家企业61个项目获得创新券补助60.37万元"
    assert wan(D("6940000")) == "694"
    assert wan(D("5000")) == "0.5"


@given(fee=st.decimals("0.01", "10000000", places=2), claimed=st.decimals("0.01", "10000000", places=2),
       cap=st.decimals("0", "1000000", places=2), annual=st.decimals("0", "1000000", places=2),
       already=st.decimals("0", "2000000", places=2))
def test_the_award_never_exceeds_any_limit(fee, claimed, cap, annual, already):
    result = compute(contract_amount=fee, invoice_amount=fee, ratio=D("0.5"), claimed=claimed, claim_cap=cap,
                     annual_cap=annual, already=already)
    assert D(0) <= result.amount <= min(fee * D("0.5"), claimed, cap, max(D(0), annual - already))


@pytest.mark.parametrize("ratio", ["0.3", "0.5", "1"])
def test_the_ratio_is_data(ratio):
    assert award(fee="1000", claimed="1000", ratio=ratio).amount == D("1000") * D(ratio)
