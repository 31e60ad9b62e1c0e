"""The key-task JSON API: lists and scoping, the closed loop, refusals that change nothing, overdue lists,
the Word/Excel reports and the background report job."""

import io

import pytest
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.models import ChangeRecord, Job, OrgUnit, User
from core.roles import Role
from tasks.models import IssuedReport, KeyTask, ProgressReport, Reminder, TaskTransition
from tasks.services.seed import load_tasks

pytestmark = pytest.mark.django_db

PH, JS = "PH315-2023", "JS-2025"
TASK = "PH-2023-02"  # led by 市发改局 (ph_fgj), 市科技局 assists
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIELDS = {"code", "title", "category", "lead_unit", "assisting_units", "goal", "quantity", "quantity_unit",
          "deadline", "status", "alert"}
FGJ_TASKS = {"PH-2023-02", "PH-2023-03", "PH-2023-04", "PH-A1-2", "PH-A3-3", "PH-A5-1", "PH-A5-2"}


@pytest.fixture
def tasks(users):
    load_tasks(users["admin"])
    return {t.code: t for t in KeyTask.objects.all()}


@pytest.fixture
def jxj(tasks):
    """A reporter of 市经信局, which assists PH-A1-2 and leads PH-2023-07."""
    return User.objects.create_user("t3_api_jxj", password="x", role=Role.UNIT_REPORTER,
                                    org_unit=OrgUnit.objects.get(code="330482-jxj"))


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def assert_errors(response, status: int, field: str | None = None) -> list[dict]:
    assert response.status_code == status, response.content
    errors = response.json()["errors"]
    assert errors
    assert all(chinese(e["message"]) for e in errors), errors
    if field is not None:
        assert field in [e["field"] for e in errors], errors
    return errors


def snapshot(code: str = TASK) -> tuple:
    task = KeyTask.objects.get(code=code)
    return (task.status, task.version, task.percent_done, ProgressReport.objects.count(),
            TaskTransition.objects.count(), ChangeRecord.objects.count(), Reminder.objects.count())


def post_report(client, code=TASK, **body):
    data = {"period": "2023-05", "percent": 40, "quantity": 1.2, "text": "完成土建招标", **body}
    return client.post(f"/api/tasks/{code}/reports/", data, format="json")


def post_step(client, action, opinion="", code=TASK, **extra):
    return client.post(f"/api/tasks/{code}/transitions/", {"action": action, "opinion": opinion, **extra},
                       format="json")


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()}


def next_month() -> str:
    today = timezone.localdate()
    return f"{today.year + 1}-01" if today.month == 12 else f"{today.year}-{today.month + 1:02d}"


def walk(users, to: str, code: str = TASK) -> None:
    lead, admin = as_user(users["ph_fgj"]), as_user(users["ph_admin"])
    steps = [("acknowledged", lambda: post_step(lead, "acknowledge", "收到", code=code)),
             ("in_progress", lambda: post_report(lead, code=code)),
             ("done_reported", lambda: post_step(lead, "finish", "已完成", code=code)),
             ("closed", lambda: post_step(admin, "close", "同意销号", code=code))]
    for status, call in steps:
        response = call()
        assert response.status_code in (200, 201), response.content
        if status == to:
            return


# -------------------------------------------------------------------------------------------- lists


