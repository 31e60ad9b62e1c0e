"""Reporting workflow (plans/services/values.py): report, submit, approve, return, revisions, locks, refusals."""

from decimal import Decimal as D

import pytest

from core.audit import history_for
from core.errors import BusinessError, Conflict, NotAllowed
from core.models import ChangeRecord, OrgUnit, User
from core.roles import Role
from plans.models import Indicator, IndicatorValue, PeriodLock, Target, ValueStatus
from plans.services.seed import set_target
from plans.services.values import (
    approve_value,
    lock_period,
    reopen_period,
    report_value,
    report_value_by_codes,
    return_value,
    submit_value,
)

PINGHU = "330482"
DANGHU = "330482001"
ZHONGDAI = "330482002"


def ind(plan, code: str) -> Indicator:
    return Indicator.objects.select_related("plan__region").get(plan=plan, code=code)


def place(code: str) -> OrgUnit:
    return OrgUnit.objects.select_related("region").get(code=code)


def state():
    """Everything a refused request must leave untouched."""
    return (
        IndicatorValue.objects.count(),
        ChangeRecord.objects.count(),
        PeriodLock.objects.count(),
        list(IndicatorValue.objects.order_by("pk").values_list(
            "pk", "value", "status", "approved_value", "version", "revision", "review_opinion")),
        list(PeriodLock.objects.order_by("pk").values_list("pk", "locked", "reason")),
    )


@pytest.fixture
def u(users):
    return users


def scjg_report(pinghu, u, period="2024", value="16.2", submit=True, **kw):
    """市市场监管局 reports 每万人高价值发明专利拥有量 (PH09), the one indicator it is responsible for."""
    return report_value(reporter=u["ph_scjg"], indicator=ind(pinghu, "PH09"), place=place(PINGHU),
                        period=period, value=D(value), submit=submit, **kw)


# ------------------------------------------------------------------ draft → submitted → approved


def test_reporter_draft_is_not_approved(pinghu, u):
    row = scjg_report(pinghu, u, submit=False)
    assert row.status == ValueStatus.DRAFT
    assert row.approved_value is None
    assert row.revision == 1 and row.version == 1
    assert row.reporter == u["ph_scjg"]
    assert row.reporter_unit.code == "330482-scjg"


def test_reporter_submit_waits_for_review(pinghu, u):
    row = scjg_report(pinghu, u, submit=True)
    assert row.status == ValueStatus.SUBMITTED
    assert row.approved_value is None
    assert row.reviewed_by is None


def test_draft_submitted_then_approved_locks_the_figure(pinghu, u):
    row = scjg_report(pinghu, u, submit=False)
    row = submit_value(user=u["ph_scjg"], value_id=row.pk, expected_version=1)
    assert row.status == ValueStatus.SUBMITTED and row.version == 2
    approve_value(reviewer=u["ph_admin"], value_id=row.pk, opinion="核实无误", expected_version=2)
    row.refresh_from_db()
    assert row.status == ValueStatus.APPROVED
    assert row.approved_value == D("16.2")
    assert row.reviewed_by == u["ph_admin"]
    assert row.review_opinion == "核实无误"
    assert row.version == 3
    assert row.revision == 1  # a review is not a new figure


def test_submit_of_submitted_value_is_refused(pinghu, u):
    row = scjg_report(pinghu, u, submit=True)
    before = state()
    with pytest.raises(Conflict):
        submit_value(user=u["ph_scjg"], value_id=row.pk)
    assert state() == before


def test_other_reporter_cannot_submit_someone_elses_value(pinghu, u):
    row = scjg_report(pinghu, u, submit=False)
    before = state()
    with pytest.raises(NotAllowed):
        submit_value(user=u["ph_fgj"], value_id=row.pk)
    assert state() == before


def test_return_requires_an_opinion(pinghu, u):
    row = scjg_report(pinghu, u)
    before = state()
    for opinion in ("", "   "):
        with pytest.raises(BusinessError) as exc:
            return_value(reviewer=u["ph_admin"], value_id=row.pk, opinion=opinion)
        assert exc.value.problems[0].field == "opinion"
    assert state() == before
    row.refresh_from_db()
    assert row.status == ValueStatus.SUBMITTED


