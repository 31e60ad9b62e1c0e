"""The task page shows the quantity done against the task's target quantity."""

import datetime
from decimal import Decimal

import pytest

from tasks import rules
from tasks.models import KeyTask
from tasks.services import workflow
from tasks.services.seed import load_tasks

pytestmark = pytest.mark.django_db


def test_quantity_done_shown_against_target(client, users):
    load_tasks(users["admin"])
    task = KeyTask.objects.get(code="PH-2023-01")  # 年内计划完成投资4亿元, led by 市科技局
    lead = users["ph_admin"]
    workflow.transition(user=lead, task_id=task.pk, action=rules.Action.ACKNOWLEDGE)
    workflow.report_progress(user=lead, task_id=task.pk, period="2023-05", percent=Decimal(40),
                             quantity=Decimal("1.5"), text="桩基施工中", today=datetime.date(2023, 6, 3))
    client.force_login(lead)
    page = client.get("/tasks/PH-2023-01/").content.decode()
    assert "已完成1.5亿元（目标数量的37.5%）" in page


def test_blank_and_bad_numbers(users):
    assert workflow.to_decimal("", "percent") is None
    assert workflow.to_decimal(" 12.5 ", "percent") == Decimal("12.5")
    with pytest.raises(workflow.BusinessError) as caught:
        workflow.to_decimal("十二", "quantity")
    assert caught.value.problems[0].field == "quantity"
