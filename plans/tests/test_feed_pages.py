"""The pages and API of indicator data sources and their conflicts: the plan's bureau only, bad input a 400."""

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from enterprises.tests.conftest import (
    HITECH,
    make_firm,
    rulesets,  # noqa: F401 (a fixture)
)
from plans.models import FeedConflict, IndicatorFeed, IndicatorValue
from plans.services.feeds import feed_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rulesets")]

# The plan's bureau (and the system admin) decide; the others are refused, or do not see the plan at all.
ALLOWED = ("ph_admin", "admin")
REFUSED = ("ph_leader", "jx_leader", "js_admin", "ph_danghu", "ph_scjg", "js_weitang", "demo_qiye")


@pytest.fixture
def conflict(pinghu):
    make_firm(quals=[(HITECH, datetime.date(2023, 11, 1))])
    feed_plan(plan=pinghu, year=2023, today=datetime.date(2024, 3, 1))
    return FeedConflict.objects.get(indicator__code="PH07", period="2023", basis="new")


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("username", ALLOWED + REFUSED)
def test_conflict_page_shows_both_figures_to_the_plans_bureau_only(client, users, pinghu, conflict, username):
    client.force_login(users[username])
    response = client.get(f"/plans/{pinghu.code}/feeds/conflicts/")
    if username in ALLOWED:
        assert response.status_code == 200
        page = response.content.decode()
        assert 'data-testid="conflict-open"' in page and "保留原数据" in page and "采用汇总数据" in page
        assert conflict.existing_source in page and ">90<" in page and ">1<" in page
    else:
        assert response.status_code in (403, 404)
        assert conflict.existing_source not in response.content.decode()
    settings_page = client.get(f"/plans/{pinghu.code}/feeds/")
    assert settings_page.status_code == (200 if username in ALLOWED else settings_page.status_code)
    if username not in ALLOWED:
        assert settings_page.status_code in (403, 404)


@pytest.mark.parametrize("username", REFUSED)
def test_others_cannot_decide_on_the_page_or_the_api(client, users, pinghu, conflict, username):
    client.force_login(users[username])
    response = client.post(f"/plans/{pinghu.code}/feeds/conflicts/", {"conflict": conflict.pk, "choice": "fed"})
    assert response.status_code in (403, 404)
    answer = api_for(users[username]).post(f"/api/feed-conflicts/{conflict.pk}/decision/", {"choice": "fed"},
                                           format="json")
    assert answer.status_code in (403, 404)
    assert api_for(users[username]).get(f"/api/plans/{pinghu.code}/feed-conflicts/").status_code in (403, 404)
    conflict.refresh_from_db()
    assert conflict.decision == "open"


def test_the_bureau_picks_on_the_page_and_the_history_shows_it(client, users, pinghu, conflict):
    client.force_login(users["ph_admin"])
    response = client.post(f"/plans/{pinghu.code}/feeds/conflicts/", {"conflict": conflict.pk, "choice": "kept"})
    assert response.status_code == 302
    conflict.refresh_from_db()
    assert (conflict.decision, conflict.decided_by) == ("kept", users["ph_admin"])
    page = client.get(f"/plans/{pinghu.code}/feeds/conflicts/").content.decode()
    assert 'data-testid="conflict-kept"' in page and "平湖市科技局管理员" in page
    document = IndicatorValue.objects.get(pk=conflict.existing_id)
    assert document.approved_value == Decimal(90)


@pytest.mark.parametrize("form", [{"conflict": "x", "choice": "fed"}, {"conflict": "999999", "choice": "fed"},
                                  {"choice": "fed"}, {"conflict": "PK", "choice": "both"}, {"conflict": "PK"}])
def test_bad_decisions_on_the_page_are_a_chinese_400_and_change_nothing(client, users, pinghu, conflict, form):
    client.force_login(users["ph_admin"])
    form = {k: (str(conflict.pk) if v == "PK" else v) for k, v in form.items()}
    response = client.post(f"/plans/{pinghu.code}/feeds/conflicts/", form)
    assert response.status_code == 400
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.content.decode().split('data-testid="error"')[1][:80])
    conflict.refresh_from_db()
    assert conflict.decision == "open"


def test_the_api_lists_and_decides(users, pinghu, conflict):
    client = api_for(users["ph_admin"])
    listed = client.get(f"/api/plans/{pinghu.code}/feed-conflicts/")
    assert listed.status_code == 200
    row = next(r for r in listed.json() if r["id"] == conflict.pk)
    assert (Decimal(row["existing_value"]), Decimal(row["fed_value"]), row["decision"]) == (90, 1, "open")
    for body in ({"choice": "both"}, {"choice": "fed", "extra": 1}, {}, ["fed"]):
        refused = client.post(f"/api/feed-conflicts/{conflict.pk}/decision/", body, format="json")
        assert refused.status_code == 400, body
    assert client.post("/api/feed-conflicts/999999/decision/", {"choice": "fed"}, format="json").status_code == 404
    conflict.refresh_from_db()
    assert conflict.decision == "open"
    done = client.post(f"/api/feed-conflicts/{conflict.pk}/decision/", {"choice": "fed"}, format="json")
    assert done.status_code == 200 and done.json()["decision"] == "fed" and done.json()["decided_by"] == "ph_admin"
    again = client.post(f"/api/feed-conflicts/{conflict.pk}/decision/", {"choice": "kept"}, format="json")
    assert again.status_code == 409


def test_settings_page_binds_and_unbinds(client, users, pinghu):
    client.force_login(users["ph_admin"])
    response = client.post(f"/plans/{pinghu.code}/feeds/", {"indicator": "PH01", "basis": "", "source": "sme_new"})
    assert response.status_code == 302
    binding = IndicatorFeed.objects.get(indicator__plan=pinghu, indicator__code="PH01")
    page = client.get(f"/plans/{pinghu.code}/feeds/").content.decode()
    assert "新认定科技型中小企业数" in page
    for bad in ({"indicator": "PH01", "basis": "", "source": "nope"}, {"indicator": "PH01", "basis": "x", "source": "sme_new"},
                {"action": "unbind", "feed": "abc"}):
        assert client.post(f"/plans/{pinghu.code}/feeds/", bad).status_code == 400
    assert client.post(f"/plans/{pinghu.code}/feeds/", {"indicator": "NOPE", "source": "sme_new"}).status_code == 404
    client.force_login(users["js_admin"])
    assert client.post(f"/plans/{pinghu.code}/feeds/", {"action": "unbind", "feed": binding.pk}).status_code == 404
    client.force_login(users["ph_admin"])
    assert client.post(f"/plans/{pinghu.code}/feeds/", {"action": "unbind", "feed": binding.pk}).status_code == 302
    assert not IndicatorFeed.objects.filter(pk=binding.pk).exists()


def test_the_ladder_button_reports_conflicts_instead_of_overwriting(client, users, pinghu):
    from django.contrib.messages import get_messages

    make_firm(quals=[(HITECH, datetime.date(2023, 11, 1))])
    client.force_login(users["ph_admin"])
    response = client.post("/enterprises/ladder/feeds/", {"year": "2023"})
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("未覆盖" in m and "数据来源冲突" in m for m in messages), messages
    assert FeedConflict.objects.filter(indicator__plan=pinghu, decision="open").exists()
    assert IndicatorValue.objects.get(indicator__plan=pinghu, indicator__code="PH07", period="2023",
                                      basis="new", place__code="330482").approved_value == Decimal(90)