def test_return_with_opinion_then_resubmit_and_approve(pinghu, u):
    row = scjg_report(pinghu, u)
    return_value(reviewer=u["ph_admin"], value_id=row.pk, opinion="请附统计口径说明")
    row.refresh_from_db()
    assert row.status == ValueStatus.RETURNED
    assert row.review_opinion == "请附统计口径说明"
    assert row.approved_value is None
    assert history_for(row).first().note == "请附统计口径说明"
    submit_value(user=u["ph_scjg"], value_id=row.pk)
    approve_value(reviewer=u["ph_admin"], value_id=row.pk)
    row.refresh_from_db()
    assert row.status == ValueStatus.APPROVED
    assert row.approved_value == D("16.2")


def test_returning_an_approved_value_is_refused(pinghu, u):
    row = scjg_report(pinghu, u)
    approve_value(reviewer=u["ph_admin"], value_id=row.pk)
    before = state()
    with pytest.raises(Conflict):
        return_value(reviewer=u["ph_admin"], value_id=row.pk, opinion="晚了")
    assert state() == before


# ------------------------------------------------------------------ admin entries


@pytest.mark.parametrize("username", ["ph_admin", "admin"])
def test_admin_entry_is_approved_at_once(pinghu, u, username):
    row = report_value(reporter=u[username], indicator=ind(pinghu, "PH01"), place=place(PINGHU),
                       period="2024Q1", value=D("12.5"))
    assert row.status == ValueStatus.APPROVED
    assert row.approved_value == D("12.5")
    assert row.reviewed_by == u[username]


def test_superuser_entry_is_approved_at_once(pinghu, reference):
    root = User.objects.create_user("root", password="x", is_superuser=True, role=Role.LEADER)
    row = report_value(reporter=root, indicator=ind(pinghu, "PH01"), place=place(PINGHU), period="2024Q1",
                       value=D("12.5"))
    assert row.status == ValueStatus.APPROVED
    assert row.approved_value == D("12.5")


def test_admin_even_with_submit_false_is_approved(pinghu, u):
    row = report_value(reporter=u["ph_admin"], indicator=ind(pinghu, "PH01"), place=place(PINGHU),
                       period="2024Q1", value=D("12.5"), submit=False)
    assert row.status == ValueStatus.APPROVED


def test_other_county_admin_cannot_report_pinghu(pinghu, u):
    before = state()
    with pytest.raises(NotAllowed):
        report_value(reporter=u["js_admin"], indicator=ind(pinghu, "PH01"), place=place(PINGHU),
                     period="2024Q1", value=D("12.5"))
    assert state() == before


# ------------------------------------------------------------------ revisions and history


def test_reporting_again_is_a_new_revision_of_the_same_row(pinghu, u):
    first = report_value(reporter=u["ph_admin"], indicator=ind(pinghu, "PH01"), place=place(PINGHU),
                         period="2024Q1", value=D("12.5"))
    count = IndicatorValue.objects.count()
    second = report_value(reporter=u["ph_admin"], indicator=ind(pinghu, "PH01"), place=place(PINGHU),
                          period="2024Q1", value=D("13"), expected_version=1)
    assert second.pk == first.pk
    assert IndicatorValue.objects.count() == count
    second.refresh_from_db()
    assert second.revision == 2
    assert second.version == 2
    assert second.value == D("13")
    assert second.approved_value == D("13")


