"""A large enterprise import in a real browser: the page follows the job and shows its result without a reload."""

import re
import threading

import pytest

from core import import_jobs
from enterprises.models import EnterpriseYear
from enterprises.tests.conftest import code_for
from enterprises.tests.test_imports import row, xlsx
from tests.browser.helpers import log_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_large_import_shows_its_progress_then_its_count(
    live_server, users, page, page_errors, settings, monkeypatch
):
    settings.KECHUANG_JOBS_SYNC = False
    settings.KECHUANG_JOBS = "thread"  # the demo's runner: a thread of the server, as in production
    settings.KECHUANG_IMPORT_JOB_ROWS = 3
    # The job waits until the page has shown it running, so the test sees the page follow it.
    release = threading.Event()
    original = import_jobs._IMPORTERS["enterprises"]

    def held(**kwargs):
        assert release.wait(30)
        return original.run(**kwargs)

    monkeypatch.setitem(import_jobs._IMPORTERS, "enterprises", import_jobs.Importer(held, original.check))
    codes = [code_for(700 + i) for i in range(5)]
    data = xlsx([row(code, name=f"浏览器测试{i}有限公司") for i, code in enumerate(codes)])

    base = live_server.url
    log_in(page, base, "ph_admin")
    page.goto(f"{base}/enterprises/import/enterprises/")
    assert "超过3行的文件转为后台导入" in page.inner_text('[data-testid="job-rows"]')
    page.set_input_files('input[name="file"]', {"name": "大表.xlsx", "mimeType": XLSX, "buffer": data})
    with page.expect_navigation():
        page.get_by_role("button", name="导入").click()
    assert re.search(r"/imports/\d+/$", page.url), page.url
    assert page.get_attribute('[data-testid="import-result"]', "data-status") in ("pending", "running")
    assert page.locator('[data-testid="import-done"]').count() == 0
    page.evaluate("window.stillTheSamePage = true")

    release.set()
    page.wait_for_selector('[data-testid="import-done"]')
    assert "导入成功：5条" in page.inner_text('[data-testid="import-done"]')
    assert page.evaluate("window.stillTheSamePage") is True  # htmx swapped the parts in; no reload
    assert "已完成" in page.inner_text('[data-testid^="job-"]')
    assert EnterpriseYear.objects.filter(enterprise__uscc__in=codes).count() == 5
    assert page_errors == []
