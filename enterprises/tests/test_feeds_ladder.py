"""The ladder (梯队) of qualifications per year, its page, and the plan indicators fed by the qualification
registry (never overwriting a figure from another source)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from enterprises.models import LADDER, Enterprise
from enterprises.queries import ladder, moved_up
from enterprises.tests.conftest import HITECH, JS_TOWN, PH_COUNTY, PH_TOWN2, SME, make_firm
from plans.models import IndicatorValue
from plans.services.feeds import feed_all, feed_plan

pytestmark = pytest.mark.django_db

D = datetime.date
GIANT, LEADER = "省科技小巨人企业", "科技领军企业"


@pytest.fixture
def registry(rulesets):
    """Four 平湖 firms climbing the ladder from 2022 to 2025 and one 嘉善 firm."""
    return {
        "climber": make_firm(quals=[(SME, D(2022, 5, 1)), (SME, D(2023, 5, 1)), (HITECH, D(2023, 11, 1))]),
        "lapsed": make_firm(quals=[(HITECH, D(2021, 12, 1))]),                 # 高企 to 2024-11-30
        "newcomer": make_firm(region=PH_TOWN2, quals=[(SME, D(2024, 3, 1))]),  # 科小 to 2025-02-28
        "giant": make_firm(quals=[(HITECH, D(2022, 10, 1)), (GIANT, D(2024, 12, 1)),
                                  ("省级企业研发中心", D(2023, 6, 1))]),     # not a rung
        "jiashan": make_firm(region=JS_TOWN, quals=[(HITECH, D(2023, 11, 1)), (LEADER, D(2024, 6, 1))]),
    }


def test_ladder_counts_each_rung_at_each_year_end(registry):
    pinghu = Enterprise.objects.filter(region__code__startswith=PH_COUNTY)
    result = ladder(pinghu, [2022, 2023, 2024, 2025], today=D(2025, 8, 1))
    assert result["rungs"] == LADDER == ["科技型中小企业", "高新技术企业", GIANT, LEADER]
    rows = {row["year"]: row for row in result["rows"]}
    assert {year: row["on"] for year, row in rows.items()} == {
        2022: D(2022, 12, 31), 2023: D(2023, 12, 31), 2024: D(2024, 12, 31), 2025: D(2025, 8, 1)}
    assert {year: row["held"] for year, row in rows.items()} == {
        2022: [1, 2, 0, 0], 2023: [1, 3, 0, 0], 2024: [1, 2, 1, 0], 2025: [0, 2, 1, 0]}
    assert {year: row["new"] for year, row in rows.items()} == {
        2022: [1, 1, 0, 0], 2023: [1, 1, 0, 0], 2024: [1, 0, 1, 0], 2025: [0, 0, 0, 0]}
    assert "change" not in rows[2022]
    assert [rows[y]["change"] for y in (2023, 2024, 2025)] == [[0, 1, 0, 0], [0, -1, 1, 0], [-1, 0, 0, 0]]

    everyone = ladder(Enterprise.objects.all(), [2024], today=D(2025, 8, 1))["rows"][0]
    assert everyone["held"] == [1, 3, 1, 1] and everyone["new"] == [1, 0, 1, 1]


def test_moved_up_counts_firms_that_climbed_a_rung(registry):
    pinghu = Enterprise.objects.filter(region__code__startswith=PH_COUNTY)
    assert [moved_up(pinghu, year) for year in (2022, 2023, 2024, 2025)] == [0, 1, 1, 0]


def test_ladder_page_is_scoped_to_the_users_county(client, rulesets, users):
    last = timezone.localdate().year - 1
    make_firm(quals=[(HITECH, D(last, 6, 1))])
    make_firm(quals=[(HITECH, D(last, 7, 1)), (SME, D(last - 1, 4, 1))])
    make_firm(region=JS_TOWN, quals=[(HITECH, D(last, 6, 1))])

    def table(username) -> dict[int, tuple[list[int], list[int]]]:
        client.force_login(users[username])
        response = client.get("/enterprises/ladder/")
        assert response.status_code == 200
        page = response.content.decode()
        body = page[page.index('data-testid="ladder"'):]
        body = body[:body.index("</table>")]
        held = re.findall(r"<tr><td>(\d{4})</td>((?:<td class=\"num\">\d+</td>)+)</tr>", body)
        new = re.findall(r"<tr class=\"small text-muted\"><td></td>((?:<td class=\"num\">新认定\d+</td>)+)</tr>", body)
        assert len(held) == len(new) == 4
        return {int(year): ([int(n) for n in re.findall(r">(\d+)<", cells)],
                            [int(n) for n in re.findall(r"新认定(\d+)", marks)])
                for (year, cells), marks in zip(held, new, strict=True)}

    pinghu = table("ph_admin")
    assert pinghu[last] == ([0, 2, 0, 0], [0, 2, 0, 0])
    assert pinghu[last - 1] == ([1, 0, 0, 0], [1, 0, 0, 0])
    assert table("js_admin")[last] == ([0, 1, 0, 0], [0, 1, 0, 0])
    assert table("jx_leader")[last] == ([0, 3, 0, 0], [0, 3, 0, 0])


# ------------------------------------------------------------------------------------------- feeds


def value(plan, code: str, period: str, basis: str) -> IndicatorValue | None:
    return IndicatorValue.objects.filter(indicator__plan=plan, indicator__code=code, period=period, basis=basis,
                                         place__code=plan.region.code).first()


def test_feeds_page(client, pinghu, users, rulesets):
    make_firm(quals=[(HITECH, D(2024, 11, 20))])
    client.force_login(users["ph_leader"])
    assert client.post("/enterprises/ladder/feeds/", {"year": "2024"}).status_code == 403
    assert value(pinghu, "PH07", "2024", "new") is None

    client.force_login(users["ph_admin"])
    response = client.post("/enterprises/ladder/feeds/", {"year": "2024"})
    assert response.status_code == 302 and response["Location"] == "/enterprises/ladder/"
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(re.fullmatch(r"已同步\d+项指标数据", m) for m in messages), messages
    assert value(pinghu, "PH07", "2024", "new").approved_value == Decimal(1)


@pytest.mark.parametrize("year", ["二〇二四", "2024年", "0", "99999"])
def test_feeds_page_bad_year_is_refused_with_a_message(client, pinghu, users, rulesets, year):
    make_firm(quals=[(HITECH, D(2024, 11, 20))])
    count = IndicatorValue.objects.count()
    client.force_login(users["ph_admin"])
    response = client.post("/enterprises/ladder/feeds/", {"year": year})
    assert response.status_code == 302 and response["Location"] == "/enterprises/ladder/"
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("年度" in m for m in messages), messages
    assert IndicatorValue.objects.count() == count


def test_a_locked_year_is_reported_not_written(client, pinghu, users, rulesets):
    from plans.services.values import lock_period

    make_firm(quals=[(HITECH, D(2024, 11, 20))])
    lock_period(admin=users["ph_admin"], plan=pinghu, period="2024", reason="年报已定稿")
    report = {(o.indicator, o.basis): o for o in feed_plan(plan=pinghu, year=2024, today=D(2025, 3, 1))}
    assert report[("PH07", "new")].written is False and "已锁定" in report[("PH07", "new")].reason
    assert value(pinghu, "PH07", "2024", "new") is None

    client.force_login(users["ph_admin"])
    response = client.post("/enterprises/ladder/feeds/", {"year": "2024"})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["已同步0项指标数据"]
    assert value(pinghu, "PH07", "2024", "new") is None


def test_sync_all_feeds_every_plan_the_admin_changes(pinghu, users, rulesets):
    from core.errors import BusinessError, NotAllowed

    make_firm(quals=[(HITECH, D(2024, 11, 20))])
    with pytest.raises(NotAllowed):
        feed_all(admin=users["ph_leader"], year=2024, today=D(2025, 3, 1))
    for year in (1989, 2026):
        with pytest.raises(BusinessError, match="年度应为1990至2025"):
            feed_all(admin=users["ph_admin"], year=year, today=D(2025, 3, 1))
    assert value(pinghu, "PH07", "2024", "new") is None
    written = feed_all(admin=users["ph_admin"], year=2024, today=D(2025, 3, 1))["written"]
    assert written >= 1
    assert value(pinghu, "PH07", "2024", "new").approved_value == Decimal(1)
    # Nothing changed since: the second run writes nothing.
    assert feed_all(admin=users["ph_admin"], year=2024, today=D(2025, 3, 1))["written"] == 0
