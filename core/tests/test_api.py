"""API tests for core: token login and its throttling, the OpenAPI schema, org units, auth and error shape."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

TOKEN_URL = "/api/auth/token/"


@pytest.fixture(autouse=True)
def clear_cache():
    """Login throttling counts failures in the (LocMem) cache: every test starts from a clean slate."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client():
    return APIClient()


def login(client: APIClient, username: str, password: str) -> APIClient:
    """Log in through the token endpoint, as a real API client would, and use the token from then on."""
    response = client.post(TOKEN_URL, {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def error_messages(response) -> list[str]:
    return [e["message"] for e in response.json()["errors"]]


# --- token authentication ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_token_login_then_token_header_authenticates(client, users, plans, password):
    login(client, "ph_admin", password)
    response = client.get("/api/plans/")
    assert response.status_code == 200
    assert [p["code"] for p in response.json()["results"]] == ["PH315-2023"]


@pytest.mark.django_db
def test_token_is_stable_for_a_user_and_differs_between_users(client, users, password):
    first = client.post(TOKEN_URL, {"username": "ph_admin", "password": password}, format="json").json()["token"]
    again = client.post(TOKEN_URL, {"username": "ph_admin", "password": password}, format="json").json()["token"]
    other = client.post(TOKEN_URL, {"username": "js_admin", "password": password}, format="json").json()["token"]
    assert first == again
    assert first != other
    assert len(first) >= 20


@pytest.mark.django_db
def test_bad_password_is_400_with_errors(client, users):
    response = client.post(TOKEN_URL, {"username": "ph_admin", "password": "wrong"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert "token" not in body
    assert body["errors"] and all(e["message"] for e in body["errors"])
    assert "用户名或密码错误" in error_messages(response)


@pytest.mark.django_db
def test_unknown_user_is_400_like_a_bad_password(client, users, password):
    response = client.post(TOKEN_URL, {"username": "nobody", "password": password}, format="json")
    assert response.status_code == 400
    assert "用户名或密码错误" in error_messages(response)


@pytest.mark.django_db
def test_missing_fields_are_400_with_field_errors(client, users):
    response = client.post(TOKEN_URL, {"username": "ph_admin"}, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["password"]


@pytest.mark.django_db
def test_inactive_user_gets_no_token(client, users, password):
    users["ph_admin"].is_active = False
    users["ph_admin"].save()
    response = client.post(TOKEN_URL, {"username": "ph_admin", "password": password}, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()


@pytest.mark.django_db
def test_a_bad_token_is_refused(client, users):
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.get("/api/plans/").status_code in (401, 403)


@pytest.mark.django_db
def test_five_failures_lock_the_username_out_with_429(client, users, password):
    for _attempt in range(5):
        response = client.post(TOKEN_URL, {"username": "ph_admin", "password": "wrong"}, format="json")
        assert response.status_code == 400
    # The right password no longer helps from that address.
    response = client.post(TOKEN_URL, {"username": "ph_admin", "password": password}, format="json")
    assert response.status_code == 429
    assert response.json()["errors"][0]["message"]
    assert "token" not in response.json()
    # Another user behind the same address (the bureau's proxy) is not affected.
    response = client.post(TOKEN_URL, {"username": "js_admin", "password": password}, format="json")
    assert response.status_code == 200
    assert response.json()["token"]


@pytest.mark.django_db
def test_four_failures_do_not_lock_the_username_out(client, users, password):
    for _attempt in range(4):
        assert client.post(TOKEN_URL, {"username": "ph_admin", "password": "x"}, format="json").status_code == 400
    response = client.post(TOKEN_URL, {"username": "ph_admin", "password": password}, format="json")
    assert response.status_code == 200
    assert response.json()["token"]


@pytest.mark.django_db
def test_username_lockout_ignores_case(client, users, password):
    for _attempt in range(5):
        client.post(TOKEN_URL, {"username": "ph_admin", "password": "wrong"}, format="json")
    response = client.post(TOKEN_URL, {"username": "PH_ADMIN", "password": password}, format="json")
    assert response.status_code == 429


# --- unauthenticated requests ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("method,url", [
    ("get", "/api/plans/"),
    ("get", "/api/org-units/"),
    ("get", "/api/values/"),
    ("post", "/api/values/"),
    ("get", "/api/values/1/"),
    ("get", "/api/values/1/history/"),
    ("post", "/api/values/1/approve/"),
    ("get", "/api/plans/PH315-2023/indicators/"),
    ("get", "/api/plans/PH315-2023/progress/?period=2023"),
    ("get", "/api/plans/PH315-2023/ranking/?indicator=PH01&period=2023"),
    ("get", "/api/plans/PH315-2023/export.xlsx?year=2023"),
    ("get", "/api/plans/PH315-2023/values/template.xlsx"),
    ("post", "/api/plans/PH315-2023/values/import"),
])
def test_unauthenticated_requests_are_refused(client, plans, method, url):
    response = getattr(client, method)(url)
    assert response.status_code in (401, 403)
    assert b"PH315" not in response.content


# --- OpenAPI schema ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_openapi_schema_lists_the_endpoints(users):
    response = as_user(users["ph_admin"]).get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "openapi" in text
    for path in ("/api/plans/", "/api/values/", "/api/auth/token/", "/api/org-units/",
                 "/api/plans/{code}/progress/"):
        assert path in text


# --- org units ---------------------------------------------------------------------------------------------


def unit_codes(client, **params) -> list[str]:
    response = client.get("/api/org-units/", params)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    return [u["code"] for u in body["results"]]


@pytest.mark.django_db
def test_org_units_have_code_name_kind_region(users):
    response = as_user(users["ph_admin"]).get("/api/org-units/", {"kind": "town"})
    assert response.status_code == 200
    by_code = {u["code"]: u for u in response.json()["results"]}
    assert by_code["330482001"]["name"] == "当湖街道"
    assert by_code["330482001"]["kind"] == "town"
    assert by_code["330482001"]["region"] == "330482001"
    assert {"code", "name", "kind", "region"} <= set(by_code["330482001"])
    assert all(u["kind"] == "town" for u in by_code.values())


@pytest.mark.django_db
def test_bureau_admin_sees_its_own_county_only(users):
    codes = unit_codes(as_user(users["ph_admin"]))
    assert {"330482", "330482001", "330482002", "330482-kjj", "330482-fgj"} <= set(codes)
    assert not any(c.startswith("330421") for c in codes)


@pytest.mark.django_db
def test_town_reporter_does_not_see_another_countys_units(users):
    codes = unit_codes(as_user(users["ph_danghu"]))
    assert "330482001" in codes
    assert not any(c.startswith("330421") for c in codes)
    assert "330482002" not in codes  # nor the neighbouring town


@pytest.mark.django_db
def test_enterprise_user_sees_only_its_own_unit(users):
    assert unit_codes(as_user(users["demo_qiye"])) == ["DEMO-ENT-001"]


@pytest.mark.django_db
def test_city_leader_sees_both_counties(users):
    codes = set(unit_codes(as_user(users["jx_leader"]), kind="county"))
    assert {"330482", "330421"} <= codes
    assert "330000" not in codes


# --- error shape -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_business_errors_use_the_errors_shape(users, plans):
    response = as_user(users["ph_admin"]).post("/api/values/", {"indicator": "PH01"}, format="json")
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"org_unit", "period", "value"} <= fields
    assert all(isinstance(e["message"], str) and e["message"] for e in response.json()["errors"])


@pytest.mark.django_db
def test_api_docs_page_loads_its_assets_from_the_app(client, users):
    client.force_login(users["ph_admin"])
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    assert "/static/drf_spectacular_sidecar/" in page
    assert "cdn" not in page.lower() and "jsdelivr" not in page.lower()
