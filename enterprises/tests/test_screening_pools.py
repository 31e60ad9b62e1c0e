"""Screening (stored, repeatable, the ``screen`` command), the cultivation pools at each side of their rules
(entry with reasons, exit with date and reason, manual entries and removals, county isolation) and rule set
versions."""

import copy
import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from core.errors import BusinessError, Conflict, NotAllowed
from core.models import ChangeRecord, Region
from enterprises import engine
from enterprises.models import EnterpriseYear, Pool, PoolMember, RuleSet, Screening
from enterprises.services import pools
from enterprises.services.rulesets import active, save_ruleset
from enterprises.services.screening import screen_now
from enterprises.tests.conftest import HITECH, JS_COUNTY, JS_TOWN, ON, PH_COUNTY, SME, make_firm, years_of

pytestmark = pytest.mark.django_db

LATER = datetime.date(2025, 9, 30)
DAY = datetime.timedelta(days=1)
FAIL_ONE = {"tech_staff": 9}  # 9% < 10%: only 科技人员占比 fails
FAIL_TWO = {"tech_staff": 9, "hitech_revenue": Decimal(599)}  # and 59.9% < 60% 高新技术产品收入占比


def screen(code: str, region: str = PH_COUNTY, on: datetime.date = ON, user=None) -> Screening:
    return screen_now(user=user, ruleset=code, on=on, region=Region.objects.get(code=region))


def active_members(code: str) -> dict[int, PoolMember]:
    return {m.enterprise_id: m for m in PoolMember.objects.filter(pool__code=code, exited_on__isnull=True)}


def stored(screening: Screening) -> list[tuple]:
    return [(r.enterprise_id, r.status, r.eligible, r.direct, r.score, r.failed, r.criteria)
            for r in screening.results.order_by("enterprise_id")]


# --------------------------------------------------------------------------------------- screening


def test_screening_stores_a_result_per_enterprise_of_the_region(rulesets, users):
    passing = make_firm(years=years_of())
    failing = make_firm(years=years_of(**FAIL_TWO))
    empty = make_firm(years=[])
    make_firm(region=JS_TOWN, years=years_of())  # another county: not screened

    screening = screen("hitech", user=users["ph_admin"])
    assert (screening.total, screening.eligible, screening.incomplete) == (3, 1, 1)
    results = {r.enterprise_id: r for r in screening.results.all()}
    assert set(results) == {passing.pk, failing.pk, empty.pk}
    assert (results[passing.pk].status, results[passing.pk].failed) == ("eligible", 0)
    assert (results[failing.pk].status, results[failing.pk].eligible, results[failing.pk].failed) == (
        "not_eligible", False, 2)
    failed_codes = {c[0] for c in results[failing.pk].criteria if c[1] is False}
    assert failed_codes == {"tech_staff_ratio", "hitech_revenue_ratio"}
    assert results[empty.pk].status == "incomplete" and results[empty.pk].eligible is None
    assert [c[0] for c in results[passing.pk].criteria] == [
        "age", "ip", "tech_staff_ratio", "rd_ratio", "domestic_rd_ratio", "hitech_revenue_ratio"]


def test_screening_is_repeatable(rulesets, users):
    make_firm(years=years_of())
    make_firm(years=years_of(**FAIL_ONE), quals=[(SME, datetime.date(2025, 3, 1))])
    make_firm(years=years_of(2023, 2024, **FAIL_TWO))
    make_firm(years=[dict(y, hitech_revenue=None) for y in years_of()])
    make_firm(years=years_of(revenue=Decimal(30000), rd_expense=Decimal(900)), quals=[(HITECH, datetime.date(2023, 10, 15))])
    for code in ("hitech", "tech_sme", "golden_eagle"):
        first, second = screen(code), screen(code)
        assert first.pk != second.pk
        assert len(stored(first)) == 5
        assert stored(first) == stored(second)
        assert (first.total, first.eligible, first.incomplete) == (second.total, second.eligible, second.incomplete)


