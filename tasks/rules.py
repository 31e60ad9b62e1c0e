"""Key-task supervision (重点工作督办): the closed loop, alerts and scores as pure functions.

The bureau assigns a task (交办), the lead unit acknowledges it (签收), reports progress (报送进展) and
applies to finish it (申请办结); the bureau then either closes it (销号) or returns it (退回) for more
work.  Nothing here touches models or the database, so views, services, exports and management
commands share one definition of the loop and of the alert colours, and tests need no database.

Percentages are Decimal numbers on a 0-100 scale and are never quantised here, except inside the
Chinese messages, which are presentation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _


def gettext_noop(message: str) -> str:
    """Marks a msgid for makemessages (which looks for this name) and returns it unchanged.

    Django's own gettext_noop reads the settings, which would make importing this module need them.
    """
    return message


# ------------------------------------------------------------------------ the closed loop


class Status:
    ASSIGNED = "assigned"  # 已交办
    ACKNOWLEDGED = "acknowledged"  # 已签收
    IN_PROGRESS = "in_progress"  # 推进中
    DONE_REPORTED = "done_reported"  # 办结待核
    CLOSED = "closed"  # 已销号
    RETURNED = "returned"  # 已退回


class Action:
    ACKNOWLEDGE = "acknowledge"  # 签收
    REPORT = "report"  # 报送进展
    FINISH = "finish"  # 申请办结
    CLOSE = "close"  # 销号
    RETURN = "return"  # 退回


class Actor:
    LEAD = "lead"  # a user of the lead unit (牵头单位)
    ADMIN = "admin"  # the bureau admin (科技局管理员)
    ASSIST = "assist"  # a user of an assisting unit (配合单位)
    OTHER = "other"


# Status labels name states (已签收) and action labels name steps (签收); they match the model choices.
# Plain strings (marked for extraction with gettext_noop) so the dicts can be built at import time;
# they are passed through gettext where they end up in a message.
STATUS_LABELS: dict[str, str] = {
    Status.ASSIGNED: gettext_noop("已交办"),
    Status.ACKNOWLEDGED: gettext_noop("已签收"),  # a state, not the action 签收
    Status.IN_PROGRESS: gettext_noop("推进中"),
    Status.DONE_REPORTED: gettext_noop("办结待核"),
    Status.CLOSED: gettext_noop("已销号"),
    Status.RETURNED: gettext_noop("已退回"),
}

ACTION_LABELS: dict[str, str] = {
    Action.ACKNOWLEDGE: gettext_noop("签收"),
    Action.REPORT: gettext_noop("报送进展"),
    Action.FINISH: gettext_noop("申请办结"),
    Action.CLOSE: gettext_noop("销号"),
    Action.RETURN: gettext_noop("退回"),
}

_ACTORS = (Actor.LEAD, Actor.ADMIN, Actor.ASSIST, Actor.OTHER)

# (from status, action) -> to status.  Nothing leaves CLOSED.
_WORKING = (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RETURNED)
_TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.ASSIGNED, Action.ACKNOWLEDGE): Status.ACKNOWLEDGED,
    **{(status, Action.REPORT): Status.IN_PROGRESS for status in _WORKING},
    **{(status, Action.FINISH): Status.DONE_REPORTED for status in _WORKING},
    (Status.DONE_REPORTED, Action.CLOSE): Status.CLOSED,
    (Status.DONE_REPORTED, Action.RETURN): Status.RETURNED,
}

# Who performs each action.  The loop needs both sides, so the bureau cannot act for the lead unit
# (an admin who really is the lead unit's user is passed in as Actor.LEAD), and the lead unit cannot
# close its own task.  Assisting units contribute through the lead unit and perform no action.
_PERFORMER: dict[str, str] = {
    Action.ACKNOWLEDGE: Actor.LEAD,
    Action.REPORT: Actor.LEAD,
    Action.FINISH: Actor.LEAD,
    Action.CLOSE: Actor.ADMIN,
    Action.RETURN: Actor.ADMIN,
}


def loop_steps() -> list[tuple[str, tuple[str, ...], str, str]]:
    """(action, from statuses, to status, performer) of every step, in the order of the loop.

    The one table the task workflow declaration (tasks/flow.py) is built from.
    """
    steps = []
    for action in ACTION_LABELS:
        sources = tuple(status for (status, act) in _TRANSITIONS if act == action)
        targets = {to for (status, act), to in _TRANSITIONS.items() if act == action}
        steps.append((action, sources, targets.pop(), _PERFORMER[action]))
    return steps


def _check(status: str | None = None, action: str | None = None, actor: str | None = None) -> None:
    # A typo would silently refuse (or hide) every action, so fail loudly instead.
    if status is not None and status not in STATUS_LABELS:
        raise ValueError(f"unknown task status {status!r}")
    if action is not None and action not in ACTION_LABELS:
        raise ValueError(f"unknown task action {action!r}")
    if actor is not None and actor not in _ACTORS:
        raise ValueError(f"unknown actor {actor!r}")


def next_status(status: str, action: str) -> str | None:
    """The status after `action`, or None when the action is not possible from `status`."""
    _check(status=status, action=action)
    return _TRANSITIONS.get((status, action))


def refusal(status: str, action: str, actor: str) -> str | None:
    """Why `actor` may not perform `action` on a task in `status` (Chinese), or None when allowed."""
    _check(status=status, action=action, actor=actor)
    labels = {"status": _(STATUS_LABELS[status]), "action": _(ACTION_LABELS[action])}
    # The status comes first: when the step is impossible anyway, "ask someone else" would mislead.
    if (status, action) not in _TRANSITIONS:
        return _("任务当前为“%(status)s”，不能执行“%(action)s”") % labels
    if actor != _PERFORMER[action]:
        if _PERFORMER[action] == Actor.LEAD:
            return _("只有牵头单位可以%(action)s") % labels
        return _("只有科技局管理员可以%(action)s") % labels
    return None


def allowed_actions(status: str, actor: str) -> list[str]:
    """The actions `actor` may perform on a task in `status`, in the order of the loop."""
    _check(status=status, actor=actor)
    return [action for action in ACTION_LABELS if refusal(status, action, actor) is None]


def offers_remind(actor: str, status: str) -> bool:
    """The task page offers 催办 to the supervising bureau while the task is still open."""
    _check(status=status, actor=actor)
    return actor == Actor.ADMIN and status != Status.CLOSED


def requires_opinion(action: str) -> bool:
    """Whether the action needs a written opinion (a return must say what is missing)."""
    _check(action=action)
    return action == Action.RETURN


def requires_evidence(action: str) -> bool:
    """Whether the action needs supporting material (applying to finish needs proof)."""
    _check(action=action)
    return action == Action.FINISH


# --------------------------------------------------------------------------------- alerts

GREEN, YELLOW, RED = "green", "yellow", "red"
_SEVERITY = {GREEN: 0, YELLOW: 1, RED: 2}

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class AlertInput:
    status: str
    start: date  # when the task started (its year's 1 Jan, or the assignment date)
    deadline: date | None
    percent_done: Decimal | None  # latest reported percent 0-100, None if never reported
    reported_months: frozenset[str]  # "YYYY-MM" months with a progress report


@dataclass(frozen=True)
class Alert:
    level: str  # GREEN, YELLOW or RED
    reasons: list[str]  # Chinese, empty when green
    expected_percent: Decimal | None  # time elapsed toward the deadline, 0-100
    missing_months: list[str]  # overdue monthly reports not filed, oldest first


def _fmt(d: Decimal) -> str:
    """Two decimals at most, no trailing zeros: 10, 10.01, 33.33."""
    text = format(d.quantize(_CENT, rounding=ROUND_HALF_UP), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _month_code(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _month_words(code: str) -> str:
    year, month = code.split("-")
    return _("%(year)s年%(month)s月") % {"year": year, "month": int(month)}


def _date_words(d: date) -> str:
    return _("%(year)s年%(month)s月%(day)s日") % {"year": d.year, "month": d.month, "day": d.day}


def _days_in_month(year: int, month: int) -> int:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (following - timedelta(days=1)).day


def time_elapsed_percent(start: date, deadline: date, today: date) -> Decimal:
    """Share of the time from start to deadline that has passed, 0-100 (clamped)."""
    total = (deadline - start).days
    if total <= 0:
        # No time to spread the work over: everything is expected once the deadline is reached.
        return _HUNDRED if today >= deadline else Decimal(0)
    elapsed = (today - start).days
    if elapsed <= 0:
        return Decimal(0)
    if elapsed >= total:
        return _HUNDRED
    # Multiply first so that exact cases (half the days → 50) stay exact.
    return Decimal(elapsed * 100) / Decimal(total)


def due_months(start: date, today: date, report_day: int) -> list[str]:
    """Months ("YYYY-MM"), from start's month on, whose report has come due by `today`.

    The report for month M is due by day `report_day` of month M+1 (the last day of that month
    when it is shorter); a month is listed once its due date is on or before `today`.
    """
    if not 1 <= report_day <= 31:
        raise ValueError(f"report_day must be between 1 and 31, got {report_day}")
    months: list[str] = []
    year, month = start.year, start.month
    while True:
        due_year, due_month = (year + 1, 1) if month == 12 else (year, month + 1)
        due = date(due_year, due_month, min(report_day, _days_in_month(due_year, due_month)))
        if due > today:
            return months
        months.append(_month_code(year, month))
        year, month = due_year, due_month


def alert(
    inp: AlertInput,
    today: date,
    *,
    lag_threshold: Decimal = Decimal(10),
    report_day: int = 5,
) -> Alert:
    """The task's alert colour at `today` with every reason that applies (the worst colour wins)."""
    _check(status=inp.status)
    expected = None if inp.deadline is None else time_elapsed_percent(inp.start, inp.deadline, today)
    if inp.status in (Status.CLOSED, Status.DONE_REPORTED):
        # Closed: the loop is done.  Done-reported: the lead unit has finished its part and the
        # task waits for the bureau, so neither lateness, lag nor reports count against it.
        return Alert(level=GREEN, reasons=[], expected_percent=expected, missing_months=[])

    found: list[tuple[str, str]] = []  # (level, reason)

    if inp.deadline is not None and today > inp.deadline:
        found.append((RED, _("已超过完成时限%(deadline)s仍未办结") % {"deadline": _date_words(inp.deadline)}))

    # A report is late only after its due day, so the months overdue at `today` are those that had
    # come due by yesterday.  No report is due for a month after the deadline's month.
    overdue = due_months(inp.start, today - timedelta(days=1), report_day)
    if inp.deadline is not None:
        last = _month_code(inp.deadline.year, inp.deadline.month)
        overdue = [month for month in overdue if month <= last]
    missing = [month for month in overdue if month not in inp.reported_months]

    if len(overdue) >= 2 and overdue[-1] in missing and overdue[-2] in missing:
        months = "、".join(_month_words(month) for month in overdue[-2:])
        found.append((RED, _("连续两个月未报送进展：%(months)s") % {"months": months}))
    elif overdue and overdue[-1] in missing:
        # Not repeated when the two-month reason above already names this month.
        found.append((YELLOW, _("%(month)s进展未按时报送") % {"month": _month_words(overdue[-1])}))

    if expected is not None:
        gap = expected - (inp.percent_done if inp.percent_done is not None else Decimal(0))
        if gap > lag_threshold:
            found.append((YELLOW, _("进度落后时序%(gap)s个百分点") % {"gap": _fmt(gap)}))

    # Red reasons first, otherwise in the order the rules are listed above.
    found.sort(key=lambda item: -_SEVERITY[item[0]])
    level = max((lvl for lvl, _reason in found), key=_SEVERITY.__getitem__, default=GREEN)
    return Alert(
        level=level,
        reasons=[reason for _lvl, reason in found],
        expected_percent=expected,
        missing_months=missing,
    )


