"""An innovation voucher claim in a real browser: the enterprise files it with its contract, invoice and
payment proof and submits it; staff pass 初审; the 科室负责人 passes 复审; the bureau collects it into a batch
and publishes the batch's 公示, which the public page lists; once the notice has run the claim is listed for
payment and paid, the ledger holds it, and the enterprise sees it paid."""

import datetime

import pytest
from django.utils import timezone

from core.models_notice import FundEntry, PublicNotice
from tests.browser.helpers import log_in, log_out, press, status
from vouchers.models import Batch, Claim
from vouchers.tests.factories import YEAR, world


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_enterprise_claim_goes_from_filing_to_paid(live_server, users, page, page_errors):
    w = world()
    base = live_server.url

    log_in(page, base, "demo_qiye")
    page.goto(f"{base}/vouchers/")
    with page.expect_navigation():
        page.get_by_role("link", name="新建兑付申请").click()
    fields = {"voucher_no": "ZJKJDN-T-0001", "year": str(YEAR), "contract_name": "产品检测服务合同",
              "contract_amount": "36000", "contract_date": f"{YEAR}-04-10", "invoice_no": "33019876",
              "invoice_amount": "36000", "invoice_date": f"{YEAR}-05-20", "used_on": f"{YEAR}-05-25",
              "completed_on": f"{YEAR}-05-18", "amount_claimed": "18000"}
    for name, value in fields.items():
        page.fill(f"#id_{name}", value)
    page.select_option("#id_enterprise", label=w.firm.name)
    page.select_option("#id_provider", label=w.provider.name)
    page.select_option("#id_service", label=str(w.service))
    press(page, "保存")
    with page.expect_navigation():
        page.get_by_role("link", name="办理与材料").click()
    claim_url = page.url
    assert "18,000.00元（按服务费比例核定）" in page.inner_text('[data-testid="award-steps"]')
    for kind, name in (("contract", "合同.pdf"), ("invoice", "发票.pdf"), ("payment", "付款凭证.pdf")):
        page.select_option("#kind", kind)
        page.set_input_files("#file", files=[{"name": name, "mimeType": "application/pdf",
                                              "buffer": b"%PDF-1.4 voucher"}])
        press(page, "上传")
    assert page.inner_text('[data-testid="files"]').count(".pdf") == 3
    press(page, "提交申请")
    assert status(page) == "待初审"
    log_out(page, base)

    log_in(page, base, "ph_admin")
    page.goto(f"{base}/vouchers/?year={YEAR}")
    with page.expect_navigation():
        page.locator('[data-testid="queue"]').first.get_by_role("link").first.click()
    assert page.url == claim_url
    press(page, "初审通过")
    assert status(page) == "待复审" and page.inner_text('[data-testid="award"]') == "18000.00元"
    assert page.get_by_role("button", name="复审通过").count() == 0  # the first reviewer cannot take it
    log_out(page, base)

    log_in(page, base, "ph_kezhang")
    page.goto(claim_url)
    press(page, "复审通过")
    assert status(page) == "复审通过"
    page.goto(f"{base}/vouchers/batches/add/")
    for name, value in {"code": "PH-T-J1", "year": str(YEAR), "seq": "1", "usage_from": f"{YEAR}-05-01",
                        "usage_to": f"{YEAR}-06-30"}.items():
        page.fill(f"#id_{name}", value)
    page.select_option("#id_region", label="平湖市")
    press(page, "保存")
    page.goto(f"{base}/vouchers/batch/PH-T-J1/")
    press(page, "编入复审通过的申请（1）")
    assert "共有1家企业1个项目获得创新券补助1.8万元" in page.inner_text('[data-testid="summary"]')
    press(page, "发布公示")
    assert status(page) == "公示中"
    log_out(page, base)

    page.goto(f"{base}/gongshi/")
    with page.expect_navigation():
        page.get_by_role("link", name=f"{YEAR}年第一批创新券补助公示名单").first.click()
    assert w.firm.name in page.inner_text("main") and "18000.00" in page.inner_text("main")

    # The notice runs its five working days; then the bureau lists the batch for payment and pays it.
    today = timezone.localdate()
    PublicNotice.objects.filter(pk=Batch.objects.get(code="PH-T-J1").notice_id).update(
        starts_on=today - datetime.timedelta(days=21), ends_on=today - datetime.timedelta(days=7))
    log_in(page, base, "ph_admin")
    page.goto(f"{base}/vouchers/batch/PH-T-J1/")
    press(page, "公示期满，列入兑付表")
    assert status(page) == "待兑付"
    press(page, "确认兑付")
    assert status(page) == "已兑付"
    claim = Claim.objects.get(invoice_no="33019876")
    entry = FundEntry.objects.get(pk=claim.fund_entry_id)
    assert (str(entry.approved), str(entry.paid), entry.programme) == ("18000.00", "18000.00", "创新券")
    log_out(page, base)

    log_in(page, base, "demo_qiye")
    page.goto(f"{base}/vouchers/?year={YEAR}")
    assert page.inner_text('[data-testid="own-status"]') == "已兑付"
    page.goto(claim_url)
    assert status(page) == "已兑付" and "确认兑付" in page.inner_text('[data-testid="log"]')
    assert page_errors == []
