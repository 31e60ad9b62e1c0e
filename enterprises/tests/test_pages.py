"""The enterprise pages through the Django test client: the portrait with its self-check, the enterprise
list with filters and export, pools, rule sets and screenings, and what each role reaches."""

import datetime
import io
import json
import re

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone
from openpyxl import load_workbook

from core.models import ChangeRecord, Job, OrgUnit, Region, User
from core.roles import Role
from core.testing import visible_text
from enterprises.models import EnterpriseYear, Pool, PoolMember, RuleSet, Screening
from enterprises.services.screening import screen_now
from enterprises.tests.conftest import (
    HITECH,
    JS_COUNTY,
    JS_TOWN,
    ON,
    PH_COUNTY,
    PH_TOWN2,
    SME,
    make_firm,
    years_of,
)

pytestmark = pytest.mark.django_db

BUREAU = ["admin", "ph_admin", "js_admin", "ph_leader", "jx_leader"]
OTHERS = ["ph_danghu", "js_weitang", "ph_scjg", "demo_qiye", "demo_jigou", "demo_zhuanjia"]


def login(client, user):
    client.force_login(user)
    return client


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def card(page: str, ruleset: str) -> str:
    """The assessment card of one rule set on the portrait."""
    start = page.index(f'data-testid="assessment-{ruleset}"')
    end = page.find('data-testid="assessment-', start + 1)
    return page[start:end if end > 0 else len(page)]


def status_of(section: str) -> str:
    found = re.findall(r'<span class="badge badge-(?:green|red|missing)">([^<]+)</span>', section)
    assert len(found) == 1, found
    return found[0]


def recent_years(**changes) -> list[dict]:
    today = timezone.localdate()
    return years_of(*range(today.year - 3, today.year), **changes)


def year_rows() -> list[tuple]:
    return list(EnterpriseYear.objects.order_by("pk").values_list())


# ------------------------------------------------------------------------------------------- portrait


@pytest.fixture
def portrait_firm(rulesets, users):
    """A 平湖 firm failing only 科技人员占比 (9%) in its latest year, with a 科技型中小企业 certificate and an
    incubation-pool membership."""
    today = timezone.localdate()
    firm = make_firm(name="平湖画像科技有限公司", years=recent_years(tech_staff=9),
                     quals=[(SME, today - datetime.timedelta(days=100), today + datetime.timedelta(days=90)),
                            (HITECH, datetime.date(2019, 11, 1))])
    PoolMember.objects.create(pool=Pool.objects.get(code="hitech_incubation"), enterprise=firm, entered_on=ON,
                              reason="2025-06-30高新技术企业评测：未通过1项（科技人员占比还差1个百分点）")
    return firm


def test_portrait_shows_years_qualifications_assessments_and_pools(client, portrait_firm, users):
    page = html(login(client, users["ph_admin"]).get(f"/enterprises/{portrait_firm.uscc}/"))
    assert "平湖画像科技有限公司" in page and portrait_firm.uscc in page
    years = page[page.index('data-testid="years"'):]
    years = years[:years.index("</table>")]
    assert [int(y) for y in re.findall(r"<tr><td>(\d{4})</td>", years)] == [y["year"] for y in recent_years()]
    assert "100/9" in years  # staff / tech staff of each year
    for qualification in portrait_firm.qualifications.all():
        assert qualification.type in page and qualification.number in page
    assert "2019-11-01 — 2022-10-31" in page and "已过期" in page  # the 2019 高企 certificate
    assert "将于" in page and "到期" in page  # the 科技型中小企业 certificate expires within 180 days

    hitech = card(page, "hitech")
    assert status_of(hitech) == "未达标"
    assert "科技人员占比还差1个百分点" in hitech
    for code in ("tech_sme", "golden_eagle"):
        assert f'data-testid="assessment-{code}"' in page
    assert "高企培育库" in page and "未通过1项（科技人员占比还差1个百分点）" in page


