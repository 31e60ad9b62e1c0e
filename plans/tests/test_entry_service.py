"""plans.services.entry.save_entries: the multi-row 填报 form saved all or nothing, without a request."""

from decimal import Decimal

import pytest

from core.models import OrgUnit
from core.periods import Period
from plans.models import Indicator, IndicatorValue, ValueStatus
from plans.services import values
from plans.services.entry import RowInput, save_entries

pytestmark = pytest.mark.django_db

PLAN = "PH315-2023"
PINGHU, DANGHU, ZHONGDAI = "330482", "330482001", "330482002"
PERIOD = Period.parse("2026-10")  # no demo figure ends in October


def key(code: str, place: str) -> str:
    return f"{Indicator.objects.get(plan__code=PLAN, code=code).pk}-{OrgUnit.objects.get(code=place).pk}"


def stored(code: str, place: str) -> IndicatorValue | None:
    return IndicatorValue.objects.filter(
        indicator__plan__code=PLAN, indicator__code=code, place__code=place, period=PERIOD.code
    ).first()


def test_an_admins_rows_are_stored_converted_and_take_effect(users, plans):
    result = save_entries(
        user=users["ph_admin"],
        plan=plans[PLAN],
        period=PERIOD,
        submit=True,
        inputs={
            key("PH01", PINGHU): RowInput("3500万", note="十月快报"),
            key("PH02", PINGHU): RowInput("２.５"),
        },
    )
    assert (result.ok, result.saved, result.to_review, result.errors) == (True, 2, False, {})
    first = stored("PH01", PINGHU)
    assert (first.value, first.status, first.approved_value, first.note) == (
        Decimal("0.35"),
        ValueStatus.APPROVED,
        Decimal("0.35"),
        "十月快报",
    )
    assert stored("PH02", PINGHU).value == Decimal("2.5")  # full-width digits are read as typed in Excel


def test_one_bad_row_stores_nothing_and_names_only_that_row(users, plans):
    before = IndicatorValue.objects.count()
    bad, good = key("PH02", PINGHU), key("PH01", PINGHU)
    result = save_entries(
        user=users["ph_admin"],
        plan=plans[PLAN],
        period=PERIOD,
        submit=True,
        inputs={good: RowInput("60"), bad: RowInput("150")},
    )
    assert not result.ok
    assert result.saved == 0
    assert list(result.errors) == [bad]
    assert "百分比不能超过100" in result.errors[bad][0]
    assert IndicatorValue.objects.count() == before
    assert stored("PH01", PINGHU) is None


def test_unreadable_text_is_a_row_error_in_chinese(users, plans):
    row = key("PH01", PINGHU)
    result = save_entries(
        user=users["ph_admin"], plan=plans[PLAN], period=PERIOD, submit=False, inputs={row: RowInput("abc")}
    )
    assert set(result.errors) == {row}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.errors[row][0])


def test_blank_rows_and_rows_not_offered_are_skipped(demo, users):
    # The town's reporter sends a figure for another town: its form has no such row, so nothing happens.
    result = save_entries(
        user=users["ph_danghu"],
        plan=demo[PLAN],
        period=PERIOD,
        submit=True,
        inputs={key("PH01", ZHONGDAI): RowInput("5"), key("PH03", DANGHU): RowInput("   ")},
    )
    assert (result.ok, result.saved) == (True, 0)
    assert stored("PH01", ZHONGDAI) is None and stored("PH03", DANGHU) is None


def test_a_reporters_submission_waits_for_review_and_a_draft_does_not(demo, users):
    town = users["ph_danghu"]
    result = save_entries(
        user=town, plan=demo[PLAN], period=PERIOD, submit=True, inputs={key("PH01", DANGHU): RowInput("1")}
    )
    assert (result.saved, result.to_review) == (1, True)
    assert stored("PH01", DANGHU).status == ValueStatus.SUBMITTED
    draft = save_entries(
        user=town, plan=demo[PLAN], period=PERIOD, submit=False, inputs={key("PH03", DANGHU): RowInput("20")}
    )
    assert (draft.saved, draft.to_review) == (1, False)
    assert stored("PH03", DANGHU).status == ValueStatus.DRAFT


def test_a_stale_version_is_refused(demo, users):
    town = users["ph_danghu"]
    indicator = Indicator.objects.get(plan__code=PLAN, code="PH01")
    first = values.report_value(
        reporter=town,
        indicator=indicator,
        place=OrgUnit.objects.get(code=DANGHU),
        period=PERIOD,
        value=Decimal("3"),
        submit=False,
    )
    values.report_value(
        reporter=town, indicator=indicator, place=first.place, period=PERIOD, value=Decimal("4"), submit=False
    )
    row = key("PH01", DANGHU)
    result = save_entries(
        user=town,
        plan=demo[PLAN],
        period=PERIOD,
        submit=True,
        inputs={row: RowInput("5", version=first.version)},
    )
    assert "已被他人修改" in result.errors[row][0]
    assert stored("PH01", DANGHU).value == Decimal("4")