# ------------------------------------------------------------------------------ progress


def quantity_progress(done: Decimal | None, target: Decimal | None) -> Decimal | None:
    """done ÷ target × 100; None when either is unknown or the target is 0."""
    if done is None or target is None or target == 0:
        return None
    # Multiply first: 1 of 3 gives 33.33…, but 50 of 200 gives exactly 25.
    return done * _HUNDRED / target


# -------------------------------------------------------------------------------- scores

TASK_POINTS: dict[str, int] = {
    Status.CLOSED: 100,
    Status.DONE_REPORTED: 90,
    GREEN: 80,
    YELLOW: 60,
    RED: 30,
}


def composite_score(
    completions: Mapping[str, Decimal | None],
    weights: Mapping[str, Decimal],
    *,
    cap: Decimal = Decimal("1.2"),
) -> Decimal | None:
    """Weighted mean of capped completion ratios × 100 for the annual competition (年比拼).

    Completions are ratios (1 = 100%).  Items without a completion, without a weight or with a zero
    weight are left out of both sums; negative completions count as 0 and none counts above `cap`.
    None when no weighted item has a completion.
    """
    if cap < 0:
        raise ValueError(f"cap must not be negative, got {cap}")
    numerator = Decimal(0)
    denominator = Decimal(0)
    for key, weight in weights.items():
        if weight < 0:
            # A negative weight would reward doing badly.
            raise ValueError(f"weight of {key!r} must not be negative, got {weight}")
        value = completions.get(key)
        if value is None or weight == 0:
            continue
        numerator += weight * min(max(value, Decimal(0)), cap)
        denominator += weight
    if denominator == 0:
        return None
    return numerator * _HUNDRED / denominator


def task_score(states: Sequence[tuple[str, str]]) -> Decimal | None:
    """Mean points of (status, alert level) pairs; closed/done-reported score by status."""
    if not states:
        return None
    total = 0
    for status, level in states:
        _check(status=status)
        if status in (Status.CLOSED, Status.DONE_REPORTED):
            total += TASK_POINTS[status]
        elif level in _SEVERITY:
            total += TASK_POINTS[level]
        else:
            raise ValueError(f"unknown alert level {level!r}")
    return Decimal(total) / Decimal(len(states))
