"""The set-based pool refresh: history for every entrant and leaver however many there are, and the same
members, reasons and history as the former row-by-row refresh on a mixed case (kept below as the reference).

The batch size is set to a few rows, so a handful of firms crosses several batches.
"""

import datetime
from decimal import Decimal

import pytest

from core.audit import record_changes
from core.models import ChangeRecord, Region
from enterprises.models import EnterpriseYear, Pool, PoolMember, Screening, ScreeningResult
from enterprises.services import pools
from enterprises.services.rulesets import active
from enterprises.services.screening import screen
from enterprises.tests.conftest import HITECH, JS_COUNTY, JS_TOWN, ON, PH_COUNTY, SME, make_firm, years_of

pytestmark = pytest.mark.django_db

LATER = datetime.date(2025, 9, 30)
FAIL_ONE = {"tech_staff": 9}
FAIL_TWO = {"tech_staff": 9, "hitech_revenue": Decimal(599)}


def screened(code: str, on: datetime.date = ON, region: str = PH_COUNTY) -> Screening:
    """A stored screening whose pools are not refreshed yet (the test refreshes them)."""
    place = Region.objects.get(code=region)
    return screen(Screening.objects.create(ruleset=active(code, place), date=on, region=place))


def history(pool_code: str) -> list[tuple]:
    members = {str(m.pk): m for m in PoolMember.objects.filter(pool__code=pool_code)}
    rows = ChangeRecord.objects.filter(content_type__model="poolmember", object_id__in=members)
    out = []
    for row in rows:
        member = members[row.object_id]
        # The two pools differ only in their own code and ids (a manual entry's snapshot holds both).
        after = {k: ("*" if k == "pool" else v) for k, v in row.after.items() if k != "id"}
        out.append((member.enterprise_id, member.entered_on, row.action, row.before, after, row.actor_id,
                    row.actor_name, row.note, row.object_repr == f"PoolMember object ({member.pk})"))
    return sorted(out, key=repr)


def members(pool_code: str) -> list[tuple]:
    return sorted((m.enterprise_id, m.entered_on, m.exited_on, m.reason, m.exit_reason, m.source, m.screening_id)
                  for m in PoolMember.objects.filter(pool__code=pool_code))


def test_history_covers_every_entrant_and_leaver_beyond_a_batch(rulesets, users, settings):
    settings.KECHUANG_POOL_BATCH = 3
    firms = [make_firm(years=years_of(**FAIL_ONE)) for _ in range(11)]
    admin = users["ph_admin"]
    pool = Pool.objects.get(code="hitech_incubation")

    first = screened("hitech")
    assert pools.refresh_pool(pool, first, admin) == {"entered": 11, "exited": 0, "members": 11}
    entered = {m.pk: m for m in PoolMember.objects.filter(pool=pool)}
    assert {m.enterprise_id for m in entered.values()} == {f.pk for f in firms}
    created = ChangeRecord.objects.filter(content_type__model="poolmember", action=ChangeRecord.Action.CREATE)
    assert sorted(int(c.object_id) for c in created) == sorted(entered)
    for change in created:
        member = entered[int(change.object_id)]
        assert change.before is None
        assert change.after == {"pool": "hitech_incubation", "reason": member.reason}
        assert member.reason == "2025-06-30高新技术企业（量化条件预评）评测：未通过1项（科技人员占比还差1个百分点）"
        assert (change.actor, change.actor_name, change.note) == (admin, str(admin), "培育库按评测结果更新")
        assert change.at is not None and change.object_repr == f"PoolMember object ({member.pk})"

    # Seven now fail two criteria: each one exits, each with its own history record.
    slipping = firms[:7]
    EnterpriseYear.objects.filter(enterprise__in=slipping).update(hitech_revenue=Decimal(599))
    later = screened("hitech", on=LATER)
    assert pools.refresh_pool(pool, later, None) == {"entered": 0, "exited": 7, "members": 4}
    exits = ChangeRecord.objects.filter(content_type__model="poolmember", action=ChangeRecord.Action.UPDATE)
    left = {m.pk for m in PoolMember.objects.filter(pool=pool, exited_on=LATER)}
    assert {m.enterprise_id for m in PoolMember.objects.filter(pk__in=left)} == {f.pk for f in slipping}
    assert sorted(int(c.object_id) for c in exits) == sorted(left)
    reason = "2025-09-30高新技术企业（量化条件预评）评测不再符合入库规则"
    for change in exits:
        assert change.before == {"exited_on": None}
        assert change.after == {"exited_on": "2025-09-30", "exit_reason": reason}
        assert (change.actor, change.actor_name) == (None, "系统")
    assert set(PoolMember.objects.filter(pool=pool, exited_on=LATER).values_list("exit_reason", flat=True)) == {
        reason}

    # Refreshing again from the same screening changes nothing and writes no history.
    count = ChangeRecord.objects.count()
    assert pools.refresh_pool(pool, later, None) == {"entered": 0, "exited": 0, "members": 4}
    assert ChangeRecord.objects.count() == count