def test_plan_tasks_as_the_bureau_sees_them(tasks, users):
    response = as_user(users["ph_admin"]).get(f"/api/plans/{PH}/tasks/")
    rows = {row["code"]: row for row in response.json()}
    assert response.status_code == 200 and len(rows) == 26
    assert all(set(row) >= FIELDS for row in rows.values())
    assert all(row["alert"] in ("green", "yellow", "red") for row in rows.values())
    first = rows["PH-2023-01"]
    assert {k: first[k] for k in FIELDS - {"goal"}} == {
        "code": "PH-2023-01", "title": "明湖国际科创岛", "category": "科技强基重点项目", "lead_unit": "市科技局",
        "assisting_units": ["市城投集团"], "quantity": 4, "quantity_unit": "亿元", "deadline": "2023-12-31",
        "status": "assigned", "alert": "red"}  # never reported and long past its deadline
    assert "投资4亿元" in first["goal"]
    assert rows["PH-2023-04"]["quantity"] == 1.2
    assert rows["PH-2023-12"]["assisting_units"] == ["市人力社保局", "市科技局"]
    assert rows["PH-A4-1"]["lead_unit"] == "市委组织部"
    assert rows["PH-A6-1"]["quantity"] is None and rows["PH-A6-1"]["quantity_unit"] is None

    assert codes(as_user(users["ph_admin"]).get(f"/api/plans/{PH}/tasks/?year=2023")) == {
        f"PH-2023-{n:02d}" for n in range(1, 13)}
    assert codes(as_user(users["ph_admin"]).get(f"/api/plans/{PH}/tasks/?year=2024")) == set()
    assert_errors(as_user(users["ph_admin"]).get(f"/api/plans/{PH}/tasks/?year=二〇二三"), 400, "year")


def test_task_lists_are_scoped(tasks, users, jxj):
    url = f"/api/plans/{PH}/tasks/"
    assert codes(as_user(users["ph_fgj"]).get(url)) == FGJ_TASKS
    assert codes(as_user(users["ph_scjg"]).get(url)) == {"PH-A6-1", "PH-A6-2"}
    assert codes(as_user(jxj).get(url)) == {"PH-2023-07", "PH-2023-11", "PH-A1-2", "PH-A1-3", "PH-A2-1",
                                            "PH-A3-1", "PH-A3-3", "PH-A5-1"}
    assert len(codes(as_user(users["ph_leader"]).get(url))) == 26
    assert codes(as_user(users["ph_danghu"]).get(url)) == set()  # a town leads no task
    assert len(codes(as_user(users["jx_leader"]).get(f"/api/plans/{JS}/tasks/"))) == 23
    assert len(codes(as_user(users["js_admin"]).get(f"/api/plans/{JS}/tasks/"))) == 23
    assert as_user(users["js_admin"]).get(url).status_code == 404
    assert as_user(users["ph_admin"]).get(f"/api/plans/{JS}/tasks/").status_code == 404
    assert as_user(users["ph_admin"]).get("/api/plans/NOPE/tasks/").status_code == 404
    assert APIClient().get(url).status_code in (401, 403)


