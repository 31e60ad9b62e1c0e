"""The closed loop through the services: who may take which step in which state, what each step records,
monthly reports and their revisions, assisting units' notes, reminders, and alerts read from the database."""

import datetime
import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from core import uploads
from core import workflow as engine
from core.audit import history_for
from core.errors import BusinessError, Conflict, NotAllowed
from core.models import ChangeRecord, OrgUnit, User
from core.roles import Role
from core.testing import race
from plans.models import Plan
from tasks import queries
from tasks.models import (
    AssistNote,
    Attachment,
    KeyTask,
    ProgressReport,
    Reminder,
    ReportSettings,
    TaskTransition,
)
from tasks.services import workflow
from tasks.services.seed import load_tasks

pytestmark = pytest.mark.django_db

PH = "PH315-2023"
# 市发改局 leads PH-A1-2; 市科技局 and 市经信局 assist it.  Its deadline (2027) keeps deadline alerts out.
TASK = "PH-A1-2"
# The same lead unit for a 2023 task (deadline 2023-12-31), used for the alert boundaries.
TASK_2023 = "PH-2023-02"

STATUSES = ["assigned", "acknowledged", "in_progress", "done_reported", "closed", "returned"]
ACTIONS = ["acknowledge", "report", "finish", "close", "return"]
# The loop as the issue states it: (state, step) → new state, and who takes each step.
LOOP = {
    ("assigned", "acknowledge"): "acknowledged",
    ("acknowledged", "report"): "in_progress",
    ("in_progress", "report"): "in_progress",
    ("returned", "report"): "in_progress",
    ("acknowledged", "finish"): "done_reported",
    ("in_progress", "finish"): "done_reported",
    ("returned", "finish"): "done_reported",
    ("done_reported", "close"): "closed",
    ("done_reported", "return"): "returned",
}
PERFORMER = {"acknowledge": "lead", "report": "lead", "finish": "lead", "close": "admin", "return": "admin"}
# Everyone who could press a button, and which side of the loop they stand on (None: neither).
SIDES = {
    "lead": "lead",  # 市发改局's reporter
    "admin": "admin",  # 平湖's bureau admin
    "sysadmin": "admin",
    "assist": None,  # 市经信局's reporter, an assisting unit
    "other": None,  # 市市场监管局's reporter, unrelated
    "leader": None,  # 平湖's leader, read only
    "town": None,  # 当湖街道's reporter
    "js_admin": None,  # another county's bureau admin
}


def unit_reporter(username: str, unit_code: str) -> User:
    return User.objects.create_user(username, password="x", role=Role.UNIT_REPORTER, full_name=f"{username}填报员",
                                    org_unit=OrgUnit.objects.get(code=unit_code))


@pytest.fixture
def tasks(users):
    load_tasks(users["admin"])
    return {t.code: t for t in KeyTask.objects.select_related("plan__region", "lead_unit")}


@pytest.fixture
def people(users, tasks):
    return {
        "lead": users["ph_fgj"], "admin": users["ph_admin"], "sysadmin": users["admin"],
        "assist": unit_reporter("t3_jxj", "330482-jxj"), "other": users["ph_scjg"],
        "leader": users["ph_leader"], "town": users["ph_danghu"], "js_admin": users["js_admin"],
    }


def fresh(task: KeyTask) -> KeyTask:
    return KeyTask.objects.get(pk=task.pk)


def force(task: KeyTask, status: str) -> None:
    KeyTask.objects.filter(pk=task.pk).update(status=status)


def report(user, task, period="2023-05", percent="40", text="本月完成土建招标", **extra):
    return workflow.report_progress(user=user, task_id=task.pk, period=period, percent=Decimal(percent),
                                    text=text, **extra)


def act(user, task, action, opinion="", **extra):
    return workflow.transition(user=user, task_id=task.pk, action=action, opinion=opinion, **extra)


def state(task: KeyTask) -> tuple:
    """Everything a refused request must leave alone."""
    current = fresh(task)
    return (current.status, current.version, current.percent_done, current.latest_period,
            ProgressReport.objects.count(), TaskTransition.objects.count(), Attachment.objects.count(),
            ChangeRecord.objects.count())


def transitions(task: KeyTask) -> list[tuple]:
    return list(TaskTransition.objects.filter(task=task).order_by("at", "id")
                .values_list("action", "from_status", "to_status", "actor__username", "opinion"))


