"""The platforms' API for each role and each bad input: the list with its filters and pool flag, a platform by
code, its table of a year, the ranking, and 研发机构设置率."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from enterprises.models import EnterpriseYear
from platforms.models import Kind
from platforms.services import results
from platforms.tests.factories import JS, PH, platform, table, template

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def scored(users):
    tpl = template(2024)
    made = [platform("T-A1", operator="DEMO-INS-001"), platform("T-A2"), platform("T-A3")]
    for p, services in zip(made, (100, 50, 100), strict=True):
        table(p, 2024, tpl, services, 1000, 90)
    platform("T-JS", region=JS)
    platform("T-LAB", kind=Kind.KEY_LAB, level="national")
    results.enter_pool(actor=users["ph_admin"], platform_code="T-A1", entered_on=datetime.date(2024, 1, 1),
                       reason="入库")
    results.score_official(actor=users["ph_admin"], kind="nri", year=2024, region_code=PH)
    return made


def test_the_list_filters_by_kind_level_and_region_and_says_who_is_in_the_pool(users, scored):
    client = api(users["admin"])
    rows = client.get("/api/platforms/", {"kind": "nri", "region": PH, "page_size": 100}).json()["results"]
    assert {r["code"] for r in rows} == {"T-A1", "T-A2", "T-A3"}
    first = next(r for r in rows if r["code"] == "T-A1")
    assert first["in_pool"] is True and first["region"] == PH and first["kind"] == "nri"
    assert {"code", "name", "kind", "level", "region", "operator_uscc", "in_pool"} <= set(first)
    assert next(r for r in rows if r["code"] == "T-A2")["in_pool"] is False
    labs = client.get("/api/platforms/", {"level": "national"}).json()["results"]
    assert [r["code"] for r in labs] == ["T-LAB"]
    assert {r["code"] for r in client.get("/api/platforms/", {"region": JS}).json()["results"]} == {"T-JS"}
    for bad in ({"kind": "rocket"}, {"level": "galactic"}, {"region": "33x"}, {"region": "3" * 20}):
        response = client.get("/api/platforms/", bad)
        assert response.status_code == 400, bad
        assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["errors"][0]["message"])
    # A county's bureau sees only its own county's platforms, whatever region it asks for.
    js_rows = api(users["js_admin"]).get("/api/platforms/", {"region": PH}).json()["results"]
    assert js_rows == []


def test_a_table_of_a_year_with_its_result(users, scored):
    body = api(users["demo_jigou"]).get("/api/platforms/T-A1/tables/2024/").json()
    assert body["score"] == 97 and body["grade"] == "优秀" and body["rank"] == 1
    assert [c["code"] for c in body["contributions"]] == ["services", "transfer", "expert"]
    assert api(users["demo_jigou"]).get("/api/platforms/T-A1/tables/2019/").status_code == 404
    assert api(users["ph_leader"]).get("/api/platforms/T-A2/tables/2024/").json()["rank"] == 3
    assert api(users["js_admin"]).get("/api/platforms/T-A2/tables/2024/").status_code == 404


def test_the_ranking_with_ties_and_its_bad_inputs(users, scored, django_assert_max_num_queries):
    client = api(users["ph_leader"])
    with django_assert_max_num_queries(8):
        ranking = client.get("/api/platforms/ranking/", {"kind": "nri", "year": 2024}).json()
    assert [(r["rank"], r["platform"], r["grade"]) for r in ranking] == [
        (1, "T-A1", "优秀"), (1, "T-A3", "优秀"), (3, "T-A2", "良好")]
    assert set(ranking[0]) >= {"rank", "platform", "score", "grade", "rank_change"}
    for bad in ({"kind": "nri"}, {"kind": "nri", "year": "20x4"}, {"kind": "nri", "year": "1e309"},
                {"year": "2024"}, {"kind": "x", "year": "2024"}, {"kind": "nri", "year": "2024", "region": "a"}):
        assert client.get("/api/platforms/ranking/", bad).status_code == 400, bad
    # An institution sees its own platform's place only; a town reporter none of it.
    own = api(users["demo_jigou"]).get("/api/platforms/ranking/", {"kind": "nri", "year": 2024}).json()
    assert [r["platform"] for r in own] == ["T-A1"]
    assert api(users["ph_danghu"]).get("/api/platforms/ranking/", {"kind": "nri", "year": 2024}).status_code == 403
    assert api(users["js_admin"]).get("/api/platforms/ranking/", {"kind": "nri", "year": 2024}).json() == []


def test_rd_coverage_by_region_and_year_in_scope(users):
    from platforms.tests import test_coverage as make

    holders = [make.firm(region="330482001") for _ in range(3)]
    make.platform(holders[0])
    make.platform(holders[1], kind=Kind.ENT_INSTITUTE, level="province")
    client = api(users["ph_admin"])
    body = client.get("/api/rd-coverage/", {"region": PH, "year": 2024}).json()
    assert body == {"region": PH, "year": 2024, "enterprises": 3, "with_institution": 2, "rate": 66.7}
    assert EnterpriseYear.objects.filter(year=2024, enterprise__in=holders).count() == 3
    assert api(users["jx_leader"]).get("/api/rd-coverage/", {"region": PH, "year": 2024}).json()["rate"] == 66.7
    assert api(users["js_admin"]).get("/api/rd-coverage/", {"region": PH, "year": 2024}).status_code == 404
    for name in ("demo_jigou", "demo_qiye", "ph_danghu"):
        assert api(users[name]).get("/api/rd-coverage/", {"region": PH, "year": 2024}).status_code in (403, 404)
    for bad in ({"region": PH}, {"year": 2024}, {"region": PH, "year": "x"}, {"region": "33\x00", "year": 2024}):
        assert client.get("/api/rd-coverage/", bad).status_code == 400, bad


def test_the_enterprise_portrait_lists_its_rd_institutions_and_the_firm_sees_them(users, client):
    from enterprises.models import Enterprise

    firm = Enterprise.objects.create(uscc="91330482MA2B1Y5K37", name="画像测试公司",
                                     region=users["demo_qiye"].org_unit.region, org_unit=users["demo_qiye"].org_unit)
    platform("T-RD", kind=Kind.ENT_CENTRE, level="city", operator_uscc=firm.uscc, recognised_on=datetime.date(2022, 5, 1))
    client.force_login(users["ph_admin"])
    page = client.get(f"/enterprises/{firm.uscc}/").content.decode()
    assert "研发机构" in page and "测试平台T-RD" in page and "2022-05-01" in page
    client.force_login(users["demo_qiye"])
    assert client.get("/platforms/T-RD/").status_code == 200
    assert api(users["demo_qiye"]).get("/api/platforms/T-RD/").status_code == 200
    assert api(users["demo_jigou"]).get("/api/platforms/T-RD/").status_code == 404


def test_the_ranking_reads_in_the_same_number_of_queries_whatever_the_cohort(users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from platforms import queries

    tpl = template(2024)

    def counted() -> tuple[int, int]:
        results.score_official(actor=users["ph_admin"], kind="nri", year=2024, region_code=PH)
        with CaptureQueriesContext(connection) as captured:
            rows = queries.ranking(users["ph_leader"], kind="nri", year=2024)
        return len(rows), len(captured)

    for n in range(3):
        table(platform(f"T-Q{n}"), 2024, tpl, n, 100, 50)
    small = counted()
    for n in range(3, 30):
        table(platform(f"T-Q{n}"), 2024, tpl, n, 100, 50)
    large = counted()
    assert (small[0], large[0]) == (3, 30) and small[1] == large[1] == 1
