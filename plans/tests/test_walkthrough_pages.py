"""What the walk-through found on the plan pages: period pickers, the menu, history in words, the review
queue's bulk steps and lock picker, and the data-entry page on a phone (its layout is checked in the browser)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from core.audit import record_change, record_rows
from core.models import ChangeRecord, User
from core.periods import Period
from plans.models import IndicatorValue, PeriodLock, Plan, ValueStatus
from plans.queries import latest_period, period_choices
from plans.services import values
from plans.tests.test_pages import (  # noqa: F401 (the module's demo site and its helpers)
    DANGHU,
    EMPTY_PERIOD,
    PLAN,
    _fresh,
    html_of,
    indicator,
    login,
    site,
    submitted,
    unit,
)

pytestmark = pytest.mark.django_db


def options(html: str, select_id: str) -> list[str]:
    match = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no picker {select_id}"
    return re.findall(r'<option value="([^"]*)"', match.group(1))


def selected(html: str, select_id: str) -> str | None:
    match = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    found = re.search(r'<option value="([^"]*)" selected', match.group(1))
    return found.group(1) if found else None


def active_menu(html: str) -> list[str]:
    return re.findall(r'class="(?:dropdown-item|nav-link) active" href="[^"]*">([^<]+)</a>', html)


# ------------------------------------------------------------------------------------------ pickers


def test_plan_picker_offers_its_frequencies_up_to_the_current_period():
    plan = Plan.objects.get(code=PLAN)  # 2023–2027, indicators reported by quarter and by year
    choices = period_choices(plan, today=datetime.date(2026, 12, 3))
    assert len(choices) == 5 * 5  # 2022–2026: a year and four quarters each, not 126 with months and 2027
    assert [p.code for p in choices[:3]] == ["2026", "2026Q4", "2026Q3"]
    assert {p.kind for p in choices} == {"Y", "Q"}


def test_pickers_on_the_pages_offer_no_future_period(client):
    login(client, "ph_admin")
    today = timezone.localdate()
    for url, picker in ((f"/plans/{PLAN}/", "period"), (f"/plans/{PLAN}/report/", "period"),
                        (f"/plans/{PLAN}/review/", "lock-period"), (f"/tasks/reports/{PLAN}/", "period")):
        codes = options(html_of(client.get(url)), picker)
        periods = [Period.parse(c) for c in codes]
        assert periods and periods == sorted(periods, reverse=True), url
        assert all((p.year, p.start_month) <= (today.year, today.month) for p in periods), url


def test_reports_page_starts_on_the_latest_period_with_data(client):
    html = html_of(login(client, "ph_admin").get(f"/tasks/reports/{PLAN}/"))
    latest = latest_period(Plan.objects.get(code=PLAN))
    assert selected(html, "period") == latest.code
    assert latest.year < 2027


def test_town_entry_offers_the_towns_frequencies_and_starts_on_the_last_period_over(client):
    html = html_of(login(client, "ph_danghu").get(f"/plans/{PLAN}/report/"))
    kinds = {Period.parse(c).kind for c in options(html, "period")}
    frequencies = {ind.frequency for ind in Plan.objects.get(code=PLAN).indicators.all()}
    assert kinds <= {"Y", "Q", "M"} and ("Q" in kinds) == ("quarter" in frequencies)
    start = Period.parse(selected(html, "period"))
    today = timezone.localdate()
    assert start.end_key < today.year * 100 + today.month  # a period that is over, not the running one
    # A period asked for by address is shown as the chosen one even when it is not of the usual kinds.
    asked = html_of(client.get(f"/plans/{PLAN}/report/?period={EMPTY_PERIOD}"))
    assert selected(asked, "period") == EMPTY_PERIOD


# --------------------------------------------------------------------------------------------- menu


@pytest.mark.parametrize(("url", "entry"), [
    (f"/plans/{PLAN}/", "驾驶舱"), (f"/plans/{PLAN}/indicators/PH01/", "驾驶舱"),
    (f"/plans/{PLAN}/report/", "数据填报"), (f"/plans/{PLAN}/import/", "数据填报"),
    (f"/plans/{PLAN}/review/", "审核"), (f"/plans/{PLAN}/about/", "规划"), ("/plans/", "规划"),
    ("/plans/values/", "指标数据"),
])
def test_menu_lights_the_page_one_is_on(client, url, entry):
    html = html_of(login(client, "ph_admin").get(url))
    # The entry and the dropdown holding it.
    assert entry in active_menu(html), (url, active_menu(html))
    assert len([e for e in active_menu(html) if e != "规划监测"]) == 1


# ------------------------------------------------------------------------------------------ history


def test_history_names_related_records_and_labels_choices(client):
    row = submitted("3.5")
    change = ChangeRecord.objects.filter(object_id=str(row.pk), content_type__model="indicatorvalue").get()
    shown = {label: (before, after) for label, before, after in change.changed_fields_display}
    assert shown["填报单位"] == (None, "当湖街道")
    assert shown["填报人"] == (None, str(User.objects.get(username="ph_danghu")))
    assert shown["状态"] == (None, "待审核")
    html = html_of(login(client, "ph_admin").get(f"/plans/values/{row.pk}/"))
    history = html[html.index('data-testid="history"'):]
    assert "当湖街道" in history
    assert f"→ {unit(DANGHU).pk}<" not in history


def test_history_of_many_changes_looks_names_up_once_per_related_table(django_assert_max_num_queries):
    for code in ("PH01", "PH03", "PH05"):
        submitted("2", code=code)
    with django_assert_max_num_queries(4):  # the changes, then users and units (content types are cached)
        shown = [c.changed_fields_display for c in ChangeRecord.objects.filter(content_type__model="indicatorvalue")
                 .order_by("-id")[:3]]
    assert all(("填报单位", None, "当湖街道") in rows for rows in shown)


def test_an_edit_that_changes_nothing_is_not_recorded():
    ph01 = indicator("PH01")
    before = ChangeRecord.objects.count()
    same = {"name": ph01.name, "unit": ph01.unit}
    assert record_change(actor=None, obj=ph01, action="update", before=same, after=dict(same)) is None
    assert record_rows(actor=None, rows=[(type(ph01), ph01.pk, str(ph01), "update", same, dict(same))]) == 0
    assert ChangeRecord.objects.count() == before
    # A workflow step with the same state is still an event (it carries an opinion).
    assert record_change(actor=None, obj=ph01, action="transition", before=same, after=dict(same)) is not None


def test_history_hides_fields_that_read_the_same():
    ph01 = indicator("PH01")
    change = record_change(actor=None, obj=ph01, action="update", before={"unit": "亿元", "note": "12.50"},
                           after={"unit": "亿元", "note": "12.5", "name": "新名称"})
    fresh = ChangeRecord.objects.get(pk=change.pk)
    assert [label for label, _b, _a in fresh.changed_fields_display] == ["说明", "指标"]


# ------------------------------------------------------------------------------------- review queue


def test_bulk_approve_with_one_opinion(client):
    rows = [submitted("3", code=code) for code in ("PH01", "PH03")]
    response = login(client, "ph_admin").post(f"/plans/{PLAN}/review/bulk/", {
        "values": [r.pk for r in rows], "action": "approve", "opinion": "核对无误"})
    assert response.status_code == 302
    for row in rows:
        row.refresh_from_db()
        assert (row.status, row.review_opinion, row.approved_value) == (ValueStatus.APPROVED, "核对无误", Decimal(3))
    assert ChangeRecord.objects.filter(object_id__in=[str(r.pk) for r in rows], action="transition").count() == 2


def test_bulk_step_is_all_or_nothing_and_names_each_refused_value(client):
    waiting = submitted("3", code="PH01")
    done = submitted("4", code="PH03")
    values.approve_value(reviewer=User.objects.get(username="ph_admin"), value_id=done.pk)
    response = login(client, "ph_admin").post(f"/plans/{PLAN}/review/bulk/", {
        "values": [waiting.pk, done.pk, 99999999], "action": "approve"}, follow=True)
    text = html_of(response)
    assert "未处理任何数据" in text
    assert indicator("PH03").name in text and "#99999999" in text
    waiting.refresh_from_db()
    assert waiting.status == ValueStatus.SUBMITTED  # the good one was not approved either


def test_bulk_return_needs_an_opinion_and_changes_nothing(client):
    row = submitted("3")
    text = html_of(login(client, "ph_admin").post(f"/plans/{PLAN}/review/bulk/", {
        "values": [row.pk], "action": "return", "opinion": "  "}, follow=True))
    assert "退回时必须填写审核意见" in text
    row.refresh_from_db()
    assert row.status == ValueStatus.SUBMITTED


def test_bulk_review_is_scoped(client):
    row = submitted("3")
    # Another county's bureau does not see 平湖's plan; a leader or a reporter may not review at all.
    for username, status in (("js_admin", 404), ("ph_leader", 403), ("ph_danghu", 403)):
        response = login(client, username).post(f"/plans/{PLAN}/review/bulk/", {"values": [row.pk],
                                                                                "action": "approve"})
        assert response.status_code == status, username
    row.refresh_from_db()
    assert row.status == ValueStatus.SUBMITTED


def test_bulk_review_refuses_a_value_of_another_plan():
    row = submitted("3")
    other = Plan.objects.get(code="JS-2025")
    with pytest.raises(values.BusinessError, match="不存在或无权审核"):
        values.review_values(reviewer=User.objects.get(username="ph_admin"), value_ids=[row.pk], action="approve",
                             plan=other)
    row.refresh_from_db()
    assert row.status == ValueStatus.SUBMITTED


@pytest.mark.parametrize("body", [{"values": ["x"], "action": "approve"}, {"action": "approve"},
                                  {"values": ["1"], "action": "delete"}])
def test_bulk_review_bad_input_changes_nothing(client, body):
    row = submitted("3")
    text = html_of(login(client, "ph_admin").post(f"/plans/{PLAN}/review/bulk/", body, follow=True))
    assert "未处理任何数据" in text
    row.refresh_from_db()
    assert row.status == ValueStatus.SUBMITTED


def test_the_period_to_lock_is_chosen_from_a_list(client):
    login(client, "ph_admin")
    html = html_of(client.get(f"/plans/{PLAN}/review/"))
    assert '<input class="form-control form-control-sm" id="lock-period"' not in html
    choice = options(html, "lock-period")[1]
    assert client.post(f"/plans/{PLAN}/lock/", {"period": choice, "action": "lock"}).status_code == 302
    assert PeriodLock.objects.get(plan__code=PLAN, period=choice).locked


def test_review_buttons_do_not_wrap(client):
    submitted("3")
    html = html_of(login(client, "ph_admin").get(f"/plans/{PLAN}/review/"))
    for button in re.findall(r'<button class="([^"]*)" name="action"', html):
        assert "text-nowrap" in button.split()


# ------------------------------------------------------------------------------------ phone entry


def test_entry_rows_carry_the_target_under_the_field(client):
    html = html_of(login(client, "ph_danghu").get(f"/plans/{PLAN}/report/?period={EMPTY_PERIOD}"))
    start = html.index('<tr data-testid="entry-PH01"')
    row = html[start:html.index("</tr>", start)]
    field = row.index('name="value-')
    assert row.index('data-testid="entry-target"') > field
    assert "年度目标" in row[field:]
    assert IndicatorValue.objects.filter(place__code=DANGHU).exists()