def test_task_detail_shows_timeline_and_reports(tasks, users):
    walk(users, "in_progress")
    post_report(as_user(users["ph_fgj"]), text="五月更正")
    response = as_user(users["ph_leader"]).get(f"/api/tasks/{TASK}/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "in_progress" and body["latest_period"] == "2023-05"
    assert [(t["action"], t["from"], t["to"]) for t in body["timeline"]] == [
        ("acknowledge", "assigned", "acknowledged"), ("report", "acknowledged", "in_progress"),
        ("report", "in_progress", "in_progress")]
    assert body["timeline"][0]["opinion"] == "收到" and body["timeline"][0]["actor"] == "平湖市发改局填报员"
    assert body["reports"] == [{"period": "2023-05", "percent": 40, "quantity": 1.2, "text": "五月更正",
                                "problems": "", "next_steps": "", "revision": 2}]
    assert_errors(as_user(users["ph_scjg"]).get(f"/api/tasks/{TASK}/"), 403)
    assert_errors(as_user(users["js_admin"]).get(f"/api/tasks/{TASK}/"), 403)
    assert_errors(as_user(users["ph_admin"]).get("/api/tasks/NOPE-1/"), 404, "task")


# ------------------------------------------------------------------------------------------ the loop


def test_the_closed_loop_through_the_api(tasks, users):
    lead, admin = as_user(users["ph_fgj"]), as_user(users["ph_admin"])

    response = post_step(lead, "acknowledge", "已签收")
    assert response.status_code == 200 and response.json()["status"] == "acknowledged"

    response = post_report(lead, period="2023-05", percent=40, quantity=1.2, text="完成土建招标",
                           problems="资金到位慢", next_steps="加快施工")
    assert response.status_code == 201, response.content
    assert response.json() == {"task": TASK, "period": "2023-05", "percent": 40, "quantity": 1.2, "revision": 1}
    report = ProgressReport.objects.get(task__code=TASK, period="2023-05")
    assert (report.problems, report.next_steps, report.reporter) == ("资金到位慢", "加快施工", users["ph_fgj"])

    response = post_report(lead, period="2023-05", percent="45.5", text="五月更正")
    assert response.status_code == 201 and response.json()["revision"] == 2
    assert ProgressReport.objects.filter(task__code=TASK).count() == 1

    response = post_step(lead, "finish", "已完成年度投资")
    assert response.json()["status"] == "done_reported" and response.json()["alert"] == "green"
    response = post_step(admin, "return", "请补充投资凭证")
    assert response.status_code == 200 and response.json()["status"] == "returned"
    assert post_report(lead, period="2023-06", percent=100, text="已补充凭证").status_code == 201
    assert post_step(lead, "finish", "已补充").json()["status"] == "done_reported"
    response = post_step(admin, "close", "核实完成")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["percent_done"]) == ("closed", 100)

    steps = list(TaskTransition.objects.filter(task__code=TASK).order_by("at", "id")
                 .values_list("action", "to_status", "actor__username", "opinion"))
    assert steps == [("acknowledge", "acknowledged", "ph_fgj", "已签收"), ("report", "in_progress", "ph_fgj", ""),
                     ("report", "in_progress", "ph_fgj", ""), ("finish", "done_reported", "ph_fgj", "已完成年度投资"),
                     ("return", "returned", "ph_admin", "请补充投资凭证"), ("report", "in_progress", "ph_fgj", ""),
                     ("finish", "done_reported", "ph_fgj", "已补充"), ("close", "closed", "ph_admin", "核实完成")]
    task = KeyTask.objects.get(code=TASK)
    assert ChangeRecord.objects.filter(object_id=str(task.pk), action=ChangeRecord.Action.TRANSITION,
                                       content_type__model="keytask").count() == 8


def test_reminders_through_the_api(tasks, users):
    response = as_user(users["ph_admin"]).post(f"/api/tasks/{TASK}/remind/", {"message": "请报送五月进展"},
                                               format="json")
    assert response.status_code == 201
    assert response.json() == {"task": TASK, "to_unit": "市发改局", "message": "请报送五月进展"}
    before = snapshot()
    for user in ("ph_fgj", "ph_leader"):
        assert_errors(as_user(users[user]).post(f"/api/tasks/{TASK}/remind/", {}, format="json"), 403)
    assert_errors(as_user(users["js_admin"]).post(f"/api/tasks/{TASK}/remind/", {}, format="json"), 403)
    assert snapshot() == before


# -------------------------------------------------------------------------------- refusals change nothing


@pytest.mark.parametrize(("body", "field"), [
    ({"percent": -1}, "percent"),
    ({"percent": 101}, "percent"),
    ({"percent": "abc"}, "percent"),
    ({"percent": "NaN"}, "percent"),
    ({"percent": ""}, "percent"),
    ({"quantity": "一亿"}, "quantity"),
    ({"quantity": -3}, "quantity"),
    ({"quantity": "1e30"}, "quantity"),
    ({"period": "2023-13"}, "period"),
    ({"period": "2023Q2"}, "period"),
    ({"period": "2023/05"}, "period"),
    ({"period": "NEXT"}, "period"),  # replaced by the month after this one
    ({"text": ""}, "text"),
])
def test_bad_reports_get_400_and_change_nothing(body, field, tasks, users):
    walk(users, "in_progress")
    if body.get("period") == "NEXT":
        body = {"period": next_month()}
    before = snapshot()
    assert_errors(post_report(as_user(users["ph_fgj"]), **body), 400, field)
    assert snapshot() == before


