"""A plan project in a real browser: the enterprise applies with its KPIs and budget and submits; staff pass
形式审查 and send the call to review; the expert scores on the assignment's page; staff take the scores and
publish the 拟立项 list; once the notice has run the 科室负责人 decides the amount; the contract is signed, the
first tranche paid into the ledger, and the enterprise sees its project executing with the tranche paid."""

import datetime
import json

import pytest
from django.utils import timezone

from core.models_notice import FundEntry, PublicNotice
from projects.models import Project, Tranche
from projects.tests.factories import TODAY, world
from tests.browser.helpers import log_in, log_out, press, status


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_application_goes_from_filing_to_its_first_tranche(live_server, users, page, page_errors):
    w = world(users)
    base = live_server.url

    log_in(page, base, "demo_qiye")
    page.goto(f"{base}/projects/board/")
    with page.expect_navigation():
        page.get_by_role("link", name="新建项目申报").click()
    page.select_option("#id_call", label=str(w.key))
    page.select_option("#id_enterprise", label=w.firm.name)
    for name, value in {"title": "高精度MEMS传感器研发", "field": "电子信息", "starts_on": TODAY.isoformat(),
                        "ends_on": (TODAY + datetime.timedelta(days=700)).isoformat(), "requested": "300000",
                        "own_funds": "500000"}.items():
        page.fill(f"#id_{name}", value)
    page.fill("#id_kpis", json.dumps([{"indicator": "发明专利申请", "unit": "件", "target": "3"}], ensure_ascii=False))
    page.fill("#id_budget_lines", json.dumps([{"item": "设备费", "amount": "600000"},
                                              {"item": "材料费", "amount": "200000"}], ensure_ascii=False))
    press(page, "保存")
    with page.expect_navigation():
        page.get_by_role("link", name="项目主页").click()
    project_url = page.url
    press(page, "提交申报")
    assert status(page) == "待形式审查"
    log_out(page, base)

    log_in(page, base, "ph_admin")
    page.goto(project_url)
    press(page, "形式审查通过")
    assert status(page) == "形式审查通过"
    page.goto(f"{base}/projects/call/{w.key.code}/")
    page.fill("#per_subject", "1")
    press(page, "组织专家评审")
    assert "分配专家1人次" in page.inner_text(".alert-success")
    log_out(page, base)

    log_in(page, base, "demo_zhuanjia")
    page.goto(f"{base}/review/")
    with page.expect_navigation():
        page.locator('[data-testid="assignments"] tr', has_text="高精度MEMS传感器研发").get_by_role(
            "link", name="评分").click()
    page.fill('input[name="score_innovation"]', "90")
    page.fill('input[name="score_benefit"]', "85")
    press(page, "提交评分")
    log_out(page, base)

    log_in(page, base, "ph_admin")
    page.goto(f"{base}/projects/call/{w.key.code}/")
    press(page, "汇总评审得分")
    page.get_by_role("checkbox", name="高精度MEMS传感器研发").check()
    press(page, "发布拟立项公示")
    assert "拟立项公示已发布：1项" in page.inner_text(".alert-success")
    log_out(page, base)

    project = Project.objects.get(title="高精度MEMS传感器研发")
    assert project.review_score is not None and float(project.review_score) == 88.0
    PublicNotice.objects.filter(pk=project.notice_id).update(
        starts_on=timezone.localdate() - datetime.timedelta(days=21),
        ends_on=timezone.localdate() - datetime.timedelta(days=7))
    log_in(page, base, "ph_kezhang")
    page.goto(project_url)
    page.fill("#amount", "250000")
    press(page, "立项")
    assert status(page) == "已立项" and page.inner_text('[data-testid="approved"]').startswith("250000")
    page.fill("#contract_no", "HT-2026-0001")
    press(page, "签订合同")
    assert status(page) == "执行中"
    press(page, "拨付")
    assert "已拨付" in page.inner_text(".alert-success")
    log_out(page, base)

    first = Tranche.objects.get(project=project, seq=1)
    assert (str(first.amount), str(first.paid)) == ("150000.00", "150000.00")
    assert FundEntry.objects.get(pk=first.fund_entry_id).paid == first.paid

    log_in(page, base, "demo_qiye")
    page.goto(project_url)
    assert status(page) == "执行中"
    assert "150000.00" in page.inner_text('[data-testid="tranches"]')
    assert page_errors == []
