"""The projects' API for each role and each bad input: an application filed by its enterprise (400 with the
reason for a bad KPI list, budget or number), the list by year, tier and status, a project's tranches, the
transitions endpoint, a call's actions and documents, and the year's figures."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from projects.models import Project, Status
from projects.services import projects as service
from projects.tests.factories import TODAY, application, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(users):
    return world(users)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(w, **extra) -> dict:
    return {"call": w.key.code, "enterprise": w.firm.uscc, "title": "高精度传感器研发", "field": "电子信息",
            "starts_on": TODAY.isoformat(), "ends_on": (TODAY + datetime.timedelta(days=700)).isoformat(),
            "requested": "100000", "own_funds": "150000",
            "kpis": [{"indicator": "发明专利申请", "unit": "件", "target": "3"}],
            "budget_lines": [{"item": "设备费", "amount": "200000"}, {"item": "材料费", "amount": "50000"}], **extra}


def messages(response) -> str:
    return " ".join(e["message"] for e in response.json()["errors"])


def test_an_enterprise_files_and_follows_its_application(w, users):
    client = api(users["demo_qiye"])
    made = client.post("/api/projects/applications/", body(w), format="json")
    assert made.status_code == 201, made.content
    data = made.json()
    assert data["status"] == "draft" and data["code"].startswith(f"XM{TODAY.year}-") and data["tier"] == "key"
    url = f"/api/projects/applications/{data['id']}/transitions/".replace("applications/", "")
    submitted = client.post(url, {"action": "submit"}, format="json")
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    assert client.post(url, {"action": "qualify"}, format="json").status_code == 403
    other = client.post("/api/projects/applications/", body(w, enterprise=w.other.uscc), format="json")
    assert other.status_code == 400
    assert api(users["js_admin"]).get(f"/api/projects/applications/{data['id']}/").status_code == 404
    assert api(users["ph_leader"]).get(f"/api/projects/applications/{data['id']}/").status_code == 200


@pytest.mark.parametrize(("field", "value", "words"), [
    ("requested", "1e309", ""), ("requested", "-1", ""), ("title", "项目\x00", ""), ("title", "长" * 100_000, ""),
    ("kpis", [{"indicator": "专利"}], "绩效指标"), ("kpis", "not a list", ""), ("kpis", [{"indicator": "", "unit": "件",
                                                                                         "target": "1"}], "不能为空"),
    ("budget_lines", [{"item": "设备费", "amount": "1e309"}], "有限数"), ("budget_lines", [{"amount": "5"}], "科目"),
    ("ends_on", "2001-01-01", "不能早于"), ("call", "T-FIL", "备案类"),
])
def test_bad_applications_are_chinese_400s_that_store_nothing(w, users, field, value, words):
    response = api(users["demo_qiye"]).post("/api/projects/applications/", body(w, **{field: value}), format="json")
    assert response.status_code == 400, (field, response.content[:300])
    text = messages(response)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text) and words in text
    assert not Project.objects.exists()


def test_the_list_by_year_tier_and_status_and_the_tranches(w, users):
    p = service.record_filing(actor=users["ph_admin"], call=w.filing, enterprise=w.firm, title="企业自立项")
    application(w, firm=w.other)  # still an application: not in /api/projects/
    client = api(users["ph_admin"])
    rows = client.get("/api/projects/", {"year": TODAY.year, "tier": "filing", "status": "approved"}).json()["results"]
    assert [r["code"] for r in rows] == [p.code]
    assert client.get("/api/projects/", {"tier": "key"}).json()["results"] == []
    assert client.get("/api/projects/", {"tier": "nonsense"}).status_code == 400
    tranches = client.get(f"/api/projects/{p.code}/tranches/").json()
    assert tranches["approved_amount"] == "50000.00" and tranches["tranches"][0]["due"] is True
    paid = client.post(f"/api/projects/{p.code}/actions/", {"action": "pay", "seq": 1, "amount": "50000.01"},
                       format="json")
    assert paid.status_code == 400 and "超出" in messages(paid)
    assert client.post(f"/api/projects/{p.code}/actions/", {"action": "pay", "seq": 1, "amount": "1e309"},
                       format="json").status_code == 400
    ok = client.post(f"/api/projects/{p.code}/actions/", {"action": "pay", "seq": 1, "amount": "50000"},
                     format="json")
    assert ok.status_code == 200
    assert client.get(f"/api/projects/{p.code}/tranches/").json()["paid"] == "50000.00"
    assert api(users["demo_qiye"]).get(f"/api/projects/{p.code}/tranches/").status_code == 200
    assert api(users["js_admin"]).get(f"/api/projects/{p.code}/tranches/").status_code == 404
    assert api(users["demo_zhuanjia"]).get(f"/api/projects/{p.code}/").status_code == 404
    assert api(users["ph_leader"]).post(f"/api/projects/{p.code}/actions/", {"action": "close"},
                                        format="json").status_code == 403


def test_call_actions_documents_and_figures(w, users):
    p = application(w)
    service.step(actor=users["demo_qiye"], code=p.code, action="submit")
    service.step(actor=users["ph_admin"], code=p.code, action="qualify")
    admin = api(users["ph_admin"])
    opened = admin.post(f"/api/projects/calls/{w.key.code}/actions/", {"action": "review", "per_subject": "1",
                                                                       "due_on": "2000-01-01"}, format="json")
    assert opened.status_code == 400 and "晚于今天" in messages(opened)
    opened = admin.post(f"/api/projects/calls/{w.key.code}/actions/", {"action": "review", "per_subject": "1"},
                        format="json")
    assert opened.status_code == 200 and "1个项目" in opened.json()["message"]
    assert Project.objects.get(pk=p.pk).status == Status.REVIEWING
    assert api(users["ph_leader"]).post(f"/api/projects/calls/{w.key.code}/actions/", {"action": "scores"},
                                        format="json").status_code == 403
    filed = service.record_filing(actor=users["ph_admin"], call=w.filing, enterprise=w.firm, title="自立项项目")
    sheet = load_workbook(io.BytesIO(admin.get(f"/api/projects/calls/{w.filing.code}/decisions.xlsx").content)).active
    assert filed.title in [c.value for row in sheet.iter_rows() for c in row]
    assert api(users["demo_qiye"]).get(f"/api/projects/calls/{w.filing.code}/decisions.xlsx").status_code == 403
    figures = admin.get("/api/projects/figures/", {"year": TODAY.year}).json()
    filing = next(t for t in figures["tiers"] if t["tier"] == "filing")
    assert (figures["count"], filing["count"], filing["approved"]) == (1, 1, "50000.00")
    assert admin.get("/api/projects/figures/", {"year": "1e309"}).status_code == 400
    assert api(users["demo_qiye"]).get("/api/projects/figures/", {"year": TODAY.year}).status_code == 403