def test_history_keeps_the_old_figure_with_who_and_when(pinghu, u):
    row = report_value(reporter=u["ph_admin"], indicator=ind(pinghu, "PH01"), place=place(PINGHU),
                       period="2024Q1", value=D("12.5"), note="一季度快报")
    report_value(reporter=u["ph_admin"], indicator=ind(pinghu, "PH01"), place=place(PINGHU),
                 period="2024Q1", value=D("13"), note="统计局正式数")
    records = list(history_for(row))
    assert len(records) == 2
    latest, created = records  # newest first
    assert created.action == ChangeRecord.Action.CREATE
    assert created.before is None
    assert created.after["value"] == "12.5"
    assert created.after["revision"] == 1
    assert latest.action == ChangeRecord.Action.UPDATE
    assert latest.before["value"] == "12.5"
    assert latest.after["value"] == "13"
    assert latest.before["revision"] == 1 and latest.after["revision"] == 2
    assert latest.note == "统计局正式数"
    for record in records:
        assert record.actor == u["ph_admin"]
        assert record.actor_name == "平湖市科技局管理员"
        assert record.at is not None
    assert ("value", "12.5", "13") in latest.changed_fields


def test_different_basis_is_a_different_row(pinghu, u):
    new = report_value(reporter=u["ph_admin"], indicator=ind(pinghu, "PH07"), place=place(PINGHU),
                       period="2024", value=D("85"), basis="new")
    total = report_value(reporter=u["ph_admin"], indicator=ind(pinghu, "PH07"), place=place(PINGHU),
                         period="2024", value=D("580"), basis="total")
    assert new.pk != total.pk
    assert new.revision == total.revision == 1


def test_pending_revision_keeps_the_approved_figure(pinghu, u):
    row = scjg_report(pinghu, u, value="16.2")
    approve_value(reviewer=u["ph_admin"], value_id=row.pk)
    scjg_report(pinghu, u, value="17.0")
    row.refresh_from_db()
    assert row.status == ValueStatus.SUBMITTED
    assert row.value == D("17")
    assert row.approved_value == D("16.2")
    assert row.revision == 2


def test_approving_the_revision_replaces_the_approved_figure(pinghu, u):
    row = scjg_report(pinghu, u, value="16.2")
    approve_value(reviewer=u["ph_admin"], value_id=row.pk)
    scjg_report(pinghu, u, value="17.0")
    approve_value(reviewer=u["ph_admin"], value_id=row.pk)
    row.refresh_from_db()
    assert row.approved_value == D("17")


# ------------------------------------------------------------------ stale edits and double approvals


def test_stale_expected_version_on_report_is_a_conflict(pinghu, u):
    report_value(reporter=u["ph_admin"], indicator=ind(pinghu, "PH01"), place=place(PINGHU),
                 period="2024Q1", value=D("12.5"))
    report_value(reporter=u["ph_admin"], indicator=ind(pinghu, "PH01"), place=place(PINGHU),
                 period="2024Q1", value=D("13"), expected_version=1)
    before = state()
    with pytest.raises(Conflict):
        report_value(reporter=u["ph_admin"], indicator=ind(pinghu, "PH01"), place=place(PINGHU),
                     period="2024Q1", value=D("99"), expected_version=1)
    assert state() == before


def test_expected_version_for_a_row_that_does_not_exist_is_a_conflict(pinghu, u):
    before = state()
    with pytest.raises(Conflict):
        report_value(reporter=u["ph_admin"], indicator=ind(pinghu, "PH01"), place=place(PINGHU),
                     period="2024Q1", value=D("12.5"), expected_version=3)
    assert state() == before


def test_stale_expected_version_on_approve_is_a_conflict(pinghu, u):
    row = scjg_report(pinghu, u, submit=False)
    submit_value(user=u["ph_scjg"], value_id=row.pk)
    before = state()
    with pytest.raises(Conflict):
        approve_value(reviewer=u["ph_admin"], value_id=row.pk, expected_version=1)
    assert state() == before


def test_approving_twice_is_a_conflict(pinghu, u):
    row = scjg_report(pinghu, u)
    approve_value(reviewer=u["ph_admin"], value_id=row.pk)
    before = state()
    with pytest.raises(Conflict):
        approve_value(reviewer=u["ph_admin"], value_id=row.pk)
    assert state() == before