def test_self_check_changes_the_shown_result_and_stores_nothing(client, portrait_firm, users):
    login(client, users["ph_admin"])
    latest = portrait_firm.years.order_by("-year").first()
    form = {"year": latest.year, **{f: getattr(latest, f) for f in (
        "revenue", "total_cost", "rd_expense", "domestic_rd", "hitech_revenue", "total_assets", "total_liabilities",
        "staff", "ip1", "ip2")}, "tech_staff": 10}
    rows, changes = year_rows(), ChangeRecord.objects.count()

    page = html(client.post(f"/enterprises/{portrait_firm.uscc}/", form))
    hitech = card(page, "hitech")
    assert status_of(hitech) == "达标"
    assert "自评（未保存）" in hitech
    assert "科技人员占比还差" not in hitech
    assert year_rows() == rows
    assert ChangeRecord.objects.count() == changes
    latest.refresh_from_db()
    assert latest.tech_staff == 9

    # The stored figures still give the stored result.
    again = card(html(client.get(f"/enterprises/{portrait_firm.uscc}/")), "hitech")
    assert status_of(again) == "未达标" and "自评（未保存）" not in again


@pytest.mark.parametrize("field, value, message", [
    ("revenue", "一千", "营业收入(万元)不是有效的数字"),
    ("rd_expense", "-3", "研发费用(万元)不能为负数"),
    ("year", "", "请选择年度"),
    ("staff", "12.5", "职工总数应为整数"),
    ("revenue", "NaN", "营业收入(万元)不是有效的数字"),
    ("revenue", "Infinity", "营业收入(万元)不是有效的数字"),
    ("staff", "1e400", "职工总数数值过大"),
    ("revenue", "1e30", "营业收入(万元)数值过大"),
])
def test_bad_self_check_input_shows_a_chinese_error(client, portrait_firm, users, field, value, message):
    login(client, users["ph_admin"])
    form = {"year": timezone.localdate().year - 1, "revenue": "1000", "rd_expense": "60", "staff": "100",
            "tech_staff": "20", field: value}
    rows = year_rows()
    response = client.post(f"/enterprises/{portrait_firm.uscc}/", form)
    page = html(response)
    error = re.search(r'<div class="alert alert-danger[^"]*">([^<]+)</div>', page)
    assert error and message in error.group(1)
    # The result shown is the stored one.
    assert status_of(card(page, "hitech")) == "未达标" and "自评（未保存）" not in page
    assert year_rows() == rows


def test_enterprise_user_sees_only_its_own_portrait(client, own_firm, portrait_firm, users):
    login(client, users["demo_qiye"])
    mine = client.get("/enterprises/mine/")
    assert mine.status_code == 302 and mine["Location"] == f"/enterprises/{own_firm.uscc}/"
    assert "自家科技有限公司" in html(client.get(mine["Location"]))
    assert client.get(f"/enterprises/{portrait_firm.uscc}/").status_code == 404
    # A self-check of its own figures is allowed and stores nothing.
    rows = year_rows()
    page = html(client.post(f"/enterprises/{own_firm.uscc}/", {"year": timezone.localdate().year - 1,
                                                               "revenue": "1000", "staff": "100",
                                                               "tech_staff": "5"}))
    assert "自评（未保存）" in page and year_rows() == rows


def test_mine_without_a_linked_enterprise_is_404(client, rulesets):
    unit = OrgUnit.objects.create(code="T4-ENT-X", name="未关联企业", kind="enterprise",
                                  region=Region.objects.get(code=PH_TOWN2))
    user = User.objects.create_user("t4_unlinked", password="x", role=Role.ENTERPRISE, org_unit=unit)
    assert login(client, user).get("/enterprises/mine/").status_code == 404


@pytest.mark.parametrize("username, pinghu, jiashan", [
    ("admin", 200, 200), ("ph_admin", 200, 404), ("js_admin", 404, 200), ("ph_leader", 200, 404),
    ("jx_leader", 200, 200), ("ph_danghu", 404, 404), ("ph_scjg", 404, 404), ("demo_qiye", 404, 404),
    ("demo_jigou", 404, 404), ("demo_zhuanjia", 404, 404),
])
def test_portrait_scoping(client, rulesets, users, username, pinghu, jiashan):
    ph = make_firm(years=recent_years())
    js = make_firm(region=JS_TOWN, years=recent_years())
    login(client, users[username])
    assert client.get(f"/enterprises/{ph.uscc}/").status_code == pinghu
    assert client.get(f"/enterprises/{js.uscc}/").status_code == jiashan


def test_pages_need_a_login(client, portrait_firm):
    for url in ("/enterprises/", f"/enterprises/{portrait_firm.uscc}/", "/enterprises/ladder/",
                "/enterprises/pools/", "/enterprises/rulesets/", "/enterprises/screenings/"):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


# ------------------------------------------------------------------------------------- enterprise list


