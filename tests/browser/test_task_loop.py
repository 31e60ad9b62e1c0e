"""One key task round the whole closed loop in a real browser: 签收, 报送进展, 申请办结, 退回, again, 销号,
then the monthly report generated and its Word file downloaded and read back."""

import pytest
from docx import Document

from tasks.models import KeyTask, ProgressReport, TaskTransition
from tasks.services.seed import load_tasks
from tests.browser.helpers import log_in, log_out

PLAN = "PH315-2023"
TASK = "PH-2023-02"  # led by 市发改局, whose reporter is ph_fgj
TITLE = "航天平湖产业基地项目(一期)"
MONTH = "2023-06"


def press(page, name, opinion=None):
    """Press a step's button on the task page (with an opinion when given) and return the success message."""
    if opinion is not None:
        page.fill('[data-testid="transition-form"] textarea[name="opinion"]', opinion)
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()
    return page.inner_text(".alert-success")


def status(page) -> str:
    return page.inner_text('[data-testid="task-status"]')


def send_report(page, percent, quantity, text, problems=""):
    form = page.locator('[data-testid="report-form"]')
    form.locator("#r-period").fill(MONTH)
    form.locator("#r-percent").fill(percent)
    form.locator("#r-quantity").fill(quantity)
    form.locator("#r-text").fill(text)
    form.locator("#r-problems").fill(problems)
    with page.expect_navigation():
        form.get_by_role("button", name="报送进展").click()
    assert page.inner_text(".alert-success") == "进展已报送"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_task_goes_round_the_loop_and_into_the_monthly_report(live_server, users, page, page_errors, tmp_path):
    load_tasks(users["admin"])
    base = live_server.url
    task_url = f"{base}/tasks/{TASK}/"
    bad_static = []
    page.on("response", lambda r: bad_static.append(r.url) if "/static/" in r.url and r.status >= 400 else None)

    # --- the lead unit signs for the task from its home page, reports June and applies to finish
    log_in(page, base, "ph_fgj")
    assert page.url == f"{base}/tasks/mine/"
    with page.expect_navigation():
        page.locator(f'[data-testid="task-{TASK}"] a').click()
    assert page.url == task_url
    assert status(page) == "已交办"
    assert page.locator('[data-testid="report-form"]').count() == 0
    assert press(page, "签收") == "已办理"
    assert status(page) == "已签收"

    send_report(page, "45", "1.35", "一期主体结构施工过半", problems="钢材价格上涨")
    assert status(page) == "推进中"
    assert "一期主体结构施工过半" in page.inner_text(f'[data-testid="report-{MONTH}"]')

    assert press(page, "申请办结", "已完成年度投资，申请办结") == "已办理"
    assert status(page) == "办结待核"
    assert page.locator('[data-testid="transition-form"]').count() == 0
    log_out(page, base)

    # --- the bureau returns it
    log_in(page, base, "ph_admin")
    page.goto(task_url)
    assert page.get_by_role("button", name="销号", exact=True).count() == 1
    assert press(page, "退回", "请补充投资凭证") == "已办理"
    assert status(page) == "已退回"
    assert "请补充投资凭证" in page.inner_text('[data-testid="timeline"]')
    log_out(page, base)

    # --- the lead unit reports again and applies again
    log_in(page, base, "ph_fgj")
    page.goto(task_url)
    send_report(page, "100", "3", "已补充投资凭证，全年完成投资3亿元")
    june = page.inner_text(f'[data-testid="report-{MONTH}"]')
    assert "已补充投资凭证" in june and "第2版" in june
    assert press(page, "申请办结", "已补充投资凭证") == "已办理"
    assert status(page) == "办结待核"
    log_out(page, base)

    # --- the bureau closes it
    log_in(page, base, "ph_admin")
    page.goto(task_url)
    assert press(page, "销号", "核实完成，同意销号") == "已办理"
    assert status(page) == "已销号"
    assert page.locator('[data-testid="transition-form"]').count() == 0
    timeline = page.inner_text('[data-testid="timeline"]')
    assert "核实完成，同意销号" in timeline and "平湖市科技局管理员" in timeline

    task = KeyTask.objects.get(code=TASK)
    assert task.status == "closed"
    assert list(TaskTransition.objects.filter(task=task).order_by("at", "id").values_list("action", flat=True)) == [
        "acknowledge", "report", "finish", "return", "report", "finish", "close"]
    assert ProgressReport.objects.get(task=task, period=MONTH).revision == 2

    # --- the monthly report for June, generated and downloaded as Word
    page.goto(f"{base}/tasks/reports/{PLAN}/")
    page.select_option("#period", MONTH)
    with page.expect_navigation():
        page.get_by_role("button", name="生成Word和Excel报告").click()
    assert page.inner_text(".alert-success") == "报告已开始生成"
    row = page.locator('[data-testid="issued"] tbody tr').first
    assert MONTH in row.inner_text() and "已完成" in row.inner_text()
    with page.expect_download() as download:
        row.get_by_role("link", name="Word").click()
    assert download.value.suggested_filename == f"{PLAN}-{MONTH}.docx"
    path = tmp_path / "report.docx"
    download.value.save_as(path)

    document = Document(str(path))
    assert document.paragraphs[0].text.endswith("2023年6月进展报告")
    rows = [[cell.text for cell in r.cells] for table in document.tables for r in table.rows]
    ours = [r for r in rows if len(r) > 5 and r[1] == TITLE]
    assert len(ours) == 1
    assert ours[0][2] == "市发改局"
    assert ours[0][5] == "2023年6月：已补充投资凭证，全年完成投资3亿元"

    assert bad_static == []
    assert page_errors == []
