"""Absurd numbers and text sent to the API or in an import: a Chinese 400 and nothing stored."""

import io

import pytest
from openpyxl import Workbook
from rest_framework.test import APIClient

from plans.models import IndicatorValue
from plans.tests.test_api import PH, PH_AREA, TEMPLATE_HEADERS, as_user, assert_errors, report

pytestmark = pytest.mark.django_db

HOSTILE = ["1e309", "1E+999999", "1e100", "NaN", "Infinity", "-Infinity", "nan", "inf", "sNaN"]


@pytest.mark.parametrize("text", HOSTILE)
def test_absurd_number_text_is_a_chinese_400(users, plans, text):
    before = IndicatorValue.objects.count()
    assert_errors(report(as_user(users["ph_admin"]), "PH01", PH_AREA, "2024-05", text), 400, "value")
    assert IndicatorValue.objects.count() == before


@pytest.mark.parametrize("raw", ["1e309", "1E+999999", "1e100", "NaN", "Infinity", "-Infinity"])
def test_absurd_json_number_is_a_chinese_400(users, plans, raw):
    client = APIClient()
    client.force_authenticate(users["ph_admin"])
    body = '{"indicator": "PH01", "org_unit": "' + PH_AREA + '", "period": "2024-05", "value": ' + raw + '}'
    before = IndicatorValue.objects.count()
    response = client.post("/api/values/", body, content_type="application/json")
    assert_errors(response, 400)
    assert IndicatorValue.objects.count() == before


@pytest.mark.parametrize("cell", [1e100, float("inf"), float("nan"), "1e309", "1E+999999", "NaN", "Infinity"])
def test_absurd_number_cell_in_an_import_is_a_chinese_400(users, plans, cell):
    assert_import_refused(users, ["PH01", PH_AREA, "2024-05", cell, "", ""])


@pytest.mark.parametrize("note", ["a\x00b", "说" * 100_000])
def test_nul_byte_or_huge_note_in_an_import_is_a_chinese_400(users, plans, note):
    # openpyxl will not write a NUL byte, a CSV file carries one.
    csv = ",".join(TEMPLATE_HEADERS) + "\n" + ",".join(["PH01", PH_AREA, "2024-05", "1", note, ""]) + "\n"
    assert_refused(users, io.BytesIO(csv.encode("utf-8")), "values.csv")


def assert_import_refused(users, row):
    wb = Workbook()
    ws = wb.active
    ws.append(TEMPLATE_HEADERS)
    ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    assert_refused(users, buffer, "values.xlsx")


def assert_refused(users, buffer, name):
    buffer.seek(0)
    buffer.name = name
    before = IndicatorValue.objects.count()
    response = as_user(users["ph_admin"]).post(f"/api/plans/{PH}/values/import", {"file": buffer},
                                               format="multipart")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert errors and all(any("\u4e00" <= ch <= "\u9fff" for ch in e["message"]) for e in errors), errors
    assert IndicatorValue.objects.count() == before


@pytest.mark.parametrize("note", ["a\x00b"])
def test_nul_byte_or_huge_text_is_a_chinese_400(users, plans, note):
    before = IndicatorValue.objects.count()
    response = report(as_user(users["ph_admin"]), "PH01", PH_AREA, "2024-05", "1", note=note)
    assert_errors(response, 400, "note")
    assert IndicatorValue.objects.count() == before
