"""The workflow engine (core/workflow.py) on a test-only declaration over core.Job: every refusal changes
nothing, a step writes its log row and history and notifies after the commit, and two threads taking the
same step at once give exactly one step (SQLite and PostgreSQL)."""

import time

import pytest
from django.contrib.contenttypes.models import ContentType

from core import workflow as engine
from core.audit import history_for
from core.errors import BusinessError, Conflict, FieldProblem, NotAllowed
from core.models import ChangeRecord, Job, TransitionLog, User
from core.testing import race
from core.workflow import Transition, Workflow


def _worker(user, job) -> bool:
    return user.username.startswith("worker")


def _boss(user, job) -> bool:
    return user.username.startswith("boss")


def _has_work(step) -> FieldProblem | None:
    return None if step.obj.total > 0 else FieldProblem("total", "没有工作量，不能完成")


def _finished(step) -> None:
    step.obj.message = f"完成：{step.opinion}"


# ``progress`` stands in for a version counter: Job keeps none, and the engine only needs an integer column.
FLOW = Workflow(
    name="test_jobs",
    model=Job,
    states={"pending": "排队中", "running": "进行中", "done": "已完成", "failed": "失败"},
    transitions=(
        Transition(name="start", label="开始", sources=("pending",), target="running", allowed=_worker,
                   denied="只有经办人可以开始"),
        Transition(name="finish", label="完成", sources=("running",), target="done", allowed=_boss,
                   denied=lambda user, job: f"{user.username}不能完成", guards=(_has_work,), effect=_finished),
        Transition(name="fail", label="退回", sources=("pending", "running"), target="failed", allowed=_boss,
                   opinion_required=True, opinion_message="退回须说明原因"),
        Transition(name="sign", label="签章", sources=("done",), target="done", allowed=_boss,
                   attachment_required=True),
    ),
    history_fields=("status", "progress", "message"),
    version_field="progress",
    wrong_state="任务当前为“%(state)s”，不能%(action)s",
    stale="已被他人更新",
)


@pytest.fixture
def people(db):
    return {name: User.objects.create_user(name, password="x", full_name=name) for name in ("worker1", "boss1",
                                                                                               "boss2", "visitor")}


@pytest.fixture
def job(db):
    return Job.objects.create(kind="test", title="测试", status="running", total=3, progress=1)


def untouched(job: Job) -> tuple:
    row = Job.objects.get(pk=job.pk)
    return row.status, row.progress, row.message, TransitionLog.objects.count(), ChangeRecord.objects.count()


@pytest.fixture
def heard():
    steps = []
    callback = engine.subscribe(steps.append)
    yield steps
    engine.unsubscribe(callback)


