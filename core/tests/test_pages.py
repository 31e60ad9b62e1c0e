"""The core pages through the Django test client: login (with throttling), landing, logout, profile, org units."""

import io
import re

import pytest
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from openpyxl import load_workbook

from core.testing import latin_words, visible_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
THROTTLED = "登录失败次数过多，请15分钟后再试"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def table_body(html: str) -> str:
    return re.search(r"<tbody[^>]*>(.*?)</tbody>", html, re.S).group(1)


def invalid_login_message() -> str:
    return str(AuthenticationForm.error_messages["invalid_login"] % {"username": "用户名"})


# --------------------------------------------------------------------------------------------- login


@pytest.mark.django_db
def test_login_page_is_chinese(client):
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html
    assert "登录科创平台" in html
    assert 'name="username"' in html and 'name="password"' in html
    assert latin_words(html) == set()
    for word in ("Login", "Username", "Password", "Submit", "Sign in"):
        assert word not in visible_text(html)


def test_login_with_the_right_password_lands_on_the_roles_page(client, users, password):
    response = client.post("/login/", {"username": "ph_admin", "password": password})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in(client)
    assert client.get("/")["Location"] == "/plans/go/"


def test_login_follows_next(client, users, password):
    response = client.post("/login/", {"username": "ph_danghu", "password": password,
                                       "next": "/plans/PH315-2023/?place=330482001"})
    assert response["Location"] == "/plans/PH315-2023/?place=330482001"


def test_signed_in_user_visiting_login_is_sent_on(login_as):
    assert login_as("ph_admin").get("/login/")["Location"] == "/"