def test_screen_command_prints_a_summary_and_stores_results(rulesets):
    make_firm(years=years_of())
    jiashan = make_firm(region=JS_TOWN, years=years_of(**FAIL_ONE))
    make_firm(region=JS_TOWN, years=years_of(), quals=[(HITECH, datetime.date(2023, 10, 15))])
    out = io.StringIO()
    call_command("screen", "--ruleset", "hitech", "--date", "2025-06-30", stdout=out)
    screening = Screening.objects.get()
    assert (screening.ruleset.code, screening.date, screening.total, screening.eligible) == ("hitech", ON, 3, 2)
    assert screening.results.count() == 3
    text = out.getvalue()
    assert "评测 3 家，达标 2 家，资料不全 0 家" in text
    assert f"评测编号 {screening.pk}" in text
    assert "3/3" in text
    # Pools fed by the rule set were refreshed (the firm already holding 高企 is no incubation candidate).
    members = active_members("hitech_incubation")
    assert len(members) == 2 and jiashan.pk in members


def test_screen_command_for_one_region(rulesets):
    make_firm(years=years_of())
    make_firm(region=JS_TOWN, years=years_of())
    call_command("screen", "--ruleset", "tech_sme", "--date", "2025-06-30", "--region", JS_COUNTY,
                 stdout=io.StringIO())
    assert Screening.objects.get().results.get().enterprise.region.code == JS_TOWN


