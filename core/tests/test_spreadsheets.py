"""Exports never write a live formula and never break on control characters."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.models import OrgUnit
from core.spreadsheets import safe_cell

HOSTILE = "=HYPERLINK(\"http://evil.example\",\"点击\")"


@pytest.mark.parametrize("text,expected", [
    ("=1+1", "'=1+1"), ("+86 123", "'+86 123"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("当湖街道", "当湖街道"), ("a\x00b\x07c", "abc"), ("\x00=1", "'=1"),
])
def test_text_cells_are_neutralised(text, expected):
    assert safe_cell(text) == expected


@pytest.mark.parametrize("value", [None, 12, -3.5, Decimal("-1.25")])
def test_numbers_stay_numbers(value):
    assert safe_cell(value) == value


@pytest.fixture
def hostile_town(users):
    town = OrgUnit.objects.filter(code="330482001").get()
    # A control character XML cannot hold (NUL itself never reaches PostgreSQL, whose text refuses it).
    town.name = HOSTILE + "\x07"
    town.save()
    return town


@pytest.mark.django_db
def test_list_export_xlsx_has_no_formula(client, users, hostile_town):
    client.force_login(users["ph_admin"])
    response = client.get("/org-units/?kind=town&_export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert "'" + HOSTILE in [c.value for c in cells]


@pytest.mark.django_db
def test_list_export_csv_is_escaped(client, users, hostile_town):
    client.force_login(users["ph_admin"])
    response = client.get("/org-units/?kind=town&_export=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = [row[1] for row in rows[1:]]
    assert "'" + HOSTILE in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_report_workbook_writes_hostile_titles_as_text():
    from tasks.documents import build_xlsx
    from tasks.tests.test_documents import quarter_report

    data = quarter_report()
    data.tasks[0].title = HOSTILE + "\x00"
    book = load_workbook(io.BytesIO(build_xlsx(data)))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert "'" + HOSTILE in [c.value for c in cells]


@pytest.mark.django_db
def test_plan_workbook_writes_hostile_names_as_text(plans):
    from plans import exports
    from plans.models import Indicator

    plan = plans["PH315-2023"]
    Indicator.objects.filter(plan=plan, code="PH01").update(printed_name="@SUM(1+1)\x01")
    book = load_workbook(io.BytesIO(exports.progress_workbook(plan, 2024)))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert "'@SUM(1+1)" in [c.value for c in cells]