# ----------------------------------------------------------------- the former refresh, as the reference


def old_refresh_pool(pool: Pool, screening: Screening, user=None) -> dict:
    """The row-by-row refresh this module replaced (without its 10,000-record history cap)."""
    rule = dict(pool.rule)
    must, must_not = set(rule.pop("passed", [])), set(rule.pop("not_passed", []))
    admitted = pools.matching(Pool(rule=rule), screening)
    wanted = set()
    for enterprise_id, criteria in admitted.values_list("enterprise_id", "criteria"):
        passed = {c[0] for c in criteria if c[1] is True}
        if must <= passed and not (must_not & passed):
            wanted.add(enterprise_id)
    region = screening.region
    current = {m.enterprise_id: m for m in PoolMember.objects.filter(
        pool=pool, exited_on__isnull=True,
        enterprise__region__code__startswith=region.code if region.level == "town" else region.prefix)}
    new_ids = wanted - set(current)
    leaving = [m for eid, m in current.items() if eid not in wanted and m.source == "screening"]
    new = [PoolMember(pool=pool, enterprise_id=r.enterprise_id, entered_on=screening.date,
                      reason=pools._reason(pool, screening, r), screening=screening, source="screening")
           for r in ScreeningResult.objects.filter(screening=screening, enterprise_id__in=new_ids)]
    PoolMember.objects.bulk_create(new)
    exit_reason = f"{screening.date.isoformat()}{screening.ruleset.name}评测不再符合入库规则"
    for member in leaving:
        member.exited_on, member.exit_reason = screening.date, exit_reason
    PoolMember.objects.bulk_update(leaving, ["exited_on", "exit_reason"])
    record_changes(actor=user, changes=[(m, ChangeRecord.Action.CREATE, None, {"pool": pool.code, "reason": m.reason})
                                        for m in new]
                   + [(m, ChangeRecord.Action.UPDATE, {"exited_on": None}, {"exited_on": str(m.exited_on),
                                                                             "exit_reason": exit_reason})
                      for m in leaving], note="培育库按评测结果更新")
    return {"entered": len(new), "exited": len(leaving), "members": len(wanted | {
        eid for eid, m in current.items() if m.source == "manual"})}


def eagle(revenue, rd, tech, ip1, ip2):
    return make_firm(years=years_of(revenue=Decimal(revenue), rd_expense=Decimal(rd), tech_staff=tech, ip1=ip1,
                                    ip2=ip2))


