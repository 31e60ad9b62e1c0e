"""The projects' registrations keep the registry's contract for every role: calls are the bureau's and are
read by the firms that may apply; an application is its enterprise's and its bureau's, nobody else's; the
decided projects are read-only in the registry (they move through their workflow)."""

from __future__ import annotations

import datetime
import json

import pytest
from rest_framework.test import APIClient

from core.registry.testing import RegistryContract
from projects.models import Call, Project
from projects.tests.factories import TODAY, world


class JsonFieldsContract(RegistryContract):
    """A page form takes a JSON field as text, the API as the list itself: the same record either way."""

    pages = False

    def shaped(self, value):
        return json.dumps(value, ensure_ascii=False) if self.pages else value

    def test_manager_creates_edits_and_deletes_on_pages_with_history(self, users):
        self.pages = True
        super().test_manager_creates_edits_and_deletes_on_pages_with_history(users)


def ensure_world(users):
    if not Call.objects.filter(code="T-KEY").exists():
        world(users)


class TestCalls(JsonFieldsContract):
    name = "projects/calls"
    manager = "ph_admin"
    viewers = ("ph_leader", "demo_qiye")
    outsiders = ("js_admin", "demo_zhuanjia", "demo_jigou")
    change = {"title": "指南（修订）"}
    text_field = "title"

    def valid(self, users, n):
        return {"code": f"T-CALL-{n}", "region": "330482", "year": TODAY.year, "tier": "general",
                "title": f"测试指南{n}", "budget": "500000", "quota": 10, "opens_on": TODAY.isoformat(),
                "closes_on": (TODAY + datetime.timedelta(days=30)).isoformat(),
                "tranches": self.shaped([{"name": "验收后补助", "share": "1", "on": "accepted"}])}


class TestApplications(JsonFieldsContract):
    name = "projects/applications"
    manager = "ph_admin"  # the bureau may enter an application for a firm
    viewers = ("ph_leader",)
    outsiders = ("js_admin", "demo_qiye", "demo_jigou", "demo_zhuanjia")  # demo_qiye: another firm's
    change = {"title": "高精度传感器研发（补正）"}
    text_field = "title"

    def valid(self, users, n):
        ensure_world(users)
        return {"call": "T-KEY", "enterprise": "91330482PROJ000002", "title": f"传感器研发{n}", "field": "电子信息",
                "starts_on": TODAY.isoformat(), "ends_on": (TODAY + datetime.timedelta(days=700)).isoformat(),
                "requested": "100000", "own_funds": "100000",
                "kpis": self.shaped([{"indicator": "发明专利申请", "unit": "件", "target": "2"}]),
                "budget_lines": self.shaped([{"item": "设备费", "amount": "200000"}])}


@pytest.mark.django_db
def test_decided_projects_are_read_only_in_the_registry(users):
    w = world(users)
    from projects.services import projects as service

    p = service.record_filing(actor=users["ph_admin"], call=w.filing, enterprise=w.firm, title="自立项项目")
    client = APIClient()
    client.force_authenticate(users["ph_admin"])
    assert client.get(f"/api/projects/{p.pk}/").status_code == 200
    assert client.patch(f"/api/projects/{p.pk}/", {"title": "改"}, format="json").status_code == 403
    assert client.delete(f"/api/projects/{p.pk}/").status_code == 403
    assert client.post("/api/projects/", {"title": "新"}, format="json").status_code == 403
    assert client.patch(f"/api/projects/{p.code}/", {"title": "改"}, format="json").status_code == 403
    assert Project.objects.get(pk=p.pk).title == "自立项项目"
