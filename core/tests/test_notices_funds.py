"""公示 (working days, published fields only, objections) and the funds ledger (兑现率, payments)."""

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from core.errors import BusinessError, Conflict, NotAllowed
from core.funds import load_seed_entries, record_payment, summary
from core.models import OrgUnit, Region
from core.models_notice import FundEntry, Objection
from core.publicity import decide_objection, notice_cleared, open_notice, submit_objection
from core.registry.testing import RegistryContract
from core.testing import race

D = datetime.date
COLUMNS = [("name", "企业名称"), ("amount", "补助金额（万元）")]


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def firms(users):
    return list(OrgUnit.objects.filter(code__startswith="330482-")[:3])


@pytest.fixture
def notice(users, firms):
    return open_notice(actor=users["ph_admin"], title="2023年第一批创新券兑付名单公示", programme="vouchers",
                       region=Region.objects.get(code="330482"), columns=COLUMNS, contact="市科技局 85000000",
                       items=[(f, {"name": f.name, "amount": "1.50"}) for f in firms], starts_on=D(2025, 9, 29))


@pytest.mark.django_db
def test_notice_ends_after_five_working_days_over_the_national_holiday(notice):
    assert notice.ends_on == D(2025, 10, 11) and notice.calendar_known


@pytest.mark.django_db
@pytest.mark.parametrize("published,reason", [
    ({"name": "某企业", "手机": "13800000000"}, "不得公示"),
    ({"name": "张三 330482199001011234", "amount": "1"}, "身份证"),
    ({"name": "联系 13912345678", "amount": "1"}, "手机号码"),
    ({"name": "账户 6222021234567890123", "amount": "1"}, "银行账号"),
])
def test_private_fields_are_never_published(users, firms, published, reason):
    columns = COLUMNS + [("手机", "手机")]
    with pytest.raises(BusinessError, match=reason):
        open_notice(actor=users["ph_admin"], title="x", programme="vouchers", region=Region.objects.get(code="330482"),
                    columns=columns, items=[(firms[0], published)])


@pytest.mark.django_db
def test_only_the_regions_bureau_opens_a_notice(users, firms):
    for username in ("js_admin", "ph_leader", "ph_danghu"):
        with pytest.raises(NotAllowed):
            open_notice(actor=users[username], title="x", programme="v", region=Region.objects.get(code="330482"),
                        columns=COLUMNS, items=[(firms[0], {"name": "a"})])


@pytest.mark.django_db
def test_public_page_needs_no_login_and_shows_published_fields_only(client, notice, firms):
    submit_objection(notice_id=notice.pk, item_id=None, text="名单有误", submitter="李四", contact="13700001111",
                     today=D(2025, 9, 30))
    listing = client.get("/gongshi/").content.decode()
    assert notice.title in listing
    page = client.get(f"/gongshi/{notice.pk}/").content.decode()
    assert firms[0].name in page and "1.50" in page
    assert "13700001111" not in page and "李四" not in page  # the objector stays private
    assert "已收到异议 1 件，待处理 1 件" in page


@pytest.mark.django_db
def test_objections_only_while_the_notice_runs_and_bad_input_is_refused(notice):
    with pytest.raises(BusinessError, match="不再受理"):
        submit_objection(notice_id=notice.pk, item_id=None, text="迟到", submitter="王", contact="1",
                         today=D(2025, 10, 12))
    with pytest.raises(BusinessError):
        submit_objection(notice_id=notice.pk, item_id=None, text="x\x00", submitter="王", contact="1",
                         today=D(2025, 9, 30))
    with pytest.raises(BusinessError):
        submit_objection(notice_id=notice.pk, item_id=None, text="长" * 100_000, submitter="王", contact="1",
                         today=D(2025, 9, 30))
    assert Objection.objects.count() == 0


@pytest.mark.django_db
def test_a_workflow_cannot_pass_a_notice_early_or_with_an_undecided_objection(users, notice, firms):
    assert notice_cleared(firms[0], today=D(2025, 10, 11)) == "公示期至2025-10-11，期满后方可进行下一步"
    assert notice_cleared(firms[0], today=D(2025, 10, 13)) is None
    item = notice.items.get(position=2)
    objection = submit_objection(notice_id=notice.pk, item_id=item.pk, text="该企业存在关联关系", submitter="王",
                                 contact="x", today=D(2025, 10, 10))
    assert notice_cleared(firms[1], today=D(2025, 10, 13)) == "公示有未处理的异议"
    assert notice_cleared(firms[0], today=D(2025, 10, 13)) is None  # the objection names another firm
    with pytest.raises(BusinessError, match="处理意见"):
        decide_objection(actor=users["ph_admin"], objection_id=objection.pk, upheld=True, decision=" ")
    with pytest.raises(NotAllowed):
        decide_objection(actor=users["js_admin"], objection_id=objection.pk, upheld=False, decision="不成立")
    decide_objection(actor=users["ph_admin"], objection_id=objection.pk, upheld=True, decision="经核实关联关系属实")
    assert notice_cleared(firms[1], today=D(2025, 10, 13)) == "公示异议成立"
    with pytest.raises(Conflict):
        decide_objection(actor=users["ph_admin"], objection_id=objection.pk, upheld=False, decision="再议")
    assert notice_cleared(users["ph_admin"], today=D(2025, 10, 13)) == "尚未公示"


