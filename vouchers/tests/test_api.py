"""The vouchers' API for each role and each bad input: a claim's 400s say why (a duplicate invoice, a cap);
a batch answers by its code with the figures as published; files, transitions and documents keep scope."""

from __future__ import annotations

import io

import pytest
from docx import Document
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.models_notice import PublicNotice
from vouchers.models import Claim, ClaimFile, ClaimStatus
from vouchers.services import batches
from vouchers.tests.factories import YEAR, D, attach_all, claim, pdf, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(users):
    return world()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(w, n=1, **extra) -> dict:
    return {"voucher_no": f"ZJ-{n}", "year": YEAR, "enterprise": w.firm.uscc, "provider": w.provider.code,
            "service": w.service.pk, "contract_name": "检测服务合同", "contract_amount": "20000",
            "contract_date": f"{YEAR}-05-01", "invoice_no": f"FP-{n}", "invoice_amount": "20000",
            "invoice_date": f"{YEAR}-06-01", "used_on": f"{YEAR}-06-15", "completed_on": f"{YEAR}-06-01",
            "amount_claimed": "10000", **extra}


def messages(response) -> str:
    return " ".join(e["message"] for e in response.json()["errors"])


def test_an_enterprise_files_its_own_claim_and_only_its_own(w, users):
    client = api(users["demo_qiye"])
    made = client.post("/api/vouchers/claims/", body(w), format="json")
    assert made.status_code == 201, made.content
    assert made.json()["status"] == "draft" and made.json()["code"].startswith(f"CXQ{YEAR}-")
    other = client.post("/api/vouchers/claims/", body(w, 2, enterprise=w.other.uscc), format="json")
    assert other.status_code == 400 and "enterprise" in {e["field"] for e in other.json()["errors"]}
    theirs = claim(w, firm=w.other, invoice_no="OTHER-1")
    listed = {row["id"] for row in client.get("/api/vouchers/claims/").json()["results"]}
    assert made.json()["id"] in listed and theirs.pk not in listed
    assert client.get(f"/api/vouchers/claims/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/vouchers/claims/{theirs.pk}/transitions/").status_code == 404


def test_a_duplicate_invoice_and_a_spent_cap_are_400s_with_the_reason(w, users):
    client = api(users["demo_qiye"])
    paid = claim(w, invoice_no="FP-7", status=ClaimStatus.PAID, award=D(50000), fee=100000, claimed=50000)
    duplicate = client.post("/api/vouchers/claims/", body(w, 7), format="json")
    assert duplicate.status_code == 400
    assert "不能重复申请" in messages(duplicate) and paid.code in messages(duplicate)
    capped = client.post("/api/vouchers/claims/", body(w, 8), format="json")
    assert capped.status_code == 400 and "已达年度上限" in messages(capped)
    assert Claim.objects.count() == 1


@pytest.mark.parametrize(("field", "value"), [
    ("contract_amount", "1e309"), ("contract_amount", "NaN"), ("amount_claimed", "-5"),
    ("contract_name", "合同\x00"), ("contract_name", "长" * 100_000), ("invoice_no", "=1+1" * 20),
    ("used_on", "2023-02-30"), ("year", "abc"), ("service", 999999),
])
def test_bad_input_is_a_chinese_400_that_changes_nothing(w, users, field, value):
    response = api(users["demo_qiye"]).post("/api/vouchers/claims/", body(w, **{field: value}), format="json")
    assert response.status_code == 400, (field, response.content[:300])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in messages(response))
    assert not Claim.objects.exists()


def test_files_are_the_applicants_and_downloads_keep_scope(w, users):
    c = claim(w)
    owner = api(users["demo_qiye"])
    made = owner.post(f"/api/vouchers/claims/{c.pk}/files/", {"kind": "contract", "file": pdf()},
                      format="multipart")
    assert made.status_code == 201, made.content
    bad_kind = owner.post(f"/api/vouchers/claims/{c.pk}/files/", {"kind": "x", "file": pdf()}, format="multipart")
    assert bad_kind.status_code == 400 and "材料类型" in messages(bad_kind)
    script = owner.post(f"/api/vouchers/claims/{c.pk}/files/", {"kind": "other", "file": pdf("a.exe")},
                        format="multipart")
    assert script.status_code == 400
    assert api(users["ph_leader"]).post(f"/api/vouchers/claims/{c.pk}/files/", {"kind": "other", "file": pdf()},
                                        format="multipart").status_code == 403
    assert api(users["js_admin"]).get(f"/api/vouchers/claims/{c.pk}/files/").status_code == 404
    assert [f["kind"] for f in api(users["ph_leader"]).get(f"/api/vouchers/claims/{c.pk}/files/").json()] == [
        "contract"]
    row = ClaimFile.objects.get()
    from django.test import Client

    for name, code in (("demo_qiye", 200), ("ph_leader", 200), ("js_admin", 404), ("demo_jigou", 404)):
        page = Client()
        page.force_login(users[name])
        assert page.get(f"/vouchers/files/{row.pk}/").status_code == code, name


