"""The performance table's workflow as a declaration on the one engine: the operator fills and submits, the
region's bureau returns it with an opinion or approves it. Scoring happens after approval, for the cohort."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core import roles
from core.workflow import Transition, Workflow
from platforms.models import PerformanceTable, TableStatus


def is_operator(user, table: PerformanceTable) -> bool:
    """The institution or enterprise account that runs the platform fills its table."""
    return (roles.is_outsider(user) and not roles.is_expert(user) and bool(user.org_unit_id)
            and user.org_unit_id == table.platform.operator_unit_id)


def is_platform_bureau(user, table: PerformanceTable) -> bool:
    return roles.manages_region(user, table.platform.region.code)


def fills(user, table: PerformanceTable) -> bool:
    """Who may enter the values: the operator, or its bureau for a platform without an account."""
    return is_operator(user, table) or is_platform_bureau(user, table)


def missing_values(step) -> str | None:
    from django.utils.translation import gettext

    from platforms import performance

    missing = performance.unfilled(step.obj.template.indicators, step.obj.values)
    if missing:
        return gettext("请先填写：%(names)s") % {"names": "、".join(missing)}
    return None


def keep_opinion(step) -> None:
    step.obj.opinion = step.opinion[:500]


TABLE_FLOW = Workflow(
    name="performance-tables",
    model=PerformanceTable,
    states={s.value: s.label for s in TableStatus},
    transitions=(
        Transition("submit", _("提交"), (TableStatus.DRAFT, TableStatus.RETURNED), TableStatus.SUBMITTED,
                   allowed=fills, denied=_("只有平台运营单位或本地区科技局可以提交"), guards=(missing_values,)),
        Transition("return", _("退回"), (TableStatus.SUBMITTED,), TableStatus.RETURNED, allowed=is_platform_bureau,
                   denied=_("只有本地区科技局管理员可以审核"), opinion_required=True,
                   opinion_message=_("退回须填写意见"), effect=keep_opinion),
        Transition("approve", _("审核通过"), (TableStatus.SUBMITTED,), TableStatus.APPROVED,
                   allowed=is_platform_bureau, denied=_("只有本地区科技局管理员可以审核"), effect=keep_opinion),
    ),
    select_related=("platform__region", "template"),
    history_fields=("status", "opinion", "values"),
    wrong_state="绩效评价表当前为“%(state)s”，不能执行“%(action)s”",
    recipients=lambda step: ([], [step.obj.platform.operator_unit] if step.obj.platform.operator_unit_id else []),
    url=lambda table: f"/platforms/tables/{table.pk}/",
)
