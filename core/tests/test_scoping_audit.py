"""Who sees what (core.scoping and each model's restrict) and the change history helpers (core.audit)."""

import datetime
import json
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import AnonymousUser

from core.audit import history_for, record_change, snapshot
from core.models import ChangeRecord, OrgUnit, Region, User
from core.roles import Role
from core.scoping import region_prefix
from plans.models import Indicator, IndicatorValue, Plan, Target
from plans.services.seed import set_target
from plans.services.values import lock_period, report_value

PH, JS = "PH315-2023", "JS-2025"
PINGHU, DANGHU, ZHONGDAI, WEITANG = "330482", "330482001", "330482002", "330421001"
PINGHU_REGIONS = {PINGHU, "330482001", "330482002", "330482003", "330482101", "330482102", "330482103",
                  "330482104", "330482105", "330482106"}


@pytest.mark.parametrize(("code", "prefix"), [
    ("330000", "33"),
    ("330400", "3304"),
    ("330482", "330482"),
    ("330421", "330421"),
    ("330482001", "330482001"),
    ("110000", "11"),
    ("330482-kjj", "330482-kjj"),
])
def test_region_prefix(code, prefix):
    assert region_prefix(code) == prefix


def test_region_prefix_matches_the_subtree(reference):
    assert set(Region.objects.filter(code__startswith=region_prefix("330482")).values_list("code", flat=True)) \
        == PINGHU_REGIONS
    assert Region.objects.filter(code__startswith=region_prefix("330400")).count() == \
        Region.objects.exclude(code="330000").count()


# ------------------------------------------------------------------ fixtures


@pytest.fixture
def inactive(reference):
    unit = OrgUnit.objects.get(code="330482-kjj")
    return User.objects.create_user("gone", password="x", role=Role.BUREAU_ADMIN, org_unit=unit, is_active=False)


@pytest.fixture
def inactive_sysadmin(reference):
    return User.objects.create_user("gone_root", password="x", role=Role.SYSADMIN, is_superuser=True,
                                    is_active=False)


def place(code: str) -> OrgUnit:
    return OrgUnit.objects.select_related("region").get(code=code)


@pytest.fixture
def figures(plans, users):
    """Town figures for 当湖 and 钟埭 besides the seed's county figures of both counties."""
    ph01 = Indicator.objects.get(plan__code=PH, code="PH01")
    js04 = Indicator.objects.get(plan__code=JS, code="JS04")
    out = {}
    for code in (DANGHU, ZHONGDAI):
        set_target(actor=users["admin"], indicator=ph01, place=place(code), period="2024", value=D("6"))
        out[code] = report_value(reporter=users["admin"], indicator=ph01, place=place(code), period="2024Q1",
                                 value=D("1.5"))
    set_target(actor=users["admin"], indicator=js04, place=place(WEITANG), period="2025", value=D("8"),
               basis="new")
    out[WEITANG] = report_value(reporter=users["admin"], indicator=js04, place=place(WEITANG), period="2025",
                                value=D("3"), basis="new")
    return out


def codes(qs, field="code") -> set:
    return set(qs.values_list(field, flat=True))


def value_keys(qs) -> set:
    return set(qs.values_list("indicator__code", "place__code", "period", "basis"))




# ------------------------------------------------------------------ Region


def test_region_sysadmin_sees_everything(users):
    assert Region.objects.restrict(users["admin"]).count() == Region.objects.count()


def test_region_bureau_admin_sees_its_county_and_towns(users):
    assert codes(Region.objects.restrict(users["ph_admin"])) == PINGHU_REGIONS


def test_region_city_leader_sees_the_city(users):
    got = codes(Region.objects.restrict(users["jx_leader"]))
    assert got == codes(Region.objects.filter(code__startswith="3304"))
    assert "330000" not in got and "330421001" in got and PINGHU in got


def test_region_town_reporter_sees_only_its_town(users):
    assert codes(Region.objects.restrict(users["ph_danghu"])) == {DANGHU}


