"""Every step of a claim and of its batch, and the shortcuts each refuses: 复审 by the first reviewer or by
staff who are not a 科室负责人, 公示 outside a published batch, 兑付 before the notice has run clear, a step
taken twice or from a stale screen; 追回 leaves a refund receivable in the ledger."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core import publicity
from core import workflow as engine
from core.errors import BusinessError, Conflict, Missing, NotAllowed
from core.models import Notification
from core.models_notice import FundEntry, PublicNotice
from vouchers.flow import CLAIM_FLOW
from vouchers.models import Batch, BatchStatus, Claim, ClaimStatus
from vouchers.services import batches
from vouchers.services import claims as service
from vouchers.tests.factories import PH, YEAR, D, attach_all, claim, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(users):
    return world()


def step(user, c, action, opinion="", version=None):
    return service.step(actor=user, claim_id=c.pk, action=action, opinion=opinion, version=version)


def submitted(w, users, **kw) -> Claim:
    c = claim(w, **kw)
    attach_all(c, users["demo_qiye"])
    return step(users["demo_qiye"] if c.enterprise_id == w.firm.pk else users["ph_admin"], c, "submit")


def approved(w, users, **kw) -> Claim:
    c = step(users["ph_admin"], submitted(w, users, **kw), "first_pass")
    return step(users["ph_kezhang"], c, "second_pass")


def batch(code="PH-T-1", seq=1) -> Batch:
    from core.models import Region

    return Batch.objects.create(code=code, region=Region.objects.get(code=PH), year=YEAR, seq=seq,
                                usage_from=datetime.date(YEAR, 1, 1), usage_to=datetime.date(YEAR, 12, 31))


def notice_over(b: Batch) -> None:
    """Time passes: the batch's notice ran from three weeks ago to last week."""
    today = timezone.localdate()
    PublicNotice.objects.filter(pk=b.notice_id).update(starts_on=today - datetime.timedelta(days=21),
                                                       ends_on=today - datetime.timedelta(days=7))