def test_a_report_missing_its_fields_is_refused(tasks, users):
    walk(users, "acknowledged")
    before = snapshot()
    response = as_user(users["ph_fgj"]).post(f"/api/tasks/{TASK}/reports/", {"period": "2023-05"}, format="json")
    errors = assert_errors(response, 400)
    assert {"percent", "text"} <= {e["field"] for e in errors}
    assert snapshot() == before


def test_unknown_task_is_404(tasks, users):
    before = snapshot()
    assert_errors(post_report(as_user(users["ph_admin"]), code="PH-2099-01"), 404, "task")
    assert_errors(post_step(as_user(users["ph_admin"]), "close", "x", code="PH-2099-01"), 404, "task")
    assert_errors(as_user(users["ph_admin"]).post("/api/tasks/PH-2099-01/remind/", {}, format="json"), 404)
    assert snapshot() == before


@pytest.mark.parametrize("status", ["done_reported", "closed"])
def test_no_report_after_the_deadline_of_a_finished_task(status, tasks, users):
    walk(users, status)
    before = snapshot()
    errors = assert_errors(post_report(as_user(users["ph_fgj"]), period="2024-01"), 400, "period")
    assert "完成时限之后" in errors[0]["message"]
    assert_errors(post_report(as_user(users["ph_fgj"]), period="2023-12"), 409)  # within: the state refuses
    assert snapshot() == before


def test_steps_refused_by_state_are_409(tasks, users):
    lead, admin = as_user(users["ph_fgj"]), as_user(users["ph_admin"])
    before = snapshot()
    assert_errors(post_report(lead), 409)  # not acknowledged yet
    assert_errors(post_step(lead, "finish", "直接办结"), 409)
    assert snapshot() == before
    walk(users, "acknowledged")
    before = snapshot()
    assert_errors(post_step(lead, "acknowledge"), 409)  # twice
    assert snapshot() == before
    walk_on = post_report(lead)
    assert walk_on.status_code == 201
    before = snapshot()
    errors = assert_errors(post_step(admin, "close", "同意销号"), 409)
    assert "推进中" in errors[0]["message"]
    assert_errors(post_step(admin, "return", "退回"), 409)
    assert snapshot() == before


def test_steps_refused_to_the_user_are_403(tasks, users, jxj):
    walk(users, "in_progress", code="PH-A1-2")
    before = snapshot("PH-A1-2")
    for user, action in ((jxj, "finish"), (users["ph_admin"], "finish"), (users["ph_leader"], "finish"),
                         (users["ph_scjg"], "finish"), (users["ph_danghu"], "finish"), (users["js_admin"], "finish")):
        assert_errors(post_step(as_user(user), action, "替牵头单位办结", code="PH-A1-2"), 403)
    for user in (jxj, users["ph_admin"], users["ph_leader"], users["ph_scjg"], users["ph_danghu"], users["js_admin"]):
        assert_errors(post_report(as_user(user), code="PH-A1-2"), 403)
    assert snapshot("PH-A1-2") == before

    assert post_step(as_user(users["ph_fgj"]), "finish", "已完成", code="PH-A1-2").status_code == 200
    before = snapshot("PH-A1-2")
    for user in (users["ph_fgj"], jxj, users["ph_leader"], users["ph_scjg"], users["js_admin"]):
        assert_errors(post_step(as_user(user), "close", "自行销号", code="PH-A1-2"), 403)
        assert_errors(post_step(as_user(user), "return", "退回", code="PH-A1-2"), 403)
    assert snapshot("PH-A1-2") == before


