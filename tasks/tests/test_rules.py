"""Pure tests for tasks.rules: the closed loop, alerts and scores. No database, no Django test runner."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal as D

import django.conf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.rules import (
    ACTION_LABELS,
    STATUS_LABELS,
    TASK_POINTS,
    Action,
    Actor,
    Alert,
    AlertInput,
    Status,
    alert,
    allowed_actions,
    composite_score,
    due_months,
    next_status,
    quantity_progress,
    refusal,
    requires_evidence,
    requires_opinion,
    task_score,
    time_elapsed_percent,
)

# gettext() needs settings at call time; when run with -p no:django nobody else configures them.
if not django.conf.settings.configured:
    django.conf.settings.configure(USE_I18N=False)

# Keep property tests from writing an example database into the working tree.
no_db = settings(database=None, deadline=None)

STATUSES = ["assigned", "acknowledged", "in_progress", "done_reported", "closed", "returned"]
ACTIONS = ["acknowledge", "report", "finish", "close", "return"]
ACTORS = ["lead", "admin", "assist", "other"]

# The whole loop, written out by hand: (status, action, actor) -> new status.  Everything not
# listed is refused.
ALLOWED = {
    ("assigned", "acknowledge", "lead"): "acknowledged",
    ("acknowledged", "report", "lead"): "in_progress",
    ("acknowledged", "finish", "lead"): "done_reported",
    ("in_progress", "report", "lead"): "in_progress",
    ("in_progress", "finish", "lead"): "done_reported",
    ("returned", "report", "lead"): "in_progress",
    ("returned", "finish", "lead"): "done_reported",
    ("done_reported", "close", "admin"): "closed",
    ("done_reported", "return", "admin"): "returned",
}
STATUS_WORDS = {
    "assigned": "已交办",
    "acknowledged": "已签收",
    "in_progress": "推进中",
    "done_reported": "办结待核",
    "closed": "已销号",
    "returned": "已退回",
}
ACTION_WORDS = {
    "acknowledge": "签收",
    "report": "报送进展",
    "finish": "申请办结",
    "close": "销号",
    "return": "退回",
}
PERFORMER = {"acknowledge": "lead", "report": "lead", "finish": "lead", "close": "admin", "return": "admin"}


# ------------------------------------------------------------------------ constants


def test_constant_values():
    assert [
        Status.ASSIGNED,
        Status.ACKNOWLEDGED,
        Status.IN_PROGRESS,
        Status.DONE_REPORTED,
        Status.CLOSED,
        Status.RETURNED,
    ] == STATUSES
    assert [Action.ACKNOWLEDGE, Action.REPORT, Action.FINISH, Action.CLOSE, Action.RETURN] == ACTIONS
    assert [Actor.LEAD, Actor.ADMIN, Actor.ASSIST, Actor.OTHER] == ACTORS


def test_labels():
    assert STATUS_LABELS == STATUS_WORDS
    assert ACTION_LABELS == ACTION_WORDS


# ------------------------------------------------------------------------ the closed loop


@pytest.mark.parametrize(("status", "action", "actor"), list(itertools.product(STATUSES, ACTIONS, ACTORS)))
def test_transition_grid(status, action, actor):
    possible = {(s, a): new for (s, a, _who), new in ALLOWED.items()}
    assert next_status(status, action) == possible.get((status, action))

    reason = refusal(status, action, actor)
    allowed = (status, action, actor) in ALLOWED
    assert (action in allowed_actions(status, actor)) is allowed
    if allowed:
        assert reason is None
    elif (status, action) not in possible:
        assert reason == f"任务当前为“{STATUS_WORDS[status]}”，不能执行“{ACTION_WORDS[action]}”"
    elif PERFORMER[action] == "lead":
        assert reason == f"只有牵头单位可以{ACTION_WORDS[action]}"
    else:
        assert reason == f"只有科技局管理员可以{ACTION_WORDS[action]}"


@pytest.mark.parametrize(("status", "actor"), list(itertools.product(STATUSES, ACTORS)))
def test_allowed_actions_in_loop_order(status, actor):
    expected = [a for a in ACTIONS if (status, a, actor) in ALLOWED]
    assert allowed_actions(status, actor) == expected


def test_refusal_messages():
    assert refusal("acknowledged", "close", "admin") == "任务当前为“已签收”，不能执行“销号”"
    assert refusal("assigned", "acknowledge", "admin") == "只有牵头单位可以签收"
    assert refusal("done_reported", "close", "lead") == "只有科技局管理员可以销号"
    assert refusal("closed", "report", "lead") == "任务当前为“已销号”，不能执行“报送进展”"


def test_nothing_leaves_closed():
    for action, actor in itertools.product(ACTIONS, ACTORS):
        assert next_status("closed", action) is None
        assert refusal("closed", action, actor) is not None
    assert all(allowed_actions("closed", actor) == [] for actor in ACTORS)


def test_admin_cannot_act_for_lead_but_admin_as_lead_can():
    assert allowed_actions("in_progress", "admin") == []
    assert allowed_actions("in_progress", "lead") == ["report", "finish"]
    assert allowed_actions("done_reported", "admin") == ["close", "return"]
    assert allowed_actions("done_reported", "assist") == []


def test_requirements():
    assert [a for a in ACTIONS if requires_opinion(a)] == ["return"]
    assert [a for a in ACTIONS if requires_evidence(a)] == ["finish"]


@pytest.mark.parametrize(
    "call",
    [
        lambda: next_status("assignd", "report"),
        lambda: next_status("assigned", "ack"),
        lambda: refusal("assigned", "acknowledge", "boss"),
        lambda: allowed_actions("done", "lead"),
        lambda: requires_opinion("reject"),
        lambda: requires_evidence("reject"),
    ],
)
def test_unknown_values_fail_loudly(call):
    with pytest.raises(ValueError):
        call()


# ------------------------------------------------------------------- time and months


def test_time_elapsed_percent():
    start = date(2025, 1, 1)
    deadline = start + timedelta(days=100)
    assert time_elapsed_percent(start, deadline, start) == 0
    assert time_elapsed_percent(start, deadline, start + timedelta(days=50)) == 50
    assert time_elapsed_percent(start, deadline, start + timedelta(days=1)) == 1
    assert time_elapsed_percent(start, deadline, deadline) == 100
    # Clamped on both sides.
    assert time_elapsed_percent(start, deadline, start - timedelta(days=30)) == 0
    assert time_elapsed_percent(start, deadline, deadline + timedelta(days=30)) == 100


def test_time_elapsed_percent_without_time():
    day = date(2025, 6, 30)
    assert time_elapsed_percent(day, day, day) == 100
    assert time_elapsed_percent(day, day, day - timedelta(days=1)) == 0
    # Deadline before the start (bad data): nothing expected before the deadline, everything after.
    assert time_elapsed_percent(day, day - timedelta(days=10), day - timedelta(days=11)) == 0
    assert time_elapsed_percent(day, day - timedelta(days=10), day - timedelta(days=10)) == 100


def test_due_months():
    start = date(2025, 1, 1)
    assert due_months(start, date(2025, 2, 4), 5) == []
    assert due_months(start, date(2025, 2, 5), 5) == ["2025-01"]
    assert due_months(start, date(2025, 3, 4), 5) == ["2025-01"]
    assert due_months(start, date(2025, 3, 5), 5) == ["2025-01", "2025-02"]
    # A mid-month start still owes a report for its first month.
    assert due_months(date(2025, 1, 20), date(2025, 2, 5), 5) == ["2025-01"]
    # December is reported in January of the next year.
    assert due_months(date(2024, 12, 1), date(2025, 1, 5), 5) == ["2024-12"]
    assert due_months(date(2024, 11, 1), date(2025, 1, 4), 5) == ["2024-11"]


def test_due_months_report_day_beyond_month_end():
    # Day 31 of a short month means its last day.
    assert due_months(date(2025, 1, 1), date(2025, 2, 27), 31) == []
    assert due_months(date(2025, 1, 1), date(2025, 2, 28), 31) == ["2025-01"]
    with pytest.raises(ValueError):
        due_months(date(2025, 1, 1), date(2025, 2, 28), 0)


# ---------------------------------------------------------------------------- alerts

START = date(2025, 1, 1)
YEAR_END = date(2025, 12, 31)


def make(
    *,
    status="in_progress",
    start=START,
    deadline=YEAR_END,
    percent=D(100),
    months=(),
) -> AlertInput:
    return AlertInput(
        status=status,
        start=start,
        deadline=deadline,
        percent_done=percent,
        reported_months=frozenset(months),
    )


def test_lag_exactly_threshold_is_green():
    deadline = START + timedelta(days=100)
    today = START + timedelta(days=50)  # expected exactly 50
    result = alert(make(deadline=deadline, percent=D(40), months={"2025-01"}), today)
    assert result == Alert(level="green", reasons=[], expected_percent=D(50), missing_months=[])


def test_lag_just_over_threshold_is_yellow():
    deadline = START + timedelta(days=100)
    today = START + timedelta(days=50)
    result = alert(make(deadline=deadline, percent=D("39.99"), months={"2025-01"}), today)
    assert result.level == "yellow"
    assert result.reasons == ["进度落后时序10.01个百分点"]


def test_lag_threshold_is_configurable_and_none_counts_as_zero():
    deadline = START + timedelta(days=100)
    today = START + timedelta(days=50)
    inp = make(deadline=deadline, percent=None, months={"2025-01"})
    assert alert(inp, today).reasons == ["进度落后时序50个百分点"]
    assert alert(inp, today, lag_threshold=D(50)).level == "green"


def test_lag_gap_is_rounded_in_the_message_only():
    deadline = START + timedelta(days=3)
    result = alert(make(deadline=deadline, percent=D(0)), START + timedelta(days=1))
    assert result.expected_percent == D(100) / D(3)
    assert result.reasons == ["进度落后时序33.33个百分点"]


def test_deadline_day_is_not_red_the_day_after_is():
    deadline = date(2025, 3, 31)
    inp = make(deadline=deadline, months={"2025-01", "2025-02", "2025-03"})
    assert alert(inp, deadline).level == "green"
    late = alert(inp, deadline + timedelta(days=1))
    assert late.level == "red"
    assert late.reasons == ["已超过完成时限2025年3月31日仍未办结"]


@pytest.mark.parametrize("status", ["assigned", "acknowledged", "in_progress", "returned"])
def test_every_open_status_is_red_after_the_deadline(status):
    inp = make(status=status, deadline=date(2025, 1, 31), months={"2025-01"})
    assert alert(inp, date(2025, 2, 1)).level == "red"


def test_report_due_on_the_fifth_is_late_on_the_sixth():
    on_time = alert(make(), date(2025, 2, 5))
    assert on_time.level == "green"
    assert on_time.missing_months == []
    late = alert(make(), date(2025, 2, 6))
    assert late.level == "yellow"
    assert late.missing_months == ["2025-01"]
    assert late.reasons == ["2025年1月进展未按时报送"]


def test_report_day_is_configurable():
    assert alert(make(), date(2025, 2, 10), report_day=10).level == "green"
    assert alert(make(), date(2025, 2, 11), report_day=10).level == "yellow"


def test_two_missing_months_in_a_row_are_red():
    result = alert(make(), date(2025, 3, 6))
    assert result.level == "red"
    assert result.missing_months == ["2025-01", "2025-02"]
    # One reason for the two months, not an extra one for the last month alone.
    assert result.reasons == ["连续两个月未报送进展：2025年1月、2025年2月"]


def test_second_missing_month_not_yet_late_is_yellow():
    # On 5 March the February report is due today but not late yet.
    result = alert(make(), date(2025, 3, 5))
    assert result.level == "yellow"
    assert result.missing_months == ["2025-01"]


def test_two_missing_months_not_in_a_row_are_yellow():
    result = alert(make(months={"2025-02"}), date(2025, 4, 6))
    assert result.level == "yellow"
    assert result.missing_months == ["2025-01", "2025-03"]
    assert result.reasons == ["2025年3月进展未按时报送"]


def test_old_missing_month_alone_is_listed_but_green():
    result = alert(make(months={"2025-02", "2025-03"}), date(2025, 4, 6))
    assert result.level == "green"
    assert result.missing_months == ["2025-01"]


def test_months_after_the_deadline_are_not_due():
    deadline = date(2025, 3, 15)
    assert due_months(START, date(2025, 6, 10), 5) == ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"]
    result = alert(make(deadline=deadline, months={"2025-01", "2025-02", "2025-03"}), date(2025, 6, 10))
    assert result.missing_months == []
    assert result.reasons == ["已超过完成时限2025年3月15日仍未办结"]


def test_deadline_month_itself_is_due():
    deadline = date(2025, 3, 15)
    result = alert(make(deadline=deadline, months={"2025-01", "2025-02"}), date(2025, 4, 6))
    assert result.missing_months == ["2025-03"]
    assert result.level == "red"
    assert result.reasons == ["已超过完成时限2025年3月15日仍未办结", "2025年3月进展未按时报送"]


def test_reasons_combine_and_the_worst_level_wins():
    deadline = date(2025, 6, 30)
    inp = make(deadline=deadline, percent=D(50), months={"2025-01", "2025-02", "2025-03", "2025-04"})
    result = alert(inp, date(2025, 7, 6))
    assert result.level == "red"
    assert result.expected_percent == 100
    assert result.missing_months == ["2025-05", "2025-06"]
    assert result.reasons == [
        "已超过完成时限2025年6月30日仍未办结",
        "连续两个月未报送进展：2025年5月、2025年6月",
        "进度落后时序50个百分点",
    ]


def test_yellow_reasons_combine():
    deadline = START + timedelta(days=100)
    result = alert(make(deadline=deadline, percent=D(0)), START + timedelta(days=50))
    assert result.level == "yellow"
    assert result.reasons == ["2025年1月进展未按时报送", "进度落后时序50个百分点"]


def test_no_deadline_means_no_lag_and_no_lateness():
    result = alert(make(deadline=None, percent=None, months={"2025-01"}), date(2026, 2, 1))
    assert result.expected_percent is None
    assert result.level == "red"  # but monthly reports are still due
    assert result.reasons[0].startswith("连续两个月未报送进展：")
    assert alert(make(deadline=None, percent=None), date(2025, 2, 5)).level == "green"


def test_done_reported_after_the_deadline_is_green():
    inp = make(status="done_reported", deadline=date(2025, 3, 31), percent=None)
    result = alert(inp, date(2025, 9, 30))
    assert result == Alert(level="green", reasons=[], expected_percent=D(100), missing_months=[])


def test_closed_is_green():
    inp = make(status="closed", deadline=date(2025, 3, 31), percent=D(10))
    result = alert(inp, date(2026, 9, 30))
    assert result.level == "green"
    assert result.reasons == []
    assert result.missing_months == []


def test_alert_rejects_unknown_status():
    with pytest.raises(ValueError):
        alert(make(status="open"), date(2025, 2, 1))


# -------------------------------------------------------------------------- progress


def test_quantity_progress():
    assert quantity_progress(D(50), D(200)) == 25
    assert quantity_progress(D(300), D(200)) == 150
    assert quantity_progress(D(1), D(3)) == D(100) / D(3)
    assert quantity_progress(None, D(200)) is None
    assert quantity_progress(D(50), None) is None
    assert quantity_progress(D(50), D(0)) is None


# ---------------------------------------------------------------------------- scores


def test_composite_score_weighted_mean():
    assert composite_score({"a": D(1), "b": D("0.5")}, {"a": D(1), "b": D(1)}) == 75
    assert composite_score({"a": D(1), "b": D("0.5")}, {"a": D(3), "b": D(1)}) == D("87.5")


def test_composite_score_caps():
    assert composite_score({"a": D(2)}, {"a": D(1)}) == 120
    assert composite_score({"a": D(2)}, {"a": D(1)}, cap=D(1)) == 100
    assert composite_score({"a": D(2), "b": D(0)}, {"a": D(1), "b": D(1)}) == 60
    # Negative completions count as 0.
    assert composite_score({"a": D("-0.5"), "b": D(1)}, {"a": D(1), "b": D(1)}) == 50


def test_composite_score_none_items_left_out():
    assert composite_score({"a": D(1), "b": None}, {"a": D(1), "b": D(3)}) == 100
    # An item without a completion at all, and a completion without a weight, are ignored too.
    assert composite_score({"a": D("0.8"), "x": D(0)}, {"a": D(1), "c": D(5)}) == 80
    assert composite_score({"a": None}, {"a": D(1)}) is None
    assert composite_score({}, {"a": D(1)}) is None
    assert composite_score({"a": D(1)}, {}) is None


def test_composite_score_zero_weights():
    assert composite_score({"a": D(1), "b": D(0)}, {"a": D(1), "b": D(0)}) == 100
    assert composite_score({"a": D(1)}, {"a": D(0)}) is None


def test_composite_score_rejects_negative_weights():
    with pytest.raises(ValueError):
        composite_score({"a": D(1)}, {"a": D(-1)})


def test_task_points():
    assert TASK_POINTS == {"closed": 100, "done_reported": 90, "green": 80, "yellow": 60, "red": 30}


def test_task_score():
    assert task_score([]) is None
    assert task_score([("closed", "red")]) == 100
    assert task_score([("done_reported", "red")]) == 90
    assert task_score([("in_progress", "green"), ("returned", "yellow")]) == 70
    assert task_score([("assigned", "red"), ("closed", "green")]) == 65
    assert task_score([("in_progress", "green"), ("acknowledged", "yellow"), ("assigned", "red")]) == (
        D(170) / D(3)
    )


def test_task_score_rejects_unknown_values():
    with pytest.raises(ValueError):
        task_score([("in_progress", "amber")])
    with pytest.raises(ValueError):
        task_score([("open", "green")])


# ------------------------------------------------------------------------ properties

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@no_db
@given(start=dates, deadline=dates, a=dates, b=dates)
def test_time_elapsed_percent_bounded_and_monotone(start, deadline, a, b):
    early, late = sorted((a, b))
    p_early = time_elapsed_percent(start, deadline, early)
    p_late = time_elapsed_percent(start, deadline, late)
    assert 0 <= p_early <= 100
    assert 0 <= p_late <= 100
    assert p_early <= p_late


keys = st.sampled_from("abcdef")
completion_values = st.none() | st.decimals(min_value=-5, max_value=5, places=3)
weight_values = st.decimals(min_value=0, max_value=100, places=2)


@no_db
@given(
    completions=st.dictionaries(keys, completion_values),
    weights=st.dictionaries(keys, weight_values),
    cap=st.decimals(min_value=0, max_value=3, places=2),
)
def test_composite_score_between_zero_and_cap(completions, weights, cap):
    score = composite_score(completions, weights, cap=cap)
    usable = [k for k, w in weights.items() if w > 0 and completions.get(k) is not None]
    if not usable:
        assert score is None
    else:
        assert score is not None
        assert 0 <= score <= cap * 100


@no_db
@given(
    status=st.sampled_from(STATUSES),
    start=dates,
    deadline=st.none() | dates,
    today=dates,
    percent=st.none() | st.decimals(min_value=0, max_value=100, places=2),
    months=st.frozensets(st.sampled_from([f"2025-{m:02d}" for m in range(1, 13)])),
)
def test_alert_invariants(status, start, deadline, today, percent, months):
    inp = AlertInput(status, start, deadline, percent, months)
    result = alert(inp, today)
    assert result.level in ("green", "yellow", "red")
    assert (result.level == "green") == (result.reasons == [])
    assert result.missing_months == sorted(result.missing_months)
    assert not set(result.missing_months) & months
    if status in ("closed", "done_reported"):
        assert result.level == "green"
    if deadline is not None:
        last = f"{deadline.year:04d}-{deadline.month:02d}"
        assert all(m <= last for m in result.missing_months)


@pytest.mark.parametrize(("actor", "status"), list(itertools.product(
    [Actor.LEAD, Actor.ADMIN, Actor.ASSIST, Actor.OTHER], list(STATUS_LABELS))))
def test_remind_is_offered_to_the_bureau_while_the_task_is_open(actor, status):
    from tasks.rules import offers_remind

    assert offers_remind(actor, status) is (actor == Actor.ADMIN and status != Status.CLOSED)


def test_offers_remind_refuses_an_unknown_actor():
    from tasks.rules import offers_remind

    with pytest.raises(ValueError):
        offers_remind("bureau", Status.ASSIGNED)
