"""The projects' pages and downloads for each role: a project's page, its files, a call's page and its lists
reach only who may see them; a formula-looking title is exported as text; a page's bad input is a message,
never a 500."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from projects.models import ProjectFile
from projects.services import projects as service
from projects.tests.factories import application, world

pytestmark = pytest.mark.django_db


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def w(users):
    return world(users)


def test_each_role_reaches_only_its_own_pages_and_files(w, users):
    p = application(w)
    service.add_file(actor=users["demo_qiye"], code=p.code, upload=SimpleUploadedFile("预算说明.pdf", b"%PDF-1.4"))
    row = ProjectFile.objects.get()
    for name, code in (("demo_qiye", 200), ("ph_admin", 200), ("ph_leader", 200), ("js_admin", 404),
                       ("demo_jigou", 404), ("demo_zhuanjia", 404)):
        client = page(users[name])
        assert client.get(f"/projects/p/{p.code}/").status_code == code, name
        assert client.get(f"/projects/files/{row.pk}/").status_code == code, name
    assert page(users["demo_zhuanjia"]).get("/projects/board/").status_code == 403
    assert page(users["ph_leader"]).post(f"/projects/call/{w.key.code}/", {"action": "scores"}).status_code == 403
    assert page(users["js_admin"]).get(f"/projects/call/{w.key.code}/").status_code == 404
    assert page(users["demo_qiye"]).get(f"/projects/call/{w.key.code}/decisions.xlsx").status_code == 403


@pytest.mark.parametrize("amount", ["1e309", "abc", "-5", "\x00", "长" * 100_000])
def test_a_bad_amount_on_the_page_is_a_message_and_changes_nothing(w, users, amount):
    p = application(w, status="publicised")
    response = page(users["ph_kezhang"]).post(f"/projects/p/{p.code}/", {"action": "decide", "amount": amount},
                                              follow=True)
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    p.refresh_from_db()
    assert p.approved_amount is None and p.status == "publicised"


def test_a_formula_looking_title_is_exported_as_text(w, users):
    service.record_filing(actor=users["ph_admin"], call=w.filing, enterprise=w.firm,
                          title="=SUM(A1:A9)")
    content = page(users["ph_admin"]).get(f"/projects/call/{w.filing.code}/decisions.xlsx").content
    cells = [c for row in load_workbook(io.BytesIO(content)).active.iter_rows() for c in row
             if c.value and "SUM(A1:A9)" in str(c.value)]
    assert cells and all(c.data_type == "s" for c in cells)
