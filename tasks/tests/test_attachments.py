"""Downloading a task's attachments: the file to everyone who may open the task, 404 to everyone else; and the
board's note on tasks without a deadline (the timeline has no bar for them)."""

from decimal import Decimal
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import OrgUnit, User
from core.roles import Role
from tasks.models import Attachment, KeyTask
from tasks.services import workflow
from tasks.services.seed import load_tasks

pytestmark = pytest.mark.django_db

TASK = "PH-2023-02"  # led by 市发改局 (ph_fgj)
ASSISTED = "PH-A1-2"  # 市经信局 assists
SEES = ["admin", "ph_admin", "ph_leader", "jx_leader", "ph_fgj"]
HIDDEN = ["js_admin", "ph_scjg", "ph_danghu", "ph_zhongdai", "js_weitang", "demo_qiye", "demo_jigou",
          "demo_zhuanjia"]


@pytest.fixture
def tasks(users):
    load_tasks(users["admin"])
    return {t.code: t for t in KeyTask.objects.all()}


@pytest.fixture
def files(tasks, users):
    """A progress report's attachment and a 办结佐证 on TASK, one attachment on ASSISTED by its lead."""
    lead = users["ph_fgj"]
    task = tasks[TASK]
    workflow.transition(user=lead, task_id=task.pk, action="acknowledge")
    workflow.report_progress(user=lead, task_id=task.pk, period="2023-05", percent=Decimal(40), text="完成招标",
                             attachments=[SimpleUploadedFile("投资台账.xlsx", b"PK\x03\x04 ledger")])
    workflow.transition(user=lead, task_id=task.pk, action="finish", opinion="已完成",
                        evidence=[SimpleUploadedFile("验收报告.pdf", b"%PDF-1.4 evidence")])
    assisted = tasks[ASSISTED]
    other_lead = User.objects.create_user("att_lead", password="x", role=Role.UNIT_REPORTER,
                                          org_unit=assisted.lead_unit)
    workflow.transition(user=other_lead, task_id=assisted.pk, action="acknowledge")
    workflow.report_progress(user=other_lead, task_id=assisted.pk, period="2023-05", percent=Decimal(10),
                             text="启动", attachments=[SimpleUploadedFile("方案.docx", b"PK docx")])
    return {a.name: a for a in Attachment.objects.all()}


def url(attachment: Attachment, code: str | None = None) -> str:
    return f"/tasks/{code or attachment.task.code}/attachments/{attachment.pk}/"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("username", SEES)
def test_who_sees_the_task_downloads_its_files(client, users, files, username):
    client.force_login(users[username])
    for name, content in (("投资台账.xlsx", b"PK\x03\x04 ledger"), ("验收报告.pdf", b"%PDF-1.4 evidence")):
        response = client.get(url(files[name]))
        assert response.status_code == 200
        assert body(response) == content
        assert quote(name) in response["Content-Disposition"] and "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("username", HIDDEN)
def test_who_cannot_see_the_task_gets_404(client, users, files, username):
    client.force_login(users[username])
    assert client.get(f"/tasks/{TASK}/").status_code == 404  # the task itself is hidden from them
    for attachment in files.values():
        assert client.get(url(attachment)).status_code == 404


def test_an_assisting_unit_downloads_the_files_of_the_task_it_assists(client, files):
    unit = OrgUnit.objects.get(code="330482-jxj")
    assert KeyTask.objects.get(code=ASSISTED).assists.filter(org_unit=unit).exists()
    client.force_login(User.objects.create_user("att_jxj", password="x", role=Role.UNIT_REPORTER, org_unit=unit))
    assert body(client.get(url(files["方案.docx"]))) == b"PK docx"
    assert client.get(url(files["投资台账.xlsx"])).status_code == 404  # 经信局 has no part in TASK


def test_the_task_page_links_every_file(client, users, files):
    client.force_login(users["ph_admin"])
    page = client.get(f"/tasks/{TASK}/").content.decode()
    for name in ("投资台账.xlsx", "验收报告.pdf"):
        assert f'href="{url(files[name])}"' in page
    assert url(files["方案.docx"]) not in page


def test_a_file_is_found_only_under_its_own_task(client, users, files):
    client.force_login(users["admin"])
    assert client.get(url(files["方案.docx"], code=TASK)).status_code == 404
    assert client.get(f"/tasks/{TASK}/attachments/999999/").status_code == 404
    assert client.get(f"/tasks/{TASK}/attachments/abc/").status_code == 404


def test_signed_out_users_are_sent_to_sign_in(client, files):
    response = client.get(url(files["验收报告.pdf"]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_record_whose_file_is_gone_is_a_404_not_a_500(client, users, files):
    files["验收报告.pdf"].file.delete(save=False)
    client.force_login(users["ph_admin"])
    assert client.get(url(files["验收报告.pdf"])).status_code == 404


def test_the_board_says_which_tasks_have_no_deadline_and_so_no_bar(client, users, tasks):
    KeyTask.objects.filter(code__in=[TASK, ASSISTED]).update(deadline=None)
    client.force_login(users["ph_admin"])
    page = client.get("/tasks/board/PH315-2023/").content.decode()
    assert 'data-testid="undated"' in page and "另有2项任务未定完成时限，未列入时间轴" in page
