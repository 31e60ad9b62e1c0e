"""The performance table's workflow: the operating institution fills and submits its own table only, the
region's bureau returns it with an opinion or approves it, steps are never skipped or doubled, evidence is
checked, and the experts' scores come in through a review round."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from rest_framework.test import APIClient

from core import workflow as engine
from core.errors import BusinessError, Conflict, Missing, NotAllowed
from core.models import TransitionLog
from core.models_review import Expert, ScoringSheet
from core.review import assign, submit_scores
from core.testing import race
from platforms.models import PerformanceTable, TableStatus
from platforms.services import tables as service
from platforms.tests.factories import platform, template

pytestmark = pytest.mark.django_db


@pytest.fixture
def own(users):
    template(2024)
    return platform("T-OWN", operator="DEMO-INS-001")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_institution_fills_and_submits_and_the_bureau_returns_then_approves(users, own):
    jigou, admin = users["demo_jigou"], users["ph_admin"]
    opened = api(jigou).post("/api/platforms/T-OWN/tables/2024/")
    assert opened.status_code == 201, opened.content
    table_id = opened.json()["id"]
    missing = api(jigou).post(f"/api/performance-tables/{table_id}/transitions/", {"action": "submit"}, format="json")
    assert missing.status_code == 400 and "服务本土企业数" in missing.json()["errors"][0]["message"]
    filled = api(jigou).patch("/api/platforms/T-OWN/tables/2024/", {"values": {"services": "30", "transfer": 800},
                                                                    "version": opened.json()["version"]}, format="json")
    assert filled.status_code == 200, filled.content
    assert filled.json()["values"] == {"services": "30", "transfer": "800"}
    step = api(jigou).post(f"/api/performance-tables/{table_id}/transitions/", {"action": "submit"}, format="json")
    assert step.status_code == 200, step.content
    # Submitted: the institution can no longer change it, the bureau must give a reason to send it back.
    assert api(jigou).patch("/api/platforms/T-OWN/tables/2024/", {"values": {"services": "31"}},
                            format="json").status_code == 409
    bare = api(admin).post(f"/api/performance-tables/{table_id}/transitions/", {"action": "return"}, format="json")
    assert bare.status_code == 400
    back = api(admin).post(f"/api/performance-tables/{table_id}/transitions/",
                           {"action": "return", "opinion": "技术合同金额请附合同清单"}, format="json")
    assert back.status_code == 200
    table = PerformanceTable.objects.get(pk=table_id)
    assert table.status == TableStatus.RETURNED and table.opinion == "技术合同金额请附合同清单"
    service.step(actor=jigou, table_id=table_id, action="submit")
    assert api(jigou).post(f"/api/performance-tables/{table_id}/transitions/", {"action": "approve"},
                           format="json").status_code == 403
    service.step(actor=admin, table_id=table_id, action="approve")
    assert list(TransitionLog.objects.filter(object_id=str(table_id), workflow="performance-tables")
                .order_by("pk").values_list("action", flat=True)) == ["submit", "return", "submit", "approve"]
    with pytest.raises(Conflict):  # approved once: not twice
        service.step(actor=admin, table_id=table_id, action="approve")


def test_an_institution_reaches_only_its_own_platform_by_page_and_api(users, own, client):
    other = platform("T-OTHER")
    table = service.open_table(actor=users["ph_admin"], platform_code="T-OTHER", year=2024)
    jigou = api(users["demo_jigou"])
    assert jigou.get("/api/platforms/T-OTHER/").status_code == 404
    assert jigou.get("/api/platforms/T-OTHER/tables/2024/").status_code == 404
    assert jigou.post("/api/platforms/T-OTHER/tables/2024/").status_code == 404
    assert jigou.get("/api/platforms/T-OWN/").status_code == 200
    listed = jigou.get("/api/platforms/", {"page_size": 100}).json()["results"]
    assert [row["code"] for row in listed] == ["T-OWN"]
    client.force_login(users["demo_jigou"])
    assert client.get(f"/platforms/{other.code}/").status_code == 404
    assert client.get(f"/platforms/tables/{table.pk}/").status_code == 404
    assert client.get(f"/platforms/{own.code}/").status_code == 200
    with pytest.raises(Missing):  # not even shown to an enterprise that does not run it
        service.save_values(actor=users["demo_qiye"], table_id=table.pk, values={"services": "1"})
    # Another county's bureau and a town reporter do not see 平湖's platform at all.
    for name in ("js_admin", "ph_danghu", "demo_zhuanjia"):
        assert api(users[name]).get("/api/platforms/T-OWN/").status_code == 404, name


def test_bad_numbers_are_refused_together_and_change_nothing(users, own):
    table = service.open_table(actor=users["demo_jigou"], platform_code="T-OWN", year=2024)
    for values in ({"services": "1e309"}, {"services": "-3"}, {"services": "十"}, {"services": "1\x00"},
                   {"expert": "90"}, {"nope": "1"}, {"services": True}):
        with pytest.raises(BusinessError):
            service.save_values(actor=users["demo_jigou"], table_id=table.pk, values=values)
    response = api(users["demo_jigou"]).patch("/api/platforms/T-OWN/tables/2024/",
                                              {"values": {"services": "1e309", "transfer": "x"}}, format="json")
    assert response.status_code == 400 and {e["field"] for e in response.json()["errors"]} == {"services", "transfer"}
    assert api(users["demo_jigou"]).patch("/api/platforms/T-OWN/tables/2024/", [1], format="json").status_code == 400
    table.refresh_from_db()
    assert table.values == {} and table.version == 1


def test_evidence_is_checked_and_downloaded_only_by_those_who_see_the_table(users, own, client):
    table = service.open_table(actor=users["demo_jigou"], platform_code="T-OWN", year=2024)
    with pytest.raises(BusinessError):
        service.add_evidence(actor=users["demo_jigou"], table_id=table.pk,
                             upload=SimpleUploadedFile("run.exe", b"MZ"))
    evidence = service.add_evidence(actor=users["demo_jigou"], table_id=table.pk, indicator="services",
                                    upload=SimpleUploadedFile("服务清单.pdf", b"%PDF-1.4 list"))
    client.force_login(users["ph_admin"])
    response = client.get(f"/platforms/evidence/{evidence.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 list"
    client.force_login(users["js_admin"])
    assert client.get(f"/platforms/evidence/{evidence.pk}/").status_code == 404


def test_the_table_page_fills_and_submits(users, own, client):
    table = service.open_table(actor=users["demo_jigou"], platform_code="T-OWN", year=2024)
    client.force_login(users["demo_jigou"])
    page = client.get(f"/platforms/tables/{table.pk}/").content.decode()
    assert 'name="v_services"' in page and 'name="v_expert"' not in page
    client.post(f"/platforms/tables/{table.pk}/", {"action": "save", "version": "1", "v_services": "12",
                                                    "v_transfer": "300"})
    client.post(f"/platforms/tables/{table.pk}/", {"action": "submit", "version": "2"})
    table.refresh_from_db()
    assert table.values == {"services": "12", "transfer": "300"} and table.status == TableStatus.SUBMITTED


def test_experts_score_the_qualitative_item_through_a_review_round(users, own):
    admin = users["ph_admin"]
    table = service.open_table(actor=users["demo_jigou"], platform_code="T-OWN", year=2024)
    service.save_values(actor=users["demo_jigou"], table_id=table.pk, values={"services": "10", "transfer": "100"})
    service.step(actor=users["demo_jigou"], table_id=table.pk, action="submit")
    service.step(actor=admin, table_id=table.pk, action="approve")
    region = admin.org_unit.region
    sheet = ScoringSheet.objects.create(name="平台专家评分", region=region, criteria=[
        {"key": "expert", "label": "科研能力与运行管理", "weight": 100, "min": 0, "max": 10}])
    review_round = service.open_expert_round(actor=admin, kind="nri", year=2024, sheet=sheet,
                                             due_on=datetime.date(2025, 3, 31))
    subject = review_round.subjects.get()
    expert = Expert.objects.create(name="演示专家", unit_name="某大学", region=region, user=users["demo_zhuanjia"])
    other = Expert.objects.create(name="另一专家", unit_name="另一大学", region=region)
    assignment = assign(actor=admin, subject=subject, expert=expert)
    assign(actor=admin, subject=subject, expert=other)
    submit_scores(user=users["demo_zhuanjia"], assignment_id=assignment.pk, scores={"expert": "8.5"})
    assert service.take_expert_scores(actor=admin, round_id=review_round.pk) == 1
    table.refresh_from_db()
    assert table.expert_scores == {"expert": "85.00"}  # only the submitted score counts, on 0–100
    with pytest.raises(NotAllowed):
        service.take_expert_scores(actor=users["js_admin"], round_id=review_round.pk)


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_give_exactly_one_step(users, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (select_for_update) need PostgreSQL; SQLite serialises whole transactions")
    template(2024)
    platform("T-RACE", operator="DEMO-INS-001")
    table = service.open_table(actor=users["demo_jigou"], platform_code="T-RACE", year=2024)
    service.save_values(actor=users["demo_jigou"], table_id=table.pk, values={"services": "1", "transfer": "1"})
    service.step(actor=users["demo_jigou"], table_id=table.pk, action="submit")
    record_change = engine.record_change

    def slow(**kwargs):
        time.sleep(0.3)
        return record_change(**kwargs)

    monkeypatch.setattr(engine, "record_change", slow)

    def approve(user):
        return lambda: service.step(actor=user, table_id=table.pk, action="approve")

    assert race(approve(users["ph_admin"]), approve(users["admin"])) == ["Conflict", "ok"]
    assert TransitionLog.objects.filter(object_id=str(table.pk), action="approve").count() == 1


def test_a_city_template_serves_its_counties_before_the_shared_one(users):
    shared = template(2024)
    city = template(2024, region="330400")
    platform("T-CITY")
    table = service.open_table(actor=users["ph_admin"], platform_code="T-CITY", year=2024)
    assert table.template == city != shared
