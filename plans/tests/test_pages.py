"""The plan pages through the Django test client: what each role sees, and the forms that write.

The demo data (reference, accounts, both seed plans and the demo towns) takes seconds to load, so it is
loaded once for this module inside a transaction that is rolled back at the end; every test runs in its
own savepoint inside it (pytest-django's ``db``), so what one test writes is gone for the next.
"""

import io
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from core.models import ChangeRecord, OrgUnit, User
from core.periods import Period
from core.testing import latin_words, loaded_once, visible_text
from plans.models import Indicator, IndicatorValue, PeriodLock, Plan, ValueStatus
from plans.services import values

pytestmark = pytest.mark.django_db

PLAN = "PH315-2023"
PINGHU, DANGHU, ZHONGDAI = "330482", "330482001", "330482002"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PH_INDICATORS = [f"PH0{n}" for n in range(1, 10)]
TOWN_INDICATORS = ["PH01", "PH03", "PH05", "PH07", "PH08"]  # decomposed to the towns by the demo
PH_ACTIONS = ["实施重点科创平台提能造峰行动", "实施关键核心技术攻坚突破行动", "实施创新链产业链深度融合行动",
              "实施创新人才集结提质行动", "实施全域创新能级跨越提升行动", "实施创新生态深化打造行动"]
EMPTY_PERIOD = "2026-10"  # no demo figure ends in October: demo towns report quarters and years
STATUSES = {"green", "yellow", "red", "missing", "no_target"}
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """The demo site, loaded once for the module and rolled back after it."""
    from core.demo import load_demo_users
    from core.seed import load_reference
    from plans.services.demo import load_demo_towns
    from plans.services.seed import load_plans

    def load():
        if not Plan.objects.filter(code=PLAN).exists():  # the root conftest may have seeded already
            load_reference()
            load_demo_users()
            load_plans(User.objects.get(username="admin"))
        admin = User.objects.get(username="admin")
        for plan in Plan.objects.filter(code__in=[PLAN, "JS-2025"]):
            load_demo_towns(admin, plan)

    with override_settings(PASSWORD_HASHERS=FAST_HASHER), loaded_once(django_db_blocker, load):
        yield


@pytest.fixture(autouse=True)
def _fresh(site, db):
    cache.clear()
    yield
    cache.clear()


# --------------------------------------------------------------------------------------------- helpers