def test_a_step_sets_the_state_bumps_the_version_and_runs_the_effect(job, people, heard,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        step = engine.perform(FLOW, job, people["boss1"], "finish", opinion="按期完成", version=1)
    row = Job.objects.get(pk=job.pk)
    assert (row.status, row.progress, row.message) == ("done", 2, "完成：按期完成")
    assert step.obj.pk == job.pk and step.from_state == "running" and step.to_state == "done"

    log = TransitionLog.objects.get()
    assert log == step.log
    assert (log.content_type, log.object_id, log.workflow, log.action, log.from_state, log.to_state) == (
        ContentType.objects.get_for_model(Job), str(job.pk), "test_jobs", "finish", "running", "done")
    assert (log.actor, log.actor_name, log.opinion) == (people["boss1"], "boss1", "按期完成")
    assert list(engine.log_for(FLOW, row)) == [log]

    change = history_for(row).get()
    assert change.action == ChangeRecord.Action.TRANSITION and change.actor == people["boss1"]
    assert change.before == {"status": "running", "progress": 1, "message": ""}
    assert change.after == {"status": "done", "progress": 2, "message": "完成：按期完成"}
    assert change.note == "完成：按期完成"

    assert [(s.action, s.obj.pk, s.user, s.log) for s in heard] == [("finish", job.pk, people["boss1"], log)]


def test_subscribers_hear_only_committed_steps(job, people, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as pending:
        engine.perform(FLOW, job, people["boss1"], "finish", opinion="好")
    assert heard == []  # not before the commit
    assert len(pending) == 1
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict):
        engine.perform(FLOW, job, people["boss1"], "finish")
    assert heard == []  # a refused step tells nobody


def test_wrong_state_is_a_conflict_and_changes_nothing(job, people):
    before = untouched(job)
    with pytest.raises(Conflict, match="任务当前为“进行中”，不能开始"):
        engine.perform(FLOW, job, people["worker1"], "start")
    assert untouched(job) == before


def test_wrong_user_is_refused_with_the_declared_text(job, people):
    before = untouched(job)
    with pytest.raises(NotAllowed, match="^visitor不能完成$"):
        engine.perform(FLOW, job, people["visitor"], "finish", opinion="x")
    Job.objects.filter(pk=job.pk).update(status="pending")
    before = untouched(job)
    with pytest.raises(NotAllowed, match="只有经办人可以开始"):
        engine.perform(FLOW, job, people["boss1"], "start")
    assert untouched(job) == before


def test_state_is_checked_before_the_person_unless_declared_otherwise(job, people):
    # The visitor may not start, and the job is not pending either: the state is named first ...
    with pytest.raises(Conflict):
        engine.perform(FLOW, job, people["visitor"], "start")
    # ... unless the process says a person's refusal comes first.
    from dataclasses import replace

    with pytest.raises(NotAllowed):
        engine.perform(replace(FLOW, permission_first=True), job, people["visitor"], "start")


@pytest.mark.parametrize("opinion", ["", "   \n"])
def test_missing_required_opinion_is_a_400(job, people, opinion):
    before = untouched(job)
    with pytest.raises(BusinessError, match="退回须说明原因") as caught:
        engine.perform(FLOW, job, people["boss1"], "fail", opinion=opinion)
    assert type(caught.value) is BusinessError and caught.value.problems[0].field == "opinion"
    assert untouched(job) == before


def test_stale_version_is_a_conflict(job, people):
    before = untouched(job)
    with pytest.raises(Conflict, match="已被他人更新"):
        engine.perform(FLOW, job, people["boss1"], "finish", opinion="x", version=0)
    assert untouched(job) == before
    engine.perform(FLOW, job, people["boss1"], "finish", opinion="x", version=1)
    with pytest.raises(Conflict, match="已被他人更新"):
        engine.perform(FLOW, job, people["boss1"], "sign", attachment=object(), version=1)


@pytest.mark.parametrize("action", ["", "FINISH", "delete"])
def test_unknown_action_is_a_400(job, people, action):
    before = untouched(job)
    with pytest.raises(BusinessError, match="未知操作") as caught:
        engine.perform(FLOW, job, people["boss1"], action)
    assert type(caught.value) is BusinessError and caught.value.problems[0].field == "action"
    assert untouched(job) == before


def test_guard_refusal_is_a_400_and_the_effect_does_not_run(job, people):
    Job.objects.filter(pk=job.pk).update(total=0)
    before = untouched(job)
    with pytest.raises(BusinessError, match="没有工作量，不能完成") as caught:
        engine.perform(FLOW, job, people["boss1"], "finish", opinion="x")
    assert caught.value.problems[0].field == "total"
    assert untouched(job) == before


def test_required_attachment(job, people):
    engine.perform(FLOW, job, people["boss1"], "finish", opinion="x")
    before = untouched(job)
    with pytest.raises(BusinessError, match="须上传附件"):
        engine.perform(FLOW, job, people["boss1"], "sign")
    assert untouched(job) == before
    engine.perform(FLOW, job, people["boss1"], "sign", attachment=["签章.pdf"])
    assert TransitionLog.objects.filter(action="sign", from_state="done", to_state="done").count() == 1


def test_allowed_actions_for_user_and_state(job, people):
    assert [t.name for t in engine.allowed_actions(FLOW, job, people["boss1"])] == ["finish", "fail"]
    assert engine.allowed_actions(FLOW, job, people["worker1"]) == []
    assert engine.allowed_actions(FLOW, job, people["visitor"]) == []
    job.status = "pending"
    assert [t.name for t in engine.allowed_actions(FLOW, job, people["worker1"])] == ["start"]


def test_a_declaration_naming_an_unknown_state_is_refused():
    with pytest.raises(ValueError, match="unknown states"):
        Workflow(name="bad", model=Job, states={"a": "甲"},
                 transitions=(Transition(name="go", label="走", sources=("a",), target="b"),))
    with pytest.raises(ValueError, match="duplicate"):
        Workflow(name="bad", model=Job, states={"a": "甲"},
                 transitions=(Transition(name="go", label="走", sources=("a",), target="a"),) * 2)


@pytest.mark.django_db(transaction=True)
def test_two_threads_taking_the_same_step_give_exactly_one(monkeypatch):
    boss1 = User.objects.create_user("boss1", password="x")
    boss2 = User.objects.create_user("boss2", password="x")
    job = Job.objects.create(kind="test", title="并发", status="running", total=1, progress=1)

    # Keep each transaction open a while after its checks, so that without the lock both would pass them.
    record_change = engine.record_change

    def slow_record_change(**kwargs):
        time.sleep(0.3)
        return record_change(**kwargs)

    monkeypatch.setattr(engine, "record_change", slow_record_change)
    def finish(user):
        return lambda: engine.perform(FLOW, job.pk, user, "finish", opinion=user.username, version=1)

    assert race(finish(boss1), finish(boss2)) == ["Conflict", "ok"]
    assert TransitionLog.objects.filter(object_id=str(job.pk), action="finish").count() == 1
    job.refresh_from_db()
    assert (job.status, job.progress) == ("done", 2)
    assert ChangeRecord.objects.filter(object_id=str(job.pk), action=ChangeRecord.Action.TRANSITION).count() == 1
