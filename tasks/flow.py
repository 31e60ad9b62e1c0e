"""The closed loop of a key task declared on the core workflow engine (core.workflow).

The states and steps come from the one table in tasks.rules (``loop_steps``); this module adds who may take
each step as a predicate over (user, task), the guards and the effects.  tasks.services.workflow takes the
steps through ``core.workflow.perform``.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from core import roles
from core.errors import FieldProblem
from core.models import OrgKind
from core.workflow import Step, Transition, Workflow
from tasks import rules
from tasks.models import KeyTask, TaskTransition, unit_family

TASK_FIELDS = ("status", "percent_done", "quantity_done", "latest_period", "version")


def actor_role(user, task: KeyTask) -> str:
    """How the user stands to the task: its lead unit, the supervising bureau, an assisting unit, or none."""
    units = unit_family(user)
    if task.lead_unit_id in units:
        return rules.Actor.LEAD
    if roles.manages_region(user, task.plan.region.code):
        return rules.Actor.ADMIN
    if any(a.org_unit_id in units for a in task.assists.all()):
        return rules.Actor.ASSIST
    return rules.Actor.OTHER


def _is_lead(user, task: KeyTask) -> bool:
    return actor_role(user, task) == rules.Actor.LEAD


def _applied_by(user, task: KeyTask) -> bool:
    """Whether ``user`` took the step that put the task up for review (申请办结)."""
    last = (TaskTransition.objects.filter(task=task, action=rules.Action.FINISH).order_by("-at", "-id")
            .values_list("actor_id", flat=True).first())
    return last is not None and last == user.pk


def _in_charge(user, task: KeyTask) -> bool:
    """The supervising side: the system admin, or the bureau admin of the task's region.

    A task the 科技局 itself leads is carried out by its divisions, so the bureau's own leadership (an admin
    who sits in the bureau, not in a division) or another division's admin reviews it; only a division that
    leads a task itself cannot review it.
    """
    if roles.is_sysadmin(user):
        return True
    if not roles.manages_region(user, task.plan.region.code):
        return False
    if actor_role(user, task) != rules.Actor.LEAD:
        return True
    return not (user.org_unit_id == task.lead_unit_id and user.org_unit.kind == OrgKind.DIVISION)


def _may_review(user, task: KeyTask) -> bool:
    # Separation of duties: whoever applied to finish does not pass judgement on their own application.
    return _in_charge(user, task) and not _applied_by(user, task)


def _review_denied(label: str):
    def message(user, task: KeyTask) -> str:
        if _in_charge(user, task):
            return _("本人提交的办结申请须由局领导或其他科室审核，不能自行%(action)s") % {"action": _(label)}
        return _("只有科技局管理员可以%(action)s") % {"action": _(label)}
    return message


def _finish_evidence(step: Step) -> FieldProblem | None:
    if step.opinion.strip() or step.attachment:
        return None
    return FieldProblem("opinion", _("申请办结须说明完成情况或上传佐证材料"))


def _record(step: Step) -> None:
    """The task's own timeline (shown on its page, read by reports as of a date), with the actor's unit."""
    step.extra["transition"] = TaskTransition.objects.create(
        task=step.obj, action=step.action, from_status=step.from_state, to_status=step.to_state, actor=step.user,
        actor_unit_id=step.user.org_unit_id, opinion=step.opinion)


def _close(step: Step) -> None:
    step.obj.percent_done = Decimal(100)
    _record(step)


def _transition(action: str, sources: tuple[str, ...], target: str, performer: str) -> Transition:
    label = rules.ACTION_LABELS[action]
    if performer == rules.Actor.LEAD:
        allowed, denied = _is_lead, f"只有牵头单位可以{label}"
    else:
        allowed, denied = _may_review, _review_denied(label)
    return Transition(
        name=action, label=label, sources=sources, target=target, allowed=allowed, denied=denied,
        opinion_required=rules.requires_opinion(action), opinion_message="退回时必须填写意见",
        guards=(_finish_evidence,) if rules.requires_evidence(action) else (),
        effect=_close if action == rules.Action.CLOSE else _record)


def _task_recipients(step: Step) -> tuple[list, list]:
    """Steps the bureau takes are told to the lead unit; the lead unit's steps to the region's bureau."""
    from core.notify import bureau_admins

    task = step.obj
    if step.action in (rules.Action.CLOSE, rules.Action.RETURN):
        return [], [task.lead_unit]
    return bureau_admins(task.plan.region), []


def _task_url(task) -> str:
    from django.urls import reverse

    return reverse("tasks:task-detail", args=[task.code])


TASK_FLOW = Workflow(
    name="tasks",
    recipients=_task_recipients,
    url=_task_url,
    model=KeyTask,
    states=rules.STATUS_LABELS,
    transitions=tuple(_transition(*step) for step in rules.loop_steps()),
    history_fields=TASK_FIELDS,
    select_related=("plan__region", "lead_unit"),
    wrong_state="任务当前为“%(state)s”，不能执行“%(action)s”",
    stale="任务已被他人更新，请刷新后重试",
)
