"""The OpenAPI schema matches what the API answers (the defects schemathesis found), and the inputs it
found that gave 500s or were accepted against the schema are now refused with a Chinese 400."""

import datetime

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from core.models import Notification, OrgUnit, Region
from core.models_review import Expert, ScoringSheet
from core.review import assign, open_round

ERROR_CODES = {"400", "401", "403", "404", "406", "409", "429"}


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_operation_declares_the_error_responses(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert codes >= ERROR_CODES, (method, path, ERROR_CODES - codes)
            if method in ("post", "put", "patch"):
                assert {"413", "415"} <= codes, (method, path)
            error = operation["responses"]["400"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ApiError"}


@pytest.mark.parametrize("path", ["/api/enterprises/", "/api/plans/{code}/ranking/", "/api/plans/{code}/tasks/",
                                  "/api/plans/{code}/tasks/overdue/", "/api/pools/", "/api/rulesets/",
                                  "/api/pools/{code}/members/"])
def test_endpoints_answering_a_bare_list_declare_an_array(schema, path):
    body = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["type"] == "array"


def test_fund_summary_declares_programmes_as_a_list(schema):
    summary = schema["components"]["schemas"]["FundSummary"]
    assert summary["properties"]["programmes"]["type"] == "array"


def test_registry_bodies_come_from_the_form_and_are_closed(schema):
    paths = schema["paths"]
    create = paths["/api/org-units/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert create == {"$ref": "#/components/schemas/OrgUnitWrite"}
    write = schema["components"]["schemas"]["OrgUnitWrite"]
    assert write["additionalProperties"] is False
    assert set(write["properties"]) == {"code", "name", "kind", "region", "parent", "sort_order"}
    assert {"code", "name", "kind", "region"} <= set(write["required"])
    change = schema["components"]["schemas"]["PatchedOrgUnitChange"]
    assert "required" not in change and "version" in change["properties"]
    assert change["additionalProperties"] is False
    imported = paths["/api/org-units/import"]["post"]["requestBody"]["content"]
    assert set(imported) == {"multipart/form-data"}


def test_page_parameter_is_a_whole_number_from_one(schema):
    page = next(p for p in schema["paths"]["/api/org-units/"]["get"]["parameters"] if p["name"] == "page")
    assert page["schema"] == {"type": "integer", "minimum": 1}


def test_operation_ids_are_unique_and_descriptions_chinese(schema):
    ids = [op["operationId"] for item in schema["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    for item in schema["paths"].values():
        for operation in item.values():
            description = operation.get("description", "")
            assert not description or any("\u4e00" <= ch <= "\u9fff" for ch in description), description


# --- inputs that were 500s or accepted against the schema ------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"fiscal_year": "abc"}, {"fiscal_year": "1.5"}, {"fiscal_year": "1e309"},
                                   {"fiscal_year": "99999999999"}])
def test_a_whole_number_filter_refuses_anything_else(users, query):
    response = api(users["ph_admin"]).get("/api/funds/", query)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "fiscal_year"


@pytest.mark.django_db
def test_a_yes_no_filter_refuses_anything_but_yes_or_no(users):
    client = api(users["ph_admin"])
    assert client.get("/api/users/", {"is_active": "null"}).status_code == 400
    active = client.get("/api/users/", {"is_active": "true"}).json()["count"]
    inactive = client.get("/api/users/", {"is_active": "false"}).json()["count"]
    assert active + inactive == client.get("/api/users/").json()["count"] and active > 0


@pytest.mark.django_db
def test_unread_is_zero_or_one(users):
    user = users["ph_admin"]
    Notification.objects.create(recipient=user, kind="core.test", title="测试")
    client = api(user)
    assert client.get("/api/notifications/", {"unread": "-58800"}).status_code == 400
    assert client.get("/api/notifications/", {"unread": "1"}).json()["count"] >= 1


@pytest.fixture
def expert(users):
    return Expert.objects.create(name="专家甲", unit_name="浙江大学", fields=["智能制造"], keywords=["芯片"],
                                 region=Region.objects.get(code="330482"))


@pytest.mark.django_db
def test_an_empty_list_in_a_json_field_stays_a_list(users, expert):
    client = api(users["ph_admin"])
    response = client.patch(f"/api/experts/{expert.pk}/", {"keywords": []}, format="json")
    assert response.status_code == 200, response.content
    expert.refresh_from_db()
    assert expert.keywords == [] and expert.fields == ["智能制造"]


@pytest.fixture
def review(users, expert):
    pinghu = Region.objects.get(code="330482")
    sheet = ScoringSheet.objects.create(name="评分表", region=pinghu, criteria=[
        {"key": "a", "label": "创新性", "weight": 100, "min": 0, "max": 10}])
    unit = OrgUnit.objects.filter(code__startswith="330482-").first()
    round_ = open_round(actor=users["ph_admin"], title="评审", programme="vouchers", sheet=sheet,
                        due_on=datetime.date(2026, 6, 30),
                        subjects=[(unit, {"title": "检测服务", "applicant_name": "平湖甲公司", "fields": []})])
    assign(actor=users["ph_admin"], subject=round_.subjects.get(), expert=expert)
    return round_


@pytest.mark.django_db
def test_a_list_where_a_date_goes_is_a_400(users, review):
    response = api(users["ph_admin"]).patch(f"/api/review-rounds/{review.pk}/", {"due_on": ["2026-01-01"]},
                                            format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "due_on"
    review.refresh_from_db()
    assert review.due_on == datetime.date(2026, 6, 30)


@pytest.mark.django_db
def test_deleting_a_record_still_referenced_is_a_409_that_keeps_it(users, expert, review):
    response = api(users["ph_admin"]).delete(f"/api/experts/{expert.pk}/")
    assert response.status_code == 409
    assert "引用" in response.json()["errors"][0]["message"]
    assert Expert.objects.filter(pk=expert.pk).exists()


# --- a JSON body's values are of the type the schema gives their field --------------------------------
def webhook(**extra):
    return {"org_unit": "330482-kjj", "name": "科技局群机器人", "url": "https://robot.example.cn/hook",
            "secret": "s3cret", "is_active": True, **extra}


@pytest.mark.django_db
@pytest.mark.parametrize("field,value", [("is_active", "AAA"), ("is_active", 1), ("is_active", None),
                                         ("name", 0), ("name", True), ("org_unit", ""), ("org_unit", True)])
def test_a_value_of_the_wrong_json_type_is_a_400(users, field, value):
    from core.models import WebhookEndpoint

    response = api(users["ph_admin"]).post("/api/webhooks/", webhook(**{field: value}), format="json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == field
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_a_related_record_is_named_by_id_or_code(users):
    unit = OrgUnit.objects.get(code="330482-kjj")
    client = api(users["ph_admin"])
    assert client.post("/api/webhooks/", webhook(org_unit=unit.pk), format="json").status_code == 201
    assert client.post("/api/webhooks/", webhook(name="二号", org_unit="330482-kjj"), format="json").status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("approved,status", [(5000, 201), ("5000.50", 201), (5000.5, 400), ("", 400),
                                             ("5千", 400)])
def test_money_is_a_whole_number_or_text_never_a_binary_fraction(users, approved, status):
    body = {"programme": "enterprises", "policy_item": "研发费用补助", "region": "330482",
            "recipient_name": "平湖甲公司", "fiscal_year": 2024, "source": "county", "approved": approved,
            "approved_on": "2024-06-30"}
    response = api(users["ph_admin"]).post("/api/funds/", body, format="json")
    assert response.status_code == status, response.content


@pytest.mark.django_db
def test_an_empty_version_is_no_version(users):
    client = api(users["ph_admin"])
    created = client.post("/api/webhooks/", webhook(), format="json").json()
    response = client.patch(f"/api/webhooks/{created['id']}/", {"name": "改名", "version": ""}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "改名"


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"source": ""}, {"fiscal_year": ""}])
def test_an_empty_typed_filter_is_refused_on_the_api(users, query):
    response = api(users["ph_admin"]).get("/api/funds/", query)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == next(iter(query))
    assert api(users["ph_admin"]).get("/api/funds/", {"q": ""}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("date,status", [("2026-03-31", 200), ("", 400), ("20260331", 400), ("2026-02-30", 400)])
def test_a_date_parameter_is_yyyy_mm_dd(pinghu, users, date, status):
    response = api(users["ph_admin"]).get(f"/api/plans/{pinghu.code}/tasks/overdue/", {"date": date})
    assert response.status_code == status
