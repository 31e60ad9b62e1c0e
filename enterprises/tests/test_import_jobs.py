"""Large imports run as jobs (page and API): the same checks, all or nothing, the result by row and column.

The threshold is lowered to a few rows so the tests stay small; the 100,000-row case is bench/import_bench.py.
"""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core import tabular
from core.models import ChangeRecord, Job
from enterprises.models import Enterprise, EnterpriseYear
from enterprises.tests.conftest import chinese, code_for
from enterprises.tests.test_imports import ENTERPRISES_URL, csv_bytes, row, xlsx

pytestmark = pytest.mark.django_db

PAGE_URL = "/enterprises/import/enterprises/"


@pytest.fixture(autouse=True)
def small_threshold(settings):
    settings.KECHUANG_IMPORT_JOB_ROWS = 3


def many(count: int, year: int = 2024, **cells) -> list[dict]:
    return [row(code_for(900 + i), name=f"平湖测试{i}科技有限公司", year=year, **cells) for i in range(count)]


def uploads(settings) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


# ------------------------------------------------------------------------------------------------ API


def test_a_small_upload_is_answered_at_once_as_before(users, api):
    response = api(users["ph_admin"]).post(
        ENTERPRISES_URL, {"file": SimpleUploadedFile("a.xlsx", xlsx(many(2)))}, format="multipart"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 2, "updated": 0}
    assert not Job.objects.filter(kind="import").exists()


def test_a_large_upload_answers_202_and_its_job_imports_every_row(
    users, api, settings, django_capture_on_commit_callbacks
):
    client = api(users["ph_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            ENTERPRISES_URL, {"file": SimpleUploadedFile("大表.xlsx", xlsx(many(5)))}, format="multipart"
        )
    assert response.status_code == 202, response.content
    body = response.json()
    job = Job.objects.get(pk=body["job"])
    assert body["url"] == f"/api/jobs/{job.pk}/"
    assert (job.kind, job.created_by, job.params["name"]) == ("import", users["ph_admin"], "大表.xlsx")

    status = client.get(body["url"]).json()
    assert status["status"] == "done"
    assert status["result"] == {"created": 5, "updated": 0, "imported": 5, "errors": []}
    assert status["progress"] == status["total"] > 0  # the job reported how far it got
    assert (
        EnterpriseYear.objects.filter(enterprise__uscc__in=[code_for(900 + i) for i in range(5)]).count() == 5
    )
    assert uploads(settings) == []  # the saved upload is gone once imported


def test_a_large_upload_with_bad_rows_lists_them_in_the_job_and_writes_nothing(
    users, api, django_capture_on_commit_callbacks
):
    rows = many(5)
    rows[1]["营业收入(万元)"] = "很多"
    rows[3]["所属区域"] = "火星"
    before = (Enterprise.objects.count(), EnterpriseYear.objects.count(), ChangeRecord.objects.count())
    client = api(users["ph_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            ENTERPRISES_URL,
            {"file": SimpleUploadedFile("a.csv", csv_bytes(rows, "gb18030"))},
            format="multipart",
        )
    assert response.status_code == 202, response.content
    result = client.get(response.json()["url"]).json()["result"]
    assert result["imported"] == 0
    problems = [(e["row"], e["column"], e["message"]) for e in result["errors"]]
    assert problems == [
        (3, "F列（营业收入(万元)）", "不是有效的数字：很多"),
        (5, "C列（所属区域）", "未知或不在管辖范围内的区域“火星”"),
    ]
    assert all(chinese(message) for _r, _c, message in problems)
    # All or nothing: the three good rows were not written either, and no history was kept.
    assert (
        Enterprise.objects.count(),
        EnterpriseYear.objects.count(),
        ChangeRecord.objects.count(),
    ) == before


def test_a_large_upload_by_someone_who_may_not_import_is_refused_before_any_job(users, api):
    response = api(users["ph_leader"]).post(
        ENTERPRISES_URL, {"file": SimpleUploadedFile("a.xlsx", xlsx(many(5)))}, format="multipart"
    )
    assert response.status_code == 403, response.content
    assert chinese(response.json()["errors"][0]["message"])
    assert not Job.objects.filter(kind="import").exists()


# ---------------------------------------------------------------------------------------------- pages


def test_the_page_sends_a_large_upload_to_its_job_page_with_progress_and_count(
    client, users, django_capture_on_commit_callbacks
):
    client.force_login(users["ph_admin"])
    assert "超过3行的文件转为后台导入" in client.get(PAGE_URL).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE_URL, {"file": SimpleUploadedFile("大表.xlsx", xlsx(many(4)))})
    job = Job.objects.get(kind="import")
    assert response.status_code == 302 and response.url == f"/imports/{job.pk}/"
    page = client.get(response.url).content.decode()
    assert f'data-testid="job-{job.pk}"' in page  # the shared progress partial
    assert "导入成功：4条" in page and 'data-testid="import-done"' in page
    assert 'href="/enterprises/"' in page  # back to the list it came from


def test_a_running_job_page_polls_for_its_progress_and_result(
    client, users, django_capture_on_commit_callbacks
):
    client.force_login(users["ph_admin"])
    response = client.post(PAGE_URL, {"file": SimpleUploadedFile("大表.xlsx", xlsx(many(4)))})
    job = Job.objects.get(kind="import")  # queued: on_commit callbacks were not run
    page = client.get(response.url).content.decode()
    assert f'hx-get="/jobs/{job.pk}/"' in page and f'hx-get="/imports/{job.pk}/?part=result"' in page
    assert "导入成功" not in page
    part = client.get(f"/imports/{job.pk}/?part=result").content.decode()
    assert part.startswith('<div data-testid="import-result" data-status="pending"') and "hx-trigger" in part
    # Someone else's import is not theirs to follow.
    client.force_login(users["js_admin"])
    assert client.get(f"/imports/{job.pk}/").status_code == 404


def test_the_job_page_lists_every_problem_by_row_and_column(
    client, users, django_capture_on_commit_callbacks
):
    rows = many(4)
    rows[2]["年度"] = 1800
    client.force_login(users["ph_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE_URL, {"file": SimpleUploadedFile("坏表.xlsx", xlsx(rows))})
    page = client.get(response.url).content.decode()
    assert "文件 坏表.xlsx 有 1 处问题，未导入任何数据" in page
    assert "第4行" in page and "E列（年度）" in page and "年度应在1990至" in page
    assert not Enterprise.objects.filter(uscc=code_for(900)).exists()


# ------------------------------------------------------------------------------------------ row count


def test_rows_are_counted_cheaply_for_the_threshold():
    rows = many(5)
    assert tabular.count_rows("a.xlsx", xlsx(rows)) == 6  # the header counts: rows in the sheet
    assert tabular.count_rows("a.csv", csv_bytes(rows, "utf-8")) == 6
    assert tabular.count_rows("a.xlsx", b"PK\x03\x04 broken") == 0  # refused later, by read_table
    assert tabular.count_rows("a.txt", b"x\ny\n") == 0
