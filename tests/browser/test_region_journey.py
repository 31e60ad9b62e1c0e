"""嘉兴's leader signs in and lands on the city view: 平湖 and 嘉善 ranked on the indicators their plans
share, the period and the basis of the ranking picked in the page, a county's own cockpit one click away."""

import pytest

from plans.services.common import load_catalogue, load_demo_figures
from tests.browser.helpers import log_in, log_out

PINGHU, JIASHAN = "330482", "330421"


def ranks(page, code: str) -> dict[str, str]:
    card = page.locator(f'[data-testid="comparison-{code}"]')
    return {region: card.locator(f'[data-testid="row-{region}"] [data-testid="rank"]').inner_text()
            for region in (PINGHU, JIASHAN)}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_city_leader_lands_on_the_city_view_and_sees_both_counties_ranked(live_server, demo, users, page,
                                                                          page_errors):
    load_catalogue(users["admin"])
    load_demo_figures(users["admin"])
    base = live_server.url
    bad_static = []
    page.on("response", lambda r: bad_static.append(r.url) if "/static/" in r.url and r.status >= 400 else None)

    log_in(page, base, "jx_leader")
    assert page.url == f"{base}/plans/regions/330400/"
    assert page.inner_text('[data-testid="region-title"]') == "嘉兴市地区比较"
    assert "最近可比期间" in page.inner_text('[data-testid="period-note"]')
    assert "演示" in page.inner_text('[data-testid="demo-note"]')
    for code in ("RD-RATIO", "HITECH-SHARE", "HITECH-NEW"):
        assert sorted(ranks(page, code).values()) == ["1", "2"], code
    # 2025: 平湖's 96 new high-tech firms ahead of 嘉善's (demo figures, marked), up from second in 2024.
    new_firms = page.locator('[data-testid="comparison-HITECH-NEW"]')
    assert ranks(page, "HITECH-NEW") == {PINGHU: "1", JIASHAN: "2"}
    assert "2025年" in new_firms.inner_text()
    assert "↑1" in new_firms.locator(f'[data-testid="row-{PINGHU}"]').inner_text()

    # 2024 on the documents' own figure: 嘉善 新认定93 (列全市第3位) ahead of 平湖.
    with page.expect_navigation():
        page.select_option("#period", "2024")
    assert "period=2024" in page.url
    assert ranks(page, "HITECH-NEW") == {PINGHU: "2", JIASHAN: "1"}
    jiashan = page.locator(f'[data-testid="comparison-HITECH-NEW"] [data-testid="row-{JIASHAN}"]').inner_text()
    assert "93" in jiashan and "演示" not in jiashan

    with page.expect_navigation():
        page.select_option("#by", "growth")
    assert "by=growth" in page.url and "period=2024" in page.url

    # A county's name opens its own plan's cockpit at the period compared.
    with page.expect_navigation():
        page.locator(f'[data-testid="comparison-HITECH-NEW"] [data-testid="row-{PINGHU}"] a').click()
    assert page.url == f"{base}/plans/PH315-2023/?period=2024"
    log_out(page, base)

    # 平湖's bureau does not see the city's ranking.
    log_in(page, base, "ph_admin")
    assert page.goto(f"{base}/plans/regions/330400/").status == 404
    assert page_errors == [] and bad_static == []