@pytest.mark.parametrize("username", ["admin", "ph_admin", "ph_leader", "ph_danghu", "ph_scjg"])
def test_region_nobody_changes_regions_through_restrict(users, username):
    expected = Region.objects.count() if username == "admin" else 0
    assert Region.objects.restrict(users[username], "change").count() == expected


# ------------------------------------------------------------------ OrgUnit


def test_orgunit_bureau_admin_sees_its_county_units(users):
    got = codes(OrgUnit.objects.restrict(users["ph_admin"]))
    assert {PINGHU, DANGHU, ZHONGDAI, "330482-kjj", "330482-scjg", "330482-P01", "DEMO-ENT-001"} <= got
    assert not {c for c in got if c.startswith("330421")}
    assert "330400" not in got


def test_orgunit_town_reporter_sees_nothing_of_another_town(users):
    got = codes(OrgUnit.objects.restrict(users["ph_danghu"]))
    assert got == {DANGHU}
    assert ZHONGDAI not in got
    assert not OrgUnit.objects.restrict(users["ph_danghu"], "change").exists()


@pytest.mark.parametrize(("username", "own"), [("demo_qiye", "DEMO-ENT-001"), ("demo_jigou", "DEMO-INS-001")])
def test_orgunit_enterprise_and_institution_see_only_themselves(users, username, own):
    assert codes(OrgUnit.objects.restrict(users[username])) == {own}


def test_orgunit_leader_views_but_does_not_change(users):
    assert OrgUnit.objects.restrict(users["ph_leader"]).filter(code="330482-kjj").exists()
    assert not OrgUnit.objects.restrict(users["ph_leader"], "change").exists()


# ------------------------------------------------------------------ Plan and Indicator


@pytest.mark.parametrize(("username", "view", "change"), [
    ("admin", {PH, JS}, {PH, JS}),
    ("ph_admin", {PH}, {PH}),
    ("js_admin", {JS}, {JS}),
    ("ph_leader", {PH}, set()),
    ("jx_leader", {PH, JS}, set()),
    ("ph_scjg", {PH}, set()),
    ("ph_fgj", {PH}, set()),
    ("ph_danghu", {PH}, set()),
    ("ph_zhongdai", {PH}, set()),
    ("js_weitang", {JS}, set()),
    ("demo_qiye", set(), set()),
    ("demo_jigou", set(), set()),
    ("demo_zhuanjia", set(), set()),
])
def test_plan_and_indicator_scope_by_role(plans, users, username, view, change):
    user = users[username]
    assert codes(Plan.objects.restrict(user)) == view
    assert codes(Plan.objects.restrict(user, "change")) == change
    assert codes(Indicator.objects.restrict(user), "plan__code") == view
    assert codes(Indicator.objects.restrict(user, "change"), "plan__code") == change
    expected = Indicator.objects.filter(plan__code__in=view).count()
    assert Indicator.objects.restrict(user).count() == expected


# ------------------------------------------------------------------ IndicatorValue


def test_values_sysadmin_and_county_admins(figures, users):
    everything = value_keys(IndicatorValue.objects.all())
    assert value_keys(IndicatorValue.objects.restrict(users["admin"], "change")) == everything
    ph = value_keys(IndicatorValue.objects.filter(indicator__plan__code=PH))
    js = value_keys(IndicatorValue.objects.filter(indicator__plan__code=JS))
    for action in ("view", "change"):
        assert value_keys(IndicatorValue.objects.restrict(users["ph_admin"], action)) == ph
        assert value_keys(IndicatorValue.objects.restrict(users["js_admin"], action)) == js


def test_values_town_reporter_sees_and_changes_nothing_of_another_town(figures, users):
    danghu = users["ph_danghu"]
    for action in ("view", "change"):
        visible = IndicatorValue.objects.restrict(danghu, action)
        assert figures[DANGHU] in visible
        assert figures[ZHONGDAI] not in visible
        assert set(visible.values_list("place__code", flat=True)) == {DANGHU}
    zhongdai = IndicatorValue.objects.restrict(users["ph_zhongdai"])
    assert figures[ZHONGDAI] in zhongdai and figures[DANGHU] not in zhongdai