def test_two_concurrent_approvals_only_the_first_wins(pinghu, u):
    row = scjg_report(pinghu, u)
    seen = row.version  # both reviewers opened the same version
    approve_value(reviewer=u["ph_admin"], value_id=row.pk, opinion="甲", expected_version=seen)
    before = state()
    with pytest.raises(Conflict):
        approve_value(reviewer=u["admin"], value_id=row.pk, opinion="乙", expected_version=seen)
    assert state() == before
    row.refresh_from_db()
    assert row.review_opinion == "甲"
    assert row.reviewed_by == u["ph_admin"]


# ------------------------------------------------------------------ who may review


@pytest.mark.parametrize("username", ["js_admin", "ph_leader", "jx_leader", "ph_scjg", "ph_danghu"])
def test_only_the_regions_bureau_admin_may_approve(pinghu, u, username):
    row = scjg_report(pinghu, u)
    before = state()
    with pytest.raises(NotAllowed):
        approve_value(reviewer=u[username], value_id=row.pk)
    assert state() == before


def test_other_county_admin_may_not_return(pinghu, u):
    row = scjg_report(pinghu, u)
    before = state()
    with pytest.raises(NotAllowed):
        return_value(reviewer=u["js_admin"], value_id=row.pk, opinion="不对")
    assert state() == before


def test_system_admin_may_approve(pinghu, u):
    row = scjg_report(pinghu, u)
    approve_value(reviewer=u["admin"], value_id=row.pk)
    row.refresh_from_db()
    assert row.status == ValueStatus.APPROVED


# ------------------------------------------------------------------ period locks


def test_lock_refused_while_values_of_the_period_are_pending(pinghu, u):
    row = scjg_report(pinghu, u, period="2023-05")
    before = state()
    with pytest.raises(BusinessError) as exc:
        lock_period(admin=u["ph_admin"], plan=pinghu, period="2023Q2", reason="二季度数据已核")
    assert "待审核" in str(exc.value)
    assert state() == before
    approve_value(reviewer=u["ph_admin"], value_id=row.pk)
    lock = lock_period(admin=u["ph_admin"], plan=pinghu, period="2023Q2", reason="二季度数据已核")
    assert lock.locked


def test_pending_value_outside_the_period_does_not_block_the_lock(pinghu, u):
    scjg_report(pinghu, u, period="2023-07")
    scjg_report(pinghu, u, period="2023-03")
    lock = lock_period(admin=u["ph_admin"], plan=pinghu, period="2023Q2")
    assert lock.locked and lock.period == "2023Q2"


def test_drafts_do_not_block_a_lock_but_cannot_be_submitted_into_it(pinghu, u):
    row = scjg_report(pinghu, u, period="2023-05", submit=False)
    lock_period(admin=u["ph_admin"], plan=pinghu, period="2023Q2")
    before = state()
    with pytest.raises(BusinessError):
        submit_value(user=u["ph_scjg"], value_id=row.pk)
    assert state() == before


@pytest.mark.parametrize("period", ["2023-05", "2023-04", "2023-06", "2023Q2", "2023H1"])
def test_lock_covers_periods_ending_inside_it(pinghu, u, period):
    lock_period(admin=u["ph_admin"], plan=pinghu, period="2023Q2")
    before = state()
    with pytest.raises(BusinessError) as exc:
        report_value(reporter=u["ph_admin"], indicator=ind(pinghu, "PH01"), place=place(PINGHU),
                     period=period, value=D("20"))
    assert "已锁定" in str(exc.value)
    assert state() == before


@pytest.mark.parametrize("period", ["2023-07", "2023-03", "2023Q3", "2023", "2024-05"])
def test_lock_does_not_cover_periods_ending_outside_it(pinghu, u, period):
    lock_period(admin=u["ph_admin"], plan=pinghu, period="2023Q2")
    row = report_value(reporter=u["ph_admin"], indicator=ind(pinghu, "PH01"), place=place(PINGHU),
                       period=period, value=D("20"))
    assert row.status == ValueStatus.APPROVED


