"""A town reports a figure, the bureau approves it, the cockpit turns from 未填报 to a colour: in a real browser."""

import os
import re
import struct
from decimal import ROUND_UP, Decimal
from pathlib import Path

import pytest

from plans.models import IndicatorValue, Target, ValueStatus
from tests.browser.helpers import log_in, log_out

PLAN = "PH315-2023"
DANGHU = "330482001"
PERIOD = "2026-10"  # the demo towns report quarters and years, so nothing ends in October
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "cockpit.png"


def ph01_status(page, base) -> str:
    page.goto(f"{base}/plans/{PLAN}/?place={DANGHU}&period={PERIOD}")
    return page.get_attribute('[data-testid="card-PH01"]', "data-status")


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_town_reports_bureau_approves_cockpit_turns_green(live_server, demo, page, page_errors, tmp_path):
    base = live_server.url
    bad_static = []
    page.on("response", lambda r: bad_static.append(r.url) if "/static/" in r.url and r.status >= 400 else None)

    # The period is chosen because 当湖街道 has no PH01 figure ending in it yet.
    assert not IndicatorValue.objects.filter(indicator__plan__code=PLAN, indicator__code="PH01",
                                             place__code=DANGHU, period_end=202610).exists()
    annual = Target.objects.get(indicator__plan__code=PLAN, indicator__code="PH01", org_unit__code=DANGHU,
                                period="2026").value
    # Twice the year's target by October: far above the pro-rata target, so green.
    figure = (annual * 2).quantize(Decimal("0.1"), rounding=ROUND_UP)

    # --- the town reporter logs in through the form and lands on data entry
    log_in(page, base, "ph_danghu")
    assert page.url.endswith(f"/plans/{PLAN}/report/")
    assert "当湖街道填报员" in page.inner_text('[data-testid="whoami"]')
    assert ph01_status(page, base) == "missing"

    page.goto(f"{base}/plans/{PLAN}/report/?period={PERIOD}")
    row = page.locator('[data-testid="entry-PH01"]')
    assert "未填报" in row.inner_text()
    row.locator('input[name^="value-"]').fill(str(figure))
    row.locator('input[name^="note-"]').fill("十月快报")
    with page.expect_navigation():
        page.get_by_role("button", name="提交审核").click()
    assert "已提交审核：1项" in page.inner_text(".alert-success")
    assert "待审核" in page.locator('[data-testid="entry-PH01"]').inner_text()
    value = IndicatorValue.objects.get(indicator__plan__code=PLAN, indicator__code="PH01", place__code=DANGHU,
                                       period=PERIOD)
    assert (value.value, value.status) == (figure, ValueStatus.SUBMITTED)
    log_out(page, base)

    # --- the bureau admin reviews it
    log_in(page, base, "ph_admin")
    assert page.url.endswith(f"/plans/{PLAN}/")
    assert ph01_status(page, base) == "missing"  # submitted, not yet approved

    page.goto(f"{base}/plans/{PLAN}/review/")
    review_row = page.locator(f"#value-{value.pk}")
    assert "当湖街道" in review_row.inner_text() and PERIOD in review_row.inner_text()
    page.evaluate("window.__sameDocument = true")
    review_row.get_by_role("button", name="通过").click()
    result = page.locator(f'#value-{value.pk} [data-testid="review-result"]')
    result.wait_for()
    assert result.inner_text() == "已审核"
    # htmx swapped the row in place: same document, no reload.
    assert page.evaluate("window.__sameDocument") is True
    assert page.url.endswith(f"/plans/{PLAN}/review/")
    value.refresh_from_db()
    assert (value.status, value.approved_value) == (ValueStatus.APPROVED, figure)

    # --- the cockpit shows the town's figure in colour, with its sparkline drawn by ECharts
    assert ph01_status(page, base) == "green"
    card = page.locator('[data-testid="card-PH01"]')
    assert re.search(rf"\b{re.escape(format(figure.normalize(), 'f'))}\s*亿元", card.inner_text())
    card.locator(".sparkline svg").wait_for()
    assert card.locator(".sparkline svg path").count() > 0

    # --- the plan-level cockpit as the bureau sees it by default
    page.goto(f"{base}/plans/{PLAN}/")
    cards = page.locator('[data-testid^="card-"]')
    assert cards.count() == 9
    page.wait_for_function("document.querySelectorAll('.sparkline svg').length === 9")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert "驾驶舱" in page.title()
    shot = tmp_path / "cockpit.png"
    page.screenshot(path=str(shot), full_page=True)
    width, height = png_size(shot)
    assert width == 1400 and height >= 1000
    if os.environ.get("KECHUANG_UPDATE_SCREENSHOT"):
        SCREENSHOT.write_bytes(shot.read_bytes())

    assert bad_static == []
    assert page_errors == []