def test_return_without_opinion_and_unknown_actions_are_400(tasks, users):
    walk(users, "done_reported")
    admin = as_user(users["ph_admin"])
    before = snapshot()
    assert_errors(post_step(admin, "return", ""), 400, "opinion")
    assert_errors(post_step(admin, "return", "   "), 400, "opinion")
    assert_errors(post_step(admin, "approve", "同意"), 400, "action")
    assert_errors(post_step(admin, "report", "同意"), 400, "action")
    assert_errors(admin.post(f"/api/tasks/{TASK}/transitions/", {"opinion": "同意"}, format="json"), 400, "action")
    assert snapshot() == before


def test_the_bureau_admin_closes_a_task_its_own_bureau_leads(tasks, users):
    # 市科技局 leads PH-2023-05; its 人才科 files the application, the bureau's admin closes it.
    talent = User.objects.create_user("t3_api_rck", password="x", role=Role.UNIT_REPORTER,
                                      org_unit=OrgUnit.objects.get(code="330482-kjj-d5"))
    code = "PH-2023-05"
    division = as_user(talent)
    assert post_step(division, "acknowledge", "收到", code=code).status_code == 200
    assert post_step(division, "finish", "已完成", code=code).status_code == 200
    assert_errors(post_step(division, "close", "自己销号", code=code), 403)
    before = snapshot(code)
    closed = post_step(as_user(users["ph_admin"]), "close", "核实完成", code=code, version=before[1])
    assert closed.status_code == 200, closed.content
    assert (closed.json()["status"], closed.json()["version"]) == ("closed", before[1] + 1)
    step = TaskTransition.objects.filter(task__code=code).latest("id")
    assert (step.action, step.actor, step.opinion) == ("close", users["ph_admin"], "核实完成")


def test_a_stale_version_is_a_conflict(tasks, users):
    walk(users, "done_reported")
    version = KeyTask.objects.get(code=TASK).version
    admin = as_user(users["ph_admin"])
    assert post_step(admin, "close", "同意", version=version).status_code == 200
    before = snapshot()
    assert_errors(post_step(as_user(users["admin"]), "return", "不同意", version=version), 409)
    assert snapshot() == before
    assert TaskTransition.objects.filter(task__code=TASK, to_status="closed").count() == 1


# ------------------------------------------------------------------------------------------------ overdue


def test_overdue_list_at_a_date(tasks, users):
    lead = as_user(users["ph_fgj"])
    for code in ("PH-2023-02", "PH-2023-03"):
        assert post_step(lead, "acknowledge", code=code).status_code == 200
    for month in range(1, 7):
        assert post_report(lead, code="PH-2023-02", period=f"2023-{month:02d}", percent=8 * month).status_code == 201
    for month in range(1, 6):
        assert post_report(lead, code="PH-2023-03", period=f"2023-{month:02d}", percent=8 * month).status_code == 201

    response = as_user(users["ph_admin"]).get(f"/api/plans/{PH}/tasks/overdue/?date=2023-07-06")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    assert "PH-2023-03" in rows and "PH-2023-02" not in rows
    assert rows["PH-2023-03"]["missing_months"] == ["2023-06"]
    assert rows["PH-2023-03"]["alert"] == "yellow"
    assert rows["PH-2023-01"]["missing_months"][-2:] == ["2023-05", "2023-06"]
    assert set(rows["PH-2023-03"]) >= FIELDS

    assert codes(lead.get(f"/api/plans/{PH}/tasks/overdue/?date=2023-07-06")) == FGJ_TASKS - {"PH-2023-02"}
    after = codes(as_user(users["ph_admin"]).get(f"/api/plans/{PH}/tasks/overdue/?date=2024-01-02"))
    assert {"PH-2023-02", "PH-2023-03"} <= after
    assert_errors(as_user(users["ph_admin"]).get(f"/api/plans/{PH}/tasks/overdue/?date=2023-7-6x"), 400, "date")
    assert as_user(users["js_admin"]).get(f"/api/plans/{PH}/tasks/overdue/?date=2023-07-06").status_code == 404