def login(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def html_of(response) -> str:
    return response.content.decode()


def unit(code) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def indicator(code) -> Indicator:
    return Indicator.objects.select_related("plan__region").get(plan__code=PLAN, code=code)


def value_at(code, place, period):
    return IndicatorValue.objects.filter(indicator__plan__code=PLAN, indicator__code=code, place__code=place,
                                         period=period).first()


def entry_key(code, place) -> str:
    return f"{indicator(code).pk}-{unit(place).pk}"


def card(html: str, code: str) -> str:
    """The HTML of one indicator card of the cockpit."""
    start = html.index(f'data-testid="card-{code}"')
    end = html.find('data-testid="card-', start + 1)
    return html[start:end if end != -1 else len(html)]


def card_status(html: str, code: str) -> str:
    match = re.search(rf'data-testid="card-{code}" data-status="(\w+)"', html)
    assert match, f"no card for {code}"
    return match.group(1)


def entry_row(html: str, code: str) -> str:
    start = html.index(f'<tr data-testid="entry-{code}"')
    return html[start:html.index("</tr>", start)]


def xlsx_rows(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def upload(rows: list[list], name="填报.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def submitted(value="3.5", code="PH01", place=DANGHU, period=EMPTY_PERIOD, username="ph_danghu"):
    """A figure a reporter has submitted for review (through the service the pages call)."""
    return values.report_value(reporter=User.objects.get(username=username), indicator=indicator(code),
                               place=unit(place), period=Period.parse(period), value=Decimal(value), submit=True)


# ------------------------------------------------------------------------------------- landing pages


def test_menu_entries_land_on_the_first_visible_plan(client):
    login(client, "ph_admin")
    assert client.get("/plans/go/")["Location"] == f"/plans/{PLAN}/"
    assert client.get("/plans/report/")["Location"] == f"/plans/{PLAN}/report/"
    assert client.get("/plans/review/")["Location"] == f"/plans/{PLAN}/review/"
    # A town lands on its own town's cockpit.
    login(client, "ph_danghu")
    assert client.get("/plans/go/")["Location"] == f"/plans/{PLAN}/?place={DANGHU}"
    # 嘉善's admin lands on 嘉善's plan, never on 平湖's.
    login(client, "js_admin")
    assert client.get("/plans/go/")["Location"] == "/plans/JS-2025/"


def test_enterprise_user_has_no_plan_to_land_on(client):
    login(client, "demo_qiye")
    response = client.get("/plans/go/")
    assert response.status_code == 200
    assert "还没有规划" in html_of(response)
    assert PLAN not in html_of(response)


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(f"/plans/{PLAN}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


# ------------------------------------------------------------------------------------------- cockpit


def test_cockpit_shows_a_card_per_indicator_with_its_status(client):
    response = login(client, "ph_admin").get(f"/plans/{PLAN}/")
    assert response.status_code == 200
    html = html_of(response)
    cards = re.findall(r'data-testid="card-(\w+)" data-status="(\w+)"', html)
    assert [code for code, _status in cards] == PH_INDICATORS
    assert {status for _code, status in cards} <= STATUSES
    # The badges above the cards count the same statuses.
    counts = dict(re.findall(r'<span class="badge badge-(\w+)">[^<]*?(\d+)</span>', html))
    for status in STATUSES:
        assert int(counts[status]) == sum(1 for _c, s in cards if s == status)
    # Each card names its indicator and links to its page.
    assert "规上工业研发费用" in card(html, "PH01")
    assert f"/plans/{PLAN}/indicators/PH01/" in card(html, "PH01")


def test_cockpit_shows_the_seed_figure_of_the_documents(client):
    html = html_of(login(client, "ph_admin").get(f"/plans/{PLAN}/?period=2023-11"))
    ph05 = card(html, "PH05")
    assert "技术交易总额" in ph05
    assert "80.61" in ph05
    # 1-11月 80.61亿元 against a pro-rata target of 27.5 is far above target.
    assert card_status(html, "PH05") == "green"
    assert "2023年11月" in html
    # Nothing else was reported for November 2023.
    assert card_status(html, "PH01") == "missing"


def test_cockpit_is_chinese(client):
    html = html_of(login(client, "ph_admin").get(f"/plans/{PLAN}/"))
    assert '<html lang="zh-CN">' in html
    assert "驾驶舱" in html and "完成率" in html
    for word in ("Login", "Logout", "Submit", "Dashboard", "Completion", "Target", "Status"):
        assert word not in visible_text(html)
    assert latin_words(html) == set()


def test_cockpit_for_a_place(client):
    login(client, "ph_admin")
    html = html_of(client.get(f"/plans/{PLAN}/?place={DANGHU}&period=2023"))
    assert "当湖街道 · 2023年" in html
    # The decomposed indicators have the town's (demo) figures and targets; the others nothing.
    for code in PH_INDICATORS:
        if code in TOWN_INDICATORS:
            assert card_status(html, code) in {"green", "yellow", "red"}, code
            assert "演示" in card(html, code)
        else:
            assert card_status(html, code) == "missing", code
    assert client.get(f"/plans/{PLAN}/?place=999999999").status_code == 404
    assert client.get(f"/plans/{PLAN}/?period=2023Q9").status_code == 404


def test_town_reporter_sees_only_its_own_town_on_the_cockpit(client):
    login(client, "ph_danghu")
    own = client.get(f"/plans/{PLAN}/?place={DANGHU}")
    assert own.status_code == 200
    # The place picker offers the county and the town itself, no other town.
    picker = re.search(r'<select[^>]*id="place".*?</select>', html_of(own), re.S).group(0)
    assert "当湖街道" in picker and "平湖市" in picker
    assert "钟埭街道" not in picker
    other = client.get(f"/plans/{PLAN}/?place={ZHONGDAI}")
    assert other.status_code == 403
    assert "无权查看该地区的数据" in html_of(other)
    assert "Forbidden" not in html_of(other)


def test_approved_figures_only_change_the_cockpit(client):
    url = f"/plans/{PLAN}/?place={DANGHU}&period={EMPTY_PERIOD}"
    login(client, "ph_admin")
    assert card_status(html_of(client.get(url)), "PH01") == "missing"
    row = submitted("10")
    # Waiting for review: not counted yet.
    assert card_status(html_of(client.get(url)), "PH01") == "missing"
    values.approve_value(reviewer=User.objects.get(username="ph_admin"), value_id=row.pk)
    html = html_of(client.get(url))
    # 10亿元 against a pro-rata town target of about 3.4亿元.
    assert card_status(html, "PH01") == "green"
    assert ">10 <small" in card(html, "PH01")


# ---------------------------------------------------------------------------------------- indicator


@pytest.mark.parametrize(("by", "column"), [("completion", 4), ("value", 2)])
def test_indicator_page_ranks_the_towns(client, by, column):
    response = login(client, "ph_admin").get(f"/plans/{PLAN}/indicators/PH01/?period=2025&by={by}")
    assert response.status_code == 200
    html = html_of(response)
    assert "规上工业研发费用（亿元）" in html
    assert re.search(rf'class="btn btn-outline-secondary active" href="[^"]*by={by}"', html)
    table = re.search(r'data-testid="ranking">(.*?)</table>', html, re.S).group(1)
    rows = re.findall(r"<tr><td>(\d+|—)</td><td>([^<]+)</td>(.*?)</tr>", table, re.S)
    assert {"当湖街道", "钟埭街道", "广陈镇"} <= {name for _rank, name, _rest in rows}
    ranked = [(int(rank), re.findall(r'<td class="num">([^<]*)</td>', rest)) for rank, _n, rest in rows
              if rank != "—"]
    assert [rank for rank, _cells in ranked] == sorted(rank for rank, _cells in ranked)
    metric = [Decimal(cells[column - 2].rstrip("%").replace(",", "")) for _r, cells in ranked]
    assert metric == sorted(metric, reverse=True), f"ranking by {by} is not in order"


def test_indicator_page_with_an_unknown_ranking_falls_back_to_completion(client):
    html = html_of(login(client, "ph_admin").get(f"/plans/{PLAN}/indicators/PH01/?by=nonsense"))
    assert re.search(r'class="btn btn-outline-secondary active" href="[^"]*by=completion"', html)


def test_town_reporter_ranking_shows_only_its_town(client):
    html = html_of(login(client, "ph_danghu").get(f"/plans/{PLAN}/indicators/PH01/?period=2025&by=value"))
    table = re.search(r'data-testid="ranking">(.*?)</table>', html, re.S).group(1)
    assert "当湖街道" in table
    assert "钟埭街道" not in table
    targets = re.search(r'data-testid="targets">(.*?)</table>', html, re.S).group(1)
    assert "钟埭街道" not in targets
    assert "编辑指标" not in html


def test_indicator_of_another_plan_is_not_found(client):
    assert login(client, "ph_admin").get(f"/plans/{PLAN}/indicators/JS01/").status_code == 404


# ---------------------------------------------------------------------------------- plan list / detail


def test_plan_detail_lists_the_six_actions_and_nine_indicators(client):
    response = login(client, "ph_leader").get(f"/plans/{PLAN}/about/")
    assert response.status_code == 200
    html = html_of(response)
    headings = re.findall(r'<h3 class="h6">(\d+)\. ([^<]+)</h3>', html)
    assert headings == [(str(n), title) for n, title in enumerate(PH_ACTIONS, start=1)]
    indicators = re.search(r'data-testid="indicators">(.*?)</table>', html, re.S).group(1)
    assert indicators.count("<tr><td>") == 9
    assert "每万人高价值发明专利拥有量" in indicators
    # A leader reads; only a bureau admin imports.
    assert "导入指标进度表" not in html
    assert "导入指标进度表" in html_of(login(client, "ph_admin").get(f"/plans/{PLAN}/about/"))


def test_plan_list_search_and_sort(client):
    login(client, "admin")
    html = html_of(client.get("/plans/"))
    assert PLAN in html and "JS-2025" in html
    only_js = html_of(client.get("/plans/?q=嘉善"))
    assert "JS-2025" in only_js and PLAN not in only_js
    none = html_of(client.get("/plans/?q=没有这样的规划"))
    assert "JS-2025" not in none and PLAN not in none
    ascending = html_of(client.get("/plans/?sort=code"))
    assert ascending.index("JS-2025") < ascending.index(PLAN)
    descending = html_of(client.get("/plans/?sort=-code"))
    assert descending.index(PLAN) < descending.index("JS-2025")


def test_plan_list_is_scoped(client):
    html = html_of(login(client, "ph_admin").get("/plans/"))
    assert PLAN in html and "JS-2025" not in html
    html = html_of(login(client, "js_weitang").get("/plans/"))
    assert "JS-2025" in html and PLAN not in html
    html = html_of(login(client, "demo_qiye").get("/plans/"))
    assert PLAN not in html and "JS-2025" not in html


def test_plan_list_exports_what_it_shows_as_xlsx(client):
    login(client, "admin")
    response = client.get("/plans/?q=平湖&_export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    rows = xlsx_rows(response.content)
    assert rows[0][:3] == ["编号", "名称", "区划"]
    assert "驾驶舱" not in rows[0]
    assert [row[0] for row in rows[1:]] == [PLAN]
    assert rows[1][2] == "平湖市"


# ------------------------------------------------------------------------------------------ values


def test_value_list_filters_and_exports(client):
    login(client, "ph_admin")
    url = f"/plans/values/?plan={PLAN}&indicator=PH05&place={PINGHU}&period=2023-11"
    html = html_of(client.get(url))
    table = re.search(r"<tbody[^>]*>(.*?)</tbody>", html, re.S).group(1)
    assert table.count("<tr") == 1
    assert "80.61" in table and "技术交易总额" in table
    rows = xlsx_rows(client.get(url + "&_export=xlsx").content)
    assert len(rows) == 2
    assert 80.61 in rows[1]


def test_value_list_is_scoped(client):
    html = html_of(login(client, "ph_danghu").get(f"/plans/values/?plan={PLAN}"))
    assert "当湖街道" in html
    assert "钟埭街道" not in re.search(r"<tbody[^>]*>(.*?)</tbody>", html, re.S).group(1)
    html = html_of(login(client, "js_admin").get(f"/plans/values/?plan={PLAN}"))
    assert "技术交易总额" not in re.search(r"<tbody[^>]*>(.*?)</tbody>", html, re.S).group(1)


def test_value_list_dates_are_chinese_for_an_english_browser(client):
    login(client, "ph_admin")
    html = html_of(client.get(f"/plans/values/?plan={PLAN}&period=2023-11", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"))
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", html)
    assert "a.m." not in html and "p.m." not in html


def test_value_detail_shows_the_figure_and_its_history(client):
    row = submitted("3.5")
    values.approve_value(reviewer=User.objects.get(username="ph_admin"), value_id=row.pk, opinion="数据核实无误")
    response = login(client, "ph_admin").get(f"/plans/values/{row.pk}/")
    assert response.status_code == 200
    html = html_of(response)
    assert "规上工业研发费用 当湖街道 2026-10" in html
    fields = dict(re.findall(r'<tr><th class="text-nowrap">([^<]+)</th><td>([^<]*)</td></tr>', html))
    assert fields["数值"] == "3.5"
    assert fields["状态"] == "已审核"
    assert fields["审核意见"] == "数据核实无误"
    assert fields["演示数据"] == "否"
    history = re.search(r'data-testid="history">(.*?)</table>', html, re.S).group(1)
    assert history.count("<tr><td") == 2
    assert "新建" in history and "流转" in history and "数据核实无误" in history
    # The history speaks Chinese: field names and states as the page shows them, not their codes.
    assert "状态" in history and "已审核" in history
    assert latin_words(history) == set()


def test_seed_value_detail_shows_its_source(client):
    seed = value_at("PH05", PINGHU, "2023-11")
    html = html_of(login(client, "ph_leader").get(f"/plans/values/{seed.pk}/"))
    assert "80.61" in html
    assert "1-11月全市技术交易额80.61亿元" in html


def test_town_reporter_cannot_open_another_towns_value(client):
    login(client, "ph_danghu")
    own = IndicatorValue.objects.filter(place__code=DANGHU).first()
    other = IndicatorValue.objects.filter(place__code=ZHONGDAI).first()
    assert client.get(f"/plans/values/{own.pk}/").status_code == 200
    response = client.get(f"/plans/values/{other.pk}/")
    assert response.status_code == 404
    assert "钟埭街道" not in html_of(response)


# -------------------------------------------------------------------------------------- data entry


def test_entry_page_lists_what_a_town_reports(client):
    response = login(client, "ph_danghu").get(f"/plans/{PLAN}/report/?period={EMPTY_PERIOD}")
    assert response.status_code == 200
    html = html_of(response)
    assert re.findall(r'<tr data-testid="entry-(\w+)"', html) == TOWN_INDICATORS
    row = entry_row(html, "PH01")
    assert "当湖街道" in row and "未填报" in row
    assert f'name="value-{entry_key("PH01", DANGHU)}"' in row
    assert "提交审核" in html and "保存草稿" in html


def test_unit_reporters_see_their_indicators_only(client):
    html = html_of(login(client, "ph_scjg").get(f"/plans/{PLAN}/report/"))
    assert re.findall(r'<tr data-testid="entry-(\w+)"', html) == ["PH09"]
    response = login(client, "ph_fgj").get(f"/plans/{PLAN}/report/")
    assert response.status_code == 200
    html = html_of(response)
    assert 'data-testid="entry-' not in html
    assert 'data-testid="entry-form"' not in html
    assert "没有需要填报的指标" in html


def test_town_reporter_submits_a_value(client):
    login(client, "ph_danghu")
    key = entry_key("PH01", DANGHU)
    response = client.post(f"/plans/{PLAN}/report/", {
        "period": EMPTY_PERIOD, f"value-{key}": "3500万", f"note-{key}": "十月快报", "action": "submit"})
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{PLAN}/report/?period={EMPTY_PERIOD}"
    row = value_at("PH01", DANGHU, EMPTY_PERIOD)
    assert row.status == ValueStatus.SUBMITTED
    assert row.value == Decimal("0.35")  # 3500万 in 亿元
    assert row.approved_value is None
    assert row.note == "十月快报"
    assert row.reporter.username == "ph_danghu"
    html = html_of(client.get(response["Location"]))
    assert "已提交审核：1项" in html
    assert "待审核" in entry_row(html, "PH01")


def test_a_draft_is_saved_without_review(client):
    login(client, "ph_danghu")
    key = entry_key("PH03", DANGHU)
    client.post(f"/plans/{PLAN}/report/", {"period": EMPTY_PERIOD, f"value-{key}": "20", "action": "draft"})
    assert value_at("PH03", DANGHU, EMPTY_PERIOD).status == ValueStatus.DRAFT


def test_a_bad_value_is_shown_next_to_its_row_and_nothing_is_saved(client):
    login(client, "ph_danghu")
    response = client.post(f"/plans/{PLAN}/report/", {
        "period": EMPTY_PERIOD, "action": "submit",
        f"value-{entry_key('PH01', DANGHU)}": "abc",
        f"value-{entry_key('PH03', DANGHU)}": "20"})
    assert response.status_code == 200
    html = html_of(response)
    bad = entry_row(html, "PH01")
    assert "is-invalid" in bad
    error = re.search(r'<div class="invalid-feedback d-block">([^<]+)</div>', bad).group(1)
    assert re.search(r"[\u4e00-\u9fff]", error), error
    assert "invalid-feedback" not in entry_row(html, "PH03")
    assert "有1项填写有误，未保存任何数据" in html
    assert value_at("PH01", DANGHU, EMPTY_PERIOD) is None
    assert value_at("PH03", DANGHU, EMPTY_PERIOD) is None


def test_a_percentage_over_100_is_refused_and_nothing_is_saved(client):
    login(client, "ph_admin")
    before = IndicatorValue.objects.count()
    response = client.post(f"/plans/{PLAN}/report/", {
        "period": EMPTY_PERIOD, "action": "submit",
        f"value-{entry_key('PH01', PINGHU)}": "60",
        f"value-{entry_key('PH02', PINGHU)}": "150"})
    assert response.status_code == 200
    html = html_of(response)
    assert "百分比不能超过100" in entry_row(html, "PH02")
    assert "invalid-feedback" not in entry_row(html, "PH01")
    assert IndicatorValue.objects.count() == before
    assert value_at("PH01", PINGHU, EMPTY_PERIOD) is None


def test_a_stale_version_is_refused_and_nothing_is_saved(client):
    danghu = User.objects.get(username="ph_danghu")
    first = values.report_value(reporter=danghu, indicator=indicator("PH01"), place=unit(DANGHU),
                                period=Period.parse(EMPTY_PERIOD), value=Decimal("3"), submit=False)
    login(client, "ph_danghu")
    key = entry_key("PH01", DANGHU)
    page = html_of(client.get(f"/plans/{PLAN}/report/?period={EMPTY_PERIOD}"))
    assert f'name="version-{key}" value="{first.version}"' in page
    # Meanwhile the figure is saved again from another window.
    values.report_value(reporter=danghu, indicator=indicator("PH01"), place=unit(DANGHU),
                        period=Period.parse(EMPTY_PERIOD), value=Decimal("4"), submit=False)
    response = client.post(f"/plans/{PLAN}/report/", {
        "period": EMPTY_PERIOD, "action": "submit", f"value-{key}": "5", f"version-{key}": str(first.version),
        f"value-{entry_key('PH03', DANGHU)}": "20"})
    assert response.status_code == 200
    assert "已被他人修改" in entry_row(html_of(response), "PH01")
    row = value_at("PH01", DANGHU, EMPTY_PERIOD)
    assert (row.value, row.version, row.status) == (Decimal("4"), first.version + 1, ValueStatus.DRAFT)
    assert value_at("PH03", DANGHU, EMPTY_PERIOD) is None


def test_a_locked_period_is_refused(client):
    login(client, "ph_admin")
    response = client.post(f"/plans/{PLAN}/lock/", {"period": "2024Q1", "action": "lock", "reason": "年报已定"})
    assert response.status_code == 302
    assert PeriodLock.objects.get(plan__code=PLAN, period="2024Q1").locked
    review = html_of(client.get(f"/plans/{PLAN}/review/"))
    assert "已锁定" in review and "年报已定" in review
    login(client, "ph_danghu")
    response = client.post(f"/plans/{PLAN}/report/", {
        "period": "2024-02", "action": "submit", f"value-{entry_key('PH01', DANGHU)}": "1"})
    assert "已锁定" in entry_row(html_of(response), "PH01")
    assert value_at("PH01", DANGHU, "2024-02") is None


def test_reopening_needs_a_reason(client):
    login(client, "ph_admin")
    client.post(f"/plans/{PLAN}/lock/", {"period": "2024Q1", "action": "lock"})
    html = html_of(client.post(f"/plans/{PLAN}/lock/", {"period": "2024Q1", "action": "reopen"}, follow=True))
    assert "重新开放期间必须说明原因" in html
    assert PeriodLock.objects.get(plan__code=PLAN, period="2024Q1").locked


# ------------------------------------------------------------------------------------------ review


def test_review_page_lists_submitted_figures(client):
    row = submitted("3.5")
    response = login(client, "ph_admin").get(f"/plans/{PLAN}/review/")
    assert response.status_code == 200
    html = html_of(response)
    assert f'<tr id="value-{row.pk}" data-testid="review-PH01-{DANGHU}"' in html
    pending = IndicatorValue.objects.filter(indicator__plan__code=PLAN, status=ValueStatus.SUBMITTED).count()
    assert f"待审核 {pending} 条" in html
    # One approve button a row, one for the ticked rows, and a tick box for each row.
    assert html.count('name="action" value="approve"') == pending + 1
    assert html.count('name="values"') == pending


def test_review_approve(client):
    row = submitted("3.5")
    login(client, "ph_admin")
    response = client.post(f"/plans/values/{row.pk}/review/", {"action": "approve", "version": row.version})
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{PLAN}/review/"
    row.refresh_from_db()
    assert row.status == ValueStatus.APPROVED
    assert row.approved_value == Decimal("3.5")
    assert row.reviewed_by.username == "ph_admin"
    html = html_of(client.get(response["Location"]))
    assert "已处理" in html
    assert f'id="value-{row.pk}"' not in html


def test_review_return_needs_an_opinion(client):
    row = submitted("3.5")
    login(client, "ph_admin")
    response = client.post(f"/plans/values/{row.pk}/review/", {"action": "return", "version": row.version},
                           follow=True)
    assert "退回时必须填写审核意见" in html_of(response)
    fresh = IndicatorValue.objects.get(pk=row.pk)
    assert (fresh.status, fresh.version, fresh.review_opinion) == (ValueStatus.SUBMITTED, row.version, "")

    client.post(f"/plans/values/{row.pk}/review/", {"action": "return", "version": row.version,
                                                    "opinion": "请按统计快报口径重报"})
    fresh.refresh_from_db()
    assert fresh.status == ValueStatus.RETURNED
    assert fresh.review_opinion == "请按统计快报口径重报"
    # The town sees why on its entry page.
    html = html_of(login(client, "ph_danghu").get(f"/plans/{PLAN}/report/?period={EMPTY_PERIOD}"))
    assert "已退回" in entry_row(html, "PH01")
    assert "请按统计快报口径重报" in entry_row(html, "PH01")


def test_review_with_a_stale_version_changes_nothing(client):
    row = submitted("3.5")
    login(client, "ph_admin")
    html = html_of(client.post(f"/plans/values/{row.pk}/review/",
                               {"action": "approve", "version": row.version - 1}, follow=True))
    assert "已被他人修改" in html
    row.refresh_from_db()
    assert row.status == ValueStatus.SUBMITTED


def test_review_by_htmx_returns_the_row(client):
    row = submitted("3.5")
    login(client, "ph_admin")
    url = f"/plans/values/{row.pk}/review/"
    response = client.post(url, {"action": "approve", "version": row.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    fragment = html_of(response).strip()
    assert fragment.startswith(f'<tr id="value-{row.pk}"')
    assert "<html" not in fragment
    assert re.search(r'data-testid="review-result">已审核</span>', fragment)
    assert "hx-post" not in fragment
    assert IndicatorValue.objects.get(pk=row.pk).status == ValueStatus.APPROVED


def test_review_by_htmx_return_without_and_with_opinion(client):
    row = submitted("3.5")
    login(client, "ph_admin")
    url = f"/plans/values/{row.pk}/review/"
    fragment = html_of(client.post(url, {"action": "return", "version": row.version}, HTTP_HX_REQUEST="true"))
    assert fragment.strip().startswith(f'<tr id="value-{row.pk}"')
    assert "退回时必须填写审核意见" in fragment
    assert "hx-post" in fragment  # still waiting: the buttons stay
    assert IndicatorValue.objects.get(pk=row.pk).status == ValueStatus.SUBMITTED
    fragment = html_of(client.post(url, {"action": "return", "version": row.version, "opinion": "口径不一致"},
                                   HTTP_HX_REQUEST="true"))
    assert re.search(r'data-testid="review-result">已退回</span> 口径不一致', fragment)
    assert IndicatorValue.objects.get(pk=row.pk).status == ValueStatus.RETURNED


@pytest.mark.parametrize("username", ["ph_leader", "js_admin"])
def test_only_the_plans_bureau_reviews(client, username):
    row = submitted("3.5")
    login(client, username)
    assert client.post(f"/plans/values/{row.pk}/review/", {"action": "approve"}).status_code == 404
    assert IndicatorValue.objects.get(pk=row.pk).status == ValueStatus.SUBMITTED


def test_a_reporter_cannot_approve_its_own_figure(client):
    row = submitted("3.5")
    response = login(client, "ph_danghu").post(f"/plans/values/{row.pk}/review/", {"action": "approve"})
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["只有本地区科技局管理员可以审核"]
    row.refresh_from_db()
    assert (row.status, row.approved_value) == (ValueStatus.SUBMITTED, None)


def test_review_actions_are_post_only(client):
    row = submitted("3.5")
    assert login(client, "ph_admin").get(f"/plans/values/{row.pk}/review/").status_code == 405


# ------------------------------------------------------------------------------------ indicator edit


def _indicator_form(ind, **changes):
    data = {"name": ind.name, "unit": ind.unit, "kind": ind.kind, "direction": ind.direction,
            "frequency": ind.frequency, "note": ind.note}
    data.update(changes)
    return data


def test_indicator_edit_saves_with_history(client):
    login(client, "ph_admin")
    url = f"/plans/{PLAN}/indicators/PH01/edit/"
    page = html_of(client.get(url))
    assert 'value="规上工业研发费用"' in page
    stamp = re.search(r'name="_stamp" value="([^"]*)"', page).group(1)
    response = client.post(url, {**_indicator_form(indicator("PH01"), note="按统计快报口径"), "_stamp": stamp})
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{PLAN}/indicators/PH01/"
    ind = indicator("PH01")
    assert ind.note == "按统计快报口径"
    change = ChangeRecord.objects.filter(object_id=str(ind.pk), content_type__model="indicator").first()
    assert change.actor.username == "ph_admin"
    assert change.after["note"] == "按统计快报口径"


def test_indicator_edit_refuses_a_stale_form(client):
    login(client, "ph_admin")
    url = f"/plans/{PLAN}/indicators/PH01/edit/"
    response = client.post(url, {**_indicator_form(indicator("PH01"), note="迟到的修改"), "_stamp": "stale"})
    assert response.status_code == 200
    assert "该记录已被他人修改" in html_of(response)
    assert indicator("PH01").note != "迟到的修改"


def test_indicator_edit_shows_field_errors_in_chinese(client):
    login(client, "ph_admin")
    url = f"/plans/{PLAN}/indicators/PH01/edit/"
    html = html_of(client.post(url, {**_indicator_form(indicator("PH01"), name=""), "_stamp": "x"},
                               HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"))
    assert "该字段是必填项" in html
    assert "This field is required" not in html


@pytest.mark.parametrize("username", ["ph_leader", "ph_danghu", "js_admin"])
def test_only_the_plans_bureau_edits_indicators(client, username):
    login(client, username)
    url = f"/plans/{PLAN}/indicators/PH01/edit/"
    assert client.get(url).status_code == 404
    assert client.post(url, _indicator_form(indicator("PH01"), note="越权")).status_code == 404
    assert indicator("PH01").note != "越权"


# ---------------------------------------------------------------------------------------- imports


def test_indicator_table_import_page_and_template(client):
    login(client, "ph_admin")
    html = html_of(client.get(f"/plans/{PLAN}/indicators/import/"))
    assert "导入指标进度表（附件1格式）" in html
    assert 'data-testid="template-link"' in html
    response = client.get(f"/plans/{PLAN}/indicators/import/?template=1")
    assert response["Content-Type"] == XLSX
    header = xlsx_rows(response.content)[0]
    assert "序号" in header and "责任单位" in header
    login(client, "ph_leader")
    assert client.get(f"/plans/{PLAN}/indicators/import/").status_code == 404


def test_value_import_template_has_the_towns_rows(client):
    response = login(client, "ph_danghu").get(f"/plans/{PLAN}/import/?template=1")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    rows = xlsx_rows(response.content)
    assert rows[0] == ["指标", "地区", "期间", "数值", "说明", "口径"]
    assert [row[0] for row in rows[1:]] == [indicator(code).name for code in TOWN_INDICATORS]
    assert {row[1] for row in rows[1:]} == {"当湖街道"}


def test_value_import_page(client):
    html = html_of(login(client, "ph_danghu").get(f"/plans/{PLAN}/import/"))
    assert "导入指标数据" in html
    assert 'type="file" name="file"' in html
    assert 'href="?template=1"' in html


def test_a_bad_value_import_lists_every_problem_and_writes_nothing(client):
    login(client, "ph_danghu")
    before = IndicatorValue.objects.count()
    response = client.post(f"/plans/{PLAN}/import/", {"file": upload([
        ["指标", "地区", "期间", "数值", "说明"],
        ["规上工业研发费用", "当湖街道", EMPTY_PERIOD, "3.5", ""],
        ["高新技术产业增加值", "当湖街道", EMPTY_PERIOD, "abc", ""],
        ["技术交易总额", "钟埭街道", EMPTY_PERIOD, "2", ""],
        ["技术交易总额", "当湖街道", "2026Q5", "2", ""],
        ["没有这个指标", "当湖街道", EMPTY_PERIOD, "2", ""],
    ])})
    assert response.status_code == 400
    html = html_of(response)
    assert "有 4 处问题，未导入任何数据" in html
    table = re.search(r'data-testid="problems">(.*?)</table>', html, re.S).group(1)
    problems = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", table)
    by_row = {row: (column, message) for row, column, message in problems}
    assert set(by_row) == {"第3行", "第4行", "第5行", "第6行"}
    assert by_row["第3行"][0] == "D列（数值）"
    assert by_row["第4行"] == ("A列（指标）", "只能填报本镇街道的数据")
    assert by_row["第5行"][0] == "C列（期间）"
    assert by_row["第6行"][0] == "A列（指标）" and "没有这个指标" in by_row["第6行"][1]
    assert all(re.search(r"[\u4e00-\u9fff]", message) for _r, _c, message in problems)
    assert IndicatorValue.objects.count() == before
    assert value_at("PH01", DANGHU, EMPTY_PERIOD) is None


def test_a_good_value_import_writes_and_redirects(client):
    login(client, "ph_danghu")
    response = client.post(f"/plans/{PLAN}/import/", {"file": upload([
        ["指标", "地区", "期间", "数值", "说明"],
        ["PH01", "当湖街道", EMPTY_PERIOD, "3.5", "快报"],
        ["技术交易总额", "330482001", "2026年10月", "2800万", None],
    ])})
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{PLAN}/report/"
    ph01, ph05 = value_at("PH01", DANGHU, EMPTY_PERIOD), value_at("PH05", DANGHU, EMPTY_PERIOD)
    assert (ph01.value, ph01.status, ph01.note) == (Decimal("3.5"), ValueStatus.SUBMITTED, "快报")
    assert ph05.value == Decimal("0.28")
    assert "导入成功：2条" in html_of(client.get(response["Location"]))


def test_an_import_without_a_file_says_so(client):
    response = login(client, "ph_danghu").post(f"/plans/{PLAN}/import/", {})
    assert response.status_code == 400
    assert "请选择要导入的文件" in html_of(response)


# ----------------------------------------------------------------------------------------- export


def test_progress_export_is_laid_out_like_the_attachment(client):
    response = login(client, "ph_leader").get(f"/plans/{PLAN}/export.xlsx?year=2023")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "PH315-2023-2023.xlsx" in response["Content-Disposition"]
    rows = xlsx_rows(response.content)
    assert "主要指标进度表（2023年）" in rows[0][0]
    header = rows[1]
    assert header[:2] == ["序号", "指标"] and "状态" in header and "2023年完成值" in header
    names = [row[1] for row in rows[2:]]
    assert len(names) == 9
    assert any("技术交易总额" in name for name in names)


def test_progress_export_year_out_of_range_falls_back_to_the_first_year(client):
    response = login(client, "ph_admin").get(f"/plans/{PLAN}/export.xlsx?year=1999")
    assert "PH315-2023-2023.xlsx" in response["Content-Disposition"]


# ---------------------------------------------------------------------------------------- scoping

PLAN_PAGES = ["", "about/", "indicators/PH01/", "report/", "review/", "import/", "import/?template=1",
              "export.xlsx", "indicators/import/", "indicators/PH01/edit/"]


@pytest.mark.parametrize("username", ["demo_qiye", "demo_jigou", "demo_zhuanjia", "js_admin", "js_weitang"])
@pytest.mark.parametrize("page", PLAN_PAGES)
def test_plan_pages_are_not_found_outside_the_plans_region(client, username, page):
    response = login(client, username).get(f"/plans/{PLAN}/{page}")
    assert response.status_code == 404
    assert "平湖市“315”" not in html_of(response)


def test_not_found_page_is_chinese(client):
    response = login(client, "demo_qiye").get(f"/plans/{PLAN}/")
    assert response.status_code == 404
    html = html_of(response)
    assert '<html lang="zh-CN">' in html
    assert "页面不存在" in html
    assert latin_words(html) == set()


@pytest.mark.parametrize("username", ["ph_leader", "ph_danghu", "ph_scjg"])
def test_only_bureau_admins_open_the_review_page(client, username):
    response = login(client, username).get(f"/plans/{PLAN}/review/")
    assert response.status_code == 403
    assert "只有科技局管理员可以审核" in html_of(response)


def test_leader_reads_every_page_of_the_region(client):
    login(client, "ph_leader")
    for page in ("", f"?place={ZHONGDAI}", "about/", "indicators/PH05/?by=growth", "export.xlsx"):
        assert client.get(f"/plans/{PLAN}/{page}").status_code == 200, page
    # ...but has nothing to report.
    assert 'data-testid="entry-' not in html_of(client.get(f"/plans/{PLAN}/report/"))


def test_pages_of_the_plan_are_all_chinese(client):
    row = submitted("3.5")
    login(client, "ph_admin")
    pages = ["", "about/", "indicators/PH01/", "report/", "review/", "import/", "indicators/import/",
             "indicators/PH01/edit/"]
    for page in pages:
        html = html_of(client.get(f"/plans/{PLAN}/{page}"))
        assert '<html lang="zh-CN">' in html
        assert latin_words(html, allowed={"Excel", "CSV", "UTF", "GBK", "xlsx", "xls"}) == set(), page
    for url in ("/plans/", f"/plans/values/?plan={PLAN}", f"/plans/values/{row.pk}/"):
        # Plan codes (PH315-2023) are data, not words of the interface.
        assert latin_words(html_of(client.get(url)), allowed={"Excel", "PH", "JS"}) == set(), url

