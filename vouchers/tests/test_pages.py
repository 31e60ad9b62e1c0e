"""The vouchers' pages for each role: the workbench, a claim's page and a batch's page reach only who may see
them; staff act on batches, others are refused; bad fields on a page are a message, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from core.models import Region
from vouchers.models import Batch, ClaimStatus
from vouchers.tests.factories import YEAR, D, claim, world

pytestmark = pytest.mark.django_db


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def w(users):
    return world()


def test_each_role_reaches_only_its_own_pages(w, users):
    mine = claim(w)
    theirs = claim(w, firm=w.other, invoice_no="P-2")
    batch = Batch.objects.create(code="PH-T-P", region=Region.objects.get(code="330482"), year=YEAR, seq=5,
                                 usage_from=mine.used_on, usage_to=mine.used_on)
    for name, own, other, batch_code in (("demo_qiye", 200, 404, 404), ("ph_admin", 200, 200, 200),
                                         ("ph_leader", 200, 200, 200), ("js_admin", 404, 404, 404),
                                         ("demo_jigou", 404, 404, 404)):
        client = page(users[name])
        assert client.get(f"/vouchers/claim/{mine.pk}/").status_code == own, name
        assert client.get(f"/vouchers/claim/{theirs.pk}/").status_code == other, name
        assert client.get(f"/vouchers/batch/{batch.code}/").status_code == batch_code, name
    assert page(users["demo_zhuanjia"]).get("/vouchers/").status_code == 403
    assert page(users["ph_leader"]).post(f"/vouchers/batch/{batch.code}/", {"action": "collect"}).status_code == 403
    own_page = page(users["demo_qiye"]).get(f"/vouchers/?year={YEAR}").content.decode()
    assert mine.code in own_page and theirs.code not in own_page


@pytest.mark.parametrize("value", ["1e309", "\x00", "长" * 100_000, "=1+1", "2023-02-30"])
def test_bad_batch_fields_on_the_page_are_a_message(w, users, value):
    c = claim(w, status=ClaimStatus.APPROVED, award=D(1000), fee=2000, claimed=1000)
    Batch.objects.create(code="PH-T-Q", region=Region.objects.get(code="330482"), year=YEAR, seq=6,
                         usage_from=c.used_on, usage_to=c.used_on)
    client = page(users["ph_admin"])
    client.post("/vouchers/batch/PH-T-Q/", {"action": "collect"})
    for fields in ({"action": "publish", "working_days": value}, {"action": "publish", "starts_on": value},
                   {"action": "pay", "paid_on": value}, {"action": value}):
        response = client.post("/vouchers/batch/PH-T-Q/", fields, follow=True)
        assert response.status_code == 200 and "alert-danger" in response.content.decode(), fields
    assert Batch.objects.get(code="PH-T-Q").status == "draft"
