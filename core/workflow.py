"""One workflow engine for every multi-step process: a process is a declaration, ``perform`` takes a step.

A ``Workflow`` names its states (Chinese labels) and its ``Transition``s: from which states, to which
state, who may take it (a predicate over user and object), whether an opinion or an attachment is
required, extra guards (each a Chinese refusal or None) and an effect run inside the transaction.

``perform`` locks the row (``select_for_update``), refuses a stale version (409), a step the state does
not allow (409: the process moved on) or the user may not take (403), a missing opinion or attachment
(400) and whatever a guard refuses (400), then sets the new state, bumps the version, runs the effect,
saves, writes the transition log (``core.TransitionLog``) and the change history, and after the commit
tells the subscribers of ``subscribe`` (notifications).  Every refusal changes nothing.

Why not django-fsm or viewflow: see docs/decisions.md.  ``core`` imports no app: apps declare their own
workflows and pass them in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _

from core.audit import record_change, snapshot
from core.errors import BusinessError, Conflict, FieldProblem, NotAllowed
from core.models import TransitionLog

# A guard answers why a step may not be taken now (Chinese, or a FieldProblem naming the field), or None.
Guard = Callable[["Step"], "str | FieldProblem | None"]


def anyone(user, obj) -> bool:
    return True


@dataclass(frozen=True)
class Transition:
    name: str
    label: str  # Chinese, as a button and the log show it
    sources: tuple[Any, ...]  # states the step may be taken from
    target: Any
    allowed: Callable[[Any, Any], bool] = anyone  # who may take it: (user, obj) -> bool
    # The refusal when ``allowed`` says no: a text, or a function of (user, obj) for a text that depends on why.
    denied: str | Callable[[Any, Any], str] = ""
    opinion_required: bool = False
    opinion_message: str = ""  # the refusal when the opinion is missing (default: 请填写意见)
    opinion_field: str = "opinion"
    attachment_required: bool = False
    guards: tuple[Guard, ...] = ()
    effect: Callable[[Step], None] | None = None  # runs inside the transaction, before the row is saved
    note: Callable[[Step], str] | None = None  # the change history's note (default: 标签：意见)


@dataclass(frozen=True)
class Workflow:
    name: str  # the log's workflow name and the API's path segment
    model: type[models.Model]
    states: dict[Any, str]  # state -> Chinese label
    transitions: tuple[Transition, ...]
    state_field: str = "status"
    version_field: str | None = "version"  # None: the model keeps no version
    history_fields: tuple[str, ...] | None = None  # snapshot for the change history (None: every field)
    select_related: tuple[str, ...] = ()  # loaded with the locked row, for predicates and guards
    # Refusals, as the process words them; %(state)s is the current state's label, %(action)s the step's.
    # ``wrong_state`` may also be a function of (obj, transition) for a text that names the record.
    wrong_state: str | Callable[[Any, Transition], str] = "当前为“%(state)s”，不能执行“%(action)s”"
    stale: str = "记录已被他人更新，请刷新后重试"
    # Whether "who may" is asked before "from which state": a process whose refusals name the person first.
    permission_first: bool = False
    # Who hears of a committed step: (step) -> (users, org units); the actor is never told of their own step.
    recipients: Callable[[Step], tuple[list, list]] | None = None
    url: Callable[[Any], str] | None = None  # the record's page, linked from the notification

    def __post_init__(self):
        names = [t.name for t in self.transitions]
        if len(set(names)) != len(names):
            raise ValueError(f"workflow {self.name}: duplicate transition names")
        for t in self.transitions:
            unknown = [s for s in (*t.sources, t.target) if s not in self.states]
            if unknown:  # a typo would silently make a step impossible
                raise ValueError(f"workflow {self.name}: transition {t.name} names unknown states {unknown}")

    def get(self, action: str) -> Transition | None:
        return next((t for t in self.transitions if t.name == action), None)

    def state_of(self, obj) -> Any:
        return getattr(obj, self.state_field)

    def state_label(self, state) -> str:
        return _(self.states[state]) if state in self.states else str(state)


@dataclass
class Step:
    """One step being taken: what guards, effects, notes and subscribers see."""

    workflow: Workflow
    transition: Transition
    obj: Any
    user: Any
    opinion: str
    attachment: Any
    from_state: Any = None
    log: Any = None
    extra: dict = field(default_factory=dict)  # room for an effect to hand results to its caller

    @property
    def action(self) -> str:
        return self.transition.name

    @property
    def to_state(self):
        return self.transition.target


# ----------------------------------------------------------------------------------- notifications

_subscribers: list[Callable[[Step], None]] = []


def subscribe(callback: Callable[[Step], None]) -> Callable[[Step], None]:
    """Register a callback run after each committed step (notification code subscribes here)."""
    if callback not in _subscribers:
        _subscribers.append(callback)
    return callback


def unsubscribe(callback: Callable[[Step], None]) -> None:
    if callback in _subscribers:
        _subscribers.remove(callback)


def _notify(step: Step) -> None:
    for callback in list(_subscribers):
        callback(step)


# ------------------------------------------------------------------------------------------ checks


def _denied(transition: Transition, user, obj) -> str:
    text = transition.denied(user, obj) if callable(transition.denied) else transition.denied
    return text or _("无权执行“%(action)s”") % {"action": _(transition.label)}


def _wrong_state(workflow: Workflow, transition: Transition, obj) -> str:
    if callable(workflow.wrong_state):
        return workflow.wrong_state(obj, transition)
    return _(workflow.wrong_state) % {"state": workflow.state_label(workflow.state_of(obj)),
                                      "action": _(transition.label)}


def refusal(workflow: Workflow, obj, user, action: str) -> BusinessError | None:
    """Why ``user`` may not take ``action`` on ``obj`` as it stands (state and person), or None."""
    transition = workflow.get(action)
    if transition is None:
        return BusinessError(_("未知操作“%(action)s”") % {"action": action}, field="action")
    in_state = workflow.state_of(obj) in transition.sources
    checks = [
        (lambda: in_state, lambda: Conflict(_wrong_state(workflow, transition, obj))),
        (lambda: transition.allowed(user, obj), lambda: NotAllowed(_denied(transition, user, obj))),
    ]
    if workflow.permission_first:
        checks.reverse()
    for passes, error in checks:
        if not passes():
            return error()
    return None


def allowed_actions(workflow: Workflow, obj, user) -> list[Transition]:
    """The steps ``user`` may take on ``obj`` now, in the order of the declaration (guards not run)."""
    return [t for t in workflow.transitions if refusal(workflow, obj, user, t.name) is None]


def service(module: str, name: str) -> Callable:
    """A guard or effect that lives in a programme's services, imported when first called: a declaration is
    read while the models load, before the services (which import the models) can be."""
    def call(step):
        from importlib import import_module

        return getattr(import_module(module), name)(step)
    call.__name__ = name
    return call


def lock(workflow: Workflow, obj_or_pk) -> models.Model:
    """The row locked for this transaction (call inside ``transaction.atomic``)."""
    pk = obj_or_pk.pk if isinstance(obj_or_pk, models.Model) else obj_or_pk
    # Only the record's own row: its related rows need no lock, and a nullable one (an outer join) cannot
    # be locked on PostgreSQL.
    queryset = workflow.model._default_manager.select_for_update(of=("self",))
    if workflow.select_related:
        queryset = queryset.select_related(*workflow.select_related)
    return queryset.get(pk=pk)


def _refuse_step(step: Step) -> None:
    transition = step.transition
    if transition.opinion_required and not (step.opinion or "").strip():
        raise BusinessError(_(transition.opinion_message) if transition.opinion_message else _("请填写意见"),
                            field=transition.opinion_field)
    if transition.attachment_required and not step.attachment:
        raise BusinessError(_("“%(action)s”须上传附件") % {"action": _(transition.label)}, field="attachment")
    for guard in transition.guards:
        problem = guard(step)
        if problem:
            raise BusinessError([problem] if isinstance(problem, FieldProblem) else problem)


@transaction.atomic
def perform(workflow: Workflow, obj, user, action: str, opinion: str = "", version: int | None = None,
            attachment=None, *, created: bool = False) -> Step:
    """Take one step; returns the step with the saved object (``step.obj``) and its log row (``step.log``).

    ``created``: the row was made in this transaction for this step, so its history has no "before".
    """
    if workflow.get(action) is None:
        raise BusinessError(_("未知操作“%(action)s”") % {"action": action}, field="action")
    row = lock(workflow, obj)
    if version is not None and workflow.version_field and getattr(row, workflow.version_field) != version:
        raise Conflict(_(workflow.stale))
    problem = refusal(workflow, row, user, action)
    if problem is not None:
        raise problem
    step = Step(workflow=workflow, transition=workflow.get(action), obj=row, user=user, opinion=opinion or "",
                attachment=attachment, from_state=workflow.state_of(row))
    _refuse_step(step)

    fields = list(workflow.history_fields) if workflow.history_fields is not None else None
    before = None if created else snapshot(row, fields)
    setattr(row, workflow.state_field, step.to_state)
    if workflow.version_field:
        setattr(row, workflow.version_field, getattr(row, workflow.version_field) + 1)
    if step.transition.effect is not None:
        step.transition.effect(step)
    row.save()
    actor = user if user is not None and user.pk else None
    step.log = TransitionLog.objects.create(
        content_type=_content_type(row), object_id=str(row.pk), workflow=workflow.name, action=action,
        from_state=_stored(step.from_state), to_state=_stored(step.to_state), actor=actor,
        actor_name=(str(user) if user is not None else "系统")[:80], opinion=step.opinion)
    note = step.transition.note(step) if step.transition.note else \
        f"{_(step.transition.label)}：{step.opinion}".rstrip("：")
    record_change(actor=user, obj=row, action="transition", before=before, after=snapshot(row, fields), note=note)
    transaction.on_commit(lambda: _notify(step))
    return step


def _stored(state) -> str:
    """States are stored in the log as text (a boolean state is "True"/"False")."""
    return str(state)


def _content_type(obj):
    return ContentType.objects.get_for_model(obj, for_concrete_model=True)


def log_for(workflow: Workflow, obj) -> models.QuerySet:
    """The steps taken on ``obj`` in this workflow, oldest first."""
    return TransitionLog.objects.filter(content_type=_content_type(obj), object_id=str(obj.pk),
                                        workflow=workflow.name).select_related("actor")


def labelled_log(workflow: Workflow, obj) -> list:
    """The steps as a page shows them: each with ``label``, the declared name of its action (初审通过, not
    first_pass)."""
    rows = list(log_for(workflow, obj))
    for row in rows:
        transition = workflow.get(row.action)
        row.label = str(transition.label) if transition is not None else row.action
    return rows
