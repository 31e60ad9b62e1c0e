"""The platforms' registrations keep the registry's contract for every role; a platform's level history is kept
as periods when its level changes; a template whose weights do not sum to 100 is refused with every reason."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from core.registry.testing import RegistryContract
from platforms.models import PerformanceTemplate, Platform, PlatformLevel
from platforms.tests.factories import INDICATORS, platform, template

VALID_USCC = "91330482MA2B1Y5K37"


class TestPlatforms(RegistryContract):
    name = "platforms"
    manager = "ph_admin"
    viewers = ("ph_leader",)
    outsiders = ("js_admin", "ph_danghu", "demo_qiye", "demo_jigou", "demo_zhuanjia")
    change = {"name": "平湖测试研究院（改名）"}

    def valid(self, users, n):
        return {"code": f"T-PH-{n:03d}", "name": f"平湖测试研究院{n}", "kind": "nri", "level": "city",
                "region": "330482", "status": "active", "recognised_on": "2023-05-01"}


class TestInstruments(RegistryContract):
    name = "instruments"
    manager = "ph_admin"
    viewers = ("ph_leader",)
    outsiders = ("js_admin", "ph_danghu", "demo_qiye")

    change = {"model_no": "X-2"}

    def valid(self, users, n):
        owner = Platform.objects.get_or_create(code="T-INS", defaults={
            "name": "仪器测试平台", "kind": "nri", "region_id": users["ph_admin"].org_unit.region_id})[0]
        return {"platform": owner.code, "name": f"扫描电镜{n}", "model_no": "X-1", "value": "120.5", "shared": True}


@pytest.mark.django_db
def test_a_level_change_closes_one_period_and_opens_the_next(users):
    client = APIClient()
    client.force_authenticate(users["ph_admin"])
    body = {"code": "T-LV", "name": "级别测试中心", "kind": "ent_centre", "level": "city", "region": "330482",
            "status": "active", "recognised_on": "2021-03-01", "operator_uscc": VALID_USCC}
    made = client.post("/api/platforms/", body, format="json")
    assert made.status_code == 201, made.content
    patched = client.patch(f"/api/platforms/{made.json()['id']}/", {
        "level": "province", "recognised_on": "2024-07-01", "version": made.json()["version"]}, format="json")
    assert patched.status_code == 200, patched.content
    periods = list(PlatformLevel.objects.filter(platform__code="T-LV").order_by("starts_on")
                   .values_list("level", "starts_on", "ends_on"))
    assert periods == [("city", datetime.date(2021, 3, 1), datetime.date(2024, 6, 30)),
                       ("province", datetime.date(2024, 7, 1), None)]
    detail = client.get("/api/platforms/T-LV/").json()
    assert [p["level"] for p in detail["levels"]] == ["city", "province"]


@pytest.mark.django_db
def test_a_bad_credit_code_is_refused(users):
    client = APIClient()
    client.force_authenticate(users["ph_admin"])
    body = {"code": "T-BAD", "name": "代码测试", "kind": "nri", "level": "none", "region": "330482",
            "status": "active", "operator_uscc": "91330482MA2B1Y5K3B"}  # check character should be 7
    response = client.post("/api/platforms/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "operator_uscc"
    assert not Platform.objects.filter(code="T-BAD").exists()


@pytest.mark.django_db
def test_weights_summing_to_99_9_are_refused_with_the_sum_and_100_is_taken(users):
    client = APIClient()
    client.force_authenticate(users["ph_admin"])
    items = [{**INDICATORS[0], "weight": "49.9"}, {**INDICATORS[1], "weight": "50"}]
    body = {"kind": "nri", "year": 2026, "name": "权重测试", "region": "330482", "indicators": items,
            "grades": {"优秀": 90, "良好": 70, "合格": 60}}
    response = client.post("/api/performance-templates/", body, format="json")
    assert response.status_code == 400
    messages = [e["message"] for e in response.json()["errors"]]
    assert any("99.9" in m and "100" in m for m in messages), messages
    assert not PerformanceTemplate.objects.filter(name="权重测试").exists()
    items[0]["weight"] = "50"
    response = client.post("/api/performance-templates/", {**body, "indicators": items}, format="json")
    assert response.status_code == 201, response.content
    assert PerformanceTemplate.objects.get(name="权重测试").version == 1


@pytest.mark.django_db
def test_a_used_template_is_frozen_and_a_copy_is_the_next_version(users, client):
    tpl = template(2024, region="330482")
    owner = platform("T-FZ", operator="DEMO-INS-001")
    from platforms.tests.factories import table

    table(owner, 2024, tpl, 10, 100, 80)
    api = APIClient()
    api.force_authenticate(users["ph_admin"])
    response = api.patch(f"/api/performance-templates/{tpl.pk}/", {"note": "改"}, format="json")
    assert response.status_code == 400
    assert "冻结" in response.json()["errors"][0]["message"]
    client.force_login(users["ph_admin"])
    response = client.post(f"/platforms/templates/{tpl.pk}/copy/")
    assert response.status_code == 302
    copy = PerformanceTemplate.objects.exclude(pk=tpl.pk).get(kind="nri", year=2024, region=tpl.region)
    assert copy.version == tpl.version + 1 and copy.indicators == tpl.indicators
    assert not copy.frozen


@pytest.mark.django_db
def test_templates_are_read_in_scope_and_changed_by_their_bureau_only(users):
    shared = template(2024)
    mine = template(2024, region="330482")
    theirs = template(2024, region="330421")

    def listed(username):
        client = APIClient()
        client.force_authenticate(users[username])
        response = client.get("/api/performance-templates/", {"page_size": 100})
        return None if response.status_code != 200 else {row["id"] for row in response.json()["results"]}

    assert {shared.pk, mine.pk} <= listed("ph_admin") and theirs.pk not in listed("ph_admin")
    assert {shared.pk, mine.pk} <= listed("ph_leader")
    assert listed("demo_jigou") in (None, set())
    leader = APIClient()
    leader.force_authenticate(users["ph_leader"])
    assert leader.patch(f"/api/performance-templates/{mine.pk}/", {"note": "x"}, format="json").status_code == 403
    admin = APIClient()
    admin.force_authenticate(users["ph_admin"])
    # A county bureau reads the shared example but changes only its own.
    assert admin.patch(f"/api/performance-templates/{shared.pk}/", {"note": "x"}, format="json").status_code == 403
    assert admin.patch(f"/api/performance-templates/{theirs.pk}/", {"note": "x"}, format="json").status_code == 404
    assert admin.patch(f"/api/performance-templates/{mine.pk}/", {"note": "本地调整"},
                       format="json").status_code == 200
