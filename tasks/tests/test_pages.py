"""The key-task pages through the Django test client: the list and its export, the task page with the right
buttons per role, every kind of POST to it, a unit's home, the supervision board and the issued reports."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from openpyxl import load_workbook

from core.models import ChangeRecord, Job, OrgUnit, User
from core.roles import Role
from tasks.models import (
    AssistNote,
    Attachment,
    IssuedReport,
    KeyTask,
    ProgressReport,
    Reminder,
    TaskTransition,
)
from tasks.services import workflow
from tasks.services.seed import load_tasks

pytestmark = pytest.mark.django_db

PH, JS = "PH315-2023", "JS-2025"
TASK = "PH-2023-02"  # led by 市发改局 (ph_fgj), 市科技局 assists
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FGJ_LEADS = {"PH-2023-02", "PH-2023-03", "PH-2023-04", "PH-A1-2"}
FGJ_ASSISTS = {"PH-A3-3", "PH-A5-1", "PH-A5-2"}
BUTTON = re.compile(r'<button[^>]*name="action" value="(\w+)"[^>]*>([^<]+)</button>')


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tasks(users):
    load_tasks(users["admin"])
    return {t.code: t for t in KeyTask.objects.all()}


@pytest.fixture
def jxj(tasks):
    """市经信局's reporter: assists PH-A1-2, leads PH-2023-07."""
    return User.objects.create_user("t3_page_jxj", password="x", role=Role.UNIT_REPORTER, full_name="经信局填报员",
                                    org_unit=OrgUnit.objects.get(code="330482-jxj"))


def as_user(client, user):
    client.force_login(user)
    return client


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def buttons(page: str) -> list[tuple[str, str]]:
    return BUTTON.findall(page)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def act(client, code=TASK, **data):
    """POST to the task's act URL, follow back to the task page and return the messages it shows."""
    response = client.post(f"/tasks/{code}/act/", data, follow=True)
    assert response.redirect_chain == [(f"/tasks/{code}/", 302)], response.redirect_chain
    shown = [str(m) for m in response.context["messages"]]
    page = html(response)
    assert all(m.replace("“", "&ldquo;") in page or m in page for m in shown)
    return shown


def snapshot(code=TASK) -> tuple:
    task = KeyTask.objects.get(code=code)
    return (task.status, task.version, ProgressReport.objects.count(), TaskTransition.objects.count(),
            AssistNote.objects.count(), Reminder.objects.count(), Attachment.objects.count(),
            ChangeRecord.objects.count())


def step(user, code, action, opinion="意见"):
    return workflow.transition(user=user, task_id=KeyTask.objects.get(code=code).pk, action=action, opinion=opinion)


def report(user, code, period="2023-05", percent="40", text="完成土建招标"):
    return workflow.report_progress(user=user, task_id=KeyTask.objects.get(code=code).pk, period=period,
                                    percent=Decimal(percent), text=text)


def listed(response) -> set[str]:
    assert response.status_code == 200
    return {t.code for t in response.context["object_list"]}


# ------------------------------------------------------------------------------------------------ list


def test_task_list_is_scoped(client, tasks, users):
    page = as_user(client, users["ph_admin"]).get("/tasks/")
    assert len(listed(page)) == 26 and {t.plan.code for t in page.context["object_list"]} == {PH}
    assert "明湖国际科创岛" in html(page)
    assert listed(as_user(client, users["ph_fgj"]).get("/tasks/")) == FGJ_LEADS | FGJ_ASSISTS
    assert len(listed(as_user(client, users["ph_leader"]).get("/tasks/"))) == 26
    assert len(listed(as_user(client, users["jx_leader"]).get("/tasks/"))) == 49
    assert {t[:2] for t in listed(as_user(client, users["js_admin"]).get("/tasks/"))} == {"JS"}
    assert listed(as_user(client, users["ph_danghu"]).get("/tasks/")) == set()
    client.logout()
    assert client.get("/tasks/").status_code == 302


