"""A town reporter enters a figure on a 390 px phone; the bureau approves two figures at once in the queue.

With KECHUANG_UPDATE_SCREENSHOT set the phone's page is kept as docs/phone-entry.png (the README's picture).
"""

import os
from decimal import Decimal
from pathlib import Path

import pytest

from plans.models import IndicatorValue, ValueStatus
from tests.browser.conftest import CHROMIUM_ARGS  # noqa: F401 (the same browser as every journey)
from tests.browser.helpers import log_in

PLAN = "PH315-2023"
DANGHU = "330482001"
PERIOD = "2026-10"  # nothing of the demo ends in October
PHONE = {"width": 390, "height": 844}
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "phone-entry.png"


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    blocked = []
    try:
        page = context.new_page()
        page.on("console", lambda message: blocked.append(message.text)
                if "Content Security Policy" in message.text else None)
        yield page
    finally:
        context.close()
    assert blocked == [], blocked


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_town_enters_figures_on_a_phone(live_server, demo, phone, tmp_path):
    base = live_server.url
    log_in(phone, base, "ph_danghu")
    phone.goto(f"{base}/plans/{PLAN}/report/?period={PERIOD}")
    # Nothing wider than the screen: no sideways scrolling to reach the field.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    rows = phone.locator('[data-testid^="entry-PH"]')
    assert rows.count() >= 2
    for index in range(rows.count()):
        row = rows.nth(index)
        field = row.locator('input[name^="value-"]').bounding_box()
        target = row.locator('[data-testid="entry-target"]')
        assert target.is_visible()
        box = target.bounding_box()
        # One indicator a row: the field nearly the screen's width, its target right under it.
        assert field["width"] > PHONE["width"] * 0.7
        assert box["y"] >= field["y"] + field["height"] - 1
        assert "年度目标" in target.inner_text()
    # The desktop's target columns are hidden on the phone.
    assert not phone.locator('[data-testid="entry-PH01"] td.entry-aux').first.is_visible()

    first = rows.nth(0)
    first.locator('input[name^="value-"]').fill("1.5")
    shot = tmp_path / "phone-entry.png"
    phone.screenshot(path=str(shot), full_page=True)
    if os.environ.get("KECHUANG_UPDATE_SCREENSHOT"):
        SCREENSHOT.write_bytes(shot.read_bytes())
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交审核").click()
    assert "已提交审核：1项" in phone.inner_text(".alert-success")
    code = first.get_attribute("data-testid").removeprefix("entry-")
    value = IndicatorValue.objects.get(indicator__plan__code=PLAN, indicator__code=code, place__code=DANGHU,
                                       period=PERIOD)
    assert (value.value, value.status) == (Decimal("1.5"), ValueStatus.SUBMITTED)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_bureau_approves_the_ticked_rows_at_once(live_server, demo, page, page_errors):
    from core.models import OrgUnit, User
    from core.periods import Period
    from plans.models import Indicator
    from plans.services import values

    base = live_server.url
    town = User.objects.get(username="ph_danghu")
    place = OrgUnit.objects.get(code=DANGHU)
    rows = [values.report_value(reporter=town, indicator=ind, place=place, period=Period.parse(PERIOD),
                                value=Decimal("2"), submit=True)
            for ind in Indicator.objects.filter(plan__code=PLAN, code__in=["PH01", "PH03"])]
    log_in(page, base, "ph_admin")
    page.goto(f"{base}/plans/{PLAN}/review/")
    # The row's buttons read on one line each (a button a character a line is several times as tall).
    for name in ("通过", "退回"):
        button = page.locator(f"#value-{rows[0].pk}").get_by_role("button", name=name, exact=True)
        box = button.bounding_box()
        assert box["height"] < 40 and box["width"] > box["height"], (name, box)
    assert page.locator('#lock-period option').count() > 1
    page.locator('[data-check-all="values"]').check()
    assert page.locator('input[name="values"]:checked').count() == page.locator('input[name="values"]').count()
    page.fill("#bulk-opinion", "核对无误")
    with page.expect_navigation():
        page.get_by_role("button", name="批量通过").click()
    assert "已通过" in page.inner_text(".alert-success")
    for row in rows:
        row.refresh_from_db()
        assert (row.status, row.review_opinion) == (ValueStatus.APPROVED, "核对无误")
    assert page_errors == []
