"""一院一表 in a real browser: the institution fills its platform's table for the year and submits it, the
bureau returns it with an opinion, the institution corrects it, the bureau approves and scores the cohort, and
the ranking page shows the result with its chart and the what-if under the 2025 weights."""

import datetime

import pytest

from platforms.models import PerformanceTable, PerformanceTemplate
from platforms.services.demo import load_demo
from tests.browser.helpers import log_in, log_out, press

VALUES = {"services": "50", "transfer": "900", "projects": "12", "talent": "1", "doctors": "3", "masters": "2",
          "incubated": "2"}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_institution_fills_and_the_bureau_reviews_and_ranks(live_server, users, page, page_errors):
    load_demo(users["admin"], datetime.date(2026, 12, 1))
    base = live_server.url

    log_in(page, base, "demo_jigou")
    assert page.url == f"{base}/platforms/"
    assert "浙工大平湖新材料研究院" in page.inner_text("main")
    page.goto(f"{base}/platforms/PH-NRI-02/")
    page.fill("#open-year", "2025")
    press(page, "填报绩效评价表")
    assert "/platforms/tables/" in page.url
    table_url = page.url
    for code, value in VALUES.items():
        page.fill(f'input[name="v_{code}"]', value)
    press(page, "保存")
    assert page.inner_text(".alert-success") == "已保存"
    press(page, "提交")
    assert page.inner_text('[data-testid="status"]') == "已提交"
    log_out(page, base)

    log_in(page, base, "ph_admin")
    page.goto(table_url)
    page.fill("#opinion", "技术合同金额请附合同清单")
    press(page, "退回")
    assert page.inner_text('[data-testid="status"]') == "已退回"
    log_out(page, base)

    log_in(page, base, "demo_jigou")
    page.goto(table_url)
    assert "技术合同金额请附合同清单" in page.inner_text("main")
    page.set_input_files("#ev-file", files=[{"name": "合同清单.pdf", "mimeType": "application/pdf",
                                             "buffer": b"%PDF-1.4 contracts"}])
    press(page, "上传")
    assert "合同清单.pdf" in page.inner_text('[data-testid="evidence"]')
    press(page, "提交")
    log_out(page, base)

    log_in(page, base, "ph_admin")
    page.goto(table_url)
    press(page, "审核通过")
    assert page.inner_text('[data-testid="status"]') == "审核通过"
    table = PerformanceTable.objects.get(platform__code="PH-NRI-02", year=2025)
    table.expert_scores = {"expert": "80"}
    table.save(update_fields=["expert_scores"])
    page.goto(f"{base}/platforms/ranking/?kind=nri&year=2025")
    press(page, "按审核通过的评价表评定")
    ranking = page.inner_text('[data-testid="ranking"]')
    assert "浙工大平湖新材料研究院" in ranking and "良好" in ranking  # first, but under 90
    assert page.locator('[data-chart-kind="platform-ranking"] svg').count() == 1

    page.goto(f"{base}/platforms/ranking/?kind=nri&year=2024")
    later = PerformanceTemplate.objects.get(year=2025)
    page.select_option("#template", str(later.pk))
    press(page, "模拟重算")
    moved = page.inner_text('[data-testid="movements"]')
    assert "上升：浙工大平湖新材料研究院" in moved and "下降" in moved
    assert page_errors == []