def test_the_whole_way_from_application_to_paid(w, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        the_whole_way(w, users)
    # The enterprise account was told of each step.
    titles = list(Notification.objects.filter(recipient=users["demo_qiye"]).values_list("title", flat=True))
    assert len(titles) >= 5 and any("确认兑付" in t for t in titles), titles


def the_whole_way(w, users):
    c = submitted(w, users, fee=30000)
    assert c.status == ClaimStatus.SUBMITTED and c.submitted_on == timezone.localdate()
    c = step(users["ph_admin"], c, "first_pass")
    assert (c.status, c.award, c.first_reviewer) == (ClaimStatus.FIRST_PASSED, D("15000.00"), users["ph_admin"])
    assert c.award_basis["limit"] == "ratio" and len(c.award_basis["steps"]) == 6
    c = step(users["ph_kezhang"], c, "second_pass")
    b = batch()
    assert batches.collect(actor=users["ph_admin"], batch_id=b.pk) == 1
    facts = batches.figures(b)
    assert facts["summary"] == "共有1家企业1个项目获得创新券补助1.5万元"
    b = batches.publish(actor=users["ph_admin"], batch_id=b.pk)
    assert Claim.objects.get(pk=c.pk).status == ClaimStatus.PUBLICISED
    assert "1.5万元" in b.notice.body and b.notice.items.count() == 1
    notice_over(b)
    assert batches.list_for_payment(actor=users["ph_admin"], batch_id=b.pk) == 1
    entry = FundEntry.objects.get(pk=Claim.objects.get(pk=c.pk).fund_entry_id)
    assert (entry.programme, entry.approved, entry.paid, entry.recipient_uscc) == (
        "创新券", D("15000.00"), D("0"), w.firm.uscc)
    assert batches.pay(actor=users["ph_admin"], batch_id=b.pk) == 1
    entry.refresh_from_db()
    c.refresh_from_db()
    assert (c.status, entry.paid) == (ClaimStatus.PAID, D("15000.00"))
    assert Batch.objects.get(pk=b.pk).status == BatchStatus.PAID


def test_second_review_is_a_division_heads_and_never_the_first_reviewers(w, users):
    c = step(users["ph_kezhang"], submitted(w, users), "first_pass")
    with pytest.raises(NotAllowed, match="不能由初审人本人"):
        step(users["ph_kezhang"], c, "second_pass")
    with pytest.raises(NotAllowed, match="科室负责人"):
        step(users["ph_admin"], c, "second_pass")
    with pytest.raises(Missing):  # another county's claim is not even seen
        step(users["js_kezhang"], c, "second_pass")
    assert Claim.objects.get(pk=c.pk).status == ClaimStatus.FIRST_PASSED


def test_send_back_return_and_resubmit(w, users):
    c = step(users["ph_admin"], submitted(w, users), "first_pass")
    with pytest.raises(BusinessError, match="退回初审须填写意见"):
        step(users["ph_kezhang"], c, "send_back")
    c = step(users["ph_kezhang"], c, "send_back", "发票金额与合同不符")
    assert (c.status, c.award, c.award_basis) == (ClaimStatus.SUBMITTED, None, {})
    with pytest.raises(BusinessError, match="退回补正须写明"):
        step(users["ph_admin"], c, "return")
    c = step(users["ph_admin"], c, "return", "请补充付款凭证")
    assert c.status == ClaimStatus.RETURNED and c.opinion == "请补充付款凭证"
    c = step(users["demo_qiye"], c, "submit")
    assert c.status == ClaimStatus.SUBMITTED and c.opinion == ""


def test_a_step_cannot_be_taken_twice_or_from_a_stale_screen(w, users):
    c = submitted(w, users)
    seen = c.version
    step(users["ph_admin"], c, "first_pass", version=seen)
    with pytest.raises(Conflict):
        step(users["ph_admin"], c, "return", "再看看", version=seen)
    with pytest.raises(BusinessError, match="不能执行"):
        step(users["ph_admin"], c, "first_pass")


def test_no_publicity_outside_a_published_batch_and_no_payment_before_the_notice_ends(w, users):
    c = approved(w, users)
    with pytest.raises(BusinessError, match="尚未编入已发布公示的兑付批次"):
        step(users["ph_admin"], c, "publicise")
    b = batch()
    batches.collect(actor=users["ph_admin"], batch_id=b.pk)
    with pytest.raises(Conflict):
        batches.pay(actor=users["ph_admin"], batch_id=b.pk)
    batches.publish(actor=users["ph_admin"], batch_id=b.pk)
    with pytest.raises(BusinessError, match="期满后方可"):
        batches.list_for_payment(actor=users["ph_admin"], batch_id=b.pk)
    with pytest.raises(BusinessError, match="期满后方可"):
        step(users["ph_admin"], c, "list_for_payment")
    with pytest.raises(Conflict):
        batches.pay(actor=users["ph_admin"], batch_id=b.pk)
    with pytest.raises(BusinessError, match="不能执行"):
        step(users["ph_admin"], c, "pay")
    assert Claim.objects.get(pk=c.pk).status == ClaimStatus.PUBLICISED
    assert not FundEntry.objects.filter(programme="创新券").exists()


def test_an_objection_holds_its_claim_back_until_decided(w, users):
    c = approved(w, users)
    b = batch()
    batches.collect(actor=users["ph_admin"], batch_id=b.pk)
    b = batches.publish(actor=users["ph_admin"], batch_id=b.pk)
    item = b.notice.items.get()
    publicity.submit_objection(notice_id=b.notice_id, item_id=item.pk, text="该服务未实际发生", submitter="某甲",
                               contact="13800000000")
    notice_over(b)
    with pytest.raises(BusinessError, match="异议"):
        batches.list_for_payment(actor=users["ph_admin"], batch_id=b.pk)
    assert Claim.objects.get(pk=c.pk).status == ClaimStatus.PUBLICISED


def test_reject_needs_a_reason_and_recovery_leaves_a_refund_receivable(w, users):
    c = submitted(w, users)
    with pytest.raises(BusinessError, match="不予兑付须写明理由"):
        step(users["ph_admin"], c, "reject")
    rejected = step(users["ph_admin"], c, "reject", "服务机构与企业存在关联")
    assert rejected.status == ClaimStatus.REJECTED
    paid = approved(w, users, invoice_no="INV-2", fee=10000)
    b = batch()
    batches.collect(actor=users["ph_admin"], batch_id=b.pk)
    batches.publish(actor=users["ph_admin"], batch_id=b.pk)
    notice_over(Batch.objects.get(pk=b.pk))
    batches.list_for_payment(actor=users["ph_admin"], batch_id=b.pk)
    batches.pay(actor=users["ph_admin"], batch_id=b.pk)
    with pytest.raises(BusinessError, match="追回须写明"):
        step(users["ph_admin"], paid, "recover")
    recovered = step(users["ph_admin"], paid, "recover", "抽查发现发票为虚开")
    entry = FundEntry.objects.get(pk=recovered.fund_entry_id)
    assert recovered.status == ClaimStatus.RECOVERED
    assert (entry.paid, entry.refund_due, entry.refunded) == (D("5000.00"), D("5000.00"), D("0"))
    assert "虚开" in entry.refund_reason


def test_the_annual_cap_is_fixed_at_first_review_so_two_claims_cannot_both_spend_it(w, users):
    # Three claims of a 20,000-a-year firm are submitted while none is counted yet.
    a, b, c = (submitted(w, users, firm=w.other, invoice_no=f"X-{n}", fee=30000, claimed=15000) for n in range(3))
    step(users["ph_admin"], a, "first_pass")
    b = step(users["ph_admin"], b, "first_pass")
    assert b.award == D("5000.00") and b.award_basis["limit"] == "annual_cap"
    with pytest.raises(BusinessError, match="已达年度上限"):
        step(users["ph_admin"], c, "first_pass")
    assert Claim.objects.get(pk=c.pk).status == ClaimStatus.SUBMITTED
    # Once the cap is spent, a new claim of the year is refused when it is saved.
    late = claim(w, firm=w.other, invoice_no="X-9", fee=2000, claimed=1000, persist=False)
    assert any("已达年度上限" in str(p.message) for p in service.problems(late))


def test_batch_actions_belong_to_the_bureau_of_the_region(w, users):
    b = batch()
    for name in ("js_admin", "ph_leader"):
        with pytest.raises((NotAllowed, Exception)) as caught:
            batches.collect(actor=users[name], batch_id=b.pk)
        assert "批次" in str(caught.value)
    with pytest.raises(BusinessError, match="没有复审通过的申请"):
        batches.publish(actor=users["ph_admin"], batch_id=b.pk)


def test_only_the_applicant_submits(w, users):
    c = claim(w)
    attach_all(c, users["demo_qiye"])
    with pytest.raises(NotAllowed, match="只有申请企业可以提交"):
        step(users["ph_leader"], Claim.objects.get(pk=c.pk), "submit")
    assert engine.allowed_actions(CLAIM_FLOW, c, users["demo_qiye"])[0].name == "submit"
