"""Site search scoped to the user, and the menu grouped by programme."""

import re

import pytest

from core.search import search


def hits(user, term):
    return {group["label"]: [h["title"] for h in group["hits"]] for group in search(user, term)}


@pytest.mark.django_db
def test_search_finds_plans_indicators_tasks_and_units_within_scope(users):
    found = hits(users["ph_admin"], "科技")
    assert any("平湖" in title for title in found["规划"])
    assert "市科技局" in found["组织单位"]
    assert not any("嘉善" in t or t == "县科技局" for titles in found.values() for t in titles)
    found = hits(users["js_admin"], "平湖")
    assert found == {}  # 嘉善's bureau finds nothing of 平湖


@pytest.mark.django_db
def test_search_of_an_enterprise_user_finds_only_its_own_unit(users):
    found = hits(users["demo_qiye"], "平湖")
    assert found.get("组织单位") == ["平湖示范智能装备有限公司（演示）"]
    assert "规划" not in found and "指标" not in found


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["", "   ", "\x00", "长" * 100_000, "=1+1"])
def test_search_page_takes_any_input(login_as, term):
    response = login_as("ph_admin").get("/search/", {"q": term})
    assert response.status_code == 200


def test_menu_groups_the_programmes_into_dropdowns(login_as):
    html = login_as("ph_admin").get("/me/").content.decode()
    groups = re.findall(r'data-bs-toggle="dropdown" aria-expanded="false">([^<]+)</a>', html)
    assert groups == ["规划监测", "重点工作", "企业培育", "创新平台", "公示与兑现", "创新券", "专家评审", "科技计划项目", "系统管理"]
    assert re.search(r'<a class="dropdown-item" href="/users/">用户</a>', html)


def test_a_single_entry_of_a_group_stands_alone(login_as):
    html = login_as("ph_danghu").get("/me/").content.decode()
    assert "dropdown-toggle" in html  # 驾驶舱 and 数据填报 of 规划监测
    html = login_as("demo_qiye").get("/me/").content.decode()
    # The enterprise's groups with several entries: 创新券 (工作台, 申请, 服务机构, 目录) and 科技计划项目.
    groups = re.findall(r'data-bs-toggle="dropdown" aria-expanded="false">([^<]+)</a>', html)
    assert groups == ["创新券", "科技计划项目"]
    assert re.search(r'<a class="nav-link[^"]*" href="/enterprises/mine/">我的企业</a>', html)
