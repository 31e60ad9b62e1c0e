"""The registry's contract for key tasks, and what their form refuses."""

import pytest
from rest_framework.test import APIClient

from core.registry.testing import RegistryContract
from tasks.models import KeyTask


class TestKeyTasks(RegistryContract):
    name = "key-tasks"
    manager = "ph_admin"
    viewers = ("ph_leader",)
    outsiders = ("js_admin", "ph_danghu", "demo_qiye")
    change = {"title": "新增省级研发中心5家（修订）"}
    text_field = "title"

    def valid(self, users, n):
        return {"plan": "PH315-2023", "code": f"PH-NEW-{n}", "title": f"新增重点工作{n}",
                "lead_unit": "330482-kjj", "start": "2026-01-01", "deadline": "2026-12-31", "year": 2026}


@pytest.mark.django_db
@pytest.mark.parametrize("change,field", [
    ({"deadline": "2025-12-31"}, "deadline"),
    ({"action": "不存在的行动"}, "action"),
    ({"lead_unit": "330421-kjj"}, "lead_unit"),  # 嘉善's bureau is outside 平湖's scope
    ({"quantity": "1e309"}, "quantity"),
    ({"start": "2026-02-30"}, "start"),
])
def test_key_task_form_refuses_with_the_field_named(users, change, field):
    client = APIClient()
    client.force_authenticate(users["ph_admin"])
    data = {**TestKeyTasks().valid(users, 9), **change}
    response = client.post("/api/key-tasks/", data, format="json")
    assert response.status_code == 400, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not KeyTask.objects.filter(code="PH-NEW-9").exists()


@pytest.mark.django_db
def test_an_action_of_another_plan_is_refused(users):
    from plans.models import Action

    other = Action.objects.filter(plan__code="JS-2025").first()
    client = APIClient()
    client.force_authenticate(users["admin"])
    response = client.post("/api/key-tasks/", {**TestKeyTasks().valid(users, 8), "action": other.pk},
                           format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "所属行动不属于该规划"
