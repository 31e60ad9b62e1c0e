"""The voucher claim's workflow as a declaration on the one engine:

申请 (enterprise) → 初审 (bureau staff; 退回补正 with an opinion) → 复审 (a 科室负责人 other than the first
reviewer) → 公示 (with its batch) → 列入兑付表 (once the notice has run clear; entered in the ledger) → 已兑付;
side exits 不予兑付 (with the reason) and 追回 after a spot check (a refund receivable in the ledger).
The arithmetic and the refusals are the services'; this module only says who may take which step when.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core import roles
from core.workflow import Transition, Workflow, service
from vouchers.models import Claim, ClaimStatus

S = ClaimStatus


def is_applicant(user, claim: Claim) -> bool:
    """The enterprise's own account, or its bureau entering the claim for it."""
    return roles.acts_for(user, claim.enterprise.org_unit_id, claim.region.code)


def is_bureau(user, claim: Claim) -> bool:
    return roles.manages_region(user, claim.region.code)


def is_second_reviewer(user, claim: Claim) -> bool:
    return roles.is_division_head(user, claim.region.code) and user.pk != claim.first_reviewer_id


def second_denied(user, claim: Claim) -> str:
    if user.pk == claim.first_reviewer_id:
        return str(_("复审不能由初审人本人进行"))
    return str(_("复审须由本地区科技局科室负责人进行"))


def _service(name: str):
    return service("vouchers.services.steps", name)


BUREAU_ONLY = _("只有本地区科技局管理员可以办理")

CLAIM_FLOW = Workflow(
    name="voucher-claims",
    model=Claim,
    states={s.value: s.label for s in ClaimStatus},
    transitions=(
        Transition("submit", _("提交申请"), (S.DRAFT, S.RETURNED), S.SUBMITTED, allowed=is_applicant,
                   denied=_("只有申请企业可以提交"), guards=(_service("ready_to_submit"),),
                   effect=_service("on_submit")),
        Transition("return", _("退回补正"), (S.SUBMITTED,), S.RETURNED, allowed=is_bureau, denied=BUREAU_ONLY,
                   opinion_required=True, opinion_message=_("退回补正须写明需补正的内容"),
                   effect=_service("keep_opinion")),
        Transition("first_pass", _("初审通过"), (S.SUBMITTED,), S.FIRST_PASSED, allowed=is_bureau,
                   denied=BUREAU_ONLY, effect=_service("on_first_pass")),
        Transition("send_back", _("复审退回初审"), (S.FIRST_PASSED,), S.SUBMITTED, allowed=is_second_reviewer,
                   denied=second_denied, opinion_required=True, opinion_message=_("退回初审须填写意见"),
                   effect=_service("on_send_back")),
        Transition("second_pass", _("复审通过"), (S.FIRST_PASSED,), S.APPROVED, allowed=is_second_reviewer,
                   denied=second_denied, effect=_service("on_second_pass")),
        Transition("publicise", _("列入公示"), (S.APPROVED,), S.PUBLICISED, allowed=is_bureau, denied=BUREAU_ONLY,
                   guards=(_service("batch_notice_open"),)),
        Transition("list_for_payment", _("列入兑付表"), (S.PUBLICISED,), S.PAYABLE, allowed=is_bureau,
                   denied=BUREAU_ONLY, guards=(_service("notice_cleared"),), effect=_service("on_listed")),
        Transition("pay", _("确认兑付"), (S.PAYABLE,), S.PAID, allowed=is_bureau, denied=BUREAU_ONLY,
                   effect=_service("on_paid")),
        Transition("reject", _("不予兑付"), (S.SUBMITTED, S.FIRST_PASSED, S.APPROVED, S.PUBLICISED), S.REJECTED,
                   allowed=is_bureau, denied=BUREAU_ONLY, opinion_required=True,
                   opinion_message=_("不予兑付须写明理由"), effect=_service("keep_opinion")),
        Transition("recover", _("追回"), (S.PAID,), S.RECOVERED, allowed=is_bureau, denied=BUREAU_ONLY,
                   opinion_required=True, opinion_message=_("追回须写明抽查发现的问题"),
                   effect=_service("on_recovered")),
    ),
    select_related=("region", "enterprise", "provider", "service", "batch"),
    history_fields=("status", "award", "opinion", "batch", "fund_entry"),
    wrong_state="创新券申请当前为“%(state)s”，不能执行“%(action)s”",
    recipients=lambda step: ([], [step.obj.enterprise.org_unit] if step.obj.enterprise.org_unit_id else []),
    url=lambda claim: f"/vouchers/claim/{claim.pk}/",
)