def test_task_list_filters(client, tasks, users, monkeypatch):
    client = as_user(client, users["ph_admin"])
    fgj = OrgUnit.objects.get(code="330482-fgj")
    assert listed(client.get(f"/tasks/?lead_unit={fgj.pk}")) == FGJ_LEADS
    assert listed(client.get("/tasks/?category=平台提升")) == {"PH-2023-05", "PH-2023-06", "PH-2023-07",
                                                             "PH-2023-08"}
    assert listed(client.get(f"/tasks/?category=科技强基&lead_unit={fgj.pk}")) == {"PH-2023-02", "PH-2023-03",
                                                                                  "PH-2023-04"}
    step(users["ph_fgj"], TASK, "acknowledge")
    step(users["ph_fgj"], TASK, "finish", "完成")
    step(users["ph_admin"], TASK, "close", "同意")
    step(users["ph_fgj"], "PH-2023-03", "acknowledge")
    assert listed(client.get("/tasks/?status=closed")) == {TASK}
    assert listed(client.get("/tasks/?status=acknowledged")) == {"PH-2023-03"}
    assert len(listed(client.get("/tasks/?status=assigned"))) == 24

    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: datetime.date(2024, 3, 1))
    overdue = listed(client.get(f"/tasks/?plan={PH}&overdue=true"))
    assert overdue == {f"PH-2023-{n:02d}" for n in range(1, 13)} - {TASK}  # past 2023-12-31 and not closed
    on_time = listed(client.get(f"/tasks/?plan={PH}&overdue=false"))
    assert on_time == {t.code for t in tasks.values() if t.code.startswith("PH-A")} | {TASK}
    page = html(client.get(f"/tasks/?plan={PH}&overdue=true"))
    assert "PH-2023-01" in page and "PH-A1-1" not in page