def test_transitions_endpoint_takes_steps_for_the_allowed_only(w, users):
    c = claim(w)
    attach_all(c, users["demo_qiye"])
    url = f"/api/vouchers/claims/{c.pk}/transitions/"
    assert [a["name"] for a in api(users["demo_qiye"]).get(url).json()["actions"]] == ["submit"]
    assert api(users["demo_qiye"]).post(url, {"action": "submit"}, format="json").status_code == 200
    assert api(users["demo_qiye"]).post(url, {"action": "first_pass"}, format="json").status_code == 403
    assert api(users["ph_leader"]).post(url, {"action": "first_pass"}, format="json").status_code == 403
    passed = api(users["ph_admin"]).post(url, {"action": "first_pass"}, format="json")
    assert passed.status_code == 200 and passed.json()["state"] == "first_passed"
    assert api(users["ph_admin"]).post(url, {"action": "second_pass"}, format="json").status_code == 403
    assert api(users["ph_kezhang"]).post(url, {"action": "second_pass"}, format="json").status_code == 200


def test_a_batch_by_its_code_with_its_figures_actions_and_documents(w, users):
    from core.models import Region

    c = claim(w, status=ClaimStatus.APPROVED, award=D("4100.00"), fee=20000, claimed=10000)
    claim(w, firm=w.other, invoice_no="B-2", status=ClaimStatus.APPROVED, award=D(2000), fee=8000, claimed=4000)
    batches.Batch.objects.create(code="PH-T-9", region=Region.objects.get(code="330482"), year=YEAR, seq=9,
                                 usage_from=c.used_on, usage_to=c.used_on)
    admin = api(users["ph_admin"])
    collected = admin.post("/api/vouchers/batches/PH-T-9/actions/", {"action": "collect"}, format="json")
    assert collected.status_code == 200 and collected.json()["claims"] == 2
    got = admin.get("/api/vouchers/batches/PH-T-9/").json()
    assert (got["enterprises"], got["claims"], got["amount"], got["summary"]) == (
        2, 2, "0.61", "共有2家企业2个项目获得创新券补助0.61万元")
    assert api(users["ph_leader"]).get("/api/vouchers/batches/PH-T-9/").status_code == 200
    assert api(users["ph_leader"]).post("/api/vouchers/batches/PH-T-9/actions/", {"action": "collect"},
                                        format="json").status_code == 403
    for name in ("js_admin", "demo_qiye"):
        assert api(users[name]).get("/api/vouchers/batches/PH-T-9/").status_code in (403, 404), name
    assert admin.post("/api/vouchers/batches/PH-T-9/actions/", {"action": "fly"}, format="json").status_code == 400
    assert admin.post("/api/vouchers/batches/PH-T-9/actions/", {"action": "publish", "working_days": "1e309"},
                      format="json").status_code == 400
    published = admin.post("/api/vouchers/batches/PH-T-9/actions/", {"action": "publish"}, format="json")
    assert published.status_code == 200 and published.json()["status"] == "publicised"
    early = admin.post("/api/vouchers/batches/PH-T-9/actions/", {"action": "list_for_payment"}, format="json")
    assert early.status_code == 400 and "期满后方可" in messages(early)
    sheet = load_workbook(io.BytesIO(admin.get("/api/vouchers/batches/PH-T-9/notice.xlsx").content)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert w.firm.name in values and w.other.name in values
    text = "\n".join(p.text for p in Document(io.BytesIO(admin.get(
        "/api/vouchers/batches/PH-T-9/notice.docx").content)).paragraphs)
    assert "公示名单" in text
    assert admin.get("/api/vouchers/batches/PH-T-9/notice.pdf").status_code == 404
    assert api(users["demo_qiye"]).get("/api/vouchers/batches/PH-T-9/notice.xlsx").status_code == 403
    assert PublicNotice.objects.count() == 1


def test_a_formula_looking_name_is_exported_as_text(w, users):
    from core.models import Region

    w.firm.name = "=HYPERLINK(\"http://x\")"
    w.firm.save()
    c = claim(w, status=ClaimStatus.APPROVED, award=D(1000), fee=2000, claimed=1000)
    batches.Batch.objects.create(code="PH-T-F", region=Region.objects.get(code="330482"), year=YEAR, seq=8,
                                 usage_from=c.used_on, usage_to=c.used_on)
    admin = api(users["ph_admin"])
    admin.post("/api/vouchers/batches/PH-T-F/actions/", {"action": "collect"}, format="json")
    sheet = load_workbook(io.BytesIO(admin.get("/api/vouchers/batches/PH-T-F/notice.xlsx").content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    assert cells and all(c.data_type == "s" for c in cells)


def test_the_years_summary_for_readers_only(w, users):
    assert api(users["ph_leader"]).get("/api/vouchers/summary/", {"year": YEAR}).status_code == 200
    assert api(users["ph_admin"]).get("/api/vouchers/summary/", {"year": "1e309"}).status_code == 400
    assert api(users["ph_admin"]).get("/api/vouchers/summary/", {"year": YEAR, "region": "33;"}).status_code == 400
    assert api(users["demo_qiye"]).get("/api/vouchers/summary/", {"year": YEAR}).status_code == 403


def test_a_batch_code_is_never_only_digits_so_its_address_is_never_an_ids(w, users):
    admin = api(users["ph_admin"])
    refused = admin.post("/api/vouchers/batches/", {"code": "2023-1", "region": "330482", "year": YEAR, "seq": 1,
                                                    "usage_from": f"{YEAR}-01-01", "usage_to": f"{YEAR}-03-31"},
                         format="json")
    assert refused.status_code == 400 and "不能只由数字和连字符组成" in messages(refused)
    for method in ("get", "patch", "delete"):
        assert getattr(admin, method)("/api/vouchers/batches/-25602/").status_code == 404, method
