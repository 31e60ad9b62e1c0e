"""A project's whole way and its refused shortcuts: no 立项 without review scores or before the notice has run
clear, none above the request, the budget or the quota; no tranche before it falls due or beyond it; 中期检查
before 验收 where the call asks for one; 整改 then 通过; 结题 only when all is paid; 终止 and 撤销 leave refund
receivables; one extension of at most a year; 认定即立项 only for a firm meeting the rule."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core import review
from core.errors import BusinessError, Missing, NotAllowed
from core.models_notice import FundEntry, PublicNotice
from core.models_review import ReviewAssignment
from projects.models import Project, Status, Tranche
from projects.services import calls
from projects.services import projects as service
from projects.tests.factories import TODAY, D, application, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(users):
    return world(users)


def step(user, p, action, opinion=""):
    return service.step(actor=user, code=p.code, action=action, opinion=opinion)


def notice_over(p: Project) -> None:
    PublicNotice.objects.filter(pk=Project.objects.get(pk=p.pk).notice_id).update(
        starts_on=TODAY - datetime.timedelta(days=21), ends_on=TODAY - datetime.timedelta(days=7))


def reviewed(w, users, p: Project) -> Project:
    step(users["demo_qiye"] if p.enterprise_id == w.firm.pk else users["ph_admin"], p, "submit")
    step(users["ph_admin"], p, "qualify")
    calls.open_review(actor=users["ph_admin"], code=p.call.code, due_on=TODAY + datetime.timedelta(days=7),
                      per_subject=1)
    for assignment in ReviewAssignment.objects.filter(subject__object_id=str(p.pk)):
        review.submit_scores(user=users["demo_zhuanjia"], assignment_id=assignment.pk,
                             scores={"innovation": "90", "benefit": "80"})
    assert calls.take_scores(actor=users["ph_admin"], code=p.call.code) == 1
    return Project.objects.get(pk=p.pk)


def decided(w, users, p: Project, amount=80000) -> Project:
    reviewed(w, users, p)
    calls.publish_shortlist(actor=users["ph_admin"], code=p.call.code, selected=[p.code])
    notice_over(p)
    return service.decide(actor=users["ph_kezhang"], code=p.code, amount=amount)


def test_the_whole_way_of_a_key_project(w, users):
    p = reviewed(w, users, application(w))
    # The expert whose unit is the firm was never assigned; the one without a conflict was.
    assigned = set(ReviewAssignment.objects.filter(subject__object_id=str(p.pk)).values_list("expert", flat=True))
    assert assigned == {w.expert.pk}
    assert p.status == Status.REVIEWED and p.review_score == D("86.00")
    calls.publish_shortlist(actor=users["ph_admin"], code=w.key.code, selected=[p.code])
    with pytest.raises(BusinessError, match="期满后方可"):
        service.decide(actor=users["ph_kezhang"], code=p.code, amount=80000)
    notice_over(p)
    with pytest.raises(NotAllowed, match="科室负责人"):
        service.decide(actor=users["ph_admin"], code=p.code, amount=80000)
    with pytest.raises(BusinessError, match="不能超过申请补助"):
        service.decide(actor=users["ph_kezhang"], code=p.code, amount=100001)
    assert Project.objects.get(pk=p.pk).approved_amount is None  # a refused decision keeps nothing
    p = service.decide(actor=users["ph_kezhang"], code=p.code, amount=80000)
    tranches = list(Tranche.objects.filter(project=p).values_list("name", "amount", "fund_entry"))
    assert tranches == [("签约拨付", D("48000.00"), None), ("验收拨付", D("32000.00"), None)]
    with pytest.raises(BusinessError, match="尚未到拨付时点"):
        service.pay_tranche(actor=users["ph_admin"], code=p.code, seq=1, amount=48000)
    with pytest.raises(BusinessError, match="合同编号"):
        service.sign(actor=users["ph_admin"], code=p.code, contract_no=" ")
    service.sign(actor=users["ph_admin"], code=p.code, contract_no="HT-2026-001")
    with pytest.raises(BusinessError, match="超出"):
        service.pay_tranche(actor=users["ph_admin"], code=p.code, seq=1, amount="48000.01")
    service.pay_tranche(actor=users["ph_admin"], code=p.code, seq=1, amount=48000)
    first = Tranche.objects.get(project=p, seq=1)
    assert (first.paid, FundEntry.objects.get(pk=first.fund_entry_id).paid) == (D(48000), D(48000))
    with pytest.raises(BusinessError, match="中期检查"):
        step(users["demo_qiye"], p, "apply_acceptance")
    step(users["ph_admin"], p, "midterm")
    step(users["demo_qiye"], p, "apply_acceptance")
    p = step(users["ph_admin"], p, "rectify", "测试报告缺少第三方检测")
    assert p.status == Status.RECTIFYING and p.rectify_until == TODAY + datetime.timedelta(days=90)
    step(users["demo_qiye"], p, "resubmit_acceptance")
    p = step(users["ph_admin"], p, "accept")
    assert p.acceptance == "整改后通过"
    with pytest.raises(BusinessError, match="未拨付"):
        step(users["ph_admin"], p, "close")
    service.pay_tranche(actor=users["ph_admin"], code=p.code, seq=2, amount=32000)
    assert step(users["ph_admin"], p, "close").status == Status.CLOSED
    entries = FundEntry.objects.filter(programme="科技计划项目", object_id=str(p.pk))
    assert sorted(e.paid for e in entries) == [D(32000), D(48000)]


def test_no_approval_without_review_scores(w, users):
    p = application(w, status=Status.PUBLICISED)
    with pytest.raises(BusinessError, match="没有专家评审得分"):
        service.decide(actor=users["ph_kezhang"], code=p.code, amount=50000)
    assert Project.objects.get(pk=p.pk).status == Status.PUBLICISED


def test_scores_are_taken_only_when_every_expert_has_scored(w, users):
    p = application(w)
    step(users["demo_qiye"], p, "submit")
    step(users["ph_admin"], p, "qualify")
    calls.open_review(actor=users["ph_admin"], code=w.key.code, due_on=TODAY + datetime.timedelta(days=7),
                      per_subject=1)
    assert calls.take_scores(actor=users["ph_admin"], code=w.key.code) == 0
    with pytest.raises(BusinessError, match="尚未全部提交"):
        step(users["ph_admin"], p, "take_scores")
    with pytest.raises(BusinessError, match="不能执行"):
        step(users["ph_admin"], p, "publicise")


def test_the_calls_budget_and_quota_hold(w, users):
    w.key.budget, w.key.quota = D(100000), 1
    w.key.save()
    first = decided(w, users, application(w), amount=60000)
    assert first.status == Status.APPROVED
    second = application(w, firm=w.other)
    reviewed(w, users, second)
    calls.publish_shortlist(actor=users["ph_admin"], code=w.key.code, selected=[second.code])
    notice_over(second)
    with pytest.raises(BusinessError, match="超过指南预算"):
        service.decide(actor=users["ph_kezhang"], code=second.code, amount=50000)
    with pytest.raises(BusinessError, match="名额1个已满"):
        service.decide(actor=users["ph_kezhang"], code=second.code, amount=40000)


def test_termination_and_revocation_leave_refund_receivables(w, users):
    p = decided(w, users, application(w))
    service.sign(actor=users["ph_admin"], code=p.code, contract_no="HT-1")
    service.pay_tranche(actor=users["ph_admin"], code=p.code, seq=1, amount=48000)
    with pytest.raises(BusinessError, match="终止须写明理由"):
        step(users["ph_kezhang"], p, "terminate")
    with pytest.raises(NotAllowed):
        step(users["ph_admin"], p, "terminate", "企业停产")
    p = step(users["ph_kezhang"], p, "terminate", "企业停产，项目无法实施")
    entry = FundEntry.objects.get(pk=Tranche.objects.get(project=p, seq=1).fund_entry_id)
    assert (p.status, entry.refund_due) == (Status.TERMINATED, D(48000)) and "企业停产" in entry.refund_reason
    with pytest.raises(BusinessError, match="不能再拨付"):
        service.pay_tranche(actor=users["ph_admin"], code=p.code, seq=2, amount=1)
    q = decided(w, users, application(w, firm=w.other), amount=50000)
    q = step(users["ph_kezhang"], q, "revoke", "申报材料弄虚作假")
    assert q.status == Status.REVOKED


def test_one_extension_of_at_most_a_year(w, users):
    p = decided(w, users, application(w))
    with pytest.raises(BusinessError, match="执行中"):
        service.extend(actor=users["ph_admin"], code=p.code, to=p.ends_on + datetime.timedelta(days=30))
    service.sign(actor=users["ph_admin"], code=p.code, contract_no="HT-2")
    with pytest.raises(BusinessError, match="不晚于"):
        service.extend(actor=users["ph_admin"], code=p.code, to=p.ends_on + datetime.timedelta(days=400))
    done = service.extend(actor=users["ph_admin"], code=p.code, to=p.ends_on + datetime.timedelta(days=200))
    assert done.extended_to == p.ends_on + datetime.timedelta(days=200)
    with pytest.raises(BusinessError, match="已延期一次"):
        service.extend(actor=users["ph_admin"], code=p.code, to=p.ends_on + datetime.timedelta(days=300))
    with pytest.raises(NotAllowed):
        service.extend(actor=users["ph_leader"], code=p.code, to=p.ends_on + datetime.timedelta(days=300))


def test_recognised_firms_are_filed_at_once_and_paid_a_one_off_subsidy(w, users):
    p = service.record_filing(actor=users["ph_admin"], call=w.filing, enterprise=w.firm, title="企业自立项：新型电机")
    assert (p.status, p.approved_amount, p.review_score) == (Status.APPROVED, D(50000), None)
    tranche = Tranche.objects.get(project=p)
    assert tranche.fund_entry_id is not None and tranche.name == "后补助"
    service.pay_tranche(actor=users["ph_admin"], code=p.code, seq=1, amount=50000)
    assert step(users["ph_admin"], p, "close").status == Status.CLOSED
    with pytest.raises(BusinessError, match="不具备认定条件"):
        service.record_filing(actor=users["ph_admin"], call=w.filing, enterprise=w.other, title="自立项")
    assert not Project.objects.filter(enterprise=w.other).exists()
    with pytest.raises(BusinessError, match="只有备案类指南"):
        service.record_filing(actor=users["ph_admin"], call=w.key, enterprise=w.firm, title="自立项")


def test_an_application_outside_the_window_or_with_a_wrong_budget_is_not_submitted(w, users):
    p = application(w, budget_lines=[{"item": "设备费", "amount": "1.00"}])
    with pytest.raises(BusinessError, match="经费预算合计"):
        step(users["demo_qiye"], p, "submit")
    w.key.closes_on = TODAY - datetime.timedelta(days=1)
    w.key.save()
    q = application(w, firm=w.other)
    with pytest.raises(BusinessError, match="不在申报期内"):
        step(users["ph_admin"], q, "submit")
    with pytest.raises(NotAllowed, match="只有申报企业"):
        step(users["ph_leader"], Project.objects.get(pk=p.pk), "submit")


def test_each_role_reaches_only_its_own(w, users):
    mine = application(w)
    theirs = application(w, firm=w.other)
    step(users["demo_qiye"], mine, "submit")
    step(users["ph_admin"], theirs, "submit")
    for p in (mine, theirs):
        step(users["ph_admin"], p, "qualify")
    calls.open_review(actor=users["ph_admin"], code=w.key.code, due_on=timezone.localdate() + datetime.timedelta(
        days=7), per_subject=1)
    # The expert of 浙江大学 is the only one mine may have (the other expert's unit is mine's firm); theirs went
    # to the less loaded other expert: each expert reaches its own assignments and nothing else.
    seen = set(Project.objects.restrict(users["demo_zhuanjia"]).values_list("code", flat=True))
    assert seen == {mine.code}
    assert not Project.objects.restrict(users["demo_zhuanjia"], "change").exists()
    assert set(Project.objects.restrict(users["demo_qiye"]).values_list("code", flat=True)) == {mine.code}
    assert set(Project.objects.restrict(users["ph_leader"]).values_list("code", flat=True)) >= {mine.code, theirs.code}
    assert not Project.objects.restrict(users["js_admin"]).exists()
    assert not Project.objects.restrict(users["ph_leader"], "change").exists()
    with pytest.raises(Missing):
        service.visible_project(users["js_admin"], mine.code)