@pytest.mark.parametrize("args, message", [
    (["--ruleset", "nosuch", "--date", "2025-06-30"], "nosuch"),
    (["--ruleset", "hitech", "--date", "2025/06/30"], "YYYY-MM-DD"),
    (["--ruleset", "hitech", "--date", "2025-06-30", "--region", "999999"], "未知区划"),
])
def test_screen_command_refusals(rulesets, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("screen", *args, stdout=io.StringIO())
    assert not Screening.objects.exists()


# ------------------------------------------------------------------------------------------- pools


def test_hitech_incubation_pool_at_each_side_of_its_rule(rulesets, users):
    inside = {
        "passes_all": make_firm(years=years_of(tech_staff=10)),  # exactly 10%: passes
        "fails_one": make_firm(years=years_of(**FAIL_ONE)),
        "hitech_expired_day_before": make_firm(years=years_of(**FAIL_ONE),
                                               quals=[(HITECH, datetime.date(2022, 6, 30), ON - DAY)]),
        "hitech_issued_day_after": make_firm(years=years_of(**FAIL_ONE), quals=[(HITECH, ON + DAY)]),
        "holds_sme_only": make_firm(years=years_of(**FAIL_ONE), quals=[(SME, datetime.date(2025, 3, 1))]),
    }
    outside = {
        "fails_two": make_firm(years=years_of(**FAIL_TWO)),
        "holds_hitech": make_firm(years=years_of(**FAIL_ONE), quals=[(HITECH, datetime.date(2023, 10, 15))]),
        "hitech_expires_that_day": make_firm(years=years_of(**FAIL_ONE),
                                             quals=[(HITECH, datetime.date(2022, 7, 1), ON)]),
        "hitech_issued_that_day": make_firm(years=years_of(), quals=[(HITECH, ON)]),
    }
    screening = screen("hitech", user=users["ph_admin"])
    members = active_members("hitech_incubation")
    assert set(members) == {f.pk for f in inside.values()}, {
        name for name, f in {**inside, **outside}.items() if (f.pk in members) != (name in inside)}

    head = "2025-06-30高新技术企业（量化条件预评）评测："
    assert members[inside["fails_one"].pk].reason == head + "未通过1项（科技人员占比还差1个百分点）"
    assert members[inside["passes_all"].pk].reason == head + "全部达标"
    member = members[inside["fails_one"].pk]
    assert (member.entered_on, member.source, member.screening_id, member.exited_on) == (
        ON, "screening", screening.pk, None)
    created = ChangeRecord.objects.filter(content_type__model="poolmember", object_id=str(member.pk)).get()
    assert created.after["pool"] == "hitech_incubation" and created.actor == users["ph_admin"]


def test_hitech_reserve_pool_at_each_side_of_its_rule(rulesets):
    sme = (SME, datetime.date(2025, 3, 1))
    inside = {
        "fails_two_with_sme": make_firm(years=years_of(**FAIL_TWO), quals=[sme]),
        "fails_all_but_age": make_firm(years=years_of(ip1=0, ip2=0, tech_staff=0, rd_expense=Decimal(1),
                                                      domestic_rd=Decimal(0), hitech_revenue=Decimal(0)),
                                       quals=[sme]),
        "sme_expires_that_day": make_firm(years=years_of(**FAIL_TWO), quals=[(SME, datetime.date(2024, 7, 1), ON)]),
        "hitech_expired_day_before": make_firm(years=years_of(**FAIL_TWO),
                                               quals=[sme, (HITECH, datetime.date(2022, 6, 30), ON - DAY)]),
    }
    outside = {
        "fails_one_with_sme": make_firm(years=years_of(**FAIL_ONE), quals=[sme]),
        "fails_two_without_sme": make_firm(years=years_of(**FAIL_TWO)),
        "sme_expired_day_before": make_firm(years=years_of(**FAIL_TWO),
                                            quals=[(SME, datetime.date(2024, 6, 30), ON - DAY)]),
        "sme_issued_day_after": make_firm(years=years_of(**FAIL_TWO), quals=[(SME, ON + DAY)]),
        "also_holds_hitech": make_firm(years=years_of(**FAIL_TWO), quals=[sme, (HITECH, datetime.date(2023, 10, 15))]),
    }
    screen("hitech")
    members = active_members("hitech_reserve")
    assert set(members) == {f.pk for f in inside.values()}, {
        name for name, f in {**inside, **outside}.items() if (f.pk in members) != (name in inside)}
    assert members[inside["fails_two_with_sme"].pk].reason == (
        "2025-06-30高新技术企业（量化条件预评）评测：未通过2项（科技人员占比还差1个百分点；高新技术产品收入占比还差0.1个百分点）")
    assert "未通过5项" in members[inside["fails_all_but_age"].pk].reason
    # The one that fails only one criterion is a candidate for the incubation pool instead.
    assert outside["fails_one_with_sme"].pk in active_members("hitech_incubation")


def test_golden_eagle_tiers_at_each_side_of_the_scores(rulesets):
    def eagle(revenue, rd, tech, ip1, ip2, established=datetime.date(2015, 1, 1)):
        return make_firm(established=established, years=years_of(
            revenue=Decimal(revenue), rd_expense=Decimal(rd), tech_staff=tech, ip1=ip1, ip2=ip2))

    firms = {
        35: eagle(90, "4.49", 4, 0, 5),   # R&D 4.99% → 20 points
        40: eagle(90, "4.5", 4, 0, 5),    # R&D 5% → 25, Ⅱ类5项 → 15
        57: eagle(1000, 60, 9, 0, 5),     # 6% → 30, 科技人员9% → 3, 15, 营业收入1000万元 → 9
        60: eagle(1000, 60, 10, 0, 5),    # 科技人员10% → 6
        77: eagle(4999, 300, 30, 1, 0),   # 30 + 15 + Ⅰ类1项 20 + 营业收入4999万元 12
        80: eagle(5000, 300, 30, 1, 0),   # 营业收入5000万元 → 15
        "young": eagle(5000, 300, 30, 1, 0, established=ON - datetime.timedelta(days=364)),
        "one_year": eagle(5000, 300, 30, 1, 0, established=ON - datetime.timedelta(days=365)),
    }
    screening = screen("golden_eagle")
    scores = {r.enterprise_id: r.score for r in screening.results.all()}
    assert {key: scores[f.pk] for key, f in firms.items()} == {
        35: 35, 40: 40, 57: 57, 60: 60, 77: 77, 80: 80, "young": 80, "one_year": 80}
    tiers = {code: set(active_members(code)) for code in
             ("golden_eagle_seed", "golden_eagle_incubating", "golden_eagle_growth")}
    assert tiers == {
        "golden_eagle_seed": {firms[40].pk, firms[57].pk},
        "golden_eagle_incubating": {firms[60].pk, firms[77].pk},
        "golden_eagle_growth": {firms[80].pk, firms["one_year"].pk},
    }
    seed = active_members("golden_eagle_seed")[firms[40].pk].reason
    assert seed.startswith("2025-06-30“金鹰”企业培育评价")
    assert "得分40分" in seed and "总分还差20分" in seed and "全部达标" not in seed
    assert active_members("golden_eagle_growth")[firms[80].pk].reason.endswith("评测：全部达标")


def test_a_bureaus_own_pool_by_score_states_the_score(rulesets):
    """A pool rule is data: a score pool on tech_sme admits a firm whose revenue is unreported (资料不全)."""
    pool = Pool.objects.create(code="sme_high_score", name="科小高分库", rule={"ruleset": "tech_sme", "score_min": 60})
    pools.validate_rule(pool.rule)
    high = make_firm(years=[{"year": 2024, "revenue": None, "total_cost": Decimal(1000), "rd_expense": Decimal(300),
                             "total_assets": Decimal(800), "staff": 50, "tech_staff": 15, "ip1": 1}])
    low = make_firm(years=[{"year": 2024, "revenue": None, "total_cost": Decimal(1000), "rd_expense": Decimal(300),
                            "total_assets": Decimal(800), "staff": 50, "tech_staff": 1, "ip1": 0, "ip2": 0}])
    screening = screen("tech_sme")
    assert screening.results.get(enterprise=high).status == "incomplete"
    assert screening.results.get(enterprise=high).score == 100
    assert screening.results.get(enterprise=low).score == 50
    members = active_members("sme_high_score")
    assert set(members) == {high.pk}
    assert members[high.pk].reason == "2025-06-30科技型中小企业评价评测：得分100分"


def test_members_exit_with_date_and_reason_when_a_later_screening_no_longer_admits_them(rulesets, users):
    slipping = make_firm(years=years_of(**FAIL_ONE))
    recognised = make_firm(years=years_of(**FAIL_ONE))
    staying = make_firm(years=years_of(**FAIL_ONE))
    screen("hitech", user=users["ph_admin"])
    assert set(active_members("hitech_incubation")) == {slipping.pk, recognised.pk, staying.pk}

    EnterpriseYear.objects.filter(enterprise=slipping, year=2024).update(hitech_revenue=Decimal(100))
    recognised.qualifications.create(type=HITECH, number="GR2025-1", issued=datetime.date(2025, 8, 1),
                                     expires=datetime.date(2028, 7, 31))
    later = screen("hitech", on=LATER, user=users["ph_admin"])

    assert set(active_members("hitech_incubation")) == {staying.pk}
    for firm in (slipping, recognised):
        member = PoolMember.objects.get(pool__code="hitech_incubation", enterprise=firm)
        assert member.entered_on == ON
        assert member.exited_on == LATER
        assert member.exit_reason == "2025-09-30高新技术企业（量化条件预评）评测不再符合入库规则"
        change = ChangeRecord.objects.get(content_type__model="poolmember", object_id=str(member.pk),
                                          action=ChangeRecord.Action.UPDATE)
        assert change.after["exited_on"] == "2025-09-30"
    kept = PoolMember.objects.get(pool__code="hitech_incubation", enterprise=staying)
    assert (kept.entered_on, kept.screening_id != later.pk) == (ON, True)  # not re-entered

    # Back within the rule: a new membership, the old one stays in the history.
    EnterpriseYear.objects.filter(enterprise=slipping, year=2024).update(hitech_revenue=Decimal(700))
    screen("hitech", on=datetime.date(2025, 12, 31))
    rows = PoolMember.objects.filter(pool__code="hitech_incubation", enterprise=slipping).order_by("entered_on")
    assert [(m.entered_on, m.exited_on) for m in rows] == [(ON, LATER), (datetime.date(2025, 12, 31), None)]


def test_a_countys_screening_leaves_other_counties_members_alone(rulesets):
    pinghu = make_firm(years=years_of(**FAIL_ONE))
    jiashan = make_firm(region=JS_TOWN, years=years_of(**FAIL_ONE))
    screen("hitech", region=JS_COUNTY)
    assert set(active_members("hitech_incubation")) == {jiashan.pk}
    EnterpriseYear.objects.filter(enterprise=jiashan).update(hitech_revenue=Decimal(0))  # would now fail two

    screen("hitech", region=PH_COUNTY, on=LATER)
    assert set(active_members("hitech_incubation")) == {pinghu.pk, jiashan.pk}

    screen("hitech", region=JS_COUNTY, on=LATER)  # its own county's screening does judge it
    assert set(active_members("hitech_incubation")) == {pinghu.pk}
    assert PoolMember.objects.get(enterprise=jiashan).exited_on == LATER


def test_manual_addition_needs_a_reason_and_survives_screenings(rulesets, users):
    pool = Pool.objects.get(code="hitech_incubation")
    firm = make_firm(years=years_of(**FAIL_TWO))
    admin = users["ph_admin"]
    with pytest.raises(BusinessError, match="原因"):
        pools.add_member(user=admin, pool=pool, enterprise=firm, reason="  ", on=ON)
    with pytest.raises(NotAllowed):
        pools.add_member(user=users["ph_leader"], pool=pool, enterprise=firm, reason="镇街道推荐", on=ON)
    assert not PoolMember.objects.exists()

    member = pools.add_member(user=admin, pool=pool, enterprise=firm, reason="当湖街道推荐，拟申报", on=ON)
    assert (member.source, member.reason, member.added_by, member.entered_on) == (
        "manual", "当湖街道推荐，拟申报", admin, ON)
    assert ChangeRecord.objects.filter(content_type__model="poolmember", object_id=str(member.pk)).exists()
    with pytest.raises(Conflict):
        pools.add_member(user=admin, pool=pool, enterprise=firm, reason="再次", on=ON)

    result = screen("hitech", on=LATER)  # the firm still fails two criteria
    assert result.results.get(enterprise=firm).failed == 2
    member.refresh_from_db()
    assert member.exited_on is None


def test_manual_removal_needs_a_reason(rulesets, users):
    firm = make_firm(years=years_of(**FAIL_ONE))
    screen("hitech")
    member = active_members("hitech_incubation")[firm.pk]
    with pytest.raises(BusinessError, match="原因"):
        pools.remove_member(user=users["ph_admin"], member=member, reason="", on=LATER)
    with pytest.raises(NotAllowed):
        pools.remove_member(user=users["ph_danghu"], member=member, reason="已迁出", on=LATER)
    member.refresh_from_db()
    assert member.exited_on is None

    pools.remove_member(user=users["ph_admin"], member=member, reason="企业已迁出本市", on=LATER)
    member.refresh_from_db()
    assert (member.exited_on, member.exit_reason) == (LATER, "企业已迁出本市")
    with pytest.raises(Conflict):
        pools.remove_member(user=users["ph_admin"], member=member, reason="再次", on=LATER)
    assert active_members("hitech_incubation") == {}


def test_pool_rules_are_validated():
    pools.validate_rule({"ruleset": "hitech", "failed_max": 1})
    with pytest.raises(BusinessError, match="bogus"):
        pools.validate_rule({"ruleset": "hitech", "bogus": 1})
    with pytest.raises(BusinessError, match="ruleset"):
        pools.validate_rule({"failed_max": 1})


# --------------------------------------------------------------------------------------- rule sets


def changed_hitech(minimum: str = "0.12") -> dict:
    definition = copy.deepcopy(RuleSet.objects.get(code="hitech", version=1).definition)
    criterion = next(c for c in definition["criteria"] if c["code"] == "tech_staff_ratio")
    criterion["min"] = minimum
    return definition


def test_saving_a_changed_rule_set_makes_a_new_active_version(rulesets, users):
    firm = make_firm(years=years_of(tech_staff=11))  # 11%: passes at ≥10%, fails at ≥12%
    first = screen("hitech")
    assert first.results.get(enterprise=firm).eligible is True

    saved = save_ruleset(user=users["ph_admin"], definition=changed_hitech())
    assert (saved.code, saved.version, saved.is_active, saved.region.code) == ("hitech", 2, True, PH_COUNTY)
    assert saved.definition["version"] == 2
    versions = {r.version: r.is_active for r in RuleSet.objects.filter(code="hitech")}
    assert versions == {1: True, 2: True}  # the shared version 1 stays current for everyone else
    assert active("hitech", Region.objects.get(code=PH_COUNTY)) == saved
    assert active("hitech").version == 1
    change = ChangeRecord.objects.get(content_type__model="ruleset", object_id=str(saved.pk))
    assert (change.before["version"], change.after["version"], change.actor) == (1, 2, users["ph_admin"])

    second = screen("hitech")
    assert second.ruleset == saved
    assert second.results.get(enterprise=firm).eligible is False
    # The first screening still refers to version 1 and keeps its results.
    first.refresh_from_db()
    assert (first.ruleset.version, first.results.get(enterprise=firm).eligible) == (1, True)

    # Saving the same definition again is not a new version.
    assert save_ruleset(user=users["ph_admin"], definition=saved.definition) == saved
    assert RuleSet.objects.filter(code="hitech").count() == 2


@pytest.mark.parametrize("spoil, named", [
    (lambda d: d["criteria"][1].update(kind="bogus"), "bogus"),
    (lambda d: d.update(eligible={"all": ["age", "nope"]}), "nope"),
    (lambda d: d["criteria"][2].update(min="abc"), "abc"),
    (lambda d: d.pop("criteria"), "criteria"),
])
def test_an_invalid_rule_set_is_refused_with_a_chinese_message(rulesets, users, spoil, named):
    definition = changed_hitech()
    spoil(definition)
    count = RuleSet.objects.count()
    with pytest.raises(BusinessError) as caught:
        save_ruleset(user=users["ph_admin"], definition=definition)
    message = str(caught.value)
    assert "认定规则定义有误" in message and named in message
    assert RuleSet.objects.count() == count
    assert active("hitech").version == 1


@pytest.mark.parametrize("username", ["ph_leader", "ph_danghu", "demo_qiye"])
def test_only_bureau_admins_change_rule_sets(rulesets, users, username):
    with pytest.raises(NotAllowed):
        save_ruleset(user=users[username], definition=changed_hitech())
    assert active("hitech").version == 1


def test_a_new_rule_set_code_starts_at_version_one(rulesets, users):
    definition = {"code": "sme_holder", "name": "持有科技型中小企业资格",
                  "criteria": [{"code": "held", "name": "持有资格", "kind": "qualification", "type": SME}],
                  "eligible": "held"}
    saved = save_ruleset(user=users["js_admin"], definition=definition)
    assert (saved.version, saved.is_active, saved.name) == (1, True, "持有科技型中小企业资格")
    firm = make_firm(region=JS_TOWN, quals=[(SME, datetime.date(2025, 3, 1))])
    result = screen("sme_holder", region=JS_COUNTY).results.get(enterprise=firm)
    assert result.eligible is True
    assert engine.compile_ruleset(saved.definition).code == "sme_holder"