def walk(task: KeyTask, people: dict, to: str) -> None:
    """Take the task round the loop through the services until it reaches ``to``."""
    lead, admin = people["lead"], people["admin"]
    path = {
        "acknowledged": [lambda: act(lead, task, "acknowledge", "收到")],
        "in_progress": [lambda: report(lead, task)],
        "done_reported": [lambda: act(lead, task, "finish", "已完成年度目标")],
        "closed": [lambda: act(admin, task, "close", "核实完成")],
    }
    order = ["acknowledged", "in_progress", "done_reported", "closed"]
    if to == "returned":
        walk(task, people, "done_reported")
        act(admin, task, "return", "佐证不足")
        return
    for step in order[: order.index(to) + 1] if to != "assigned" else []:
        for call in path[step]:
            call()


# ------------------------------------------------------------------ every step, every state, every role


def _attempt(user, task, action):
    if action == "report":
        return report(user, task, text=f"{user.username}报送")
    return act(user, task, action, opinion=f"{user.username}的意见")


@pytest.mark.parametrize("status", STATUSES)
def test_each_step_is_allowed_only_in_its_state_and_only_to_its_side(status, tasks, people):
    task = tasks[TASK]
    for who, side in SIDES.items():
        user = people[who]
        for action in ACTIONS:
            force(task, status)
            before = state(task)
            version = fresh(task).version
            allowed = (status, action) in LOOP and PERFORMER[action] == side
            if not allowed:
                expected = Conflict if (status, action) not in LOOP else NotAllowed
                with pytest.raises(BusinessError) as caught:
                    _attempt(user, task, action)
                assert type(caught.value) is expected, (status, who, action, caught.value)
                assert any("\u4e00" <= ch <= "\u9fff" for ch in str(caught.value))
                assert state(task) == before, (status, who, action)
                continue
            _attempt(user, task, action)
            after = fresh(task)
            assert after.status == LOOP[(status, action)], (status, who, action)
            assert after.version == version + 1
            step = TaskTransition.objects.filter(task=task).latest("id")
            assert (step.action, step.from_status, step.to_status) == (action, status, LOOP[(status, action)])
            assert step.actor == user and step.actor_unit_id == user.org_unit_id
            assert step.opinion == ("" if action == "report" else f"{user.username}的意见")
            record = history_for(task).filter(action=ChangeRecord.Action.TRANSITION).first()
            assert record.actor == user
            assert (record.before["status"], record.after["status"]) == (status, LOOP[(status, action)])
            ProgressReport.objects.filter(task=task).delete()


def test_whole_loop_with_a_return_records_every_step(tasks, people):
    task = tasks[TASK]
    lead, admin = people["lead"], people["admin"]
    act(lead, task, "acknowledge", "已签收，抓紧推进")
    report(lead, task, period="2023-05", percent="30", text="完成项目谋划")
    report(lead, task, period="2023-06", percent="55", text="完成主体招标", quantity=Decimal("1.5"),
           problems="用地指标紧张", next_steps="争取用地指标")
    act(lead, task, "finish", "已完成，申请办结")
    assert fresh(task).status == "done_reported"
    act(admin, task, "return", "佐证材料不足，请补充")
    assert fresh(task).status == "returned"
    report(lead, task, period="2023-07", percent="100", text="已补充佐证")
    act(lead, task, "finish", "已补充佐证材料")
    act(admin, task, "close", "核实完成，同意销号")

    task = fresh(task)
    assert task.status == "closed"
    assert task.percent_done == Decimal(100)
    assert task.latest_period == "2023-07"
    assert task.version == 1 + 8
    assert transitions(task) == [
        ("acknowledge", "assigned", "acknowledged", "ph_fgj", "已签收，抓紧推进"),
        ("report", "acknowledged", "in_progress", "ph_fgj", ""),
        ("report", "in_progress", "in_progress", "ph_fgj", ""),
        ("finish", "in_progress", "done_reported", "ph_fgj", "已完成，申请办结"),
        ("return", "done_reported", "returned", "ph_admin", "佐证材料不足，请补充"),
        ("report", "returned", "in_progress", "ph_fgj", ""),
        ("finish", "in_progress", "done_reported", "ph_fgj", "已补充佐证材料"),
        ("close", "done_reported", "closed", "ph_admin", "核实完成，同意销号"),
    ]
    assert all(t.actor_unit_id == t.actor.org_unit_id
               for t in TaskTransition.objects.filter(task=task).select_related("actor"))
    notes = list(history_for(task).filter(action=ChangeRecord.Action.TRANSITION).order_by("at", "id")
                 .values_list("note", flat=True))
    assert notes == ["签收：已签收，抓紧推进", "报送进展", "报送进展", "申请办结：已完成，申请办结",
                     "退回：佐证材料不足，请补充", "报送进展", "申请办结：已补充佐证材料", "销号：核实完成，同意销号"]
    june = ProgressReport.objects.get(task=task, period="2023-06")
    assert (june.percent, june.quantity, june.problems, june.next_steps) == (
        Decimal(55), Decimal("1.5"), "用地指标紧张", "争取用地指标")
    assert (june.reporter, june.unit_id, june.revision) == (lead, lead.org_unit_id, 1)
    created = history_for(june).get()
    assert created.action == ChangeRecord.Action.CREATE and created.after["text"] == "完成主体招标"


