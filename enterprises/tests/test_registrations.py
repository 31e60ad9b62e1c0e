"""Qualifications on the registry: the contract for every role, and the expiry a certificate type implies."""

import datetime

import pytest
from rest_framework.test import APIClient

from core.models import Region
from core.registry.testing import RegistryContract
from enterprises.models import Enterprise, Qualification


def firm(n: int = 0) -> Enterprise:
    return Enterprise.objects.get_or_create(uscc=f"91330482MA00000{n:02d}X", defaults={
        "name": f"平湖资质测试{n}公司", "region": Region.objects.get(code="330482")})[0]


class TestQualifications(RegistryContract):
    name = "enterprise-qualifications"
    manager = "ph_admin"
    viewers = ("ph_leader",)
    outsiders = ("js_admin", "ph_danghu", "demo_qiye")
    change = {"number": "GR202333000999"}
    text_field = "number"

    def valid(self, users, n):
        return {"enterprise": firm(n).uscc, "type": "高新技术企业", "number": f"GR20233300{n:04d}",
                "issued": "2023-12-08"}


@pytest.mark.django_db
def test_an_empty_expiry_is_the_types_term_and_a_given_one_is_kept(users):
    client = APIClient()
    client.force_authenticate(users["ph_admin"])
    body = {"enterprise": firm(1).uscc, "type": "高新技术企业", "number": "GR202333001111", "issued": "2023-12-08"}
    assert client.post("/api/enterprise-qualifications/", body, format="json").status_code == 201
    assert Qualification.objects.get(number="GR202333001111").expires == datetime.date(2026, 12, 7)
    body.update(number="GR202333002222", expires="2025-06-30")
    assert client.post("/api/enterprise-qualifications/", body, format="json").status_code == 201
    assert Qualification.objects.get(number="GR202333002222").expires == datetime.date(2025, 6, 30)