def test_task_list_exports_what_is_filtered(client, tasks, users):
    fgj = OrgUnit.objects.get(code="330482-fgj")
    response = as_user(client, users["ph_admin"]).get(f"/tasks/?lead_unit={fgj.pk}&_export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(XLSX)
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert {"编号", "重点工作", "牵头单位", "配合单位", "完成时限", "状态"} <= set(header)
    data = {row[header.index("编号")]: row for row in rows[1:]}
    assert set(data) == FGJ_LEADS
    assert data["PH-A1-2"][header.index("配合单位")] == "市科技局、市经信局"
    assert data[TASK][header.index("重点工作")] == "航天平湖产业基地项目(一期)"
    assert data[TASK][header.index("牵头单位")] == "市发改局"
    # A reporter's export holds only its own tasks.
    response = as_user(client, users["ph_scjg"]).get("/tasks/?_export=xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert {row[0] for row in rows[1:]} == {"PH-A6-1", "PH-A6-2"}


# ------------------------------------------------------------------------------------------- task page


def test_task_page_buttons_follow_role_and_state(client, tasks, users, jxj):
    url = f"/tasks/{TASK}/"
    page = html(as_user(client, users["ph_fgj"]).get(url))
    assert buttons(page) == [("acknowledge", "签收")]
    assert 'data-testid="report-form"' not in page  # report only after 签收
    assert "航天平湖产业基地项目(一期)" in page and "已交办，待牵头单位签收" in page

    page = html(as_user(client, users["ph_admin"]).get(url))
    assert buttons(page) == []
    assert 'name="kind" value="remind"' in page

    page = html(as_user(client, users["ph_leader"]).get(url))
    assert buttons(page) == [] and 'data-testid="report-form"' not in page
    assert 'name="kind" value="remind"' not in page and 'name="kind" value="assist"' not in page

    step(users["ph_fgj"], TASK, "acknowledge", "已签收")
    report(users["ph_fgj"], TASK)
    page = html(as_user(client, users["ph_fgj"]).get(url))
    assert buttons(page) == [("finish", "申请办结")]
    assert 'data-testid="report-form"' in page
    assert 'data-testid="report-2023-05"' in page and "完成土建招标" in page

    step(users["ph_fgj"], TASK, "finish", "已完成年度投资")
    page = html(as_user(client, users["ph_admin"]).get(url))
    assert buttons(page) == [("close", "销号"), ("return", "退回")]
    assert 'data-testid="report-form"' not in page
    timeline = page[page.index('data-testid="timeline"'):]
    assert "平湖市发改局填报员" in timeline and "已签收" in timeline and "已完成年度投资" in timeline
    assert "办结待核" in timeline
    assert buttons(html(as_user(client, users["ph_fgj"]).get(url))) == []
    assert buttons(html(as_user(client, users["ph_leader"]).get(url))) == []

    step(users["ph_admin"], TASK, "close", "同意销号")
    page = html(as_user(client, users["ph_admin"]).get(url))
    assert buttons(page) == [] and 'name="kind" value="remind"' not in page
    assert "已销号" in page


def test_assisting_unit_sees_the_note_form_only(client, tasks, users, jxj):
    step(users["ph_fgj"], "PH-A1-2", "acknowledge")
    report(users["ph_fgj"], "PH-A1-2")
    page = html(as_user(client, jxj).get("/tasks/PH-A1-2/"))
    assert 'name="kind" value="assist"' in page
    assert buttons(page) == [] and 'data-testid="report-form"' not in page
    lead_page = html(as_user(client, users["ph_fgj"]).get("/tasks/PH-A1-2/"))
    assert 'name="kind" value="assist"' not in lead_page


@pytest.mark.parametrize("user", ["ph_scjg", "ph_danghu", "js_admin"])
def test_task_page_is_hidden_from_those_outside_it(user, client, tasks, users):
    client = as_user(client, users[user])
    assert client.get(f"/tasks/{TASK}/").status_code == 404
    before = snapshot()
    assert client.post(f"/tasks/{TASK}/act/", {"action": "acknowledge"}).status_code == 404
    assert client.post(f"/tasks/{TASK}/act/", {"kind": "remind"}).status_code == 404
    assert snapshot() == before
    assert as_user(client, users["ph_admin"]).get("/tasks/NOPE-1/").status_code == 404


# ---------------------------------------------------------------------------------------- POSTs to act


def test_transitions_by_post(client, tasks, users):
    lead = as_user(client, users["ph_fgj"])
    assert act(lead, action="acknowledge", opinion="收到") == ["已办理"]
    assert KeyTask.objects.get(code=TASK).status == "acknowledged"
    before = snapshot()
    assert act(lead, action="acknowledge") == ["任务当前为“已签收”，不能执行“签收”"]
    assert act(lead, action="close", opinion="自行销号") == ["任务当前为“已签收”，不能执行“销号”"]
    assert act(lead, action="finish", opinion="") == ["申请办结须说明完成情况或上传佐证材料"]
    assert act(lead, action="archive") == ["未知操作“archive”"]
    assert act(lead) == ["未知操作“”"]
    assert snapshot() == before

    evidence = SimpleUploadedFile("竣工验收.pdf", b"%PDF-1.4")
    assert act(lead, action="finish", opinion="", evidence=evidence) == ["已办理"]
    assert Attachment.objects.get(task__code=TASK).purpose == "evidence"
    version = KeyTask.objects.get(code=TASK).version

    assert act(lead, action="close", opinion="自行销号") == ["只有科技局管理员可以销号"]
    admin = as_user(client, users["ph_admin"])
    before = snapshot()
    assert act(admin, action="return", opinion=" ") == ["退回时必须填写意见"]
    assert act(admin, action="close", opinion="同意", version=str(version - 1)) == ["任务已被他人更新，请刷新后重试"]
    assert snapshot() == before
    assert act(admin, action="return", opinion="请补充投资凭证", version=str(version)) == ["已办理"]
    step_ = TaskTransition.objects.filter(task__code=TASK).latest("id")
    assert (step_.action, step_.actor, step_.opinion) == ("return", users["ph_admin"], "请补充投资凭证")
    assert KeyTask.objects.get(code=TASK).status == "returned"

    leader = as_user(client, users["ph_leader"])
    before = snapshot()
    assert act(leader, action="finish", opinion="领导代办") == ["只有牵头单位可以申请办结"]
    assert snapshot() == before
    assert client.get(f"/tasks/{TASK}/act/").status_code == 405


def test_progress_report_by_post(client, tasks, users):
    step(users["ph_fgj"], TASK, "acknowledge")
    lead = as_user(client, users["ph_fgj"])
    files = [SimpleUploadedFile("现场照片.jpg", b"\xff\xd8"), SimpleUploadedFile("投资台账.xlsx", b"PK")]
    messages = act(lead, kind="report", period="2023-05", percent="40", quantity="1.2", text="完成土建招标",
                   problems="资金到位慢", next_steps="加快施工", attachments=files)
    assert messages == ["进展已报送"]
    saved = ProgressReport.objects.get(task__code=TASK, period="2023-05")
    assert (saved.percent, saved.quantity, saved.problems, saved.next_steps) == (
        Decimal(40), Decimal("1.2"), "资金到位慢", "加快施工")
    assert sorted(a.name for a in saved.attachments.all()) == ["投资台账.xlsx", "现场照片.jpg"]
    assert KeyTask.objects.get(code=TASK).status == "in_progress"

    before = snapshot()
    bad = [({"percent": "101"}, "完成进度应在0到100之间"), ({"percent": "-1"}, "完成进度应在0到100之间"),
           ({"percent": "abc"}, "不是有效的数字：abc"), ({"percent": "NaN"}, "数值超出合理范围：NaN"),
           ({"percent": ""}, "完成进度应在0到100之间"), ({"period": "2023-13"}, "无法识别的期间"),
           ({"period": "2023Q2"}, "进展按月报送，期间应写作2023-05"), ({"text": " "}, "请填写进展情况"),
           ({"period": "2099-01"}, "不能报送未来月份的进展")]
    for change, message in bad:
        data = {"kind": "report", "period": "2023-06", "percent": "50", "text": "六月进展", **change}
        messages = act(lead, **data)
        assert len(messages) == 1 and message in messages[0], (change, messages)
    assert snapshot() == before

    assert act(lead, kind="report", period="2023-05", percent="45", text="五月更正") == ["进展已报送"]
    page = html(lead.get(f"/tasks/{TASK}/"))
    assert "五月更正" in page and "（第2版）" in page
    before = snapshot()
    assert act(as_user(client, users["ph_admin"]), kind="report", period="2023-06", percent="50",
               text="代报") == ["只有牵头单位可以报送进展"]
    assert snapshot() == before


def test_assist_note_by_post(client, tasks, users, jxj):
    code = "PH-A1-2"
    step(users["ph_fgj"], code, "acknowledge")
    monthly = report(users["ph_fgj"], code)
    step(users["ph_fgj"], "PH-2023-03", "acknowledge")
    other = report(users["ph_fgj"], "PH-2023-03")
    helper = as_user(client, jxj)
    assert act(helper, code, kind="assist", report=str(monthly.pk), text="已协调用能指标") == ["配合情况已补充"]
    note = AssistNote.objects.get(report=monthly)
    assert (note.unit.name, note.text, note.author) == ("市经信局", "已协调用能指标", jxj)
    assert "已协调用能指标" in html(helper.get(f"/tasks/{code}/"))

    before = snapshot(code)
    assert act(helper, code, kind="assist", report=str(monthly.pk), text="") == ["请填写配合情况"]
    for bad in ("abc", "", "0", "987654321", str(other.pk)):  # garbage, nothing, unknown, another task's report
        messages = act(helper, code, kind="assist", report=bad, text="配合")
        assert messages == ["未知进展报告"], (bad, messages)
    lead = as_user(client, users["ph_fgj"])
    assert act(lead, code, kind="assist", report=str(monthly.pk), text="自己配合") == ["只有配合单位可以补充配合情况"]
    assert snapshot(code) == before


def test_remind_by_post_and_the_unit_home(client, tasks, users):
    lead = as_user(client, users["ph_fgj"])
    before = snapshot()
    assert act(lead, kind="remind", message="自己催自己") == ["只有科技局管理员可以催办"]
    assert act(as_user(client, users["ph_leader"]), kind="remind", message="领导催办") == ["只有科技局管理员可以催办"]
    assert snapshot() == before

    admin = as_user(client, users["ph_admin"])
    assert act(admin, kind="remind", message="请于本周报送五月进展") == ["已催办"]
    reminder = Reminder.objects.get(task__code=TASK)
    assert (reminder.to_unit.code, reminder.sent_by, reminder.read_at) == ("330482-fgj", users["ph_admin"], None)
    workflow.remind(user=users["ph_admin"], task_id=KeyTask.objects.get(code="PH-2023-07").pk, message="请经信局报送")

    response = as_user(client, users["ph_fgj"]).get("/tasks/mine/")
    page = html(response)
    assert {v.task.code for v in response.context["tasks"]} == FGJ_LEADS
    assert {v.task.code for v in response.context["assisting"]} == FGJ_ASSISTS
    assert response.context["unread"] == 1
    reminders = page[page.index('data-testid="reminders"'):page.index("牵头任务")]
    assert "请于本周报送五月进展" in reminders and "请经信局报送" not in reminders
    assert 'class="fw-bold"' in reminders
    reminder.refresh_from_db()
    assert reminder.read_at is not None  # read by viewing the page
    assert Reminder.objects.get(task__code="PH-2023-07").read_at is None

    response = client.get("/tasks/mine/")
    assert response.context["unread"] == 0
    assert 'class="fw-bold"' not in html(response) and "请于本周报送五月进展" in html(response)


def test_closed_tasks_leave_the_unit_home(client, tasks, users):
    step(users["ph_fgj"], TASK, "acknowledge")
    step(users["ph_fgj"], TASK, "finish", "完成")
    step(users["ph_admin"], TASK, "close", "同意")
    response = as_user(client, users["ph_fgj"]).get("/tasks/mine/")
    assert {v.task.code for v in response.context["tasks"]} == FGJ_LEADS - {TASK}


# ----------------------------------------------------------------------------------------------- board


def test_board_for_the_bureau_and_leaders(client, tasks, users):
    for month in range(1, 7):
        if month == 1:
            step(users["ph_fgj"], TASK, "acknowledge")
        report(users["ph_fgj"], TASK, period=f"2023-{month:02d}", percent=str(9 * month))
    response = as_user(client, users["ph_admin"]).get(f"/tasks/board/{PH}/?date=2023-07-06")
    page = html(response)
    counts = response.context["counts"]
    assert sum(counts.values()) == 26
    assert counts["green"] == 1  # only PH-2023-02 has every report in; the others miss two months or more
    assert counts["red"] == 25
    assert response.context["today"] == datetime.date(2023, 7, 6)
    units = dict(response.context["overdue_units"])
    assert TASK not in {v.task.code for views in units.values() for v in views}
    assert {v.task.code for v in units["市发改局"]} == {"PH-2023-03", "PH-2023-04", "PH-A1-2"}
    assert sum(len(v) for v in units.values()) == 25
    chart = response.context["chart"]
    assert len(chart["names"]) == len(chart["bars"]) == 26
    bar = next(b for name, b in zip(chart["names"], chart["bars"], strict=True) if name.startswith(TASK))
    assert bar[1:] == ["2023-01-01", "2023-12-31", "green", 54.0]
    assert 'data-chart-kind="gantt"' in page and 'data-testid="overdue-unit"' in page
    assert "正常 1" in page and "红色预警 25" in page

    assert as_user(client, users["ph_leader"]).get(f"/tasks/board/{PH}/").status_code == 200
    assert as_user(client, users["jx_leader"]).get(f"/tasks/board/{JS}/").status_code == 200
    for user in ("ph_fgj", "ph_danghu", "ph_scjg"):
        assert as_user(client, users[user]).get(f"/tasks/board/{PH}/").status_code == 403
    assert as_user(client, users["js_admin"]).get(f"/tasks/board/{PH}/").status_code == 404
    response = as_user(client, users["js_admin"]).get("/tasks/board/")
    assert response.status_code == 302 and response.url == f"/tasks/board/{JS}/"


# --------------------------------------------------------------------------------------------- reports


def test_reports_generated_listed_and_downloaded(client, tasks, users, django_capture_on_commit_callbacks):
    admin = as_user(client, users["ph_admin"])
    page = html(admin.get(f"/tasks/reports/{PH}/"))
    assert 'data-testid="report-form"' in page and "尚未生成报告" in page
    assert '<option value="2023Q2">2023年第二季度</option>' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/tasks/reports/{PH}/", {"period": "2023Q2"})
    assert response.status_code == 302 and response.url == f"/tasks/reports/{PH}/"
    assert messages_of(response) == ["报告已开始生成"]
    issued = IssuedReport.objects.get(plan__code=PH)
    assert issued.period == "2023Q2" and issued.job.status == Job.Status.DONE

    page = html(admin.get(f"/tasks/reports/{PH}/"))
    assert f'href="/tasks/issued/{issued.pk}/docx/"' in page and f'href="/tasks/issued/{issued.pk}/xlsx/"' in page
    response = admin.get(f"/tasks/issued/{issued.pk}/docx/")
    assert response.status_code == 200
    assert f"{PH}-2023Q2.docx" in response["Content-Disposition"]
    document = Document(io.BytesIO(b"".join(response.streaming_content)))
    assert "2023年第二季度进展报告" in document.paragraphs[0].text
    response = admin.get(f"/tasks/issued/{issued.pk}/xlsx/")
    assert "重点工作" in load_workbook(io.BytesIO(b"".join(response.streaming_content))).sheetnames
    assert admin.get(f"/tasks/issued/{issued.pk}/pdf/").status_code == 404
    assert admin.get(f"/tasks/jobs/{issued.job_id}/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/tasks/reports/{PH}/", {"period": "2023Q5"})
    assert len(messages_of(response)) == 1 and "无法识别的期间" in messages_of(response)[0]
    assert IssuedReport.objects.count() == 1

    leader = as_user(client, users["ph_leader"])
    page = html(leader.get(f"/tasks/reports/{PH}/"))
    assert 'data-testid="report-form"' not in page and f"/tasks/issued/{issued.pk}/docx/" in page
    assert leader.get(f"/tasks/issued/{issued.pk}/docx/").status_code == 200
    assert leader.post(f"/tasks/reports/{PH}/", {"period": "2023Q3"}).status_code == 403

    for user in ("ph_fgj", "ph_danghu"):
        other = as_user(client, users[user])
        assert other.get(f"/tasks/reports/{PH}/").status_code == 403
        assert other.post(f"/tasks/reports/{PH}/", {"period": "2023Q3"}).status_code == 403
        assert other.get(f"/tasks/issued/{issued.pk}/docx/").status_code == 404
        assert other.get(f"/tasks/issued/{issued.pk}/xlsx/").status_code == 404
    js = as_user(client, users["js_admin"])
    assert js.get(f"/tasks/reports/{PH}/").status_code == 404
    assert js.get(f"/tasks/issued/{issued.pk}/docx/").status_code == 404
    assert js.get(f"/tasks/jobs/{issued.job_id}/").status_code == 404
    assert IssuedReport.objects.count() == 1