# -------------------------------------------------------------------------------------------- reports


@pytest.mark.parametrize("user", ["ph_admin", "ph_leader", "jx_leader"])
def test_report_files_for_the_bureau_and_leaders(user, tasks, users):
    client = as_user(users[user])
    response = client.get(f"/api/plans/{PH}/report.docx?period=2023Q2")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == DOCX
    assert f"{PH}-2023Q2.docx" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    assert "2023年第二季度进展报告" in document.paragraphs[0].text
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert {"明湖国际科创岛", "规上工业研发费用"} <= cells
    response = client.get(f"/api/plans/{PH}/report.xlsx?period=2023-05")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(response.content))
    assert book["重点工作"].max_row == 2 + 26
    assert "2023年5月" in book["重点工作"]["A1"].value


def test_report_files_are_refused_to_others(tasks, users):
    for user in ("ph_fgj", "ph_scjg", "ph_danghu"):
        for kind in ("docx", "xlsx"):
            assert_errors(as_user(users[user]).get(f"/api/plans/{PH}/report.{kind}?period=2023Q2"), 403)
    assert as_user(users["js_admin"]).get(f"/api/plans/{PH}/report.docx?period=2023Q2").status_code == 404
    assert_errors(as_user(users["ph_admin"]).get(f"/api/plans/{PH}/report.docx"), 400, "period")
    assert_errors(as_user(users["ph_admin"]).get(f"/api/plans/{PH}/report.xlsx?period=2023Q5"), 400, "period")


def test_report_job_issues_both_files(tasks, users, django_capture_on_commit_callbacks):
    admin = as_user(users["ph_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/api/plans/{PH}/reports/", {"period": "2023Q2"}, format="json")
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    assert set(response.json()) == {"id"}

    response = admin.get(f"/api/jobs/{job_id}/")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["percent"], body["kind"]) == ("done", 100, "progress_report")
    issued = IssuedReport.objects.get(job_id=job_id)
    assert body["result"]["issued_report"] == issued.pk and body["result"]["tasks"] == 26
    assert (issued.plan.code, issued.period, issued.created_by) == (PH, "2023Q2", users["ph_admin"])
    with issued.docx.open("rb") as handle:
        paragraphs = [p.text for p in Document(io.BytesIO(handle.read())).paragraphs]
    assert any("2023年第二季度" in p for p in paragraphs)
    with issued.xlsx.open("rb") as handle:
        assert "重点工作" in load_workbook(io.BytesIO(handle.read())).sheetnames

    assert as_user(users["ph_leader"]).get(f"/api/jobs/{job_id}/").status_code == 200
    assert as_user(users["js_admin"]).get(f"/api/jobs/{job_id}/").status_code == 404
    assert as_user(users["ph_admin"]).get("/api/jobs/987654321/").status_code == 404


def test_report_job_is_refused_to_all_but_the_bureau(tasks, users):
    jobs = Job.objects.count()
    for user in ("ph_leader", "ph_fgj", "ph_danghu"):
        assert_errors(as_user(users[user]).post(f"/api/plans/{PH}/reports/", {"period": "2023Q2"},
                                                format="json"), 403)
    assert as_user(users["js_admin"]).post(f"/api/plans/{PH}/reports/", {"period": "2023Q2"},
                                           format="json").status_code == 404
    assert_errors(as_user(users["ph_admin"]).post(f"/api/plans/{PH}/reports/", {"period": "2023-13"},
                                                  format="json"), 400, "period")
    assert_errors(as_user(users["ph_admin"]).post(f"/api/plans/{PH}/reports/", {}, format="json"), 400, "period")
    assert Job.objects.count() == jobs
    assert not IssuedReport.objects.exists()