def test_values_town_reporter_does_not_see_the_county_figures(figures, users):
    assert not IndicatorValue.objects.restrict(users["ph_danghu"]).filter(place__code=PINGHU).exists()


def test_values_unit_reporter_sees_only_its_indicators(figures, users):
    got = value_keys(IndicatorValue.objects.restrict(users["ph_scjg"]))
    assert got == {("PH09", PINGHU, "2025-09", "")}
    assert not IndicatorValue.objects.restrict(users["ph_fgj"]).exists()


def test_values_unit_reporter_scope_follows_responsibility(figures, users):
    ph01 = Indicator.objects.get(plan__code=PH, code="PH01")
    ph01.unit_links.create(org_unit=users["ph_fgj"].org_unit, position=1)
    got = {code for code, *_rest in value_keys(IndicatorValue.objects.restrict(users["ph_fgj"]))}
    assert got == {"PH01"}


@pytest.mark.parametrize(("username", "plan"), [("ph_leader", PH), ("jx_leader", None)])
def test_values_leader_views_but_cannot_change(figures, users, username, plan):
    expected = IndicatorValue.objects.all()
    if plan:
        expected = expected.filter(indicator__plan__code=plan)
    assert value_keys(IndicatorValue.objects.restrict(users[username])) == value_keys(expected)
    assert figures[DANGHU] in IndicatorValue.objects.restrict(users[username])
    assert not IndicatorValue.objects.restrict(users[username], "change").exists()


def test_values_pinghu_leader_sees_nothing_of_jiashan(figures, users):
    assert figures[WEITANG] not in IndicatorValue.objects.restrict(users["ph_leader"])
    assert not IndicatorValue.objects.restrict(users["ph_leader"]).filter(indicator__plan__code=JS).exists()


@pytest.mark.parametrize("username", ["demo_qiye", "demo_jigou", "demo_zhuanjia"])
def test_values_outside_roles_see_nothing(figures, users, username):
    assert not IndicatorValue.objects.restrict(users[username]).exists()
    assert not IndicatorValue.objects.restrict(users[username], "change").exists()


# ------------------------------------------------------------------ anonymous and inactive users


MODELS = [Region, OrgUnit, Plan, Indicator, IndicatorValue]


@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
@pytest.mark.parametrize("action", ["view", "change"])
def test_anonymous_gets_nothing(figures, model, action):
    assert model.objects.count() > 0
    assert not model.objects.restrict(AnonymousUser(), action).exists()
    assert not model.objects.restrict(None, action).exists()


@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
def test_inactive_users_get_nothing(figures, inactive, inactive_sysadmin, model):
    for user in (inactive, inactive_sysadmin):
        assert not model.objects.restrict(user).exists()
        assert not model.objects.restrict(user, "change").exists()


def test_deactivating_a_user_takes_effect(figures, users):
    user = users["ph_admin"]
    assert Plan.objects.restrict(user).exists()
    user.is_active = False
    user.save()
    assert not Plan.objects.restrict(User.objects.get(pk=user.pk)).exists()


def test_superuser_flag_alone_sees_everything(figures, reference):
    root = User.objects.create_user("root", password="x", is_superuser=True, role=Role.LEADER)
    assert IndicatorValue.objects.restrict(root, "change").count() == IndicatorValue.objects.count()


# ------------------------------------------------------------------ snapshot and record_change


def test_snapshot_is_json_ready(pinghu):
    data = snapshot(pinghu)
    assert data["issued_on"] == "2023-04-20"
    assert data["green_threshold"] == "1"
    assert data["yellow_threshold"] == "0.9"
    assert data["region"] == pinghu.region_id  # foreign keys as ids
    assert data["start_year"] == 2023
    assert json.loads(json.dumps(data)) == data