@pytest.fixture
def listed(rulesets):
    today = timezone.localdate()
    firms = {
        "alpha": make_firm(name="平湖阿尔法科技有限公司", years=recent_years(),
                           quals=[(HITECH, today - datetime.timedelta(days=30))]),
        "beta": make_firm(name="平湖贝塔新材料有限公司", region=PH_TOWN2, years=recent_years(),
                          quals=[(HITECH, datetime.date(2019, 1, 1))]),  # expired: not "holding"
        "gamma": make_firm(name="嘉善伽马电子有限公司", region=JS_TOWN, years=recent_years()),
    }
    PoolMember.objects.create(pool=Pool.objects.get(code="hitech_reserve"), enterprise=firms["beta"], entered_on=ON,
                              reason="手动", source="manual")
    PoolMember.objects.create(pool=Pool.objects.get(code="hitech_reserve"), enterprise=firms["alpha"],
                              entered_on=ON, exited_on=ON, reason="评测", exit_reason="不再符合")
    return firms


def names_on(page: str, firms: dict) -> set[str]:
    return {key for key, firm in firms.items() if firm.name in page}


def test_enterprise_list_filters(client, listed, users):
    login(client, users["jx_leader"])
    assert names_on(html(client.get("/enterprises/")), listed) == {"alpha", "beta", "gamma"}
    assert names_on(html(client.get("/enterprises/", {"q": "新材料"})), listed) == {"beta"}
    assert names_on(html(client.get("/enterprises/", {"q": listed["gamma"].uscc[-8:]})), listed) == {"gamma"}
    assert names_on(html(client.get("/enterprises/", {"region": PH_COUNTY})), listed) == {"alpha", "beta"}
    assert names_on(html(client.get("/enterprises/", {"region": PH_TOWN2})), listed) == {"beta"}
    assert names_on(html(client.get("/enterprises/", {"qualification": HITECH})), listed) == {"alpha"}
    reserve = Pool.objects.get(code="hitech_reserve").pk
    assert names_on(html(client.get("/enterprises/", {"pool": reserve})), listed) == {"beta"}
    assert names_on(html(client.get("/enterprises/", {"q": "平湖", "qualification": HITECH})), listed) == {"alpha"}


