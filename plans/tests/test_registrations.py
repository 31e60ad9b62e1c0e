"""The registry's contract for a plan's actions (行动)."""

from core.registry.testing import RegistryContract


class TestPlanActions(RegistryContract):
    name = "plan-actions"
    manager = "ph_admin"
    viewers = ("ph_leader", "ph_danghu")
    outsiders = ("js_admin", "demo_qiye")
    change = {"title": "科技企业培育行动（修订）"}
    text_field = "title"

    def valid(self, users, n):
        return {"plan": "PH315-2023", "number": 20 + n, "title": f"新增行动{n}"}
