"""A claim's refusals and its award under the rule of its year: each refusal names its field and changes
nothing; the award is cut by the limit the page names, and the annual cap counts the year's other claims."""

from __future__ import annotations

import datetime

import pytest

from core import workflow as engine
from core.errors import BusinessError
from vouchers.flow import CLAIM_FLOW
from vouchers.models import Claim, ClaimStatus
from vouchers.services import claims as service
from vouchers.tests.factories import YEAR, D, attach_all, claim, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(users):
    return world()


def fields(c: Claim, today=None) -> dict[str, str]:
    return {p.field: str(p.message) for p in service.problems(c, today)}


def test_a_clean_claim_has_no_problem_and_gets_half_the_fee(w):
    c = claim(w, fee=20000)
    assert service.problems(c) == []
    result = service.quote(c)
    assert result.amount == D("10000.00") and result.limit == "ratio"


def test_the_same_provider_invoice_is_refused_across_batches_and_years(w):
    first = claim(w, invoice_no="FP-88", status=ClaimStatus.PAID, year=YEAR - 1)
    again = claim(w, invoice_no="FP-88", firm=w.other, persist=False)
    problem = fields(again)["invoice_no"]
    assert "FP-88" in problem and first.code in problem and "不能重复申请" in problem
    # A refused claim frees its invoice; another provider's invoice of the same number is its own.
    Claim.objects.filter(pk=first.pk).update(status=ClaimStatus.REJECTED)
    assert "invoice_no" not in fields(again)
    assert "invoice_no" not in fields(claim(w, invoice_no="FP-88", provider=w.related, firm=w.firm))


def test_a_provider_with_the_firms_code_or_a_declared_relation_is_refused(w):
    w.provider.uscc = w.firm.uscc
    w.provider.save()
    assert "同一主体" in fields(claim(w))["provider"]
    assert "关联关系" in fields(claim(w, firm=w.other, provider=w.related, invoice_no="R-1"))["provider"]
    assert "不接受创新券" in fields(claim(w, provider=w.closed, invoice_no="C-1"))["provider"]


def test_a_service_outside_the_catalogue_of_the_contracts_year_is_refused(w):
    problem = fields(claim(w, service=w.old_service))["service"]
    assert f"{YEAR}年" in problem and "服务目录" in problem


def test_a_claim_after_the_window_is_refused(w):
    c = claim(w)
    late = w.rule.closes_on + datetime.timedelta(days=1)
    assert "不在受理期内" in fields(c, late)["year"]
    assert "year" not in fields(c, w.rule.closes_on)


def test_a_year_without_a_rule_is_refused(w):
    c = claim(w, year=YEAR + 5)
    assert "尚未设定创新券补助规则" in fields(c)["year"]


def test_amounts_and_dates_are_checked(w):
    c = claim(w, fee=1000, claimed=1200, invoice_date=datetime.date(YEAR, 4, 1))
    found = fields(c)
    assert "不能超过服务费" in found["amount_claimed"] and "开票日期" in found["invoice_date"]
    future = claim(w, invoice_no="F-2", completed_on=datetime.date(YEAR + 3, 1, 1))
    assert "尚未完成" in fields(future)["completed_on"]


@pytest.mark.parametrize(("fee", "claimed", "amount", "limit"), [
    (60000, 30000, "30000.00", "ratio"),  # ratio and the claim cap meet: the ratio is named
    (60002, 30001, "30000.00", "claim_cap"),  # one fen over the cap is cut to it
    (20000, 4000, "4000.00", "claimed"),  # less asked than the ratio gives
])
def test_the_award_names_the_limit_that_cut_it(w, fee, claimed, amount, limit):
    result = service.quote(claim(w, fee=fee, claimed=claimed))
    assert result.amount == D(amount) and result.limit == limit
    assert result.steps[-1].endswith(f"（{result.limit_words}）")


def test_the_annual_cap_counts_the_years_counted_claims_and_depends_on_the_firms_type(w):
    claim(w, invoice_no="A-1", fee=60000, claimed=30000, award=D(30000), status=ClaimStatus.PAID)
    claim(w, invoice_no="A-2", fee=60000, claimed=30000, award=D(30000), status=ClaimStatus.REJECTED)
    nxt = claim(w, invoice_no="A-3", fee=60000, claimed=30000)
    result = service.quote(nxt)
    # 科技型中小企业: 50,000 a year, 30,000 already counted (the refused claim does not count).
    assert (result.annual_cap, result.already, result.amount, result.limit) == (
        D(50000), D(30000), D("20000.00"), "annual_cap")
    general = service.quote(claim(w, firm=w.other, invoice_no="B-1", fee=60000, claimed=30000))
    assert general.annual_cap == D(20000) and general.amount == D("20000.00")
    assert "其他企业" in general.steps[4]


def test_an_exhausted_annual_cap_is_refused(w):
    claim(w, firm=w.other, invoice_no="E-1", fee=40000, claimed=20000, award=D(20000), status=ClaimStatus.APPROVED)
    assert "已达年度上限" in fields(claim(w, firm=w.other, invoice_no="E-2"))["amount_claimed"]


def test_submitting_needs_the_three_files_and_a_clean_claim(w, users):
    c = claim(w)
    with pytest.raises(BusinessError, match="请先上传：服务合同、发票、付款凭证"):
        engine.perform(CLAIM_FLOW, c, users["demo_qiye"], "submit")
    attach_all(c, users["demo_qiye"])
    w.provider.accepts_vouchers = False
    w.provider.save()
    with pytest.raises(BusinessError, match="不接受创新券"):
        engine.perform(CLAIM_FLOW, Claim.objects.get(pk=c.pk), users["demo_qiye"], "submit")
    assert Claim.objects.get(pk=c.pk).status == ClaimStatus.DRAFT


def test_codes_follow_one_another_within_a_year(w):
    claim(w, code=f"CXQ{YEAR}-000041")
    assert service.next_code(YEAR) == f"CXQ{YEAR}-000042"
    assert service.next_code(YEAR + 1) == f"CXQ{YEAR + 1}-000001"


def test_a_rule_of_the_city_serves_its_counties(w):
    from core.models import Region

    w.rule.region = Region.objects.get(code="330400")
    w.rule.save()
    assert service.rule_for("330482101", YEAR) == w.rule
    assert service.county_codes("330482101") == ["330482", "330400", "330000"]
