"""A project's workflow as a declaration on the one engine:

申报 (enterprise) → 形式审查 (退回补正) → 专家评审 (a review round; the scores come back) → 拟立项公示 →
立项 (the decision with the approved amount, never without review scores) → 合同 → 执行 → 中期检查 (where the
call asks for one) → 验收 (通过 / 整改 within a period, then 通过 / 不通过) → 结题 (every tranche paid); side
exits 终止 and 撤销 with a refund receivable; 未立项 for those not selected. Checks and effects are the
services' (``projects.services.steps``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core import roles
from core.workflow import Transition, Workflow, service
from projects.models import Project, Status

S = Status
RUNNING = (S.EXECUTING, S.CHECKED, S.ACCEPTING, S.RECTIFYING)


def is_applicant(user, project: Project) -> bool:
    return roles.acts_for(user, project.enterprise.org_unit_id, project.region.code)


def is_bureau(user, project: Project) -> bool:
    return roles.manages_region(user, project.region.code)


def is_division_head(user, project: Project) -> bool:
    return roles.is_division_head(user, project.region.code)


def _service(name: str):
    return service("projects.services.steps", name)


BUREAU_ONLY = _("只有本地区科技局管理员可以办理")
HEAD_ONLY = _("立项、终止、撤销须由本地区科技局科室负责人决定")

PROJECT_FLOW = Workflow(
    name="plan-projects",
    model=Project,
    states={s.value: s.label for s in Status},
    transitions=(
        Transition("submit", _("提交申报"), (S.DRAFT, S.RETURNED), S.SUBMITTED, allowed=is_applicant,
                   denied=_("只有申报企业可以提交"), guards=(_service("ready_to_submit"),),
                   effect=_service("clear_opinion")),
        Transition("return", _("退回补正"), (S.SUBMITTED,), S.RETURNED, allowed=is_bureau, denied=BUREAU_ONLY,
                   opinion_required=True, opinion_message=_("退回补正须写明需补正的内容"),
                   effect=_service("keep_opinion")),
        Transition("qualify", _("形式审查通过"), (S.SUBMITTED,), S.QUALIFIED, allowed=is_bureau, denied=BUREAU_ONLY,
                   guards=(_service("needs_review"),)),
        Transition("send_to_review", _("提交专家评审"), (S.QUALIFIED,), S.REVIEWING, allowed=is_bureau,
                   denied=BUREAU_ONLY, guards=(_service("in_round"),)),
        Transition("take_scores", _("汇总评审得分"), (S.REVIEWING,), S.REVIEWED, allowed=is_bureau,
                   denied=BUREAU_ONLY, guards=(_service("scores_complete"),), effect=_service("on_scores")),
        Transition("publicise", _("列入拟立项公示"), (S.REVIEWED,), S.PUBLICISED, allowed=is_bureau,
                   denied=BUREAU_ONLY, guards=(_service("notice_open"),)),
        Transition("not_select", _("未列入立项"), (S.REVIEWED, S.PUBLICISED), S.NOT_APPROVED, allowed=is_bureau,
                   denied=BUREAU_ONLY, opinion_required=True, opinion_message=_("请写明未立项的理由"),
                   effect=_service("keep_opinion")),
        Transition("approve", _("立项"), (S.PUBLICISED,), S.APPROVED, allowed=is_division_head, denied=HEAD_ONLY,
                   guards=(_service("may_approve"),), effect=_service("on_approved")),
        Transition("sign", _("签订合同"), (S.APPROVED,), S.EXECUTING, allowed=is_bureau, denied=BUREAU_ONLY,
                   guards=(_service("contract_given"),), effect=_service("on_signed")),
        Transition("midterm", _("中期检查通过"), (S.EXECUTING,), S.CHECKED, allowed=is_bureau, denied=BUREAU_ONLY,
                   guards=(_service("midterm_applies"),), effect=_service("keep_opinion")),
        Transition("apply_acceptance", _("申请验收"), (S.EXECUTING, S.CHECKED), S.ACCEPTING, allowed=is_applicant,
                   denied=_("只有承担企业可以申请验收"), guards=(_service("midterm_done"),)),
        Transition("rectify", _("整改后复验"), (S.ACCEPTING,), S.RECTIFYING, allowed=is_bureau, denied=BUREAU_ONLY,
                   opinion_required=True, opinion_message=_("整改须写明问题"), effect=_service("on_rectify")),
        Transition("resubmit_acceptance", _("提交整改材料"), (S.RECTIFYING,), S.ACCEPTING, allowed=is_applicant,
                   denied=_("只有承担企业可以提交整改材料"), guards=(_service("within_rectification"),)),
        Transition("accept", _("验收通过"), (S.ACCEPTING,), S.ACCEPTED, allowed=is_bureau, denied=BUREAU_ONLY,
                   effect=_service("on_accepted")),
        Transition("fail", _("验收不通过"), (S.ACCEPTING, S.RECTIFYING), S.FAILED, allowed=is_bureau,
                   denied=BUREAU_ONLY, opinion_required=True, opinion_message=_("验收不通过须写明理由"),
                   effect=_service("on_failed")),
        Transition("close", _("结题"), (S.ACCEPTED, S.APPROVED), S.CLOSED, allowed=is_bureau, denied=BUREAU_ONLY,
                   guards=(_service("closable"), _service("all_paid"))),
        Transition("file", _("认定即立项"), (S.DRAFT,), S.APPROVED, allowed=is_bureau, denied=BUREAU_ONLY,
                   guards=(_service("filing_rule_met"),), effect=_service("on_filed")),
        Transition("terminate", _("终止"), RUNNING, S.TERMINATED, allowed=is_division_head, denied=HEAD_ONLY,
                   opinion_required=True, opinion_message=_("终止须写明理由"), effect=_service("on_ended")),
        Transition("revoke", _("撤销"), (S.APPROVED, *RUNNING), S.REVOKED, allowed=is_division_head,
                   denied=HEAD_ONLY, opinion_required=True, opinion_message=_("撤销须写明理由"),
                   effect=_service("on_ended")),
    ),
    select_related=("region", "enterprise", "call"),
    history_fields=("status", "review_score", "approved_amount", "contract_no", "acceptance", "opinion",
                    "rectify_until"),
    wrong_state="项目当前为“%(state)s”，不能执行“%(action)s”",
    recipients=lambda step: ([], [step.obj.enterprise.org_unit] if step.obj.enterprise.org_unit_id else []),
    url=lambda project: f"/projects/p/{project.code}/",
)
