"""The generic workflow endpoint served for indicator values: GET/POST /api/values/{id}/transitions/."""

import pytest
from django.core.cache import cache

from core.models import ChangeRecord, TransitionLog
from plans.models import IndicatorValue
from plans.tests.test_api import DANGHU, as_user, assert_errors, report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


def url(pk: int) -> str:
    return f"/api/values/{pk}/transitions/"


def untouched(pk: int) -> tuple:
    row = IndicatorValue.objects.get(pk=pk)
    return row.status, row.version, TransitionLog.objects.count(), ChangeRecord.objects.count()


def submitted(users) -> dict:
    body = report(as_user(users["ph_danghu"]), "PH01", DANGHU, "2024-05", "1.5").json()
    assert body["status"] == "submitted"
    return body


def test_get_lists_the_actions_this_user_may_take(users, demo):
    value = submitted(users)
    admin = as_user(users["ph_admin"]).get(url(value["id"]))
    assert admin.status_code == 200, admin.content
    body = admin.json()
    assert (body["id"], body["state"], body["state_label"], body["version"]) == (value["id"], "submitted", "待审核",
                                                                               value["version"])
    assert [(a["name"], a["label"], a["opinion_required"]) for a in body["actions"]] == [
        ("approve", "审核通过", False), ("return", "退回", True)]
    assert body["log"] == []
    town = as_user(users["ph_danghu"]).get(url(value["id"])).json()
    assert town["actions"] == []  # the reporter waits for the review


def test_post_takes_the_step_and_logs_it(users, demo):
    value = submitted(users)
    admin = as_user(users["ph_admin"])
    response = admin.post(url(value["id"]), {"action": "return", "opinion": "口径不对", "version": value["version"]},
                          format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["version"]) == ("returned", value["version"] + 1)
    assert [(s["action"], s["from_state"], s["to_state"], s["opinion"]) for s in body["log"]] == [
        ("return", "submitted", "returned", "口径不对")]
    row = IndicatorValue.objects.get(pk=value["id"])
    assert (row.status, row.review_opinion, row.reviewed_by) == ("returned", "口径不对", users["ph_admin"])
    town = as_user(users["ph_danghu"])
    assert [a["name"] for a in town.get(url(value["id"])).json()["actions"]] == ["submit"]
    again = town.post(url(value["id"]), {"action": "submit"}, format="json")
    assert again.status_code == 200 and again.json()["state"] == "submitted"
    assert [s["action"] for s in again.json()["log"]] == ["return", "submit"]


@pytest.mark.parametrize("body, status, field", [
    ({"action": "return"}, 400, "opinion"),
    ({"action": "return", "opinion": "  "}, 400, "opinion"),
    ({"action": "delete"}, 400, "action"),
    ({"opinion": "同意"}, 400, "action"),
    ({"action": "approve", "version": 99}, 409, None),
    ({"action": "submit"}, 409, None),
])
def test_refusals_change_nothing(users, demo, body, status, field):
    value = submitted(users)
    before = untouched(value["id"])
    assert_errors(as_user(users["ph_admin"]).post(url(value["id"]), body, format="json"), status, field)
    assert untouched(value["id"]) == before


@pytest.mark.parametrize("username", ["ph_danghu", "ph_leader"])
def test_a_user_who_sees_the_value_but_may_not_review_is_403(users, demo, username):
    value = submitted(users)
    before = untouched(value["id"])
    client = as_user(users[username])
    assert client.get(url(value["id"])).status_code == 200
    errors = assert_errors(client.post(url(value["id"]), {"action": "approve"}, format="json"), 403)
    assert "只有本地区科技局管理员可以审核" in errors[0]["message"]
    assert untouched(value["id"]) == before


def test_a_value_out_of_scope_is_404(users, demo):
    value = submitted(users)
    before = untouched(value["id"])
    client = as_user(users["js_admin"])
    assert client.get(url(value["id"])).status_code == 404
    assert_errors(client.post(url(value["id"]), {"action": "approve"}, format="json"), 404)
    assert untouched(value["id"]) == before


def test_the_old_endpoints_and_the_generic_one_share_the_log(users, demo):
    value = submitted(users)
    admin = as_user(users["ph_admin"])
    assert admin.post(f"/api/values/{value['id']}/approve/", {"opinion": "同意"}, format="json").status_code == 200
    log = admin.get(url(value["id"])).json()["log"]
    assert [(s["action"], s["to_state"], s["actor"], s["opinion"]) for s in log] == [
        ("approve", "approved", str(users["ph_admin"]), "同意")]


def test_schema_declares_the_responses(users):
    schema = as_user(users["ph_admin"]).get("/api/schema/", {"format": "json"}).json()
    operations = schema["paths"]["/api/values/{id}/transitions/"]
    errors = {"400", "401", "403", "404", "406", "409", "429"}
    assert set(operations["post"]["responses"]) == {"200", "413", "415"} | errors
    assert set(operations["get"]["responses"]) == {"200"} | errors
    assert operations["post"]["description"].startswith("执行一步流程")
    assert "WorkflowActionIn" in operations["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
