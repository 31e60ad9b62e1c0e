"""The progress API's derived fields: formula values (计算值), town roll-ups (镇街道合计) and 预计全年, by role."""

from decimal import Decimal as D

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from core.periods import Period
from plans.derived import forecast_for
from plans.queries import forecast_for as exported_forecast_for
from plans.services.seed import set_target
from plans.services.values import report_value
from plans.tests.rollup_data import CAOQIAO, DANGHU, ZHONGDAI, load_figures, place

PH = "PH315-2023"

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


@pytest.fixture
def figures(users, pinghu):
    return load_figures(users["ph_admin"], pinghu)


def rows(client, period="2024Q2", **params) -> dict[str, dict]:
    response = client.get(f"/api/plans/{PH}/progress/", {"period": period, **params})
    assert response.status_code == 200, response.content
    return {r["code"]: r for r in response.json()["indicators"]}


def test_county_sees_its_official_figure_beside_the_towns_total(users, figures):
    ph01 = rows(as_user(users["ph_admin"]))["PH01"]
    assert ph01["actual"] == 24
    assert ph01["rollup"]["method"] == "sum"
    assert ph01["rollup"]["total"] == 20 and ph01["rollup"]["official"] == 24
    assert ph01["rollup"]["difference"] == 4
    assert ph01["rollup"]["reported"] == 2
    assert ph01["rollup"]["missing"] == [{"code": CAOQIAO, "name": place(CAOQIAO).name}]


def test_a_ratio_is_computed_and_rolled_up_through_its_formula(users, figures):
    ph02 = rows(as_user(users["ph_admin"]))["PH02"]
    assert ph02["formula"] == "PH01 / PH10 * 100"
    assert ph02["actual"] is None  # nobody reported it: the computed value is not a reported figure
    assert ph02["computed"] == pytest.approx(2.4)  # 24 ÷ 1000 × 100
    assert ph02["rollup"]["method"] == "formula"
    assert ph02["rollup"]["total"] == pytest.approx(2.5)  # (9 + 11) ÷ (300 + 500) × 100, not a mean of ratios
    assert ph02["rollup"]["missing"] == [{"code": CAOQIAO, "name": place(CAOQIAO).name}]
    assert ph02["forecast"]["method"] == "latest" and ph02["forecast"]["value"] == pytest.approx(2.4)


def test_forecast_uses_last_years_share_of_the_same_period(users, figures):
    ph01 = rows(as_user(users["ph_admin"]))["PH01"]
    forecast = ph01["forecast"]
    assert forecast["method"] == "seasonal"
    assert forecast["value"] == 60  # 24 ÷ (20 ÷ 50)
    assert forecast["target"] == 53 and forecast["misses_target"] is False
    assert forecast["text"] == "预计全年60亿元，目标53亿元"
    assert "季节" in forecast["method_label"]


def test_forecast_without_history_is_linear_and_flags_a_miss(users, figures):
    ph10 = rows(as_user(users["ph_admin"]))["PH10"]
    assert ph10["forecast"]["method"] == "linear" and ph10["forecast"]["value"] == 2000
    ph05 = rows(as_user(users["ph_admin"]), "2023-11")["PH05"]
    assert ph05["forecast"]["value"] == pytest.approx(80.61 * 12 / 11, abs=1e-6)
    assert ph05["forecast"]["misses_target"] is False
    ph09 = rows(as_user(users["ph_admin"]), "2025-09")["PH09"]
    assert ph09["forecast"]["method"] == "latest" and ph09["forecast"]["value"] == 24.8


def test_a_city_leader_sees_the_roll_up(users, figures):
    assert rows(as_user(users["jx_leader"]))["PH01"]["rollup"]["total"] == 20
    assert rows(as_user(users["ph_leader"]))["PH01"]["rollup"]["total"] == 20