@pytest.mark.django_db
def test_objection_decision_api_per_role(users, notice):
    objection = submit_objection(notice_id=notice.pk, item_id=None, text="异议", submitter="王", contact="x",
                                 today=D(2025, 9, 30))
    url = f"/api/objections/{objection.pk}/decision/"
    assert api(users["ph_leader"]).post(url, {"upheld": False, "decision": "x"}, format="json").status_code == 403
    assert api(users["ph_admin"]).post(url, {"upheld": False}, format="json").status_code == 400
    response = api(users["ph_admin"]).post(url, {"upheld": False, "decision": "异议不成立"}, format="json")
    assert response.json() == {"id": objection.pk, "status": "rejected"}
    assert api(users["ph_admin"]).post(url, {"upheld": True, "decision": "x"}, format="json").status_code == 409


# --- funds ledger ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pinghu_2023_total_as_the_document_states_it(users):
    load_seed_entries()
    assert load_seed_entries() == 0  # idempotent
    data = summary(users["ph_admin"], 2023)
    assert data["paid"] == Decimal("119386000.00")  # 11938.6万元
    assert data["rate"] == Decimal("0.9997")        # 99.97%
    assert "11938.6万元" in FundEntry.objects.get(fiscal_year=2023).document
    body = api(users["jx_leader"]).get("/api/funds/summary/", {"year": 2023, "region": "330482"}).json()
    assert body["paid"] == 119386000 and body["rate"] == 0.9997
    assert body["programmes"][0]["programme"] == "科技政策兑现"
    assert api(users["js_admin"]).get("/api/funds/summary/", {"year": 2023}).json()["paid"] == 0
    for bad in ({"year": "1e309"}, {}, {"year": 2023, "region": "x\x00"}):
        assert api(users["ph_admin"]).get("/api/funds/summary/", bad).status_code == 400


def _entry(approved="1000.00"):
    return FundEntry.objects.create(programme="vouchers", policy_item="创新券", region=Region.objects.get(code="330482"),
                                    recipient_name="甲企业（演示）", fiscal_year=2025, approved=Decimal(approved),
                                    approved_on=D(2025, 3, 1), is_demo=True)


@pytest.mark.django_db
def test_payments_never_exceed_what_was_approved(users):
    entry = _entry()
    client = api(users["ph_admin"])
    url = f"/api/funds/{entry.pk}/payments/"
    assert client.post(url, {"amount": "600", "paid_on": "2025-04-01"}, format="json").json()["paid"] == 600
    response = client.post(url, {"amount": "600", "paid_on": "2025-04-02"}, format="json")
    assert response.status_code == 400 and "超过核定金额" in response.json()["errors"][0]["message"]
    for amount in ("1e309", "-5", "NaN", "abc", "0"):
        assert client.post(url, {"amount": amount, "paid_on": "2025-04-02"}, format="json").status_code == 400
    assert client.post(url, {"amount": "1", "paid_on": "2025-04-02", "version": 1}, format="json").status_code == 409
    assert api(users["js_admin"]).post(url, {"amount": "1", "paid_on": "2025-04-02"},
                                       format="json").status_code == 403
    entry.refresh_from_db()
    assert entry.paid == Decimal("600.00")
    due_later = _entry("500.00")
    due_later.due_on = D(2099, 1, 1)
    due_later.save()
    assert summary(users["ph_admin"], 2025)["rate"] == Decimal("0.6000")  # not yet due: not in the rate


@pytest.mark.django_db(transaction=True)
def test_two_payments_at_once_cannot_overpay(users):
    entry = _entry()

    def pay():
        record_payment(actor=users["ph_admin"], entry_id=entry.pk, amount=Decimal("700"), paid_on=D(2025, 4, 1))

    assert race(pay, pay, refused=(BusinessError,)) == ["BusinessError", "ok"]
    entry.refresh_from_db()
    assert entry.paid == Decimal("700.00")


class TestFundLedger(RegistryContract):
    name = "funds"
    manager = "ph_admin"
    viewers = ("ph_leader", "jx_leader")
    outsiders = ("js_admin", "ph_danghu", "demo_qiye")
    change = {"note": "第二批"}
    text_field = "recipient_name"

    def valid(self, users, n):
        return {"programme": "vouchers", "policy_item": "创新券兑付", "region": "330482",
                "recipient_name": f"演示企业{n}", "fiscal_year": 2025, "source": "county",
                "approved": "12500.00", "approved_on": "2025-03-01"}