def test_enterprise_list_export(client, listed, users):
    login(client, users["ph_admin"])
    response = client.get("/enterprises/", {"q": "平湖", "_export": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("统一社会信用代码", "企业名称", "所属区域")
    assert sorted(row[:3] for row in rows[1:]) == sorted(
        (f.uscc, f.name, f.region.name) for f in (listed["alpha"], listed["beta"]))


@pytest.mark.parametrize("username, expected", [
    ("admin", {"alpha", "beta", "gamma"}), ("ph_admin", {"alpha", "beta"}), ("js_admin", {"gamma"}),
    ("ph_leader", {"alpha", "beta"}), ("ph_danghu", set()), ("ph_scjg", set()), ("demo_jigou", set()),
])
def test_enterprise_list_scoping(client, listed, users, username, expected):
    page = html(login(client, users[username]).get("/enterprises/"))
    assert names_on(page, listed) == expected
    import_link = "/enterprises/import/enterprises/" in page
    assert import_link is users[username].is_bureau_admin


def test_enterprise_user_lists_only_its_own(client, listed, own_firm, users):
    page = html(login(client, users["demo_qiye"]).get("/enterprises/"))
    assert own_firm.name in page and not names_on(page, listed)


# ------------------------------------------------------------------------------------ pools and ladder


@pytest.mark.parametrize("username", BUREAU)
def test_bureau_reads_ladder_pools_and_screenings(client, listed, users, username):
    login(client, users[username])
    for url in ("/enterprises/ladder/", "/enterprises/pools/", "/enterprises/pools/hitech_incubation/",
                "/enterprises/screenings/"):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("username", OTHERS)
def test_others_cannot_read_ladder_pools_or_screenings(client, listed, users, username):
    login(client, users[username])
    for url in ("/enterprises/ladder/", "/enterprises/pools/", "/enterprises/pools/hitech_incubation/",
                "/enterprises/screenings/"):
        assert client.get(url).status_code == 403, url


def test_pool_pages_show_the_users_firms(client, listed, users):
    login(client, users["js_admin"])
    assert "（0）" in html(client.get("/enterprises/pools/hitech_reserve/"))
    login(client, users["ph_admin"])
    page = html(client.get("/enterprises/pools/hitech_reserve/"))
    assert listed["beta"].name in page and listed["alpha"].name not in page
    everyone = html(client.get("/enterprises/pools/hitech_reserve/", {"all": "1"}))
    assert listed["alpha"].name in everyone and "不再符合" in everyone
    pools_page = html(client.get("/enterprises/pools/"))
    counts = dict(re.findall(r">([^<>]+)</a></td><td class=\"small\">[^<]*</td><td class=\"num\">(\d+)</td>",
                             pools_page))
    assert counts["高企储备库"] == "1" and counts["高企培育库"] == "0"


def test_pool_page_manual_add_and_remove(client, listed, users):
    login(client, users["ph_admin"])
    url = "/enterprises/pools/hitech_incubation/"
    response = client.post(url, {"action": "add", "uscc": listed["alpha"].uscc, "reason": ""})
    assert response.status_code == 302
    assert any("原因" in str(m) for m in get_messages(response.wsgi_request))
    assert not PoolMember.objects.filter(pool__code="hitech_incubation").exists()

    # A firm outside the admin's county cannot be added.
    client.post(url, {"action": "add", "uscc": listed["gamma"].uscc, "reason": "推荐"})
    assert not PoolMember.objects.filter(pool__code="hitech_incubation").exists()

    client.post(url, {"action": "add", "uscc": listed["alpha"].uscc.lower(), "reason": "当湖街道推荐"})
    member = PoolMember.objects.get(pool__code="hitech_incubation")
    assert (member.enterprise, member.source, member.reason, member.added_by) == (
        listed["alpha"], "manual", "当湖街道推荐", users["ph_admin"])
    assert "当湖街道推荐" in html(client.get(url))

    client.post(url, {"action": "remove", "member": member.pk, "reason": ""})
    member.refresh_from_db()
    assert member.exited_on is None
    client.post(url, {"action": "remove", "member": member.pk, "reason": "企业已注销"})
    member.refresh_from_db()
    assert (member.exited_on, member.exit_reason) == (timezone.localdate(), "企业已注销")


def test_leader_cannot_change_a_pool(client, listed, users):
    login(client, users["ph_leader"])
    page = html(client.get("/enterprises/pools/hitech_incubation/"))
    assert 'name="action" value="add"' not in page
    client.post("/enterprises/pools/hitech_incubation/", {"action": "add", "uscc": listed["alpha"].uscc,
                                                          "reason": "推荐"})
    assert not PoolMember.objects.filter(pool__code="hitech_incubation").exists()
    member = PoolMember.objects.get(pool__code="hitech_reserve", exited_on__isnull=True)
    client.post("/enterprises/pools/hitech_reserve/", {"action": "remove", "member": member.pk, "reason": "x"})
    member.refresh_from_db()
    assert member.exited_on is None


# ------------------------------------------------------------------------------------------ rule sets


@pytest.mark.parametrize("username", ["ph_leader", "jx_leader", "ph_danghu", "ph_scjg", "demo_qiye"])
def test_rule_set_pages_are_for_bureau_admins_only(client, rulesets, users, username):
    login(client, users[username])
    assert client.get("/enterprises/rulesets/").status_code == 403
    assert client.get("/enterprises/rulesets/hitech/").status_code == 403
    response = client.post("/enterprises/rulesets/hitech/", {"definition": json.dumps(changed())})
    assert response.status_code == 403
    assert RuleSet.objects.filter(code="hitech").count() == 1


def changed() -> dict:
    definition = RuleSet.objects.get(code="hitech", version=1).definition
    definition["criteria"][2]["min"] = "0.12"
    return definition


def test_rule_set_edit_bad_json_shows_an_error_and_saves_nothing(client, rulesets, users):
    login(client, users["ph_admin"])
    page = html(client.get("/enterprises/rulesets/hitech/"))
    assert "tech_staff_ratio" in page and "当前第" in page
    count = RuleSet.objects.count()
    page = html(client.post("/enterprises/rulesets/hitech/", {"definition": '{"code": "hitech",\n "criteria": [}'}))
    error = page[page.index('data-testid="ruleset-error"'):]
    assert "不是有效的JSON" in error[:200] and "第2行" in error[:200]
    assert '{&quot;code&quot;: &quot;hitech&quot;' in page  # the text typed is kept for correction
    assert RuleSet.objects.count() == count


def test_rule_set_edit_invalid_definition_names_the_problem(client, rulesets, users):
    login(client, users["ph_admin"])
    definition = changed()
    definition["criteria"][1]["kind"] = "bogus"
    page = html(client.post("/enterprises/rulesets/hitech/", {"definition": json.dumps(definition)}))
    error = page[page.index('data-testid="ruleset-error"'):]
    error = error[:error.index("</div>")]
    assert "认定规则定义有误" in error and "bogus" in error
    assert RuleSet.objects.filter(code="hitech").count() == 1


def test_rule_set_edit_saves_a_new_version(client, rulesets, users):
    login(client, users["js_admin"])
    response = client.post("/enterprises/rulesets/hitech/", {"definition": json.dumps(changed(), ensure_ascii=False)})
    assert response.status_code == 302 and response["Location"] == "/enterprises/rulesets/"
    # A county's edit is its own copy, numbered on from the shared version; the shared one stays current.
    versions = {(r.region.code if r.region else None, r.version): r.is_active for r in RuleSet.objects.filter(code="hitech")}
    assert versions == {(None, 1): True, (JS_COUNTY, 2): True}
    page = html(client.get("/enterprises/rulesets/"))
    assert "已保存为第2版" in page and "嘉善县" in page
    assert RuleSet.objects.get(code="hitech", version=2).created_by == users["js_admin"]


def test_unknown_rule_set_page_is_404(client, rulesets, users):
    assert login(client, users["ph_admin"]).get("/enterprises/rulesets/nosuch/").status_code == 404


# ----------------------------------------------------------------------------------------- screenings


def test_screening_page_starts_and_shows_a_screening(client, listed, users, django_capture_on_commit_callbacks):
    login(client, users["ph_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/enterprises/screenings/", {"ruleset": "hitech", "date": "2025-06-30"})
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert (screening.region.code, screening.total, screening.job.status) == (PH_COUNTY, 2, Job.Status.DONE)
    assert "2025-06-30" in html(client.get("/enterprises/screenings/"))
    detail = html(client.get(f"/enterprises/screenings/{screening.pk}/"))
    assert listed["alpha"].name in detail and listed["gamma"].name not in detail
    export = client.get(f"/enterprises/screenings/{screening.pk}/", {"_export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert {row[0] for row in rows[1:]} == {listed["alpha"].uscc, listed["beta"].uscc}


def test_screening_page_refusals(client, listed, users, django_capture_on_commit_callbacks):
    login(client, users["ph_admin"])
    response = client.post("/enterprises/screenings/", {"ruleset": "hitech", "date": "2025/06/30"})
    assert any("YYYY-MM-DD" in str(m) for m in get_messages(response.wsgi_request))
    response = client.post("/enterprises/screenings/", {"ruleset": "nosuch", "date": "2025-06-30"})
    assert any("nosuch" in str(m) for m in get_messages(response.wsgi_request))
    login(client, users["ph_leader"])
    page = html(client.get("/enterprises/screenings/"))
    assert 'name="ruleset"' not in page
    client.post("/enterprises/screenings/", {"ruleset": "hitech", "date": "2025-06-30"})
    assert not Screening.objects.exists()


def test_screening_detail_scoping(client, listed, users):
    screening = screen_now(user=users["ph_admin"], ruleset="hitech", on=ON, region=Region.objects.get(code=PH_COUNTY))
    for username, status in (("ph_leader", 200), ("js_admin", 403), ("demo_qiye", 403), ("ph_danghu", 403)):
        assert login(client, users[username]).get(f"/enterprises/screenings/{screening.pk}/").status_code == status



def test_rule_set_pages_show_names_not_codes(client, rulesets, users):
    """A bureau reads 金鹰, not golden_eagle: the codes stay in links and form values only."""
    screen_now(user=users["admin"], ruleset="golden_eagle", on=datetime.date(2025, 6, 30),
               region=Region.objects.get(code="330482"))
    login(client, users["ph_admin"])
    for url in ("/enterprises/rulesets/", "/enterprises/screenings/", "/enterprises/pools/", "/enterprises/ladder/",
                f"/enterprises/screenings/{Screening.objects.get(ruleset__code='golden_eagle').pk}/"):
        assert "golden_eagle" not in visible_text(html(client.get(url))), url
    page = html(client.get("/enterprises/rulesets/"))
    assert rulesets["golden_eagle"].name in page and ">golden_eagle<" not in page
    assert rulesets["golden_eagle"].name in html(client.get("/enterprises/screenings/"))