def test_lock_of_one_plan_does_not_touch_another(plans, u):
    lock_period(admin=u["ph_admin"], plan=plans["PH315-2023"], period="2025")
    row = report_value(reporter=u["js_admin"], indicator=ind(plans["JS-2025"], "JS05"), place=place("330421"),
                       period="2025", value=D("3"))
    assert row.status == ValueStatus.APPROVED


@pytest.mark.parametrize("username", ["ph_leader", "ph_scjg", "ph_danghu", "js_admin"])
def test_only_the_regions_admin_may_lock(pinghu, u, username):
    before = state()
    with pytest.raises(NotAllowed):
        lock_period(admin=u[username], plan=pinghu, period="2023Q2", reason="x")
    assert state() == before


def test_locking_a_locked_period_is_a_conflict(pinghu, u):
    lock_period(admin=u["ph_admin"], plan=pinghu, period="2023Q2")
    before = state()
    with pytest.raises(Conflict):
        lock_period(admin=u["ph_admin"], plan=pinghu, period="2023Q2")
    assert state() == before


def test_reopen_requires_a_reason(pinghu, u):
    lock_period(admin=u["ph_admin"], plan=pinghu, period="2023Q2")
    before = state()
    for reason in ("", "  "):
        with pytest.raises(BusinessError) as exc:
            reopen_period(admin=u["ph_admin"], plan=pinghu, period="2023Q2", reason=reason)
        assert exc.value.problems[0].field == "reason"
    assert state() == before
    assert PeriodLock.objects.get(plan=pinghu, period="2023Q2").locked


@pytest.mark.parametrize("username", ["ph_leader", "ph_scjg", "ph_danghu", "js_admin", "jx_leader"])
def test_only_an_admin_may_reopen(pinghu, u, username):
    lock_period(admin=u["ph_admin"], plan=pinghu, period="2023Q2")
    before = state()
    with pytest.raises(NotAllowed):
        reopen_period(admin=u[username], plan=pinghu, period="2023Q2", reason="统计局修订")
    assert state() == before


def test_reopen_of_an_unlocked_period_is_a_conflict(pinghu, u):
    before = state()
    with pytest.raises(Conflict):
        reopen_period(admin=u["ph_admin"], plan=pinghu, period="2023Q2", reason="统计局修订")
    assert state() == before


def test_reopen_lets_figures_in_again(pinghu, u):
    lock_period(admin=u["ph_admin"], plan=pinghu, period="2023Q2")
    reopen_period(admin=u["ph_admin"], plan=pinghu, period="2023Q2", reason="统计局修订二季度数据")
    row = report_value(reporter=u["ph_admin"], indicator=ind(pinghu, "PH01"), place=place(PINGHU),
                       period="2023-05", value=D("20"))
    assert row.approved_value == D("20")


def test_lock_and_reopen_keep_history(pinghu, u):
    lock = lock_period(admin=u["ph_admin"], plan=pinghu, period="2023Q2", reason="二季度数据已核")
    reopen_period(admin=u["admin"], plan=pinghu, period="2023Q2", reason="统计局修订二季度数据")
    lock_period(admin=u["ph_admin"], plan=pinghu, period="2023Q2", reason="修订完成")
    lock.refresh_from_db()
    assert lock.locked and lock.reason == "修订完成"
    assert PeriodLock.objects.filter(plan=pinghu, period="2023Q2").count() == 1
    relocked, reopened, locked = history_for(lock)
    assert locked.before is None and locked.after["locked"] is True
    assert locked.note == "二季度数据已核" and locked.actor == u["ph_admin"]
    assert reopened.before["locked"] is True and reopened.after["locked"] is False
    assert reopened.note == "统计局修订二季度数据" and reopened.actor == u["admin"]
    assert reopened.after["reason"] == "统计局修订二季度数据"
    assert relocked.before["locked"] is False and relocked.after["locked"] is True


# ------------------------------------------------------------------ bad input changes nothing


def by_codes(u, username="ph_admin", **kw):
    args = {"indicator": "PH01", "org_unit": PINGHU, "period": "2024Q2", "value": "26", "plan": "PH315-2023"}
    args.update(kw)
    return report_value_by_codes(reporter=u[username], **args)


