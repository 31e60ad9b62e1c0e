"""Loads the key task lists transcribed from the documents (tasks/seed_data/tasks.json)."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import record_change, snapshot
from core.models import ChangeRecord, OrgUnit
from core.seed import find_unit
from plans.models import Action, Plan
from tasks.models import KeyTask, Milestone, TaskAssist

SEED_FILE = Path(__file__).resolve().parent.parent / "seed_data" / "tasks.json"
TASK_FIELDS = ["plan", "action", "year", "seq", "title", "content", "category", "lead_unit", "goal", "quantity",
               "quantity_unit", "start", "deadline", "source"]


def _unit(name: str, plan: Plan) -> OrgUnit:
    unit = find_unit(name, plan.region)
    if unit is None:
        raise ValueError(_("参考数据中没有单位“%(name)s”") % {"name": name})
    return unit


@transaction.atomic
def load_tasks(actor, path: Path = SEED_FILE) -> list[KeyTask]:
    data = json.loads(path.read_text(encoding="utf-8"))
    plans = {p.code: p for p in Plan.objects.select_related("region")}
    loaded = []
    for item in data["tasks"]:
        plan = plans[item["plan"]]
        # A task without a printed lead (嘉善 task 23) is led by the bureau itself.
        lead = _unit(item["units"][0], plan) if item["units"] else OrgUnit.objects.get(
            code=f"{plan.region.code}-kjj")
        year = item["year"]
        fields = {
            "plan": plan, "year": year, "seq": item["seq"], "title": item["title"], "content": item["content"],
            "category": item["category"], "lead_unit": lead, "goal": item["goal"] or "",
            "quantity": Decimal(item["quantity"]) if item["quantity"] else None,
            "quantity_unit": item["quantity_unit"] or "",
            "start": datetime.date(year or plan.start_year, 1, 1),
            "deadline": datetime.date.fromisoformat(item["deadline"]) if item["deadline"] else None,
            "source": item["source"][:300],
            "action": Action.objects.filter(plan=plan, number=item["action"]).first() if item["action"] else None,
        }
        task = KeyTask.objects.filter(code=item["code"]).first()
        before = snapshot(task, TASK_FIELDS) if task else None
        if task is None:
            task = KeyTask(code=item["code"])
        for name, value in fields.items():
            setattr(task, name, value)
        if before is None or before != snapshot(task, TASK_FIELDS):
            task.save()
            record_change(actor=actor, obj=task,
                          action=ChangeRecord.Action.CREATE if before is None else ChangeRecord.Action.UPDATE,
                          before=before, after=snapshot(task, TASK_FIELDS), note=_("载入重点工作清单"))
        wanted = [_unit(name, plan).pk for name in item["units"][1:]]
        if [a.org_unit_id for a in task.assists.all()] != wanted:
            task.assists.all().delete()
            for position, unit_id in enumerate(wanted, start=1):
                TaskAssist.objects.create(task=task, org_unit_id=unit_id, position=position)
        if not task.milestones.exists():
            for m in item["milestones"]:
                Milestone.objects.create(task=task, title=m["title"],
                                         due=datetime.date.fromisoformat(m["due"]) if m["due"] else None)
        loaded.append(task)
    return loaded