def test_the_set_based_refresh_equals_the_former_one_on_a_mixed_case(rulesets, users, settings):
    settings.KECHUANG_POOL_BATCH = 2
    sme = (SME, datetime.date(2025, 3, 1))
    firms = {
        "passes": make_firm(years=years_of()),
        "fails_one": make_firm(years=years_of(**FAIL_ONE)),
        "fails_one_with_sme": make_firm(years=years_of(**FAIL_ONE), quals=[sme]),
        "fails_two_with_sme": make_firm(years=years_of(**FAIL_TWO), quals=[sme]),
        "fails_two": make_firm(years=years_of(**FAIL_TWO)),
        "incomplete": make_firm(years=[]),
        "holds_hitech": make_firm(years=years_of(**FAIL_ONE), quals=[(HITECH, datetime.date(2023, 10, 15))]),
        "manual_passing": make_firm(years=years_of()),
        "manual_failing": make_firm(years=years_of(**FAIL_TWO)),
        "slips": make_firm(years=years_of(**FAIL_ONE)),
        "recognised": make_firm(years=years_of(**FAIL_ONE)),
        "joins_later": make_firm(years=years_of(**FAIL_TWO)),
        "elsewhere": make_firm(region=JS_TOWN, years=years_of(**FAIL_ONE)),
        **{f"eagle_{n}": eagle(*figures) for n, figures in {
            40: (90, "4.5", 4, 0, 5), 57: (1000, 60, 9, 0, 5), 60: (1000, 60, 10, 0, 5), 77: (4999, 300, 30, 1, 0),
            80: (5000, 300, 30, 1, 0), 35: (90, "4.49", 4, 0, 5)}.items()},
    }
    pairs = []
    for shipped in Pool.objects.order_by("order"):
        pairs.append((Pool.objects.create(code=f"old_{shipped.code}", name=f"旧{shipped.name}", rule=shipped.rule),
                      Pool.objects.create(code=f"new_{shipped.code}", name=f"新{shipped.name}", rule=shipped.rule)))
    admin = users["ph_admin"]
    for old, new in pairs:
        for name in ("manual_passing", "manual_failing"):
            for pool in (old, new):
                pools.add_member(user=admin, pool=pool, enterprise=firms[name], reason="镇街道推荐", on=ON)

    def refresh_both(screening: Screening, user) -> None:
        for old, new in pairs:
            if old.rule["ruleset"] == screening.ruleset.code:
                assert pools.refresh_pool(new, screening, user) == old_refresh_pool(old, screening, user), old.code

    refresh_both(screened("hitech", region=JS_COUNTY), None)  # 嘉善's member, left alone by 平湖's screenings
    refresh_both(screened("hitech"), admin)
    refresh_both(screened("golden_eagle"), admin)
    EnterpriseYear.objects.filter(enterprise=firms["slips"]).update(hitech_revenue=Decimal(100))
    EnterpriseYear.objects.filter(enterprise=firms["joins_later"]).update(hitech_revenue=Decimal(700))
    EnterpriseYear.objects.filter(enterprise=firms["elsewhere"]).update(hitech_revenue=Decimal(0))
    EnterpriseYear.objects.filter(enterprise=firms["eagle_57"]).update(tech_staff=10)
    EnterpriseYear.objects.filter(enterprise=firms["eagle_80"]).update(revenue=Decimal(4999))
    firms["recognised"].qualifications.create(type=HITECH, number="GR2025-9", issued=datetime.date(2025, 8, 1),
                                              expires=datetime.date(2028, 7, 31))
    refresh_both(screened("hitech", on=LATER), users["ph_leader"])
    refresh_both(screened("golden_eagle", on=LATER), None)

    for old, new in pairs:
        assert members(new.code) == members(old.code), new.code
        assert history(new.code) == history(old.code), new.code
    # The case is mixed indeed: entries, exits, manual members and tiers all occurred.
    incubation = members("new_hitech_incubation")
    assert {(f, e) for f, _, e, *_ in incubation} >= {
        (firms["slips"].pk, LATER), (firms["recognised"].pk, LATER), (firms["fails_one"].pk, None),
        (firms["manual_passing"].pk, None), (firms["manual_failing"].pk, None), (firms["elsewhere"].pk, None)}
    assert firms["joins_later"].pk in {f for f, *_ in members("new_hitech_incubation")}
    eagles = {f.pk for name, f in firms.items() if name.startswith("eagle_")}
    exits = {code: {f for f, _, e, *_ in members(f"new_golden_eagle_{code}") if e == LATER and f in eagles}
             for code in ("seed", "incubating", "growth")}
    assert exits == {"seed": {firms["eagle_57"].pk}, "incubating": set(), "growth": {firms["eagle_80"].pk}}
    assert {f for f, _, e, *_ in members("new_golden_eagle_incubating") if e is None and f in eagles} == {
        firms[f"eagle_{n}"].pk for n in (57, 60, 77, 80)}