def fields(exc) -> set:
    return {p.field for p in exc.value.problems}


def test_by_codes_reports_a_clean_figure(pinghu, u):
    row = by_codes(u, period="2023年1-5月", value="12,345万元")
    assert row.period == "2023-05"
    assert row.value == D("1.2345")
    assert row.status == ValueStatus.APPROVED


def test_by_codes_finds_the_indicator_by_name(pinghu, u):
    row = by_codes(u, indicator="技术交易总额", value="８．５")
    assert row.indicator.code == "PH05"
    assert row.value == D("8.5")


def test_by_codes_unknown_indicator_changes_nothing(pinghu, u):
    before = state()
    with pytest.raises(BusinessError) as exc:
        by_codes(u, indicator="PH99")
    assert fields(exc) == {"indicator"}
    assert "PH99" in str(exc.value)
    assert state() == before


def test_by_codes_unknown_org_unit_changes_nothing(pinghu, u):
    before = state()
    with pytest.raises(BusinessError) as exc:
        by_codes(u, org_unit="330482999")
    assert fields(exc) == {"org_unit"}
    assert state() == before


def test_by_codes_bureau_is_not_a_place(pinghu, u):
    before = state()
    with pytest.raises(BusinessError) as exc:
        by_codes(u, org_unit="330482-kjj")
    assert fields(exc) == {"org_unit"}
    assert state() == before


def test_by_codes_lists_every_problem_at_once(pinghu, u):
    before = state()
    with pytest.raises(BusinessError) as exc:
        by_codes(u, indicator="PH99", org_unit="nowhere", value="很多")
    assert fields(exc) == {"indicator", "org_unit", "value"}
    assert state() == before


def test_unit_reporter_not_responsible_changes_nothing(pinghu, u):
    before = state()
    with pytest.raises(NotAllowed) as exc:
        by_codes(u, username="ph_fgj")
    assert "责任单位" in str(exc.value)
    assert state() == before


def test_unit_reporter_responsible_may_report(pinghu, u):
    row = by_codes(u, username="ph_scjg", indicator="PH09", period="2024", value="16.5件")
    assert row.status == ValueStatus.SUBMITTED
    assert row.value == D("16.5")


def test_unit_reporter_may_not_report_another_units_indicator(pinghu, u):
    before = state()
    with pytest.raises(NotAllowed):
        by_codes(u, username="ph_scjg", indicator="PH01")
    assert state() == before


@pytest.mark.parametrize("period", ["2023年13月", "2023Q5", "去年", "23-05", "2023年3-5月"])
def test_malformed_period_changes_nothing(pinghu, u, period):
    before = state()
    with pytest.raises(BusinessError) as exc:
        by_codes(u, period=period)
    assert fields(exc) == {"period"}
    assert state() == before


def test_year_to_date_only_for_cumulative(pinghu, u):
    before = state()
    with pytest.raises(BusinessError) as exc:
        by_codes(u, indicator="PH02", period="2023年1-5月", value="2.4")
    assert fields(exc) == {"period"}
    assert "累计" in str(exc.value)
    assert state() == before


def test_period_outside_plan_years_changes_nothing(pinghu, u):
    before = state()
    with pytest.raises(BusinessError) as exc:
        by_codes(u, period="2030Q1")
    assert fields(exc) == {"period"}
    assert state() == before


@pytest.mark.parametrize("value", ["十二", "abc", "12.5.3", "1 2", ""])
def test_non_number_changes_nothing(pinghu, u, value):
    before = state()
    with pytest.raises(BusinessError) as exc:
        by_codes(u, value=value)
    assert fields(exc) == {"value"}
    assert state() == before


def test_wrong_unit_changes_nothing(pinghu, u):
    before = state()
    with pytest.raises(BusinessError) as exc:
        by_codes(u, value="12家")
    assert fields(exc) == {"value"}
    assert state() == before


