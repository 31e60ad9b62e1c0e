"""API tests for plans: plans, indicators, reporting and review of values, progress, ranking, import, export."""

import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from core.models import OrgUnit
from plans.models import IndicatorValue

PH = "PH315-2023"
JS = "JS-2025"
PH_AREA = "330482"
DANGHU, ZHONGDAI, CAOQIAO, ZHAPU = "330482001", "330482002", "330482003", "330482101"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_HEADERS = ["指标", "地区", "期间", "数值", "说明", "口径"]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def login(username: str, password: str) -> APIClient:
    """A client that logged in through the token endpoint and sends ``Authorization: Token …``."""
    client = APIClient()
    response = client.post("/api/auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def assert_errors(response, status: int, field: str | None = None) -> list[dict]:
    assert response.status_code == status, response.content
    errors = response.json()["errors"]
    assert errors
    for error in errors:
        assert set(error) >= {"field", "message"}
        assert chinese(error["message"]), error
    if field is not None:
        assert field in [e["field"] for e in errors], errors
    return errors


def report(client: APIClient, indicator: str, org_unit: str, period: str, value, **extra):
    return client.post("/api/values/", {"indicator": indicator, "org_unit": org_unit, "period": period,
                                        "value": value, **extra}, format="json")


def value_count() -> int:
    return IndicatorValue.objects.count()


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    return body["results"]


# --- plans -------------------------------------------------------------------------------------------------


def test_plan_list_over_a_token_login(plans, password):
    client = login("ph_admin", password)
    body = client.get("/api/plans/").json()
    assert body["count"] == 1
    assert body["next"] is None and body["previous"] is None
    (plan,) = body["results"]
    assert plan["code"] == PH
    assert plan["name"].startswith("平湖市“315”科技创新体系建设工程实施方案")
    assert (plan["region"], plan["start_year"], plan["end_year"]) == (PH_AREA, 2023, 2027)


def test_plan_list_fields_for_the_system_admin(users, plans):
    by_code = {p["code"]: p for p in results(as_user(users["admin"]).get("/api/plans/"))}
    assert set(by_code) == {PH, JS}
    assert (by_code[JS]["region"], by_code[JS]["start_year"], by_code[JS]["end_year"]) == ("330421", 2025, 2025)
    assert "嘉善县" in by_code[JS]["name"]


@pytest.mark.parametrize("username,expected", [
    ("admin", {PH, JS}),
    ("ph_admin", {PH}),
    ("js_admin", {JS}),
    ("jx_leader", {PH, JS}),
    ("ph_leader", {PH}),
    ("ph_danghu", {PH}),
    ("js_weitang", {JS}),
    ("ph_scjg", {PH}),
    ("demo_qiye", set()),
    ("demo_jigou", set()),
])
def test_plan_list_is_scoped(users, plans, username, expected):
    response = as_user(users[username]).get("/api/plans/")
    codes = [p["code"] for p in results(response)]
    assert set(codes) == expected
    assert len(codes) == len(expected) == response.json()["count"]


# --- indicators --------------------------------------------------------------------------------------------


def indicators(client, plan=PH) -> dict[str, dict]:
    response = client.get(f"/api/plans/{plan}/indicators/")
    assert response.status_code == 200, response.content
    return {i["code"]: i for i in response.json()}


def targets_of(indicator: dict, org_unit: str = PH_AREA) -> dict[str, tuple]:
    return {t["period"]: (t["value"], t["basis"]) for t in indicator["targets"] if t["org_unit"] == org_unit}


def test_indicators_of_the_pinghu_plan(users, plans):
    found = indicators(as_user(users["ph_admin"]))
    assert list(found) == [f"PH0{n}" for n in range(1, 10)]
    ph01 = found["PH01"]
    assert (ph01["name"], ph01["unit"], ph01["kind"], ph01["direction"]) == ("规上工业研发费用", "亿元",
                                                                          "cumulative", "higher")
    assert ph01["responsible_units"] == ["市科技局"]
    assert targets_of(ph01) == {"2027": (60, None), "2025": (55, None), "2023": (51, None),
                                "2023Q1": (11.34, None), "2023Q2": (25.5, None), "2023Q3": (36, None),
                                "2023Q4": (51, None)}
    assert {t["org_unit"] for t in ph01["targets"]} == {PH_AREA}
    assert {i["kind"] for i in found.values()} <= {"cumulative", "stock", "rate"}
    assert found["PH02"]["kind"] == "rate" and found["PH02"]["unit"] == "%"


def test_indicator_warning_for_the_reversed_ph06_target(users, plans):
    ph06 = indicators(as_user(users["ph_admin"]))["PH06"]
    assert targets_of(ph06)["2025"] == (10, None)
    reversal = [w for w in ph06["warnings"] if w["code"] == "trend_reversal"]
    assert len(reversal) == 1
    assert reversal[0]["period"] == "2025"
    assert chinese(reversal[0]["message"])
    # PH01's targets only rise: no reversal there.
    assert not [w for w in indicators(as_user(users["ph_admin"]))["PH01"]["warnings"]
                if w["code"] == "trend_reversal"]


def test_indicator_targets_keep_their_basis(users, plans):
    found = indicators(as_user(users["ph_admin"]))
    assert targets_of(found["PH07"]) == {"2027": (800, "total"), "2025": (650, "total"), "2023": (80, "new")}
    texts = {t["period"]: t["text"] for t in found["PH07"]["targets"]}
    assert texts["2027"] == "累计达800" and texts["2023"] == "新认定80"
    assert found["PH09"]["responsible_units"] == ["市市场监管局"]


def test_indicators_of_the_jiashan_plan(users, plans):
    found = indicators(as_user(users["js_admin"]), JS)
    assert list(found) == [f"JS0{n}" for n in range(1, 7)]
    assert found["JS06"]["direction"] == "lower"
    assert found["JS01"]["direction"] == "higher"
    # A target stated only in words has no value.
    assert targets_of(found["JS02"], "330421") == {"2025": (None, None)}
    assert targets_of(found["JS04"], "330421") == {"2025": (70, "new")}


@pytest.mark.parametrize("username,plan", [
    ("ph_admin", JS), ("js_admin", PH), ("ph_danghu", JS), ("demo_qiye", PH), ("admin", "NOPE"),
])
def test_indicators_of_a_plan_out_of_scope_are_404(users, plans, username, plan):
    assert as_user(users[username]).get(f"/api/plans/{plan}/indicators/").status_code == 404


def test_demo_towns_have_their_own_targets(users, demo):
    ph01 = indicators(as_user(users["ph_danghu"]))["PH01"]
    town = targets_of(ph01, DANGHU)
    assert "2023" in town and town["2023"][0] > 0
    assert targets_of(ph01)["2027"] == (60, None)


# --- reporting values --------------------------------------------------------------------------------------


def test_bureau_admin_entry_is_approved_at_once(users, plans):
    before = value_count()
    response = report(as_user(users["ph_admin"]), "PH01", PH_AREA, "2024-05", "12.5", note="测试")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "approved"
    assert (body["plan"], body["indicator"], body["org_unit"], body["period"]) == (PH, "PH01", PH_AREA, "2024-05")
    assert body["value"] == 12.5 and body["approved_value"] == 12.5
    assert (body["revision"], body["version"], body["note"]) == (1, 1, "测试")
    assert body["basis"] is None
    assert value_count() == before + 1
    row = IndicatorValue.objects.get(pk=body["id"])
    assert (row.value, row.status, row.place.code, row.period) == (Decimal("12.5"), "approved", PH_AREA, "2024-05")
    assert row.reporter == users["ph_admin"]


def test_indicator_may_be_named_and_value_sent_as_a_number(users, plans):
    response = report(as_user(users["ph_admin"]), "规上工业研发费用", PH_AREA, "2024Q1", 7.25, plan=PH)
    assert response.status_code == 201, response.content
    assert (response.json()["indicator"], response.json()["value"]) == ("PH01", 7.25)


def test_town_reporter_entry_waits_for_review(users, demo):
    client = as_user(users["ph_danghu"])
    submitted = report(client, "PH01", DANGHU, "2024-05", "1.5")
    assert submitted.status_code == 201, submitted.content
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["approved_value"] is None
    draft = report(client, "PH03", DANGHU, "2024-05", "3", submit=False)
    assert draft.status_code == 201, draft.content
    assert draft.json()["status"] == "draft"
    assert IndicatorValue.objects.get(pk=draft.json()["id"]).status == "draft"


def test_responsible_unit_reports_its_indicator(users, plans):
    response = report(as_user(users["ph_scjg"]), "PH09", PH_AREA, "2024", "19.2")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "submitted"
    assert response.json()["value"] == 19.2


def test_basis_is_stored_and_separates_figures(users, plans):
    client = as_user(users["ph_admin"])
    new = report(client, "PH07", PH_AREA, "2024", "95", basis="new")
    total = report(client, "PH07", PH_AREA, "2024", "590", basis="total")
    assert (new.status_code, total.status_code) == (201, 201)
    assert new.json()["id"] != total.json()["id"]
    assert (new.json()["basis"], total.json()["basis"]) == ("new", "total")
    assert report(client, "PH07", PH_AREA, "2024", "9", basis="both").status_code == 400


@pytest.mark.parametrize("data,field", [
    ({"indicator": "PH99"}, "indicator"),
    ({"indicator": "JS01"}, "indicator"),  # another county's plan is unknown to 平湖's admin
    ({"org_unit": "999999"}, "org_unit"),
    ({"org_unit": "330482-kjj"}, "org_unit"),  # a bureau is not a place
    ({"period": "2023Q5"}, "period"),
    ({"period": "2023-13"}, "period"),
    ({"period": "abc"}, "period"),
    ({"period": "2030"}, "period"),  # outside the plan's years
    ({"value": "abc"}, "value"),
    ({"value": ""}, "value"),
    ({"value": "5家"}, "value"),  # a count is not an amount of 亿元
    ({"value": "-3"}, "value"),  # money cannot be negative
    ({"value": "1e15"}, "value"),  # more digits than a figure can be stored with
    ({"value": "100000000000000"}, "value"),
    ({"value": "-100000000000000"}, "value"),
    ({"indicator": "PH02", "value": "120"}, "value"),
    ({"indicator": "PH02", "value": "100.5%"}, "value"),
    ({"indicator": "PH07", "value": "-5"}, "value"),
    ({"indicator": "PH07", "value": "-5家"}, "value"),
    ({"indicator": None}, "indicator"),
    ({"period": None}, "period"),
])
def test_bad_input_is_400_and_changes_nothing(users, plans, data, field):
    payload = {"indicator": "PH01", "org_unit": PH_AREA, "period": "2024-05", "value": "12", **data}
    payload = {k: v for k, v in payload.items() if v is not None}
    before = value_count()
    response = as_user(users["ph_admin"]).post("/api/values/", payload, format="json")
    assert_errors(response, 400, field)
    assert value_count() == before


def test_the_largest_storable_figure_is_accepted(users, plans):
    response = report(as_user(users["ph_admin"]), "PH01", PH_AREA, "2024-05", "99999999999999.5")
    assert response.status_code == 201, response.content
    assert IndicatorValue.objects.get(pk=response.json()["id"]).value == Decimal("99999999999999.5")


def test_several_bad_fields_are_all_reported(users, plans):
    response = report(as_user(users["ph_admin"]), "PH99", "999999", "2024-05", "abc")
    errors = assert_errors(response, 400)
    assert {e["field"] for e in errors} == {"indicator", "org_unit", "value"}


def test_locked_period_is_refused(users, pinghu):
    from plans.services.values import lock_period

    client = as_user(users["ph_admin"])
    lock_period(admin=users["ph_admin"], plan=pinghu, period="2024Q2", reason="年中结账")
    before = value_count()
    for period in ("2024-05", "2024Q2", "2024H1", "2024年1-6月"):
        errors = assert_errors(report(client, "PH01", PH_AREA, period, "12"), 400, "period")
        assert any("锁定" in e["message"] for e in errors)
    assert value_count() == before
    # Periods ending outside the lock are still open.
    assert report(client, "PH01", PH_AREA, "2024-07", "12").status_code == 201
    assert report(client, "PH01", PH_AREA, "2024Q1", "12").status_code == 201


def test_unit_reporter_cannot_report_an_indicator_of_another_unit(users, plans):
    before = value_count()
    errors = assert_errors(report(as_user(users["ph_fgj"]), "PH01", PH_AREA, "2024-05", "12"), 403)
    assert any("责任单位" in e["message"] for e in errors)
    assert_errors(report(as_user(users["ph_scjg"]), "PH01", PH_AREA, "2024-05", "12"), 403)
    assert value_count() == before


def test_leader_cannot_report(users, plans):
    before = value_count()
    assert_errors(report(as_user(users["ph_leader"]), "PH01", PH_AREA, "2024-05", "12"), 403)
    assert value_count() == before


def test_admin_cannot_report_for_a_place_outside_the_plan(users, plans):
    before = value_count()
    response = report(as_user(users["ph_admin"]), "PH01", "330421001", "2024-05", "12")
    assert response.status_code in (400, 403)
    assert response.json()["errors"]
    assert value_count() == before


def test_town_reporter_cannot_report_for_another_town(users, demo):
    before = value_count()
    errors = assert_errors(report(as_user(users["ph_danghu"]), "PH01", ZHONGDAI, "2024-05", "1"), 403)
    assert any("本镇街道" in e["message"] for e in errors)
    assert_errors(report(as_user(users["ph_danghu"]), "PH01", PH_AREA, "2024-05", "1"), 403)
    assert value_count() == before


def test_town_reporter_cannot_report_an_indicator_not_decomposed_to_it(users, demo):
    before = value_count()
    errors = assert_errors(report(as_user(users["ph_danghu"]), "PH02", DANGHU, "2024-05", "2"), 403)
    assert any("未分解" in e["message"] for e in errors)
    assert value_count() == before


def test_without_demo_towns_nothing_is_decomposed_to_a_town(users, plans):
    before = value_count()
    assert_errors(report(as_user(users["ph_danghu"]), "PH01", DANGHU, "2024-05", "1"), 403)
    assert value_count() == before


def test_year_to_date_period_only_for_cumulative_indicators(users, demo):
    client = as_user(users["ph_danghu"])
    response = report(client, "PH01", DANGHU, "2023年1-5月", "3.2")
    assert response.status_code == 201, response.content
    assert response.json()["period"] == "2023-05"
    admin = as_user(users["ph_admin"])
    assert report(admin, "PH01", PH_AREA, "2023年1-5月", "20").json()["period"] == "2023-05"
    before = value_count()
    assert_errors(report(admin, "PH02", PH_AREA, "2023年1-5月", "2.1"), 400, "period")
    assert value_count() == before
    # The plain month is fine for a rate.
    assert report(admin, "PH02", PH_AREA, "2023年5月", "2.1").status_code == 201


@pytest.mark.parametrize("indicator,text,stored", [
    ("PH01", "12,345万元", Decimal("1.2345")),
    ("PH01", "4亿元", Decimal("4")),
    ("PH01", "１２．５", Decimal("12.5")),
    ("PH01", "１２，３４５万元", Decimal("1.2345")),
    ("PH01", " 约 60.37 ", Decimal("60.37")),
    ("PH02", "2.5%", Decimal("2.5")),
    ("PH02", "２．５％", Decimal("2.5")),
    ("PH07", "95家", Decimal("95")),
])
def test_messy_values_are_converted_to_the_indicator_unit(users, plans, indicator, text, stored):
    response = report(as_user(users["ph_admin"]), indicator, PH_AREA, "2024", text)
    assert response.status_code == 201, response.content
    assert response.json()["value"] == float(stored)
    assert IndicatorValue.objects.get(pk=response.json()["id"]).value == stored


def test_reporting_again_is_a_new_revision_with_history(users, plans):
    client = as_user(users["ph_admin"])
    first = report(client, "PH01", PH_AREA, "2024-05", "12.5", note="初报").json()
    before = value_count()
    second = report(client, "PH01", PH_AREA, "2024-05", "13.75", note="更正")
    assert second.status_code == 201, second.content
    second = second.json()
    assert second["id"] == first["id"]
    assert (second["revision"], second["version"], second["value"]) == (2, 2, 13.75)
    assert value_count() == before
    response = client.get(f"/api/values/{first['id']}/history/")
    assert response.status_code == 200
    history = response.json()
    assert len(history) == 2
    newest, oldest = history
    assert oldest["action"] == "create" and oldest["before"] is None
    assert newest["action"] == "update"
    assert Decimal(oldest["after"]["value"]) == Decimal("12.5")
    assert Decimal(newest["before"]["value"]) == Decimal("12.5")
    assert Decimal(newest["after"]["value"]) == Decimal("13.75")
    assert (newest["before"]["revision"], newest["after"]["revision"]) == (1, 2)
    assert newest["after"]["note"] == "更正" and newest["actor"]
    # What the update found is exactly what the creation recorded.
    assert newest["before"] == oldest["after"]


def test_stale_version_is_409_and_changes_nothing(users, plans):
    client = as_user(users["ph_admin"])
    first = report(client, "PH01", PH_AREA, "2024-05", "12").json()
    assert first["version"] == 1
    second = report(client, "PH01", PH_AREA, "2024-05", "13", version=1)
    assert second.status_code == 201 and second.json()["version"] == 2
    stale = report(client, "PH01", PH_AREA, "2024-05", "99", version=1)
    assert_errors(stale, 409)
    row = IndicatorValue.objects.get(pk=first["id"])
    assert (row.value, row.version, row.revision) == (Decimal("13"), 2, 2)
    # A version for a figure that does not exist yet is stale too.
    before = value_count()
    assert_errors(report(client, "PH01", PH_AREA, "2024-06", "1", version=3), 409)
    assert value_count() == before


# --- reading values ----------------------------------------------------------------------------------------


def test_value_list_is_filtered_and_scoped(users, plans):
    rows = results(as_user(users["ph_admin"]).get("/api/values/", {"indicator": "PH07", "period": "2023"}))
    assert sorted((r["basis"], r["value"]) for r in rows) == [("new", 90), ("total", 500)]
    assert all(r["status"] == "approved" and r["org_unit"] == PH_AREA for r in rows)
    js_rows = results(as_user(users["js_admin"]).get("/api/values/"))
    assert js_rows and {r["plan"] for r in js_rows} == {JS}
    assert results(as_user(users["demo_qiye"]).get("/api/values/")) == []
    assert {r["plan"] for r in results(as_user(users["jx_leader"]).get("/api/values/"))} == {PH, JS}


def test_unit_reporter_reads_only_its_indicators(users, plans):
    rows = results(as_user(users["ph_scjg"]).get("/api/values/"))
    assert [r["indicator"] for r in rows] == ["PH09"]
    assert results(as_user(users["ph_fgj"]).get("/api/values/")) == []


def test_town_reporter_reads_only_its_own_town(users, demo):
    other = report(as_user(users["ph_zhongdai"]), "PH01", ZHONGDAI, "2024-05", "2").json()
    own = report(as_user(users["ph_danghu"]), "PH01", DANGHU, "2024-05", "1").json()
    danghu = as_user(users["ph_danghu"])
    rows = results(danghu.get("/api/values/", {"plan": PH}))
    assert rows and {r["org_unit"] for r in rows} == {DANGHU}
    assert own["id"] in [r["id"] for r in rows]
    assert danghu.get(f"/api/values/{own['id']}/").json()["value"] == 1
    assert danghu.get(f"/api/values/{other['id']}/").status_code == 404
    assert danghu.get(f"/api/values/{other['id']}/history/").status_code == 404
    assert results(danghu.get("/api/values/", {"org_unit": ZHONGDAI})) == []
    assert as_user(users["ph_admin"]).get(f"/api/values/{other['id']}/").status_code == 200
    assert as_user(users["js_admin"]).get(f"/api/values/{other['id']}/").status_code == 404


# --- review ------------------------------------------------------------------------------------------------


def test_draft_submit_approve_flow(users, demo):
    town, admin = as_user(users["ph_danghu"]), as_user(users["ph_admin"])
    draft = report(town, "PH01", DANGHU, "2024-05", "1.5", submit=False).json()
    assert draft["status"] == "draft"
    submitted = town.post(f"/api/values/{draft['id']}/submit/", {}, format="json")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted"
    assert_errors(town.post(f"/api/values/{draft['id']}/submit/", {}, format="json"), 409)
    approved = admin.post(f"/api/values/{draft['id']}/approve/", {"opinion": "同意"}, format="json")
    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert (body["status"], body["approved_value"], body["review_opinion"]) == ("approved", 1.5, "同意")
    row = IndicatorValue.objects.get(pk=draft["id"])
    assert (row.status, row.approved_value, row.reviewed_by) == ("approved", Decimal("1.5"), users["ph_admin"])
    again = admin.post(f"/api/values/{draft['id']}/approve/", {"opinion": "同意"}, format="json")
    assert_errors(again, 409)
    history = admin.get(f"/api/values/{draft['id']}/history/").json()
    assert [h["after"]["status"] for h in history] == ["approved", "submitted", "draft"]


def test_return_needs_an_opinion_and_the_town_can_resubmit(users, demo):
    town, admin = as_user(users["ph_danghu"]), as_user(users["ph_admin"])
    value = report(town, "PH01", DANGHU, "2024-05", "1.5").json()
    assert_errors(admin.post(f"/api/values/{value['id']}/return/", {}, format="json"), 400, "opinion")
    assert_errors(admin.post(f"/api/values/{value['id']}/return/", {"opinion": "  "}, format="json"), 400)
    assert IndicatorValue.objects.get(pk=value["id"]).status == "submitted"
    returned = admin.post(f"/api/values/{value['id']}/return/", {"opinion": "口径不对"}, format="json")
    assert returned.status_code == 200, returned.content
    assert (returned.json()["status"], returned.json()["review_opinion"]) == ("returned", "口径不对")
    assert returned.json()["approved_value"] is None
    resubmitted = town.post(f"/api/values/{value['id']}/submit/", {}, format="json")
    assert resubmitted.status_code == 200 and resubmitted.json()["status"] == "submitted"


def test_approving_a_draft_is_409(users, demo):
    value = report(as_user(users["ph_danghu"]), "PH01", DANGHU, "2024-05", "1", submit=False).json()
    assert_errors(as_user(users["ph_admin"]).post(f"/api/values/{value['id']}/approve/", {}, format="json"), 409)
    assert IndicatorValue.objects.get(pk=value["id"]).status == "draft"


@pytest.mark.parametrize("username", ["ph_danghu", "ph_leader", "ph_scjg", "js_admin", "jx_leader"])
def test_only_the_countys_bureau_admin_reviews(users, demo, username):
    value = report(as_user(users["ph_danghu"]), "PH01", DANGHU, "2024-05", "1").json()
    client = as_user(users[username])
    for action, data in (("approve", {"opinion": "同意"}), ("return", {"opinion": "不同意"})):
        response = client.post(f"/api/values/{value['id']}/{action}/", data, format="json")
        assert response.status_code in (403, 404)
    row = IndicatorValue.objects.get(pk=value["id"])
    assert (row.status, row.approved_value) == ("submitted", None)


def test_stale_review_is_409(users, demo):
    value = report(as_user(users["ph_danghu"]), "PH01", DANGHU, "2024-05", "1").json()
    admin = as_user(users["ph_admin"])
    stale = admin.post(f"/api/values/{value['id']}/approve/", {"version": value["version"] + 1}, format="json")
    assert_errors(stale, 409)
    fresh = admin.post(f"/api/values/{value['id']}/approve/", {"version": value["version"]}, format="json")
    assert fresh.status_code == 200 and fresh.json()["version"] == value["version"] + 1


def test_review_of_a_missing_value_is_404(users, plans):
    assert as_user(users["ph_admin"]).post("/api/values/999999/approve/", {}, format="json").status_code == 404


# --- progress ----------------------------------------------------------------------------------------------


def progress(client, period, plan=PH, **params):
    return client.get(f"/api/plans/{plan}/progress/", {"period": period, **params})


def rows_by_code(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content
    return {r["code"]: r for r in response.json()["indicators"]}


def test_progress_pins_the_seed_figures(users, plans):
    response = progress(as_user(users["ph_admin"]), "2023-11")
    body = response.json()
    assert body["period"] == "2023-11"
    assert body["time_progress"] == pytest.approx(11 / 12)
    rows = rows_by_code(response)
    assert list(rows) == [f"PH0{n}" for n in range(1, 10)]
    ph05 = rows["PH05"]
    assert {"code", "name", "actual", "target", "completion", "annual_target", "annual_completion", "status",
            "yoy_growth"} <= set(ph05)
    assert ph05["name"] == "技术交易总额"
    assert ph05["actual"] == pytest.approx(80.61)
    assert ph05["target"] == pytest.approx(27.5)
    assert ph05["completion"] == pytest.approx(80.61 / 27.5)
    assert ph05["annual_target"] == 30
    assert ph05["annual_completion"] == pytest.approx(80.61 / 30)
    assert ph05["status"] == "green"
    assert ph05["yoy_growth"] is None
    assert rows["PH01"]["actual"] is None and rows["PH01"]["status"] == "missing"


def test_progress_of_a_yearly_count_uses_the_new_basis(users, plans):
    ph07 = rows_by_code(progress(as_user(users["ph_admin"]), "2023"))["PH07"]
    assert (ph07["actual"], ph07["target"], ph07["annual_target"]) == (90, 80, 80)
    assert ph07["completion"] == pytest.approx(1.125)
    assert ph07["status"] == "green"


def test_progress_interpolates_the_annual_target(users, plans):
    rows = rows_by_code(progress(as_user(users["ph_admin"]), "2024"))
    assert rows["PH01"]["annual_target"] == 53
    assert rows["PH01"]["target"] == 53
    assert rows["PH02"]["annual_target"] == pytest.approx(2.6)


def test_progress_counts_a_new_approved_figure(users, plans):
    admin = as_user(users["ph_admin"])
    assert report(admin, "PH01", PH_AREA, "2024-06", "30").status_code == 201
    ph01 = rows_by_code(progress(admin, "2024-06"))["PH01"]
    assert ph01["actual"] == 30
    assert ph01["target"] == pytest.approx(26.5)  # 53 × 6 / 12
    assert ph01["completion"] == pytest.approx(30 / 26.5)
    assert ph01["annual_completion"] == pytest.approx(30 / 53)


def test_progress_ignores_figures_waiting_for_review(users, plans):
    assert report(as_user(users["ph_scjg"]), "PH09", PH_AREA, "2024", "19").json()["status"] == "submitted"
    ph09 = rows_by_code(progress(as_user(users["ph_admin"]), "2024"))["PH09"]
    assert ph09["actual"] is None and ph09["status"] == "missing"


@pytest.mark.parametrize("params", [{}, {"period": ""}, {"period": "2023Q5"}, {"period": "abc"},
                                    {"period": "2023-11-01"}, {"period": "1899"},
                                    {"period": "1900"}])  # no year before it to compare with
def test_progress_needs_a_well_formed_period(users, plans, params):
    response = as_user(users["ph_admin"]).get(f"/api/plans/{PH}/progress/", params)
    assert_errors(response, 400, "period")


def test_progress_for_a_town(users, demo):
    town = as_user(users["ph_danghu"])
    response = progress(town, "2024", org_unit=DANGHU)
    assert response.json()["org_unit"] == DANGHU
    rows = rows_by_code(response)
    assert rows["PH01"]["annual_target"] is not None
    assert rows["PH02"]["annual_target"] is None
    errors = assert_errors(progress(town, "2024", org_unit=ZHONGDAI), 403)
    assert errors[0]["message"]
    assert_errors(progress(town, "2024", org_unit="999999"), 400, "org_unit")
    assert_errors(progress(as_user(users["ph_admin"]), "2024", org_unit="330482-kjj"), 400, "org_unit")
    assert progress(as_user(users["ph_admin"]), "2024", org_unit=ZHONGDAI).status_code == 200


def test_progress_of_a_plan_out_of_scope_is_404(users, plans):
    assert progress(as_user(users["js_admin"]), "2023").status_code == 404
    assert progress(as_user(users["demo_qiye"]), "2023").status_code == 404


# --- ranking -----------------------------------------------------------------------------------------------


@pytest.fixture
def ranked(users, pinghu):
    """Three towns with approved PH01 figures for 2024Q1 and 2024Q2; a fourth has a target but no figure.

    2024 targets 24, 20, 20 (Q1: 6, 5, 5; Q2: 12, 10, 10).
    Q1 figures 3, 6, 5 → completion 0.5, 1.2, 1.0 → ranks 3, 1, 2.
    Q2 figures 12, 10, 9 → completion 1.0, 1.0, 0.9 → ranks 1, 1, 3.
    """
    from plans.services.seed import set_target

    admin = users["ph_admin"]
    indicator = pinghu.indicators.get(code="PH01")
    places = {u.code: u for u in OrgUnit.objects.filter(code__in=[DANGHU, ZHONGDAI, CAOQIAO, ZHAPU])}
    for code, target in ((DANGHU, 24), (ZHONGDAI, 20), (CAOQIAO, 20), (ZHAPU, 20)):
        set_target(actor=admin, indicator=indicator, place=places[code], period="2024", value=Decimal(target))
    client = as_user(admin)
    for period, figures in (("2024Q1", (3, 6, 5)), ("2024Q2", (12, 10, 9))):
        for code, figure in zip((DANGHU, ZHONGDAI, CAOQIAO), figures, strict=True):
            response = report(client, "PH01", code, period, str(figure))
            assert response.json()["status"] == "approved"
    return client


def ranking(client, **params):
    return client.get(f"/api/plans/{PH}/ranking/", {"indicator": "PH01", "period": "2024Q2", **params})


def test_ranking_by_completion_with_ties_and_rank_change(ranked):
    response = ranking(ranked)
    assert response.status_code == 200, response.content
    rows = response.json()
    assert [(r["org_unit"], r["rank"], r["rank_change"]) for r in rows] == [
        (DANGHU, 1, 2), (ZHONGDAI, 1, 0), (CAOQIAO, 3, -1), (ZHAPU, None, None)]
    first = rows[0]
    assert {"rank", "org_unit", "value", "target", "completion", "rank_change"} <= set(first)
    assert (first["value"], first["target"], first["completion"]) == (12, 12, 1)
    assert rows[2]["completion"] == pytest.approx(0.9)
    assert (rows[3]["value"], rows[3]["completion"]) == (None, None)


def test_ranking_by_value(ranked):
    rows = ranking(ranked, by="value").json()
    assert [(r["org_unit"], r["rank"], r["rank_change"]) for r in rows[:3]] == [
        (DANGHU, 1, 2), (ZHONGDAI, 2, -1), (CAOQIAO, 3, -1)]


def test_ranking_of_the_previous_period(ranked):
    rows = ranking(ranked, period="2024Q1").json()
    assert [(r["org_unit"], r["rank"]) for r in rows[:3]] == [(ZHONGDAI, 1), (CAOQIAO, 2), (DANGHU, 3)]
    # No figures for 2023Q4: nothing to compare with.
    assert all(r["rank_change"] is None for r in rows)


def test_ranking_by_growth_needs_last_year(ranked):
    rows = ranking(ranked, by="growth").json()
    assert rows and all(r["rank"] is None for r in rows)


def test_town_reporter_sees_only_its_own_ranking_row(ranked, users):
    rows = ranking(as_user(users["ph_zhongdai"])).json()
    assert [(r["org_unit"], r["rank"], r["value"]) for r in rows] == [(ZHONGDAI, 1, 10)]


@pytest.mark.parametrize("params,field", [
    ({"by": "speed"}, "by"),
    ({"indicator": "PH99"}, "indicator"),
    ({"indicator": "JS04"}, "indicator"),
    ({"period": "2024Q7"}, "period"),
    ({"period": ""}, "period"),
    ({"period": "1900"}, "period"),
    ({"period": "1901-01"}, "period"),  # the previous period, 1900-12, has no year before it
])
def test_ranking_bad_parameters_are_400(ranked, params, field):
    assert_errors(ranking(ranked, **params), 400, field)


def test_ranking_of_a_plan_out_of_scope_is_404(users, plans):
    response = as_user(users["js_admin"]).get(f"/api/plans/{PH}/ranking/", {"indicator": "PH01", "period": "2024"})
    assert response.status_code == 404


# --- import ------------------------------------------------------------------------------------------------


def xlsx_bytes(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=r, column=c, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, name: str, data: bytes, plan=PH):
    return client.post(f"/api/plans/{plan}/values/import", {"file": SimpleUploadedFile(name, data)},
                       format="multipart")


def stored(indicator: str, place: str, period: str, basis: str = "") -> IndicatorValue:
    return IndicatorValue.objects.get(indicator__code=indicator, place__code=place, period=period, basis=basis)


def test_import_xlsx(users, plans):
    data = xlsx_bytes([
        TEMPLATE_HEADERS,
        ["规上工业研发费用", "平湖市", "2024年5月", "12,345万元", "统计局快报", None],
        ["PH02", PH_AREA, "2024Q2", 2.5, None, None],
        ["每年新增高新技术企业数", "平湖市", 2024, 95, None, "新增"],
    ])
    before = value_count()
    response = upload(as_user(users["ph_admin"]), "values.xlsx", data)
    assert response.status_code == 200, response.content
    assert response.json() == {"imported": 3}
    assert value_count() == before + 3
    ph01 = stored("PH01", PH_AREA, "2024-05")
    assert (ph01.value, ph01.status, ph01.note) == (Decimal("1.2345"), "approved", "统计局快报")
    assert stored("PH02", PH_AREA, "2024Q2").value == Decimal("2.5")
    assert stored("PH07", PH_AREA, "2024", "new").value == 95


def test_import_gbk_csv(users, plans):
    text = ("指标,地区,期间,数值,说明,口径\r\n"
            "规上工业研发费用,平湖市,2024年1-5月,\"12,345万元\",快报,\r\n"
            "每万人高价值发明专利拥有量,平湖市,2024年,１９．５,,\r\n")
    response = upload(as_user(users["ph_admin"]), "数据.csv", text.encode("gbk"))
    assert response.status_code == 200, response.content
    assert response.json() == {"imported": 2}
    assert stored("PH01", PH_AREA, "2024-05").value == Decimal("1.2345")
    assert stored("PH01", PH_AREA, "2024-05").note == "快报"
    assert stored("PH09", PH_AREA, "2024").value == Decimal("19.5")


def test_import_by_a_town_reporter_waits_for_review(users, demo):
    data = xlsx_bytes([TEMPLATE_HEADERS, ["规上工业研发费用", "当湖街道", "2024-05", "1.5", None, None]])
    response = upload(as_user(users["ph_danghu"]), "town.xlsx", data)
    assert response.status_code == 200, response.content
    assert stored("PH01", DANGHU, "2024-05").status == "submitted"


def test_import_with_bad_rows_imports_nothing_and_lists_every_problem(users, plans):
    data = xlsx_bytes([
        TEMPLATE_HEADERS,                                            # row 1
        ["规上工业研发费用", "平湖市", "2024-06", "10", None, None],    # row 2: fine
        ["不存在的指标", "平湖市", "2024-06", "10", None, None],        # row 3: unknown indicator
        [None, None, None, None, None, None],                        # row 4: blank, skipped
        ["规上工业研发费用", "平湖市", "2024Q5", "10", None, None],     # row 5: bad period
        ["规上工业研发费用", "平湖市", "2024-07", "abc", None, None],   # row 6: not a number
        ["PH02", "平湖市", "2024-06", "120", None, None],              # row 7: % over 100
        ["规上工业研发费用", "平湖市", "2024-06", "11", None, None],    # row 8: duplicates row 2
        ["PH07", "火星市", "2024", "-5", None, "都行"],                # row 9: place, count, basis
        ["PH01", "平湖市", "2024-08", "1e15", None, None],             # row 10: too large to store
    ])
    before = value_count()
    response = upload(as_user(users["ph_admin"]), "bad.xlsx", data)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert all(set(e) == {"row", "column", "message"} and chinese(e["message"]) for e in errors)
    found = {(e["row"], e["column"]) for e in errors}
    assert {(3, "A列（指标）"), (5, "C列（期间）"), (6, "D列（数值）"), (7, "D列（数值）"), (8, "A列（指标）"),
            (9, "B列（地区）"), (9, "D列（数值）"), (9, "F列（口径）"), (10, "D列（数值）")} <= found
    assert {e["row"] for e in errors} == {3, 5, 6, 7, 8, 9, 10}
    assert any("第2行" in e["message"] for e in errors if e["row"] == 8)
    assert value_count() == before
    assert not IndicatorValue.objects.filter(period__in=["2024-06", "2024-07", "2024-08"]).exists()


def test_import_refuses_rows_the_user_may_not_report(users, demo):
    data = xlsx_bytes([
        TEMPLATE_HEADERS,
        ["规上工业研发费用", "当湖街道", "2024-05", "1.5", None, None],
        ["规上工业研发费用", "钟埭街道", "2024-05", "1.5", None, None],
        ["规上工业研发费用占营业收入比重", "当湖街道", "2024-05", "2.5", None, None],
    ])
    before = value_count()
    response = upload(as_user(users["ph_danghu"]), "town.xlsx", data)
    assert response.status_code == 400
    assert {e["row"] for e in response.json()["errors"]} == {3, 4}
    assert value_count() == before


def test_import_into_a_locked_period_is_refused(users, pinghu):
    from plans.services.values import lock_period

    lock_period(admin=users["ph_admin"], plan=pinghu, period="2024")
    data = xlsx_bytes([TEMPLATE_HEADERS, ["PH01", "平湖市", "2024-05", "10", None, None]])
    response = upload(as_user(users["ph_admin"]), "locked.xlsx", data)
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(2, "C列（期间）")]


@pytest.mark.parametrize("name,data", [
    ("values.txt", b"whatever"),
    ("values.xlsx", b"not really a workbook"),
    ("values.csv", "名称,数量\r\n甲,1\r\n".encode("gbk")),
])
def test_import_of_an_unusable_file_is_400(users, plans, name, data):
    response = upload(as_user(users["ph_admin"]), name, data)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors and all(chinese(e["message"]) for e in errors)


def test_import_without_a_file_is_400(users, plans):
    response = as_user(users["ph_admin"]).post(f"/api/plans/{PH}/values/import", {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["errors"][0]["message"]


def test_import_into_a_plan_out_of_scope_is_404(users, plans):
    data = xlsx_bytes([TEMPLATE_HEADERS, ["JS04", "嘉善县", "2025", "70", None, "新增"]])
    before = value_count()
    assert upload(as_user(users["ph_admin"]), "js.xlsx", data, plan=JS).status_code == 404
    assert value_count() == before


def read_sheet(response) -> list[tuple]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(response.content), data_only=True)
    return list(book.active.iter_rows(values_only=True))


def test_template_headers(users, plans):
    rows = read_sheet(as_user(users["ph_admin"]).get(f"/api/plans/{PH}/values/template.xlsx"))
    assert list(rows[0]) == TEMPLATE_HEADERS
    # The admin reports every indicator for the county.
    assert [r[0] for r in rows[1:]][:2] == ["规上工业研发费用", "规上工业研发费用占营业收入比重"]
    assert len(rows) == 1 + 9 and {r[1] for r in rows[1:]} == {"平湖市"}


def test_template_for_a_town_lists_its_decomposed_indicators(users, demo):
    rows = read_sheet(as_user(users["ph_danghu"]).get(f"/api/plans/{PH}/values/template.xlsx"))
    assert list(rows[0]) == TEMPLATE_HEADERS
    assert {r[0] for r in rows[1:]} == {"规上工业研发费用", "高新技术产业增加值", "技术交易总额",
                                        "每年新增高新技术企业数", "每年新增科技型中小企业数"}
    assert {r[1] for r in rows[1:]} == {"当湖街道"}


def test_filled_template_imports(users, plans):
    client = as_user(users["ph_admin"])
    response = client.get(f"/api/plans/{PH}/values/template.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    sheet.cell(row=2, column=3, value="2024年第二季度")
    sheet.cell(row=2, column=4, value="26.8")
    sheet.delete_rows(3, sheet.max_row)
    buffer = io.BytesIO()
    book.save(buffer)
    imported = upload(client, "filled.xlsx", buffer.getvalue())
    assert imported.json() == {"imported": 1}
    assert stored("PH01", PH_AREA, "2024Q2").value == Decimal("26.8")


# --- export ------------------------------------------------------------------------------------------------


def test_export_is_laid_out_like_the_plan_table(users, plans):
    rows = read_sheet(as_user(users["ph_admin"]).get(f"/api/plans/{PH}/export.xlsx", {"year": "2023"}))
    headers = list(rows[1])
    columns = {h: i for i, h in enumerate(headers) if h}
    assert {"2027年", "2025年", "2023年"} <= set(columns)
    by_name = {r[1]: r for r in rows[2:]}
    ph01 = by_name["规上工业研发费用(亿元)"]
    assert (ph01[columns["2027年"]], ph01[columns["2025年"]], ph01[columns["2023年"]]) == (60, 55, 51)
    ph07 = next(r for name, r in by_name.items() if name.startswith("每年新增高新技术企业数"))
    assert ph07[columns["2027年"]] == "累计达800"
    assert ph07[columns["2023年完成值"]] == 90
    assert len(by_name) == 9


@pytest.mark.parametrize("params", [{}, {"year": ""}, {"year": "abc"}, {"year": "2030"}, {"year": "2021"},
                                    {"year": "-2023"}])
def test_export_needs_a_year_of_the_plan(users, plans, params):
    response = as_user(users["ph_admin"]).get(f"/api/plans/{PH}/export.xlsx", params)
    assert_errors(response, 400, "year")


def test_export_of_a_plan_out_of_scope_is_404(users, plans):
    assert as_user(users["js_admin"]).get(f"/api/plans/{PH}/export.xlsx", {"year": "2023"}).status_code == 404
