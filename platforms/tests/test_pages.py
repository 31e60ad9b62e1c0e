"""The platforms' pages for each role: the overview's figures, the ranking page's actions (评定, 分配, expert
round, what-if) for the bureau only, the recognition page, and pages that do not exist for outsiders."""

from __future__ import annotations

import datetime

import pytest

from core.models_review import ReviewRound, ScoringSheet
from core.testing import visible_text
from platforms.models import PerformanceTable
from platforms.services.demo import load_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_loaded(users):
    load_demo(users["admin"], datetime.date(2026, 12, 1))
    return users


def test_the_overview_shows_the_years_sums_instruments_and_incubators(demo_loaded, client):
    client.force_login(demo_loaded["ph_admin"])
    text = visible_text(client.get("/platforms/overview/", {"year": 2023}).content.decode())
    assert "服务本土企业数：291家" in text and "技术合同金额：4365万元" in text
    client.force_login(demo_loaded["js_admin"])
    text = visible_text(client.get("/platforms/overview/", {"year": 2025}).content.decode())
    assert "入网率 85.7%（6/7）" in text and "服务企业" in text
    for name in ("demo_jigou", "ph_danghu"):
        client.force_login(demo_loaded[name])
        assert client.get("/platforms/overview/").status_code == 403


def test_the_ranking_page_for_the_bureau_and_for_a_leader(demo_loaded, client):
    client.force_login(demo_loaded["ph_leader"])
    page = visible_text(client.get("/platforms/ranking/", {"kind": "nri", "year": 2024}).content.decode())
    assert "上海交大平湖智能光电研究院" in page and "按审核通过的评价表评定" not in page
    assert client.post("/platforms/ranking/?kind=nri&year=2024", {"action": "score"}).status_code == 403
    assert client.get("/platforms/ranking/", {"kind": "rocket"}).status_code == 404
    assert client.get("/platforms/ranking/", {"kind": "nri", "year": "20x4"}).status_code == 404


def test_the_bureau_opens_an_expert_round_and_takes_its_scores(demo_loaded, client):
    admin = demo_loaded["ph_admin"]
    sheet = ScoringSheet.objects.create(name="平台评分表", region=admin.org_unit.region, criteria=[
        {"key": "expert", "label": "科研能力与运行管理", "weight": 100, "min": 0, "max": 100}])
    client.force_login(admin)
    response = client.post("/platforms/ranking/?kind=nri&year=2024", {"action": "expert_round", "sheet": sheet.pk,
                                                                     "due_on": "2025-03-31"})
    review_round = ReviewRound.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/review/rounds/{review_round.pk}/"
    assert review_round.subjects.count() == PerformanceTable.objects.filter(year=2024, status="approved").count()
    response = client.post("/platforms/ranking/?kind=nri&year=2024", {"action": "expert_scores",
                                                                     "round": review_round.pk}, follow=True)
    assert "已汇总0张评价表的专家评分" in visible_text(response.content.decode())  # nobody scored yet
    response = client.post("/platforms/ranking/?kind=nri&year=2024", {"action": "expert_round", "sheet": "x"},
                           follow=True)
    assert "请选择评分表" in visible_text(response.content.decode())


def test_the_bureau_allocates_the_budget_from_the_ranking_page(demo_loaded, client):
    client.force_login(demo_loaded["ph_admin"])
    response = client.post("/platforms/ranking/?kind=nri&year=2024", {"action": "allocate", "budget": "3,000,000"},
                           follow=True)
    assert "已分配给4个平台" in visible_text(response.content.decode())
    for bad in ("1e309", "12.5", "-3", "三百万"):
        response = client.post("/platforms/ranking/?kind=nri&year=2025", {"action": "allocate", "budget": bad},
                               follow=True)
        assert "预算应为正的整数元" in visible_text(response.content.decode()), bad
    response = client.post("/platforms/ranking/?kind=nri&year=2024", {"action": "allocate", "budget": "5"},
                           follow=True)
    assert "已分配，不能重复分配" in visible_text(response.content.decode())


def test_the_recognition_page_is_the_county_bureaus(demo_loaded, client):
    client.force_login(demo_loaded["js_admin"])
    assert client.get("/platforms/recognition/", {"year": 2024}).status_code == 200
    for name in ("js_weitang", "demo_qiye", "ph_leader"):
        client.force_login(demo_loaded[name])
        assert client.get("/platforms/recognition/").status_code == 403