@pytest.mark.parametrize("value", ["100.5", "101%", "250"])
def test_percentage_over_100_changes_nothing(pinghu, u, value):
    before = state()
    with pytest.raises(BusinessError) as exc:
        by_codes(u, indicator="PH02", value=value)
    assert fields(exc) == {"value"}
    assert "100" in str(exc.value)
    assert state() == before


def test_percentage_of_exactly_100_is_accepted(pinghu, u):
    assert by_codes(u, indicator="PH02", value="100").value == D("100")


def test_negative_count_changes_nothing(pinghu, u):
    before = state()
    with pytest.raises(BusinessError) as exc:
        by_codes(u, indicator="PH07", period="2024", value="-3", basis="new")
    assert fields(exc) == {"value"}
    assert "负数" in str(exc.value)
    assert state() == before


def test_negative_count_refused_by_report_value_too(pinghu, u):
    before = state()
    with pytest.raises(BusinessError):
        report_value(reporter=u["ph_admin"], indicator=ind(pinghu, "PH07"), place=place(PINGHU), period="2024",
                     value=D("-1"), basis="new")
    assert state() == before


def test_value_for_a_locked_period_changes_nothing(pinghu, u):
    by_codes(u, period="2023-05", value="20")
    lock_period(admin=u["ph_admin"], plan=pinghu, period="2023Q2")
    before = state()
    with pytest.raises(BusinessError) as exc:
        by_codes(u, period="2023-05", value="21")
    assert "锁定" in str(exc.value)
    assert state() == before


# ------------------------------------------------------------------ towns


@pytest.fixture
def danghu_pf01(pinghu, u):
    """平湖's 规上工业研发费用 decomposed to 当湖街道 and 钟埭街道 (a town reports only what it was given)."""
    for code in (DANGHU, ZHONGDAI):
        set_target(actor=u["ph_admin"], indicator=ind(pinghu, "PH01"), place=place(code), period="2024",
                   value=D("6"))
    return ind(pinghu, "PH01")


def test_town_reporter_reports_its_own_town(pinghu, u, danghu_pf01):
    row = report_value(reporter=u["ph_danghu"], indicator=danghu_pf01, place=place(DANGHU), period="2024Q1",
                       value=D("1.4"))
    assert row.status == ValueStatus.SUBMITTED
    assert row.place.code == DANGHU


def test_town_reporter_for_another_town_changes_nothing(pinghu, u, danghu_pf01):
    before = state()
    with pytest.raises(NotAllowed) as exc:
        report_value(reporter=u["ph_danghu"], indicator=danghu_pf01, place=place(ZHONGDAI), period="2024Q1",
                     value=D("1.4"))
    assert "本镇街道" in str(exc.value)
    assert state() == before


def test_town_reporter_for_the_county_changes_nothing(pinghu, u, danghu_pf01):
    before = state()
    with pytest.raises(NotAllowed):
        by_codes(u, username="ph_danghu", org_unit=PINGHU)
    assert state() == before


def test_town_reporter_for_indicator_not_decomposed_changes_nothing(pinghu, u, danghu_pf01):
    assert not Target.objects.filter(indicator__code="PH02", org_unit__code=DANGHU).exists()
    before = state()
    with pytest.raises(NotAllowed):
        report_value(reporter=u["ph_danghu"], indicator=ind(pinghu, "PH02"), place=place(DANGHU),
                     period="2024Q1", value=D("2.4"))
    assert state() == before


def test_place_outside_the_plan_changes_nothing(pinghu, u):
    before = state()
    with pytest.raises(NotAllowed):
        report_value(reporter=u["admin"], indicator=ind(pinghu, "PH01"), place=place("330421001"),
                     period="2024Q1", value=D("1"))
    assert state() == before


@pytest.mark.parametrize("username", ["ph_leader", "demo_qiye", "demo_zhuanjia"])
def test_roles_that_do_not_report_are_refused(pinghu, u, username):
    before = state()
    with pytest.raises(NotAllowed):
        report_value(reporter=u[username], indicator=ind(pinghu, "PH01"), place=place(PINGHU), period="2024Q1",
                     value=D("1"))
    assert state() == before
