"""Demo progress on the seed tasks so the alerts, lists and reports have something to show.

Reports carry the words 演示数据; the tasks themselves are the documents' own.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.models import User
from core.roles import Role
from tasks import rules
from tasks.models import KeyTask, TaskTransition
from tasks.services import workflow

DEMO_TEXT = "演示数据：按计划推进，本月完成阶段性工作。"


def _lead_user(task: KeyTask) -> User:
    """A user who acts for the lead unit: its own reporter, else a demo reporter created for it."""
    user = User.objects.filter(org_unit=task.lead_unit, is_active=True).order_by("id").first()
    if user is None:
        user, _ = User.objects.get_or_create(
            username=f"demo_{task.lead_unit.code.replace('-', '_')}",
            defaults={"full_name": f"{task.lead_unit.name}填报员（演示）", "role": Role.UNIT_REPORTER,
                      "org_unit": task.lead_unit})
        user.set_unusable_password()
        user.save()
    return user


def _dated(task: KeyTask, day: datetime.date, today: datetime.date) -> None:
    """Date the task's latest step on the day it stands for (never after today): the demo walks months of
    history at once, and reports as of a past period read the timeline by date."""
    moment = timezone.make_aware(datetime.datetime.combine(min(day, today), datetime.time(10)))
    latest = TaskTransition.objects.filter(task=task).order_by("-at", "-id").values_list("pk", flat=True).first()
    TaskTransition.objects.filter(pk=latest).update(at=moment)


@transaction.atomic
def load_demo_progress(admin: User, today: datetime.date, seed: int = 315) -> int:
    """Walk each seed task some way round the loop, up to ``today``; tasks already started are left alone."""
    rng = random.Random(seed)
    reports = 0
    for task in KeyTask.objects.filter(status="assigned").select_related("plan__region", "lead_unit").order_by("code"):
        if task.start > today:
            continue
        lead = _lead_user(task)
        workflow.transition(user=lead, task_id=task.pk, action=rules.Action.ACKNOWLEDGE, opinion="已签收")
        _dated(task, task.start, today)
        last_month = min(today, task.deadline or today)
        months = []
        cursor = datetime.date(task.start.year, task.start.month, 1)
        while cursor <= last_month:
            months.append(cursor)
            cursor = (cursor + datetime.timedelta(days=32)).replace(day=1)
        pace = Decimal(rng.choice([70, 85, 100, 110]))
        skip = rng.random() < 0.25  # a quarter of the tasks miss their latest report
        for index, month in enumerate(months[:-1] if skip else months, start=1):
            if month.year == today.year and month.month == today.month:
                continue  # this month's report is not due yet
            percent = min(Decimal(100), pace * index / max(len(months), 1)).quantize(Decimal("0.1"))
            quantity = (task.quantity * percent / 100).quantize(Decimal("0.01")) if task.quantity else None
            workflow.report_progress(user=lead, task_id=task.pk, period=month.strftime("%Y-%m"), percent=percent,
                                     quantity=quantity, text=DEMO_TEXT, today=today)
            # Filed on the 3rd of the next month, inside the report day.
            _dated(task, (month + datetime.timedelta(days=32)).replace(day=3), today)
            reports += 1
        task.refresh_from_db()
        if task.deadline and task.deadline < today and task.status == "in_progress" and rng.random() < 0.6:
            workflow.transition(user=lead, task_id=task.pk, action=rules.Action.FINISH,
                                opinion="演示数据：已完成年度目标，申请销号。")
            _dated(task, task.deadline + datetime.timedelta(days=5), today)
            if rng.random() < 0.7:
                workflow.transition(user=admin, task_id=task.pk, action=rules.Action.CLOSE, opinion="核实完成，同意销号。")
                _dated(task, task.deadline + datetime.timedelta(days=12), today)
    return reports
