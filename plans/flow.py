"""Review of indicator values (提交 → 通过 / 退回) and period locks (锁定 / 重新开放), declared on the core
workflow engine (core.workflow); plans.services.values takes the steps through ``core.workflow.perform``.

Reporting a figure (填报) is not a step here: it writes the value itself and chooses the status it starts in
(draft, waiting for review, or approved at once for a bureau admin), see ``report_value``.
"""

from django.utils.translation import gettext as _

from core import roles
from core.errors import FieldProblem
from core.periods import Period
from core.workflow import Step, Transition, Workflow
from plans.models import IndicatorValue, PeriodLock, ValueStatus
from plans.rules import lock_covers, report_refusal

VALUE_FIELDS = ("value", "basis", "status", "approved_value", "note", "source", "reporter", "reporter_unit",
                "reviewed_by", "review_opinion", "revision", "version")

# Plain strings (the model's choice labels), so the declaration is built without the translation machinery.
VALUE_STATES = {ValueStatus.DRAFT: "草稿", ValueStatus.SUBMITTED: "待审核", ValueStatus.APPROVED: "已审核",
                ValueStatus.RETURNED: "已退回"}


def locked_period(plan, period: Period) -> PeriodLock | None:
    for lock in PeriodLock.objects.filter(plan=plan, locked=True, period__startswith=str(period.year)):
        if lock_covers(Period.parse(lock.period), period):
            return lock
    return None


def lock_problem(plan, period: Period) -> FieldProblem | None:
    lock = locked_period(plan, period)
    if lock is None:
        return None
    return FieldProblem("period", _("%(period)s已锁定，不能修改（锁定期间：%(lock)s）")
                        % {"period": period.label, "lock": Period.parse(lock.period).label})


def _unlocked(step: Step) -> FieldProblem | None:
    return lock_problem(step.obj.indicator.plan, Period.parse(step.obj.period))


def _visible(user, row: IndicatorValue) -> bool:
    return IndicatorValue.objects.restrict(user, "view").filter(pk=row.pk).exists()


def _may_submit(user, row: IndicatorValue) -> bool:
    return _visible(user, row) and report_refusal(user, row.indicator, row.place) is None


def _submit_denied(user, row: IndicatorValue) -> str:
    if not _visible(user, row):
        return _("无权操作该数据")
    return report_refusal(user, row.indicator, row.place) or ""


def is_reviewer(user, row: IndicatorValue) -> bool:
    """The bureau admin of the plan's region (or the system admin) reviews its figures."""
    return roles.manages_region(user, row.indicator.plan.region.code)


def _approved(step: Step) -> None:
    row = step.obj
    row.approved_value, row.reviewed_by, row.review_opinion = row.value, step.user, step.opinion


def _returned(step: Step) -> None:
    step.obj.reviewed_by, step.obj.review_opinion = step.user, step.opinion


def _value_recipients(step: Step) -> tuple[list, list]:
    """A submitted figure is told to the bureau that reviews it; the review's outcome to who reported it."""
    from core.notify import bureau_admins

    value = step.obj
    if step.action == "submit":
        return bureau_admins(value.indicator.plan.region), []
    return ([value.reporter] if value.reporter_id else []), ([value.reporter_unit] if value.reporter_unit_id else [])


def _value_url(value) -> str:
    from django.urls import reverse

    return reverse("plans:value-detail", args=[value.pk])


VALUE_FLOW = Workflow(
    name="values",
    recipients=_value_recipients,
    url=_value_url,
    model=IndicatorValue,
    states=VALUE_STATES,
    transitions=(
        Transition(name="submit", label="提交", sources=(ValueStatus.DRAFT, ValueStatus.RETURNED),
                   target=ValueStatus.SUBMITTED, allowed=_may_submit, denied=_submit_denied, guards=(_unlocked,),
                   note=lambda step: _("提交审核")),
        Transition(name="approve", label="审核通过", sources=(ValueStatus.SUBMITTED,), target=ValueStatus.APPROVED,
                   allowed=is_reviewer, denied="只有本地区科技局管理员可以审核", guards=(_unlocked,),
                   effect=_approved, note=lambda step: step.opinion or _("审核通过")),
        Transition(name="return", label="退回", sources=(ValueStatus.SUBMITTED,), target=ValueStatus.RETURNED,
                   allowed=is_reviewer, denied="只有本地区科技局管理员可以审核", opinion_required=True,
                   opinion_message="退回时必须填写审核意见", effect=_returned, note=lambda step: step.opinion),
    ),
    history_fields=VALUE_FIELDS,
    select_related=("indicator__plan__region", "place__region"),
    wrong_state="该数据当前为“%(state)s”，不能%(action)s",
    stale="数据已被他人修改，请刷新后重试",
    # A figure the user may not touch is refused as such, whatever its state (the state would tell them more).
    permission_first=True,
)


def is_plan_admin(user, plan) -> bool:
    return roles.manages_region(user, plan.region.code)


def _no_pending(step: Step) -> FieldProblem | None:
    """Figures still waiting for review would be frozen unreviewed: they are dealt with first."""
    lock, period = step.obj, Period.parse(step.obj.period)
    pending = IndicatorValue.objects.filter(indicator__plan_id=lock.plan_id, status=ValueStatus.SUBMITTED,
                                            period_end__gte=period.year * 100 + period.start_month,
                                            period_end__lte=period.end_key).count()
    if not pending:
        return None
    return FieldProblem("period", _("%(period)s仍有%(n)s条待审核数据，审核完成后才能锁定")
                        % {"period": period.label, "n": pending})


def _changed(step: Step) -> None:
    step.obj.reason, step.obj.changed_by = step.opinion, step.user


def _lock_state_refusal(lock: PeriodLock, transition: Transition) -> str:
    label = Period.parse(lock.period).label
    return _("%(period)s已经锁定") % {"period": label} if lock.locked else _("%(period)s未锁定") % {"period": label}


PLAN_ADMIN_ONLY = "只有本地区科技局管理员可以锁定或重新开放期间"

# The state is the row's ``locked`` flag; a lock row keeps no version (only the bureau admin touches it).
PERIOD_LOCK_FLOW = Workflow(
    name="period_locks",
    model=PeriodLock,
    states={False: "开放", True: "已锁定"},
    transitions=(
        Transition(name="lock", label="锁定", sources=(False,), target=True,
                   allowed=lambda user, lock: is_plan_admin(user, lock.plan), denied=PLAN_ADMIN_ONLY,
                   guards=(_no_pending,), effect=_changed, note=lambda step: step.opinion or _("锁定")),
        Transition(name="reopen", label="重新开放", sources=(True,), target=False,
                   allowed=lambda user, lock: is_plan_admin(user, lock.plan), denied=PLAN_ADMIN_ONLY,
                   opinion_required=True, opinion_message="重新开放期间必须说明原因", opinion_field="reason",
                   effect=_changed, note=lambda step: step.opinion),
    ),
    state_field="locked",
    version_field=None,
    select_related=("plan__region",),
    wrong_state=_lock_state_refusal,
    permission_first=True,
)
