"""The city's and the province's view: the catalogue, the comparison read, the page, the API for each
role's scope and bad input, and where a city leader lands."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.models import ChangeRecord, OrgUnit, Region
from core.periods import Period
from core.registry.testing import RegistryContract
from core.testing import visible_text
from plans.models import CommonIndicator, Indicator, IndicatorValue
from plans.region_queries import compares_counties, region_comparisons, shared_indicators
from plans.services.common import load_catalogue, load_demo_figures
from plans.services.values import report_value

pytestmark = pytest.mark.django_db

PH, JS = "330482", "330421"
URL = "/api/regions/{}/comparison/"


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def catalogue(users, plans):
    load_catalogue(users["admin"])
    load_demo_figures(users["admin"])
    return {c.code: c for c in CommonIndicator.objects.all()}


def put(users, plan, code, place, period, value, basis=""):
    indicator = Indicator.objects.get(plan__code=plan, code=code)
    return report_value(reporter=users["admin"], indicator=indicator, place=OrgUnit.objects.get(code=place),
                        period=Period.parse(period), value=Decimal(value), basis=basis)


def comparison(client, region="330400", **params):
    return client.get(URL.format(region), params)


# --- catalogue ---------------------------------------------------------------------------------------------


def test_the_catalogue_links_the_indicators_both_seed_plans_share_with_history(catalogue):
    linked = dict(Indicator.objects.filter(common__isnull=False).values_list("plan__code", "common__code")
                  .order_by().values_list("code", "common__code"))
    assert linked == {"PH02": "RD-RATIO", "JS02": "RD-RATIO", "PH04": "HITECH-SHARE", "JS03": "HITECH-SHARE",
                      "PH07": "HITECH-NEW", "JS04": "HITECH-NEW"}
    ph02 = Indicator.objects.get(plan__code="PH315-2023", code="PH02")
    assert ChangeRecord.objects.filter(object_id=str(ph02.pk), action=ChangeRecord.Action.UPDATE).exists()
    assert catalogue["HITECH-NEW"].basis == "new"


def test_loading_the_catalogue_again_changes_nothing(users, catalogue):
    before = ChangeRecord.objects.count()
    load_catalogue(users["admin"])
    assert load_demo_figures(users["admin"]) == 0
    assert ChangeRecord.objects.count() == before


def test_demo_figures_are_marked_and_never_replace_the_documents_figures(catalogue):
    jiashan_2024 = IndicatorValue.objects.get(indicator__code="JS04", period="2024")
    assert (jiashan_2024.approved_value, jiashan_2024.is_demo) == (93, False)
    pinghu_2025 = IndicatorValue.objects.get(indicator__code="PH07", period="2025", basis="new")
    assert pinghu_2025.is_demo and "演示" in pinghu_2025.note


def test_a_city_shares_the_three_catalogue_indicators_and_a_county_none(catalogue):
    jiaxing = Region.objects.get(code="330400")
    assert {c.code for c in shared_indicators(jiaxing)} == {"RD-RATIO", "HITECH-SHARE", "HITECH-NEW"}
    assert shared_indicators(Region.objects.get(code=PH)) == []
    assert {c.code for c in shared_indicators(Region.objects.get(code="330000"))} == {
        "RD-RATIO", "HITECH-SHARE", "HITECH-NEW"}


# --- the comparison ----------------------------------------------------------------------------------------


def test_the_city_ranks_pinghu_and_jiashan_on_the_latest_year_both_report(catalogue):
    [c] = region_comparisons(Region.objects.get(code="330400"), [catalogue["HITECH-NEW"]])
    assert (c.period.code, c.automatic) == ("2025", True)
    rows = {r.region.code: r for r in c.rows}
    # 2025: 平湖 96 (演示) ahead of 嘉善 74 (演示); 2024: 嘉善 93 (reported) ahead of 平湖 88 (演示).
    assert [(r.region.code, r.rank, r.rank_change) for r in c.rows] == [(PH, 1, 1), (JS, 2, -1)]
    assert rows[PH].growth == (Decimal(96) - 88) / 88
    assert rows[JS].completion == Decimal(74) / 70  # 嘉善's own 2025 target: 新增70家
    # 平湖's 2025 target is 累计达650: it does not judge a year's new count.
    assert rows[PH].completion is None
    assert rows[PH].is_demo and rows[JS].is_demo


def test_an_earlier_period_uses_the_documents_figures(catalogue):
    [c] = region_comparisons(Region.objects.get(code="330400"), [catalogue["HITECH-NEW"]], Period(2024, "Y", 0))
    assert [(r.region.code, r.rank, r.value, r.is_demo) for r in c.rows] == [(JS, 1, 93, False), (PH, 2, 88, True)]
    pinghu = c.rows[1]
    assert pinghu.growth == (Decimal(88) - 90) / 90  # against 2023's reported 新认定90
    # 嘉善 reports no 2023, so it has no change; 平湖 was ranked (alone) in 2023, as a plan's ranking counts it.
    assert [r.rank_change for r in c.rows] == [None, -1]


def test_without_a_period_both_counties_report_nothing_is_ranked(catalogue):
    [c] = region_comparisons(Region.objects.get(code="330400"), [catalogue["RD-RATIO"]])
    assert c.period is None and c.rows == []


def test_queries_do_not_grow_with_the_indicators(users, catalogue):
    jiaxing = Region.objects.get(code="330400")
    with CaptureQueriesContext(connection) as one:
        region_comparisons(jiaxing, [catalogue["HITECH-NEW"]])
    with CaptureQueriesContext(connection) as three:
        region_comparisons(jiaxing)
    assert len(three) <= len(one) + 2  # + the shared-indicator look-up


# --- the API: scope ----------------------------------------------------------------------------------------


def test_jx_leader_gets_both_counties_ranked_by_code_or_common_name(users, catalogue):
    for indicator in ("HITECH-NEW", "新认定高新技术企业数"):
        response = comparison(as_user(users["jx_leader"]), indicator=indicator)
        assert response.status_code == 200, response.content
        rows = response.json()
        assert [(r["rank"], r["region"], r["value"], r["rank_change"]) for r in rows] == [
            (1, PH, 96, 1), (2, JS, 74, -1)]
        assert {"rank", "region", "value", "growth", "completion", "rank_change"} <= set(rows[0])
        assert rows[1]["completion"] == pytest.approx(74 / 70)
        assert rows[0]["completion"] is None
        assert rows[0]["growth"] == pytest.approx(96 / 88 - 1)


def test_ranking_by_growth_and_at_a_chosen_period(users, catalogue):
    put(users, "PH315-2023", "PH02", PH, "2024", "2.6")
    put(users, "PH315-2023", "PH02", PH, "2025", "2.8")
    client = as_user(users["jx_leader"])
    by_value = comparison(client, indicator="规上工业研发费用占营业收入比重", period="2025").json()
    assert [(r["region"], r["rank"], r["value"]) for r in by_value] == [(JS, 1, 3.31), (PH, 2, 2.8)]
    by_growth = comparison(client, indicator="RD-RATIO", period="2025", by="growth").json()
    # 平湖 2.6 → 2.8 (+7.7%) grew faster than 嘉善 3.27 → 3.31 (+1.2%): 增速列嘉兴第一.
    assert [(r["region"], r["rank"]) for r in by_growth] == [(PH, 1), (JS, 2)]
    assert by_growth[0]["growth"] == pytest.approx(0.2 / 2.6)


def test_the_province_compares_its_counties_the_same_way(users, catalogue):
    rows = comparison(as_user(users["admin"]), "330000", indicator="HITECH-NEW").json()
    assert [(r["rank"], r["region"]) for r in rows] == [(1, PH), (2, JS)]


@pytest.mark.parametrize("username", ["ph_admin", "js_admin", "ph_leader", "ph_danghu", "ph_scjg", "demo_qiye"])
def test_a_county_or_a_reporter_does_not_get_the_city_ranking(users, catalogue, username):
    # DESIGN: "a county sees only itself" — 平湖 must not read 嘉善's figures through the city ranking.
    assert comparison(as_user(users[username]), indicator="HITECH-NEW").status_code == 404
    assert comparison(as_user(users[username]), "330000", indicator="HITECH-NEW").status_code == 404


def test_a_county_asking_for_itself_gets_no_other_county(users, catalogue):
    response = comparison(as_user(users["ph_admin"]), PH, indicator="HITECH-NEW")
    assert response.status_code == 200 and response.json() == []


def test_signed_out_is_refused(catalogue):
    assert comparison(APIClient(), indicator="HITECH-NEW").status_code in (401, 403)


# --- the API: bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("params,field", [
    ({}, "indicator"),
    ({"indicator": "  "}, "indicator"),
    ({"indicator": "不存在的指标"}, "indicator"),
    ({"indicator": "PH02"}, "indicator"),
    ({"indicator": "RD-RATIO\x00"}, "indicator"),
    ({"indicator": "长" * 1000}, "indicator"),  # a plan's own code is not a catalogue entry
    ({"indicator": "HITECH-NEW", "period": "2025Q5"}, "period"),
    ({"indicator": "HITECH-NEW", "period": "1900"}, "period"),
    ({"indicator": "HITECH-NEW", "by": "speed"}, "by"),
])
def test_bad_parameters_are_a_chinese_400(users, catalogue, params, field):
    response = comparison(as_user(users["jx_leader"]), **params)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert field in [e["field"] for e in errors]
    assert all(chinese(e["message"]) for e in errors)


def test_an_unknown_region_is_404(users, catalogue):
    assert comparison(as_user(users["admin"]), "999999", indicator="HITECH-NEW").status_code == 404
    assert comparison(as_user(users["admin"]), "3304%00", indicator="HITECH-NEW").status_code == 404


# --- the page and the landing ------------------------------------------------------------------------------


def test_jx_leader_lands_on_the_city_view_and_sees_both_counties_ranked(client, users, catalogue):
    client.force_login(users["jx_leader"])
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/plans/regions/330400/"
    text = visible_text(response.content.decode())
    assert "嘉兴市地区比较" in text and "平湖市" in text and "嘉善县" in text
    assert "演示" in text and "最近可比期间" in text
    html = response.content.decode()
    assert 'data-testid="row-330482"' in html and 'data-testid="row-330421"' in html


def test_a_county_leader_stays_on_its_plan(client, users, catalogue):
    assert compares_counties(users["jx_leader"]) and not compares_counties(users["ph_leader"])
    client.force_login(users["ph_leader"])
    assert client.get("/", follow=True).redirect_chain[-1][0].startswith("/plans/PH315-2023/")


def test_the_page_takes_a_period_and_a_basis_and_refuses_a_county_outside_the_city(client, users, catalogue):
    client.force_login(users["jx_leader"])
    page = client.get("/plans/regions/330400/", {"period": "2024", "by": "growth", "indicator": "HITECH-NEW"})
    assert page.status_code == 200
    assert [c.common.code for c in page.context["comparisons"]] == ["HITECH-NEW"]
    assert client.get("/plans/regions/330400/", {"period": "2024Q9"}).status_code == 404
    client.force_login(users["ph_admin"])
    assert client.get("/plans/regions/330400/").status_code == 404
    own = client.get("/plans/regions/330482/")
    assert own.status_code == 200 and "没有县（市、区）规划可比较" in visible_text(own.content.decode())


def test_a_bureau_links_its_indicator_to_the_catalogue_on_the_edit_page(client, users, catalogue):
    indicator = Indicator.objects.get(plan__code="PH315-2023", code="PH01")
    client.force_login(users["ph_admin"])
    url = "/plans/PH315-2023/indicators/PH01/edit/"
    page = client.get(url).content.decode()
    assert "通用指标" in page
    stamp = re.search(r'name="_stamp" value="([^"]*)"', page).group(1)
    data = {"name": indicator.name, "unit": indicator.unit, "kind": indicator.kind, "direction": indicator.direction,
            "frequency": indicator.frequency, "note": indicator.note, "common": catalogue["RD-RATIO"].pk,
            "_stamp": stamp}
    assert client.post(url, data).status_code == 302
    indicator.refresh_from_db()
    assert indicator.common == catalogue["RD-RATIO"]
    change = ChangeRecord.objects.filter(object_id=str(indicator.pk), content_type__model="indicator").first()
    assert change.actor.username == "ph_admin" and change.after["common"] == catalogue["RD-RATIO"].pk


def test_the_system_admins_menu_entry_opens_the_province(client, users, catalogue):
    client.force_login(users["admin"])
    response = client.get("/plans/regions/go/", follow=True)
    assert response.redirect_chain[-1][0] == "/plans/regions/330000/"
    html = response.content.decode()
    assert 'data-testid="row-330482"' in html and 'data-testid="row-330421"' in html


# --- the catalogue on the registry -------------------------------------------------------------------------


class TestCommonIndicators(RegistryContract):
    name = "common-indicators"
    manager = "admin"
    viewers = ("ph_admin", "jx_leader")
    outsiders = ("demo_qiye", "ph_danghu")
    change = {"name": "通用指标（修订）"}

    def valid(self, users, n):
        return {"code": f"CI-{n}", "name": f"通用指标{n}", "unit": "%", "kind": "rate", "direction": "higher",
                "basis": "", "note": ""}



def test_a_county_report_gets_its_place_among_the_citys_counties_only_where_two_are_ranked(catalogue, plans):
    from plans.region_queries import rank_phrases

    pinghu, jiashan = plans["PH315-2023"], plans["JS-2025"]
    # 2025: 平湖 96 ahead of 嘉善 74 new firms, 平湖 grew 88 → 96; 嘉善's growth has no 2024 demo base to beat.
    phrases = rank_phrases(pinghu, Period(2025, "Y", 0))
    assert phrases["PH07"] == "增速列全市第1位"
    assert rank_phrases(jiashan, Period(2025, "Y", 0))["JS04"].endswith("列全市第2位")
    # 2026Q3: only one county reports: no rank is made up.
    assert rank_phrases(pinghu, Period(2026, "Q", 3)) == {}