def test_steps_cannot_be_skipped_or_repeated(tasks, people):
    task = tasks[TASK]
    lead, admin = people["lead"], people["admin"]
    before = state(task)
    with pytest.raises(Conflict):
        report(lead, task)  # not acknowledged yet
    with pytest.raises(Conflict):
        act(lead, task, "finish", "直接办结")
    with pytest.raises(Conflict):
        act(admin, task, "close", "直接销号")
    assert state(task) == before

    act(lead, task, "acknowledge")
    before = state(task)
    with pytest.raises(Conflict, match="已签收"):
        act(lead, task, "acknowledge")  # twice
    assert state(task) == before

    report(lead, task)
    before = state(task)
    with pytest.raises(Conflict, match="推进中"):
        act(admin, task, "close", "同意销号")  # an in_progress task is closed only after 申请办结
    with pytest.raises(Conflict):
        act(admin, task, "return", "退回")
    assert state(task) == before

    act(lead, task, "finish", "完成")
    act(admin, task, "close", "同意")
    before = state(task)
    for user, action in ((admin, "close"), (admin, "return"), (lead, "finish"), (lead, "acknowledge")):
        with pytest.raises(Conflict):
            act(user, task, action, "再来一次")
    with pytest.raises(Conflict):
        report(lead, task, period="2023-08")
    assert state(task) == before


def test_same_expected_version_twice_second_is_a_conflict(tasks, people):
    task = tasks[TASK]
    walk(task, people, "done_reported")
    version = fresh(task).version
    act(people["admin"], task, "close", "同意销号", expected_version=version)
    before = state(task)
    with pytest.raises(Conflict, match="已被他人更新"):
        act(people["sysadmin"], task, "return", "不同意", expected_version=version)
    with pytest.raises(Conflict):
        act(people["admin"], task, "close", "同意销号", expected_version=version)
    assert state(task) == before
    assert TaskTransition.objects.filter(task=task, to_status="closed").count() == 1
    assert not TaskTransition.objects.filter(task=task, to_status="returned").exists()