@pytest.mark.parametrize("username", ["ph_danghu", "ph_scjg"])
def test_reporters_see_no_roll_up_naming_other_towns(users, figures, username):
    client = as_user(users[username])
    county = rows(client)
    assert county["PH01"]["rollup"] is None and county["PH02"]["rollup"] is None
    assert county["PH01"]["forecast"]["value"] == 60  # the county's own figure they may read
    if username == "ph_danghu":
        own = rows(client, org_unit=DANGHU)
        assert own["PH01"]["actual"] == 9 and own["PH01"]["rollup"] is None
        assert own["PH02"]["computed"] == pytest.approx(3)
        assert client.get(f"/api/plans/{PH}/progress/", {"period": "2024Q2", "org_unit": ZHONGDAI}
                          ).status_code == 403


def test_a_town_has_nothing_under_it(users, figures):
    town = rows(as_user(users["ph_admin"]), org_unit=ZHONGDAI)
    assert town["PH01"]["rollup"] is None
    assert town["PH01"]["forecast"]["method"] == "linear" and town["PH01"]["forecast"]["value"] == 22


def test_out_of_scope_and_bad_period(users, figures):
    assert as_user(users["js_admin"]).get(f"/api/plans/{PH}/progress/", {"period": "2024Q2"}).status_code == 404
    response = as_user(users["ph_admin"]).get(f"/api/plans/{PH}/progress/", {"period": "2024Q9"})
    assert response.status_code == 400


def test_forecast_for_is_what_reports_call(users, figures):
    found = exported_forecast_for(figures, Period.parse("2024Q2"))
    assert found == forecast_for(figures, Period.parse("2024Q2"))
    assert found["PH01"].value == D(60)
    assert found["PH02"].value == D("2.4")


def test_indicator_list_shows_the_formula(users, figures):
    response = as_user(users["ph_admin"]).get(f"/api/plans/{PH}/indicators/")
    assert {i["code"]: i["formula"] for i in response.json()}["PH02"] == "PH01 / PH10 * 100"


def test_a_city_rolls_up_from_its_counties(users):
    from core.models import Region
    from plans.models import Indicator, Plan

    admin = users["admin"]
    city = Plan.objects.create(code="JX-TEST", name="嘉兴市测试规划", region=Region.objects.get(code="330400"),
                               start_year=2024, end_year=2025)
    indicator = Indicator.objects.create(plan=city, code="C01", name="技术交易总额", unit="亿元",
                                         kind="cumulative")
    for code in ("330482", "330421"):
        set_target(actor=admin, indicator=indicator, place=place(code), period="2024", value=D(50))
    for code, value in (("330400", "100"), ("330482", "40")):
        report_value(reporter=admin, indicator=indicator, place=place(code), period=Period.parse("2024Q2"),
                     value=D(value))
    leader = as_user(users["jx_leader"]).get("/api/plans/JX-TEST/progress/", {"period": "2024Q2"}).json()
    rollup = leader["indicators"][0]["rollup"]
    assert (rollup["total"], rollup["official"], rollup["difference"]) == (40, 100, 60)
    assert rollup["missing"] == [{"code": "330421", "name": place("330421").name}]
    # 平湖's bureau reads the city's plan but not 嘉善's figures: no roll-up naming them.
    county = as_user(users["ph_admin"]).get("/api/plans/JX-TEST/progress/", {"period": "2024Q2"})
    assert county.status_code == 200 and county.json()["indicators"][0]["rollup"] is None


def test_derived_figures_take_the_same_queries_for_one_indicator_or_all(users, figures):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from plans.derived import derive
    from plans.queries import plan_indicators, plan_progress

    period = Period.parse("2024Q2")
    counts = []
    for indicators in (list(plan_indicators(figures))[:1], list(plan_indicators(figures))):
        report = plan_progress(figures, period, indicators=indicators)
        with CaptureQueriesContext(connection) as captured:
            derive(report, users["ph_admin"])
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 5
