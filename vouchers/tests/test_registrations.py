"""The vouchers' registrations keep the registry's contract for every role: providers and the catalogue are
seen by enterprises choosing a service; rules and batches are the bureau's; a claim is its enterprise's and
its bureau's, and nobody else's."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from core.registry.testing import RegistryContract
from vouchers.models import CatalogueItem, Provider
from vouchers.tests.factories import YEAR, world


def ensure_world():
    if not Provider.objects.filter(code="T-001").exists():
        world()


class TestProviders(RegistryContract):
    name = "providers"
    manager = "ph_admin"
    viewers = ("ph_leader", "demo_qiye")
    outsiders = ("js_admin", "demo_jigou", "demo_zhuanjia")
    change = {"name": "平湖测试服务中心（改名）"}

    def valid(self, users, n):
        return {"code": f"T-P{n}", "name": f"平湖测试服务中心{n}", "uscc": f"91330400TSTPV{n:05d}",
                "region": "330482", "services": "FW01", "accepts_vouchers": True, "bank_name": "测试银行",
                "bank_account": f"62220000{n:04d}"}


class TestCatalogue(RegistryContract):
    name = "vouchers/catalogue"
    manager = "ph_admin"
    viewers = ("ph_leader", "demo_qiye")
    outsiders = ("js_admin", "demo_zhuanjia")
    change = {"name": "检验检测（改）"}

    def valid(self, users, n):
        return {"region": "330482", "year": YEAR, "code": f"TFW{n:02d}", "name": f"测试服务{n}", "category": "检测"}


class TestRules(RegistryContract):
    name = "vouchers/rules"
    manager = "ph_admin"
    viewers = ("ph_leader",)
    outsiders = ("js_admin", "demo_qiye", "demo_zhuanjia")
    change = {"name": "补助规则（修订）"}

    def valid(self, users, n):
        return {"region": "330482", "year": 2040 + n, "name": f"补助规则{n}", "ratio": "0.5", "claim_cap": "30000",
                "preferred_types": "科技型中小企业", "preferred_cap": "50000", "general_cap": "20000",
                "opens_on": f"{2040 + n}-01-01", "closes_on": f"{2041 + n}-03-31", "is_example": True}


class TestBatches(RegistryContract):
    name = "vouchers/batches"
    manager = "ph_admin"
    viewers = ("ph_leader",)
    outsiders = ("js_admin", "demo_qiye", "demo_zhuanjia")
    change = {"title": "测试批次（改名）"}
    text_field = "title"

    def valid(self, users, n):
        return {"code": f"PH-T-{n}", "region": "330482", "year": YEAR, "seq": n + 1, "title": f"测试批次{n}",
                "usage_from": f"{YEAR}-01-01", "usage_to": f"{YEAR}-06-30"}


class TestClaims(RegistryContract):
    name = "vouchers/claims"
    manager = "ph_admin"  # the bureau may enter a claim for an enterprise
    viewers = ("ph_leader",)
    outsiders = ("js_admin", "demo_qiye", "demo_jigou", "demo_zhuanjia")  # demo_qiye: another firm's claim
    change = {"contract_name": "检测服务合同（补正）"}
    text_field = "voucher_no"

    def valid(self, users, n):
        ensure_world()
        return {"voucher_no": f"ZJ-T-{n}", "year": YEAR, "enterprise": "91330482TEST000002", "provider": "T-001",
                "service": CatalogueItem.objects.get(year=YEAR, code="FW01", region__code="330482").pk,
                "contract_name": "检测服务合同", "contract_amount": "2000", "contract_date": f"{YEAR}-05-01",
                "invoice_no": f"INV-{n}", "invoice_amount": "2000", "invoice_date": f"{YEAR}-06-01",
                "used_on": f"{YEAR}-06-15", "completed_on": f"{YEAR}-06-01", "amount_claimed": "1000"}


@pytest.mark.django_db
def test_the_bank_account_is_for_the_bureau_alone(users):
    ensure_world()
    provider = Provider.objects.get(code="T-001")
    for name, sees in (("ph_admin", True), ("ph_leader", False), ("demo_qiye", False)):
        client = APIClient()
        client.force_authenticate(users[name])
        body = client.get(f"/api/providers/{provider.pk}/").json()
        assert ("bank_account" in body) is sees, name
        listed = client.get("/api/providers/").json()["results"]
        assert all(("bank_account" in row) is sees for row in listed), name
    client = APIClient()
    client.force_authenticate(users["demo_qiye"])
    listed = {row["code"] for row in client.get("/api/providers/").json()["results"]}
    assert "T-001" in listed and "T-003" not in listed  # a provider that takes no voucher is not offered