@pytest.mark.django_db(transaction=True)
def test_two_threads_closing_at_once_give_exactly_one_step(users, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (select_for_update) need PostgreSQL; SQLite serialises whole transactions")
    load_tasks(users["admin"])
    task = KeyTask.objects.get(code=TASK)
    people = {"lead": users["ph_fgj"], "admin": users["ph_admin"]}
    walk(task, people, "done_reported")

    # Keep each transaction open a while after its checks, so that without the row lock both would pass them.
    record_change = engine.record_change

    def slow_record_change(**kwargs):
        time.sleep(0.3)
        return record_change(**kwargs)

    monkeypatch.setattr(engine, "record_change", slow_record_change)
    def close(user):
        return lambda: act(user, task, "close", f"{user.username}同意销号")

    assert race(close(users["ph_admin"]), close(users["admin"])) == ["Conflict", "ok"]
    assert TaskTransition.objects.filter(task=task, to_status="closed").count() == 1
    task.refresh_from_db()
    assert task.status == "closed"
    assert ChangeRecord.objects.filter(object_id=str(task.pk), action=ChangeRecord.Action.TRANSITION,
                                       after__status="closed").count() == 1


# --------------------------------------------------------------------------- finishing and returning


def test_finish_needs_an_opinion_or_evidence(tasks, people):
    task = tasks[TASK]
    walk(task, people, "in_progress")
    before = state(task)
    for opinion in ("", "   "):
        with pytest.raises(BusinessError, match="申请办结须说明完成情况或上传佐证材料") as caught:
            act(people["lead"], task, "finish", opinion)
        assert caught.value.problems[0].field == "opinion"
    assert state(task) == before

    evidence = SimpleUploadedFile("验收报告.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    act(people["lead"], task, "finish", "", evidence=[evidence])
    assert fresh(task).status == "done_reported"
    attachment = Attachment.objects.get(task=task)
    assert (attachment.name, attachment.purpose, attachment.report) == ("验收报告.pdf", "evidence", None)
    assert attachment.uploaded_by == people["lead"]
    assert attachment.file.read() == b"%PDF-1.4 evidence"


def test_return_needs_an_opinion(tasks, people):
    task = tasks[TASK]
    walk(task, people, "done_reported")
    before = state(task)
    for opinion in ("", " \n "):
        with pytest.raises(BusinessError, match="退回时必须填写意见") as caught:
            act(people["admin"], task, "return", opinion)
        assert type(caught.value) is BusinessError
    assert state(task) == before
    act(people["admin"], task, "return", "请补充验收材料")
    assert fresh(task).status == "returned"


def test_unknown_actions_are_refused(tasks, people):
    task = tasks[TASK]
    walk(task, people, "acknowledged")
    before = state(task)
    for action in ("delete", "", "CLOSE", "report"):
        with pytest.raises(BusinessError, match="未知操作") as caught:
            act(people["lead"], task, action, "x")
        assert type(caught.value) is BusinessError
    assert state(task) == before


def test_bureau_admin_leading_its_own_task_does_not_review_its_own_application(tasks, users):
    # ph_admin belongs to 市科技局, which leads PH-2023-05: for the lead's steps the admin is the lead unit,
    # and an application to finish that the admin filed is judged by someone else.
    task = tasks["PH-2023-05"]
    admin = users["ph_admin"]
    assert workflow.actor_role(admin, task) == "lead"
    act(admin, task, "acknowledge", "收到")
    report(admin, task)
    act(admin, task, "finish", "完成")
    before = state(task)
    for action in ("close", "return"):
        with pytest.raises(NotAllowed, match="本人提交的办结申请须由局领导或其他科室审核"):
            act(admin, task, action, "自己审核")
    assert state(task) == before
    assert workflow.allowed_actions(admin, fresh(task)) == []
    act(users["admin"], task, "close", "系统管理员核实销号")
    assert fresh(task).status == "closed"


@pytest.mark.parametrize("action, status", [("close", "closed"), ("return", "returned")])
def test_bureau_admin_reviews_a_task_its_own_bureau_leads(tasks, users, action, status):
    # 市科技局 leads PH-2023-05; its 人才科 does the work and applies to finish; the bureau's admin reviews it.
    talent = unit_reporter("t3_kjj_rck", "330482-kjj-d5")
    task = tasks["PH-2023-05"]
    assert task.lead_unit.code == "330482-kjj"
    admin = users["ph_admin"]
    act(talent, task, "acknowledge", "人才科签收")
    report(talent, task)
    act(talent, task, "finish", "已完成")
    assert workflow.allowed_actions(admin, fresh(task)) == ["close", "return"]
    act(admin, task, action, "核实")
    current = fresh(task)
    assert current.status == status
    assert transitions(task)[-1] == (action, "done_reported", status, "ph_admin", "核实")
    if action == "close":
        assert current.percent_done == Decimal(100)


def test_the_lead_division_cannot_close_its_own_task(tasks, users):
    # A bureau admin sitting in the division that leads a task stays on the lead side of the loop.
    talent_unit = OrgUnit.objects.get(code="330482-kjj-d5")
    task = tasks["PH-2023-05"]
    KeyTask.objects.filter(pk=task.pk).update(lead_unit=talent_unit)
    task = KeyTask.objects.select_related("plan__region", "lead_unit").get(pk=task.pk)
    division_admin = User.objects.create_user("t3_kjj_admin", password="x", role=Role.BUREAU_ADMIN,
                                              full_name="人才科管理员", org_unit=talent_unit)
    reporter = unit_reporter("t3_kjj_rck", "330482-kjj-d5")
    act(reporter, task, "acknowledge", "收到")
    act(reporter, task, "finish", "完成")
    before = state(task)
    with pytest.raises(NotAllowed, match="只有科技局管理员可以销号"):
        act(division_admin, task, "close", "自己销号")
    with pytest.raises(NotAllowed, match="只有科技局管理员可以销号"):
        act(reporter, task, "close", "自己销号")
    assert state(task) == before
    act(users["ph_admin"], task, "close", "局领导核实")
    assert fresh(task).status == "closed"


def test_a_division_acts_for_its_bureau(tasks, users):
    talent = unit_reporter("t3_kjj_rck", "330482-kjj-d5")  # 人才科 of 市科技局
    task = tasks["PH-2023-05"]
    assert workflow.actor_role(talent, task) == "lead"
    act(talent, task, "acknowledge", "人才科签收")
    assert fresh(task).status == "acknowledged"
    assert TaskTransition.objects.get(task=task).actor_unit.code == "330482-kjj-d5"


# ------------------------------------------------------------------------------------ monthly reports


def test_second_report_for_a_month_is_revision_two(tasks, people):
    task = tasks[TASK]
    walk(task, people, "acknowledged")
    first = report(people["lead"], task, period="2023-06", percent="50", text="六月初报")
    report(people["lead"], task, period="2023-05", percent="30", text="五月")
    second = report(people["lead"], task, period="2023-06", percent="60", text="六月更正", quantity=Decimal(2))
    assert second.pk == first.pk
    assert ProgressReport.objects.filter(task=task).count() == 2
    june = ProgressReport.objects.get(task=task, period="2023-06")
    assert (june.revision, june.percent, june.text, june.quantity) == (2, Decimal(60), "六月更正", Decimal(2))
    update = history_for(june).filter(action=ChangeRecord.Action.UPDATE).get()
    assert update.before["text"] == "六月初报" and update.after["text"] == "六月更正"
    assert (update.before["revision"], update.after["revision"]) == (1, 2)
    # The task shows the latest month, whichever month was written last.
    report(people["lead"], task, period="2023-05", percent="35", text="五月更正")
    task = fresh(task)
    assert (task.percent_done, task.quantity_done, task.latest_period) == (Decimal(60), Decimal(2), "2023-06")
    assert ProgressReport.objects.get(task=task, period="2023-05").revision == 2


@pytest.mark.parametrize(("field", "changes", "message"), [
    ("percent", {"percent": Decimal(-1)}, "完成进度应在0到100之间"),
    ("percent", {"percent": Decimal(101)}, "完成进度应在0到100之间"),
    ("percent", {"percent": Decimal("100.01")}, "完成进度应在0到100之间"),
    ("percent", {"percent": Decimal("NaN")}, "完成进度应在0到100之间"),
    ("percent", {"percent": Decimal("Infinity")}, "完成进度应在0到100之间"),
    ("percent", {"percent": None}, "完成进度应在0到100之间"),
    ("quantity", {"quantity": Decimal(-1)}, "已完成数量不能为负数"),
    ("quantity", {"quantity": Decimal("NaN")}, "已完成数量不是有效的数字"),
    ("quantity", {"quantity": Decimal("1e30")}, "已完成数量不是有效的数字"),
    ("text", {"text": "  "}, "请填写进展情况"),
    ("period", {"period": "2023-13"}, "无法识别的期间"),
    ("period", {"period": "2023Q2"}, "进展按月报送"),
    ("period", {"period": "2023"}, "进展按月报送"),
    ("period", {"period": "五月"}, "无法识别的期间"),
])
def test_bad_reports_are_refused_and_change_nothing(field, changes, message, tasks, people):
    task = tasks[TASK]
    walk(task, people, "in_progress")
    before = state(task)
    values = {"period": "2023-06", "percent": Decimal(50), "text": "进展", "quantity": None, **changes}
    with pytest.raises(BusinessError, match=message) as caught:
        workflow.report_progress(user=people["lead"], task_id=task.pk, **values)
    assert type(caught.value) is BusinessError
    assert field in [p.field for p in caught.value.problems]
    assert state(task) == before


def test_reports_for_future_months_are_refused(tasks, people):
    task = tasks[TASK]
    walk(task, people, "acknowledged")
    today = datetime.date(2024, 3, 15)
    before = state(task)
    for period in ("2024-04", "2025-01"):
        with pytest.raises(BusinessError, match="不能报送未来月份的进展"):
            report(people["lead"], task, period=period, today=today)
    assert state(task) == before
    report(people["lead"], task, period="2024-03", today=today)  # the current month may be reported
    assert fresh(task).latest_period == "2024-03"


@pytest.mark.parametrize("status", ["done_reported", "closed"])
def test_no_report_after_the_deadline_of_a_finished_task(status, tasks, people):
    task = tasks[TASK_2023]
    walk(task, people, status)
    before = state(task)
    with pytest.raises(BusinessError, match="任务已办结，不能报送完成时限之后月份的进展") as caught:
        report(people["lead"], task, period="2024-01")
    assert type(caught.value) is BusinessError
    with pytest.raises(Conflict):
        report(people["lead"], task, period="2023-12")  # within the deadline: the state refuses it
    assert state(task) == before


def test_attachments_are_kept_with_the_report_and_bad_files_refused(tasks, people, settings):
    task = tasks[TASK]
    walk(task, people, "acknowledged")
    files = [SimpleUploadedFile("现场照片.JPG", b"\xff\xd8jpeg"), SimpleUploadedFile("台账.xlsx", b"PK sheet")]
    saved = report(people["lead"], task, attachments=files)
    assert sorted(a.name for a in saved.attachments.all()) == ["台账.xlsx", "现场照片.JPG"]
    assert all(a.purpose == "progress" and a.task_id == task.pk for a in saved.attachments.all())
    for attachment in saved.attachments.all():
        assert str(settings.MEDIA_ROOT) in attachment.file.path
    before = state(task)
    with pytest.raises(BusinessError, match="不支持的文件类型"):
        report(people["lead"], task, period="2023-06", attachments=[SimpleUploadedFile("run.exe", b"MZ")])
    big = SimpleUploadedFile("大文件.pdf", b"%PDF")
    big.size = uploads.MAX_UPLOAD + 1
    with pytest.raises(BusinessError, match="20MB"):
        report(people["lead"], task, period="2023-06", attachments=[big])
    assert state(task) == before
    assert not ProgressReport.objects.filter(task=task, period="2023-06").exists()


# ------------------------------------------------------------------------------------- assisting units


def test_only_an_assisting_unit_adds_notes(tasks, people):
    task = tasks[TASK]
    walk(task, people, "in_progress")
    monthly = ProgressReport.objects.get(task=task)
    note = workflow.add_assist_note(user=people["assist"], report_id=monthly.pk, text="已协调用能指标")
    assert (note.unit.name, note.author, note.text) == ("市经信局", people["assist"], "已协调用能指标")
    assert history_for(monthly).filter(note="配合单位补充").get().after == {"配合单位": "市经信局",
                                                                        "配合情况": "已协调用能指标"}
    before = state(task), AssistNote.objects.count()
    for who in ("lead", "other", "leader", "town", "js_admin"):
        with pytest.raises(NotAllowed, match="只有配合单位可以补充配合情况"):
            workflow.add_assist_note(user=people[who], report_id=monthly.pk, text="试图补充")
    with pytest.raises(BusinessError, match="请填写配合情况"):
        workflow.add_assist_note(user=people["assist"], report_id=monthly.pk, text=" ")
    assert (state(task), AssistNote.objects.count()) == before
    # An assisting unit takes no step of the loop itself.
    with pytest.raises(NotAllowed):
        report(people["assist"], task, period="2023-06")
    assert fresh(task).status == "in_progress"


def test_a_note_on_an_unknown_report_is_refused(tasks, people):
    before = AssistNote.objects.count()
    with pytest.raises(BusinessError):
        workflow.add_assist_note(user=people["assist"], report_id=987654321, text="配合")
    assert AssistNote.objects.count() == before


def test_bureau_admin_not_in_an_assisting_unit_adds_no_note(tasks, users):
    task = tasks["PH-A6-1"]  # 市市场监管局 alone
    scjg = users["ph_scjg"]
    act(scjg, task, "acknowledge")
    monthly = report(scjg, task)
    with pytest.raises(NotAllowed):
        workflow.add_assist_note(user=users["ph_admin"], report_id=monthly.pk, text="补充")
    assert not AssistNote.objects.filter(report=monthly).exists()


# -------------------------------------------------------------------------------------------- reminders


def test_only_the_bureau_admin_reminds_and_the_lead_unit_reads_it(tasks, people):
    task = tasks[TASK]
    before = Reminder.objects.count(), ChangeRecord.objects.count()
    for who in ("lead", "assist", "other", "leader", "town", "js_admin"):
        with pytest.raises(NotAllowed, match="只有科技局管理员可以催办"):
            workflow.remind(user=people[who], task_id=task.pk, message="快点")
    assert (Reminder.objects.count(), ChangeRecord.objects.count()) == before

    reminder = workflow.remind(user=people["admin"], task_id=task.pk, message="请于本周内报送五月进展")
    assert (reminder.to_unit.code, reminder.sent_by, reminder.read_at) == ("330482-fgj", people["admin"], None)
    assert history_for(task).filter(note="催办").get().after == {"催办": "请于本周内报送五月进展"}
    default = workflow.remind(user=people["admin"], task_id=task.pk)
    assert default.message == f"请尽快报送“{task.title}”的进展"
    other_unit = workflow.remind(user=people["admin"], task_id=tasks["PH-2023-07"].pk, message="经信局请报送")

    home = queries.unit_home(people["lead"])
    assert {r.pk for r in home["reminders"]} == {reminder.pk, default.pk}
    assert home["unread"] == 2
    assert workflow.mark_reminders_read(people["lead"]) == 2
    assert queries.unit_home(people["lead"])["unread"] == 0
    assert Reminder.objects.get(pk=other_unit.pk).read_at is None  # another unit's reminder stays unread
    assert workflow.mark_reminders_read(people["lead"]) == 0


def test_a_closed_task_needs_no_reminder(tasks, people):
    task = tasks[TASK]
    walk(task, people, "closed")
    with pytest.raises(Conflict, match="已销号"):
        workflow.remind(user=people["admin"], task_id=task.pk)
    assert not Reminder.objects.filter(task=task).exists()


# ------------------------------------------------------------------------------- alerts from the database


def _monthly(task, people, months, percent, today):
    for month in months:
        report(people["lead"], task, period=f"2023-{month:02d}", percent=percent, text=f"{month}月进展", today=today)


def _alert(task, today):
    task = fresh(task)
    found = queries.alerts_for([task], today)[task.pk]
    view = queries.task_views(KeyTask.objects.filter(pk=task.pk), today)[0]
    assert (view.level, view.alert.reasons) == (found.level, found.reasons)  # both doors agree
    return found


def test_lag_behind_the_time_schedule_turns_yellow_past_the_plan_threshold(tasks, people, pinghu):
    task = tasks[TASK_2023]  # 2023-01-01 .. 2023-12-31: 364 days, so 2 July is exactly half way
    walk(task, people, "acknowledged")
    today = datetime.date(2023, 7, 2)
    _monthly(task, people, range(1, 6), "40", today)
    alert = _alert(task, today)
    assert alert.expected_percent == Decimal(50)
    assert (alert.level, alert.reasons) == ("green", [])  # 10 points behind: not more than 10

    report(people["lead"], task, period="2023-05", percent="39.9", text="五月更正", today=today)
    alert = _alert(task, today)
    assert (alert.level, alert.reasons) == ("yellow", ["进度落后时序10.1个百分点"])

    settings = ReportSettings.objects.create(plan=pinghu, lag_threshold=Decimal(15))
    assert _alert(task, today).level == "green"
    settings.lag_threshold = Decimal(5)
    settings.save()
    report(people["lead"], task, period="2023-05", percent="44", text="五月再更正", today=today)
    assert (_alert(task, today).level, _alert(task, today).reasons) == ("yellow", ["进度落后时序6个百分点"])


def test_a_late_monthly_report_turns_yellow_after_the_report_day(tasks, people, pinghu):
    task = tasks[TASK_2023]
    walk(task, people, "acknowledged")
    _monthly(task, people, range(1, 6), "48", datetime.date(2023, 7, 1))
    # June's report is due on 5 July.
    assert _alert(task, datetime.date(2023, 7, 5)).level == "green"
    late = _alert(task, datetime.date(2023, 7, 6))
    assert (late.level, late.reasons, late.missing_months) == ("yellow", ["2023年6月进展未按时报送"], ["2023-06"])

    ReportSettings.objects.create(plan=pinghu, report_day=10)
    assert _alert(task, datetime.date(2023, 7, 10)).level == "green"
    assert _alert(task, datetime.date(2023, 7, 11)).reasons == ["2023年6月进展未按时报送"]

    report(people["lead"], task, period="2023-06", percent="50", text="六月补报", today=datetime.date(2023, 7, 11))
    assert _alert(task, datetime.date(2023, 7, 11)).level == "green"


def test_two_missing_reports_in_a_row_turn_red(tasks, people):
    task = tasks[TASK_2023]
    walk(task, people, "acknowledged")
    _monthly(task, people, range(1, 6), "58", datetime.date(2023, 7, 1))
    assert _alert(task, datetime.date(2023, 8, 5)).level == "yellow"  # June late, July not yet due
    red = _alert(task, datetime.date(2023, 8, 6))
    assert red.level == "red"
    assert red.reasons[0] == "连续两个月未报送进展：2023年6月、2023年7月"
    assert red.missing_months == ["2023-06", "2023-07"]


def test_deadline_passed_undone_turns_red_and_closed_is_green(tasks, people):
    task = tasks[TASK_2023]
    walk(task, people, "acknowledged")
    _monthly(task, people, range(1, 12), "100", datetime.date(2023, 12, 31))
    assert _alert(task, datetime.date(2023, 12, 31)).level == "green"
    red = _alert(task, datetime.date(2024, 1, 1))
    assert (red.level, red.reasons) == ("red", ["已超过完成时限2023年12月31日仍未办结"])

    act(people["lead"], task, "finish", "已完成")
    assert _alert(task, datetime.date(2024, 6, 1)).level == "green"  # waiting for the bureau
    act(people["admin"], task, "close", "同意")
    closed = _alert(task, datetime.date(2026, 1, 1))
    assert (closed.level, closed.reasons, closed.missing_months) == ("green", [], [])


def test_a_task_never_reported_goes_yellow_then_red(tasks):
    task = tasks[TASK_2023]
    assert _alert(task, datetime.date(2023, 2, 5)).level == "green"
    assert _alert(task, datetime.date(2023, 2, 6)).reasons == ["2023年1月进展未按时报送"]
    assert _alert(task, datetime.date(2023, 3, 6)).level == "red"


def test_overdue_lists_past_deadline_and_late_reports_within_scope(tasks, people, pinghu):
    lead = people["lead"]
    on_time, late, finished = tasks["PH-2023-02"], tasks["PH-2023-03"], tasks["PH-2023-04"]
    for task in (on_time, late, finished):
        act(lead, task, "acknowledge")
    _monthly(on_time, people, range(1, 7), "55", datetime.date(2023, 7, 6))
    _monthly(late, people, range(1, 6), "55", datetime.date(2023, 7, 6))
    _monthly(finished, people, range(1, 3), "100", datetime.date(2023, 7, 6))
    act(lead, finished, "finish", "提前完成")

    today = datetime.date(2023, 7, 6)
    codes = {v.task.code for v in queries.overdue(pinghu, people["admin"], today)}
    assert late.code in codes and on_time.code not in codes and finished.code not in codes
    assert "PH-2023-01" in codes  # never reported at all
    # 市发改局 sees only what it leads or assists.
    assert {v.task.code for v in queries.overdue(pinghu, lead, today)} == {"PH-2023-03", "PH-A1-2", "PH-A3-3",
                                                                          "PH-A5-1", "PH-A5-2"}
    assert queries.overdue(pinghu, people["town"], today) == []
    # After the deadline, an unfinished task is overdue even with every report filed.
    after = {v.task.code for v in queries.overdue(pinghu, people["admin"], datetime.date(2024, 1, 2))}
    assert on_time.code in after and finished.code not in after
    assert Plan.objects.filter(code=PH).exists()


def test_each_step_is_told_to_the_other_side_with_its_opinion(people, tasks, django_capture_on_commit_callbacks):
    from core.models import Notification

    task = tasks[TASK]
    force(task, "done_reported")
    with django_capture_on_commit_callbacks(execute=True):
        act(people["admin"], fresh(task), "return", opinion="佐证材料不全，请补充")
    told = Notification.objects.filter(kind="tasks.return")
    assert {n.recipient.username for n in told} == {"ph_fgj"}  # the lead unit's reporter, not the actor
    assert told[0].body == "意见：佐证材料不全，请补充" and told[0].url == f"/tasks/{TASK}/"
    with django_capture_on_commit_callbacks(execute=True):
        report(people["lead"], fresh(task))
    reported = Notification.objects.filter(kind="tasks.report")
    assert {n.recipient.username for n in reported} == {"ph_admin", "ph_kezhang"}  # the region's bureau admins review it