def test_wrong_password_shows_a_chinese_error(client, users):
    # Even for a browser that asks for English: the product has no English catalogue.
    response = client.post("/login/", {"username": "ph_admin", "password": "wrong-password"},
                           HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    html = response.content.decode()
    assert invalid_login_message() in html
    assert "用户名" in invalid_login_message()
    assert "Please enter" not in html
    assert not logged_in(client)


def test_login_is_throttled_after_five_failures(client, users, password, settings):
    assert settings.LOGIN_FAILURE_LIMIT == 5
    for _attempt in range(5):
        response = client.post("/login/", {"username": "ph_admin", "password": "wrong-password"})
        assert invalid_login_message() in response.content.decode()
    response = client.post("/login/", {"username": "ph_admin", "password": password})
    assert response.status_code == 200
    assert THROTTLED in response.content.decode()
    assert not logged_in(client)
    # The lock is on the name from that address: another user behind the same proxy still logs in.
    response = client.post("/login/", {"username": "ph_leader", "password": password})
    assert response.status_code == 302
    assert logged_in(client)


def test_four_failures_do_not_lock_the_user_out(client, users, password):
    for _attempt in range(4):
        client.post("/login/", {"username": "ph_admin", "password": "wrong-password"})
    response = client.post("/login/", {"username": "ph_admin", "password": password})
    assert response.status_code == 302
    assert logged_in(client)


def test_throttling_counts_the_username_case_insensitively(client, users, password):
    for name in ("PH_ADMIN", "Ph_Admin", "ph_admin", "PH_admin", "ph_ADMIN"):
        client.post("/login/", {"username": name, "password": "wrong-password"}, REMOTE_ADDR="10.0.0.1")
    response = client.post("/login/", {"username": "ph_admin", "password": password}, REMOTE_ADDR="10.0.0.1")
    assert THROTTLED in response.content.decode()


# ------------------------------------------------------------------------------------------- landing


@pytest.mark.parametrize(("username", "landing"), [
    ("admin", "/plans/go/"),
    ("ph_admin", "/plans/go/"),
    ("js_admin", "/plans/go/"),
    ("ph_leader", "/plans/go/"),
    ("jx_leader", "/plans/regions/go/"),  # a city leader lands on the comparison of its counties
    ("ph_scjg", "/tasks/mine/"),
    ("ph_fgj", "/tasks/mine/"),
    ("ph_danghu", "/plans/report/"),
    ("js_weitang", "/plans/report/"),
    ("demo_qiye", "/enterprises/mine/"),
    ("demo_jigou", "/platforms/"),
    ("demo_zhuanjia", "/review/"),
])
def test_home_sends_each_role_to_its_work(login_as, username, landing):
    response = login_as(username).get("/")
    assert response.status_code == 302
    assert response["Location"] == landing


@pytest.mark.django_db
def test_home_sends_anonymous_users_to_login(client):
    assert client.get("/")["Location"] == "/login/"


@pytest.mark.parametrize(("username", "menu", "absent"), [
    ("ph_admin", ["驾驶舱", "规划", "数据填报", "审核", "指标数据"], []),
    ("ph_leader", ["驾驶舱", "规划", "指标数据"], ["数据填报", "审核"]),
    ("ph_danghu", ["驾驶舱", "数据填报"], ["审核"]),
    ("demo_qiye", [], ["驾驶舱", "数据填报", "审核", "指标数据"]),
])
def test_menu_shows_what_the_role_may_use(login_as, username, menu, absent):
    html = login_as(username).get("/me/").content.decode()
    entries = re.findall(r'<a class="(?:nav-link|dropdown-item)[^"]*" href="[^"#]*">([^<]+)</a>', html)
    assert set(menu) <= set(entries)
    assert not set(absent) & set(entries)


# -------------------------------------------------------------------------------------------- logout


def test_logout_is_post_only(login_as):
    client = login_as("ph_admin")
    assert client.get("/logout/").status_code == 405
    assert logged_in(client)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert not logged_in(client)
    assert client.get("/me/")["Location"].startswith("/login/")


def test_every_page_has_a_logout_form(login_as):
    html = login_as("ph_danghu").get("/me/").content.decode()
    assert re.search(r'<form method="post" action="/logout/">.*?退出</button></form>', html, re.S)


# ------------------------------------------------------------------------------------------- profile


def test_profile_shows_the_account(login_as):
    response = login_as("ph_danghu").get("/me/")
    assert response.status_code == 200
    html = response.content.decode()
    rows = dict(re.findall(r"<tr><th>([^<]+)</th><td>([^<]*)</td></tr>", html))
    assert rows == {"用户名": "ph_danghu", "姓名": "当湖街道填报员", "角色": "镇街道填报员",
                    "所属单位": "当湖街道", "管辖区划": "当湖街道"}
    assert latin_words(html, allowed={"ph", "danghu"}) == set()


@pytest.mark.django_db
def test_profile_needs_a_login(client):
    assert client.get("/me/")["Location"] == "/login/"


# ----------------------------------------------------------------------------------------- org units


def test_org_units_are_scoped_to_the_users_region(login_as):
    body = table_body(login_as("ph_admin").get("/org-units/").content.decode())
    assert "当湖街道" in body and "市科技局" in body and "平湖经济技术开发区" in body
    assert "魏塘街道" not in body
    body = table_body(login_as("js_admin").get("/org-units/").content.decode())
    assert "魏塘街道" in body and "当湖街道" not in body
    body = table_body(login_as("demo_qiye").get("/org-units/").content.decode())
    assert body.count("<tr") == 1
    assert "平湖示范智能装备有限公司（演示）" in body


def test_org_units_search_filter_and_sort(login_as):
    client = login_as("ph_admin")
    body = table_body(client.get("/org-units/?q=当湖").content.decode())
    assert body.count("<tr") == 1 and "当湖街道" in body
    body = table_body(client.get("/org-units/?kind=bureau").content.decode())
    assert "市科技局" in body and "市发改局" in body
    assert "当湖街道" not in body and "办公室" not in body
    body = table_body(client.get("/org-units/?kind=town&sort=-code").content.decode())
    codes = re.findall(r"<td >(?:<a [^>]*>)?(3304\d{5})", body)
    assert codes and codes == sorted(codes, reverse=True)
    assert len(codes) == 9


def test_org_units_export(login_as):
    response = login_as("ph_admin").get("/org-units/?kind=town&_export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    rows = [list(r) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    assert rows[0][:2] == ["编码", "名称"]
    names = {row[1] for row in rows[1:]}
    assert "当湖街道" in names and "广陈镇" in names
    assert "市科技局" not in names and "魏塘街道" not in names


@pytest.mark.django_db
def test_org_units_need_a_login(client):
    assert client.get("/org-units/")["Location"].startswith("/login/")


@pytest.mark.django_db
def test_health_answers_without_login(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
