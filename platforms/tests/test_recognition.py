"""The 县级研发中心 screening and batch confirmation (达标即准): who is proposed at each side of every threshold
of the shipped example, and a batch confirmed whole or not at all, by the county's bureau only."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal as D

import pytest
from django.utils import timezone

from core.audit import history_for
from core.errors import BusinessError, NotAllowed
from core.models import ChangeRecord, Region
from enterprises import engine, uscc
from enterprises.models import Enterprise, EnterpriseYear
from platforms.models import Kind, Level, Platform, PlatformLevel, Status
from platforms.services.recognition import confirm_batch, propose

pytestmark = pytest.mark.django_db

JS, JS_TOWN, PH_TOWN = "330421", "330421001", "330482001"  # 嘉善县, 魏塘街道, 当湖街道
YEAR = 2024
# Exactly on every threshold of county_rd_centre.json: 2000万元 revenue, 100万元 R&D, 10 staff, 100 m².
EDGE = {"revenue": D(2000), "rd_expense": D(100), "rd_staff": 10, "rd_area": D(100), "above_scale": True}
_serial = itertools.count(8_100_000)


def code_for(serial: int, region: str) -> str:
    body = f"91{region[:6]}MA{serial:07d}"[:17]
    return body + uscc.check_char(body)


def firm(name: str, region: str = JS_TOWN, year: int = YEAR, **changes) -> Enterprise:
    serial = next(_serial)
    made = Enterprise.objects.create(uscc=code_for(serial, region), name=name, region=Region.objects.get(code=region),
                                     established=datetime.date(2015, 3, 1))
    EnterpriseYear.objects.create(enterprise=made, year=year, **{**EDGE, **changes})
    return made


def centre(operator: Enterprise, **fields) -> Platform:
    values = {"code": f"T{next(_serial)}", "name": f"{operator.name}研发中心", "kind": Kind.ENT_CENTRE,
              "level": Level.COUNTY, "region": operator.region, "operator_uscc": operator.uscc,
              "operator_name": operator.name, "recognised_on": datetime.date(2023, 5, 1), **fields}
    return Platform.objects.create(**values)


@pytest.fixture
def rules(reference):
    from enterprises.services import rulesets

    rulesets._compiled.clear()  # a version saved in a rolled-back test must not leave its compiled form
    found = {r.code: r for r in rulesets.ensure_shipped()}
    yield found
    rulesets._compiled.clear()


@pytest.fixture
def firms(rules):
    return {
        "edge": firm("恰好达标公司"),
        "by_intensity": firm("强度达标公司", revenue=D(3000), rd_expense=D(90)),  # 90万元 < 100, but 3%
        "revenue_short": firm("营收差一点公司", revenue=D("1999.99")),
        "rd_short": firm("研发费用差一点公司", revenue=D(4000), rd_expense=D("99.99")),  # and 2.5%
        "staff_short": firm("研发人员差一点公司", rd_staff=9),
        "area_short": firm("场地差一点公司", rd_area=D("99.99")),
        "below_scale": firm("规下公司", revenue=D(5000), above_scale=False),
        "no_area": firm("缺场地数据公司", rd_area=None),
        "last_year": firm("只有上年数据公司", year=YEAR - 1),
        "holder": firm("已有中心公司"),
        "revoked_holder": firm("中心已撤销公司"),
        "pinghu": firm("平湖达标公司", region=PH_TOWN),
    }


def proposed(user) -> set[str]:
    return {p.name for p in propose(user, JS, YEAR)}


def test_the_example_ships_as_a_rule_set_in_the_rule_language(rules):
    assert "county_rd_centre" in engine.shipped_codes()
    ruleset = rules["county_rd_centre"]
    assert ruleset.name == "县级企业研发中心认定条件（示例）" and ruleset.region_id is None
    assert "无感认定" in ruleset.definition["basis"] and "示例" in ruleset.definition["description"]
    compiled = engine.compile_ruleset(engine.load_shipped("county_rd_centre"))
    assert compiled.codes == ("above_scale", "rd_expense", "rd_intensity", "rd_staff", "rd_area")


def test_screening_proposes_exactly_the_enterprises_that_pass(firms, users):
    centre(firms["holder"], kind=Kind.ENT_INSTITUTE, level=Level.CITY)
    centre(firms["revoked_holder"], status=Status.REVOKED)
    proposals = propose(users["js_admin"], JS, YEAR)
    assert {p.name for p in proposals} == {"恰好达标公司", "强度达标公司", "中心已撤销公司"}
    edge = next(p for p in proposals if p.name == "恰好达标公司")
    assert (edge.uscc, edge.region_code, edge.region_name, edge.year) == (firms["edge"].uscc, JS_TOWN, "魏塘街道",
                                                                          YEAR)
    assert edge.ruleset == "县级企业研发中心认定条件（示例）"
    assert edge.assessment.status == engine.ELIGIBLE
    shown = {c.code: c.actual for c in edge.assessment.criteria}
    assert (shown["rd_staff"], shown["rd_area"]) == ("10人", "100平方米")


def test_a_figure_of_a_later_year_does_not_count_for_an_earlier_one(firms, users):
    EnterpriseYear.objects.create(enterprise=firms["staff_short"], year=YEAR + 1, **{**EDGE, "rd_staff": 30})
    assert "研发人员差一点公司" not in proposed(users["js_admin"])
    assert {p.name for p in propose(users["js_admin"], JS, YEAR + 1)} == {"研发人员差一点公司"}


def test_a_county_copy_of_the_rule_changes_who_is_proposed(firms, users):
    from enterprises.services.rulesets import save_ruleset

    definition = engine.load_shipped("county_rd_centre")
    for criterion in definition["criteria"]:
        if criterion["code"] == "rd_staff":
            criterion["min"] = 5
    save_ruleset(user=users["js_admin"], definition=definition)
    assert "研发人员差一点公司" in proposed(users["js_admin"])


def test_only_readers_of_the_region_see_the_proposals(firms, users):
    assert proposed(users["admin"]) == proposed(users["js_admin"])
    for name in ("ph_admin", "js_weitang", "demo_qiye", "demo_zhuanjia"):
        with pytest.raises(NotAllowed):
            propose(users[name], JS, YEAR)


def test_a_confirmed_batch_becomes_county_centres_with_level_rows_and_history(firms, users):
    admin = users["js_admin"]
    on = timezone.localdate()
    chosen = [firms["edge"].uscc, firms["by_intensity"].uscc]
    made = confirm_batch(actor=admin, region_code=JS, year=YEAR, usccs=chosen, document_no="善科〔2025〕8号",
                         recognised_on=on)
    assert [p.operator_uscc for p in made] == chosen
    assert [p.code for p in made] == ["YF3304210001", "YF3304210002"]
    first = Platform.objects.get(pk=made[0].pk)
    assert (first.kind, first.level, first.status, first.region.code) == (
        Kind.ENT_CENTRE, Level.COUNTY, Status.ACTIVE, JS_TOWN)
    assert (first.operator_name, first.name, first.recognised_by, first.document_no, first.recognised_on) == (
        "恰好达标公司", "恰好达标公司研发中心", "嘉善县科学技术局", "善科〔2025〕8号", on)
    assert first.source == "达标即准：县级企业研发中心认定条件（示例）"
    levels = PlatformLevel.objects.filter(platform__in=made)
    assert {(lv.platform_id, lv.level, lv.starts_on, lv.ends_on, lv.document_no) for lv in levels} == {
        (p.pk, Level.COUNTY, on, None, "善科〔2025〕8号") for p in made}
    history = list(history_for(first))
    assert len(history) == 1 and history[0].action == ChangeRecord.Action.CREATE and history[0].actor == admin
    assert history[0].after["operator_uscc"] == firms["edge"].uscc and "善科〔2025〕8号" in history[0].note
    assert len(history_for(levels.get(platform=first))) == 1
    # Recognised now: no longer proposed, and a second batch with them is refused.
    assert proposed(admin) == {"已有中心公司", "中心已撤销公司"}  # (their centres are not made in this test)
    with pytest.raises(BusinessError, match="恰好达标公司.*已有县级及以上研发机构"):
        confirm_batch(actor=admin, region_code=JS, year=YEAR, usccs=[firms["edge"].uscc], document_no="善科〔2025〕9号",
                      recognised_on=on)
    # The next batch continues the numbering.
    again = confirm_batch(actor=admin, region_code=JS, year=YEAR + 1,
                          usccs=[firm("次年达标公司", year=YEAR + 1).uscc], document_no="善科〔2026〕1号",
                          recognised_on=on)
    assert [p.code for p in again] == ["YF3304210003"]


def test_a_batch_with_one_stale_enterprise_creates_nothing(firms, users):
    EnterpriseYear.objects.filter(enterprise=firms["by_intensity"], year=YEAR).update(rd_staff=8)
    before = (Platform.objects.count(), PlatformLevel.objects.count(), ChangeRecord.objects.count())
    with pytest.raises(BusinessError) as refused:
        confirm_batch(actor=users["js_admin"], region_code=JS, year=YEAR,
                      usccs=[firms["edge"].uscc, firms["by_intensity"].uscc, firms["pinghu"].uscc],
                      document_no="善科〔2025〕8号", recognised_on=timezone.localdate())
    message = str(refused.value)
    assert "“强度达标公司”" in message and "已不符合认定条件" in message and "还需2名研发人员" in message
    assert "“平湖达标公司”" in message and "不属于嘉善县" in message
    assert "恰好达标公司" not in message
    assert (Platform.objects.count(), PlatformLevel.objects.count(), ChangeRecord.objects.count()) == before


def test_a_batch_is_refused_to_anyone_but_the_county_bureau(firms, users):
    # A town reporter, the enterprise itself, another county's bureau, a leader who reads 嘉善 but changes nothing.
    for name in ("js_weitang", "demo_qiye", "ph_admin", "jx_leader"):
        with pytest.raises(NotAllowed):
            confirm_batch(actor=users[name], region_code=JS, year=YEAR, usccs=[firms["edge"].uscc],
                          document_no="善科〔2025〕8号", recognised_on=timezone.localdate())
    assert not Platform.objects.filter(operator_uscc=firms["edge"].uscc).exists()


@pytest.mark.parametrize("changes, message", [
    ({"document_no": "  "}, "请填写认定文号"),
    ({"usccs": []}, "请选择要认定的企业"),
    ({"region_code": JS_TOWN}, "请选择县（市、区）"),
    ({"recognised_on": datetime.date(2999, 1, 1)}, "不能晚于今天"),
])
def test_a_batch_without_what_it_needs_is_refused(firms, users, changes, message):
    arguments = {"actor": users["js_admin"], "region_code": JS, "year": YEAR, "usccs": [firms["edge"].uscc],
                 "document_no": "善科〔2025〕8号", "recognised_on": timezone.localdate(), **changes}
    with pytest.raises(BusinessError, match=message):
        confirm_batch(**arguments)
    assert not Platform.objects.filter(operator_uscc=firms["edge"].uscc).exists()


def test_the_same_enterprise_twice_in_a_batch_is_refused(firms, users):
    code = firms["edge"].uscc
    with pytest.raises(BusinessError, match="名单中企业重复"):
        confirm_batch(actor=users["js_admin"], region_code=JS, year=YEAR, usccs=[code, code.lower()],
                      document_no="善科〔2025〕8号", recognised_on=timezone.localdate())
