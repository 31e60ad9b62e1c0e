"""Importing a year's tables from a workbook: the template lists the reported items, a file with any bad row
writes nothing and names each problem by row and column, a good one opens and fills the tables."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from core.testing import visible_text
from platforms.models import PerformanceTable
from platforms.tests.factories import platform, template

pytestmark = pytest.mark.django_db
URL = "/platforms/tables/import/nri/2024/"


def workbook(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(["平台编号", "服务本土企业数(家)", "技术合同金额(万元)"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "tables.xlsx"
    return buffer


@pytest.fixture
def setup(users):
    template(2024)
    platform("T-I1", operator="DEMO-INS-001")
    platform("T-I2")


def test_the_template_lists_the_reported_items_and_the_platforms(users, setup, client):
    client.force_login(users["ph_admin"])
    response = client.get(URL, {"template": "1"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == ["平台编号", "服务本土企业数(家)", "技术合同金额(万元)"]
    assert {sheet.cell(row=r, column=1).value for r in (2, 3)} == {"T-I1", "T-I2"}


def test_a_bad_row_writes_nothing_and_is_named(users, setup, client):
    client.force_login(users["ph_admin"])
    response = client.post(URL, {"file": workbook([["T-I1", 10, 100], ["T-I9", 1, 1], ["T-I2", "1e309", "=1+1"]])})
    assert response.status_code == 400
    page = visible_text(response.content.decode())
    assert "第3行 A列（平台编号） 找不到“T-I9”" in page
    assert "第4行 B列（服务本土企业数(家)） “1e309”不是有效的非负数值" in page
    assert not PerformanceTable.objects.exists()


def test_a_good_file_opens_and_fills_the_tables(users, setup, client):
    client.force_login(users["ph_admin"])
    response = client.post(URL, {"file": workbook([["T-I1", 10, 100], ["T-I2", "２０", "300.5"]])})
    assert response.status_code == 302
    values = dict(PerformanceTable.objects.values_list("platform__code", "values"))
    assert values == {"T-I1": {"services": "10", "transfer": "100"}, "T-I2": {"services": "20", "transfer": "300.5"}}


def test_an_institution_imports_only_its_own_platform(users, setup, client):
    client.force_login(users["demo_jigou"])
    response = client.post(URL, {"file": workbook([["T-I1", 5, 50], ["T-I2", 5, 50]])})
    assert response.status_code == 400 and "T-I2" in response.content.decode()
    assert not PerformanceTable.objects.exists()
    assert client.post(URL, {"file": workbook([["T-I1", 5, 50]])}).status_code == 302
    assert PerformanceTable.objects.get().values == {"services": "5", "transfer": "50"}
    client.force_login(users["ph_danghu"])
    assert client.get(URL).status_code == 403