def test_snapshot_of_decimals_from_the_database(pinghu):
    target = Target.objects.get(indicator__plan=pinghu, indicator__code="PH01", period="2023Q1")
    assert target.value == D("11.34")
    data = snapshot(target)
    assert data["value"] == "11.34"
    assert snapshot(Target.objects.get(indicator__plan=pinghu, indicator__code="PH01", period="2027"))["value"] \
        == "60"


def test_snapshot_same_figure_typed_or_read_back_is_the_same(pinghu):
    target = Target.objects.get(indicator__plan=pinghu, indicator__code="PH01", period="2023Q2")
    from_db = snapshot(target)
    target.value = D("25.5")
    assert snapshot(target) == from_db


@pytest.mark.parametrize(("value", "text"), [
    (D("1E+3"), "1000"),
    (D("0.000001"), "0.000001"),
    (D("2.250000"), "2.25"),
    (D("-3.10"), "-3.1"),
    (D("0"), "0"),
    (D("80.000000"), "80"),
])
def test_snapshot_decimal_plain_notation(value, text):
    assert snapshot(Target(value=value), ["value"]) == {"value": text}


def test_snapshot_none_stays_none():
    assert snapshot(Target(value=None), ["value"]) == {"value": None}


def test_snapshot_limited_fields(pinghu):
    assert set(snapshot(pinghu, ["code", "start_year"])) == {"code", "start_year"}


def test_snapshot_datetime_is_iso_text(pinghu, users):
    lock = lock_period(admin=users["ph_admin"], plan=pinghu, period="2023Q2", reason="核定")
    data = snapshot(lock)
    assert isinstance(data["changed_at"], str)
    assert datetime.datetime.fromisoformat(data["changed_at"]) == lock.changed_at
    assert data["changed_by"] == users["ph_admin"].pk
    assert json.loads(json.dumps(data)) == data


def test_record_change_stores_json_values(pinghu, users):
    target = Target.objects.get(indicator__plan=pinghu, indicator__code="PH02", period="2023Q2")
    before = snapshot(target)
    target.value = D("2.35")
    target.save()
    record = record_change(actor=users["ph_admin"], obj=target, action=ChangeRecord.Action.UPDATE, before=before,
                           after=snapshot(target), note="更正")
    stored = ChangeRecord.objects.get(pk=record.pk)
    assert stored.before["value"] == "2.25"
    assert stored.after["value"] == "2.35"
    assert stored.changed_fields == [("value", "2.25", "2.35")]
    assert stored.actor == users["ph_admin"]
    assert stored.actor_name == "平湖市科技局管理员"
    assert stored.note == "更正"
    assert stored.object_id == str(target.pk)
    assert stored.at is not None


def test_record_change_without_actor_is_the_system(pinghu):
    record = record_change(actor=None, obj=pinghu, action=ChangeRecord.Action.UPDATE, before={"a": 1},
                           after={"a": 2})
    assert record.actor is None
    assert record.actor_name == "系统"


def test_unchanged_target_writes_no_history(pinghu, users):
    target = Target.objects.get(indicator__plan=pinghu, indicator__code="PH01", period="2023Q1")
    records = history_for(target).count()
    set_target(actor=users["admin"], indicator=target.indicator, place=target.org_unit, period="2023Q1",
               value=D("11.34"), text="11.34")
    assert history_for(target).count() == records


def test_history_for_is_per_object(pinghu, users):
    ph01 = Indicator.objects.get(plan=pinghu, code="PH01")
    target = Target.objects.get(indicator=ph01, period="2023Q1")
    record_change(actor=users["admin"], obj=ph01, action=ChangeRecord.Action.UPDATE, before={"unit": "亿元"},
                  after={"unit": "万元"})
    assert all(r.content_type.model == "target" and r.object_id == str(target.pk) for r in history_for(target))
    assert [r.content_type.model for r in history_for(ph01)] == ["indicator"]
