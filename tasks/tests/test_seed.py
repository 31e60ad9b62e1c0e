"""The key-task lists of both seed plans load exactly as the documents print them, and load again unchanged."""

import datetime
from collections import Counter
from decimal import Decimal

import pytest

from core.models import ChangeRecord
from tasks.models import KeyTask, Milestone, TaskAssist
from tasks.services.seed import load_tasks

pytestmark = pytest.mark.django_db

PH, JS = "PH315-2023", "JS-2025"

# code → (lead unit, assisting units in the order printed), as in 附件2, the six actions of 平湖's plan and
# 嘉善's 2025 要点.  A task without a printed unit (嘉善 23) is led by the bureau itself.
UNITS = {
    "PH-2023-01": ("市科技局", ["市城投集团"]),
    "PH-2023-02": ("市发改局", ["市科技局"]),
    "PH-2023-03": ("市发改局", ["市科技局"]),
    "PH-2023-04": ("市发改局", ["市科技局"]),
    "PH-2023-05": ("市科技局", []),
    "PH-2023-06": ("市委组织部", ["市科技局"]),
    "PH-2023-07": ("市经信局", []),
    "PH-2023-08": ("市科技局", []),
    "PH-2023-09": ("市科技局", []),
    "PH-2023-10": ("市科技局", []),
    "PH-2023-11": ("市科技局", ["市经信局"]),
    "PH-2023-12": ("市委组织部", ["市人力社保局", "市科技局"]),
    "PH-A1-1": ("市科技局", ["市城投集团"]),
    "PH-A1-2": ("市发改局", ["市科技局", "市经信局"]),
    "PH-A1-3": ("市科技局", ["市经信局"]),
    "PH-A2-1": ("市科技局", ["市经信局"]),
    "PH-A2-2": ("市科技局", []),
    "PH-A3-1": ("市科技局", ["市经信局"]),
    "PH-A3-2": ("市科技局", []),
    "PH-A3-3": ("市经信局", ["市发改局", "市科技局"]),
    "PH-A4-1": ("市委组织部", ["市科技局"]),
    "PH-A4-2": ("市委组织部", ["市科技局", "市人力社保局", "市农业农村局"]),
    "PH-A5-1": ("市科技局", ["市发改局", "市商务局", "市经信局", "市财政局"]),
    "PH-A5-2": ("市科技局", ["市发改局", "市商务局"]),
    "PH-A6-1": ("市市场监管局", []),
    "PH-A6-2": ("市金融发展服务中心", ["市科技局", "市财政局", "市市场监管局", "人行平湖支行"]),
    "JS-2025-01": ("办公室", ["人才科", "合作科"]),
    "JS-2025-02": ("人才科", ["合作科"]),
    "JS-2025-03": ("人才科", ["合作科", "综合科"]),
    "JS-2025-04": ("合作科", ["综合科", "高新科"]),
    "JS-2025-05": ("合作科", ["高新科", "人才科", "综合科"]),
    "JS-2025-06": ("合作科", ["科创中心"]),
    "JS-2025-07": ("高新科", []),
    "JS-2025-08": ("高新科", ["合作科"]),
    "JS-2025-09": ("综合科", ["高新科", "合作科"]),
    "JS-2025-10": ("合作科", []),
    "JS-2025-11": ("合作科", ["科创中心"]),
    "JS-2025-12": ("合作科", ["科创中心"]),
    "JS-2025-13": ("人才科", []),
    "JS-2025-14": ("科创中心", []),
    "JS-2025-15": ("人才科", []),
    "JS-2025-16": ("人才科", []),
    "JS-2025-17": ("人才科", []),
    "JS-2025-18": ("办公室", ["综合科", "合作科"]),
    "JS-2025-19": ("科创中心", ["合作科"]),
    "JS-2025-20": ("合作科", []),
    "JS-2025-21": ("办公室", []),
    "JS-2025-22": ("办公室", []),
    "JS-2025-23": ("县科技局", []),
}

PH_2023_CATEGORIES = ["科技强基重点项目"] * 4 + ["平台提升重点任务"] * 4 + ["主体培育重点任务"] * 4
PH_ACTION_TASKS = ["PH-A1-1", "PH-A1-2", "PH-A1-3", "PH-A2-1", "PH-A2-2", "PH-A3-1", "PH-A3-2", "PH-A3-3",
                   "PH-A4-1", "PH-A4-2", "PH-A5-1", "PH-A5-2", "PH-A6-1", "PH-A6-2"]
JS_PER_ACTION = {1: 3, 2: 3, 3: 3, 4: 3, 5: 2, 6: 3, 7: 3, 8: 3}


@pytest.fixture
def loaded(users):
    load_tasks(users["admin"])
    return {t.code: t for t in KeyTask.objects.select_related("plan", "lead_unit__region", "action")
            .prefetch_related("assists__org_unit")}


def test_both_plans_load_49_tasks_with_the_printed_codes(loaded):
    assert len(loaded) == 49
    assert set(loaded) == set(UNITS)
    by_plan = Counter(t.plan.code for t in loaded.values())
    assert by_plan == {PH: 26, JS: 23}
    assert sorted(c for c in loaded if c.startswith("PH-2023-")) == [f"PH-2023-{n:02d}" for n in range(1, 13)]
    assert sorted(c for c in loaded if c.startswith("JS-2025-")) == [f"JS-2025-{n:02d}" for n in range(1, 24)]
    assert sorted(c for c in loaded if c.startswith("PH-A")) == PH_ACTION_TASKS


def test_every_task_has_its_lead_and_assisting_units_in_order(loaded):
    for code, (lead, assisting) in UNITS.items():
        task = loaded[code]
        assert task.lead_unit.name == lead, code
        assert [u.name for u in task.assisting_units] == assisting, code
        # The units are the plan's own county's, never a namesake in the other county.
        assert task.lead_unit.region.code == task.plan.region.code, code
        assert all(u.region_id == task.plan.region_id for u in task.assisting_units), code
        assert [a.position for a in task.assists.all()] == list(range(1, len(assisting) + 1)), code


def test_ph_2023_key_projects_as_printed_in_annex_2(loaded):
    tasks = [loaded[f"PH-2023-{n:02d}"] for n in range(1, 13)]
    assert [t.category for t in tasks] == PH_2023_CATEGORIES
    assert [t.seq for t in tasks] == list(range(1, 13))
    assert all(t.year == 2023 and t.action is None for t in tasks)
    assert all(t.start == datetime.date(2023, 1, 1) and t.deadline == datetime.date(2023, 12, 31) for t in tasks)
    assert all(t.status == "assigned" and t.percent_done is None for t in tasks)

    first = loaded["PH-2023-01"]
    assert first.title == "明湖国际科创岛"
    assert "投资4亿元" in first.goal
    assert (first.quantity, first.quantity_unit) == (Decimal(4), "亿元")
    assert first.lead_unit.code == "330482-kjj"
    assert [m.title for m in first.milestones.all()] and first.milestones.count() == 2

    second = loaded["PH-2023-02"]
    assert second.title == "航天平湖产业基地项目(一期)"
    assert (second.quantity, second.quantity_unit) == (Decimal(3), "亿元")
    assert loaded["PH-2023-04"].quantity == Decimal("1.2")
    assert loaded["PH-2023-06"].quantity is None and loaded["PH-2023-06"].quantity_unit == ""

    last = loaded["PH-2023-12"]
    assert last.title == "集聚科技领军人才"
    assert last.lead_unit.code == "330482-zzb"
    assert [u.name for u in last.assisting_units] == ["市人力社保局", "市科技局"]


def test_ph_six_actions_hold_14_tasks_and_the_talent_office_alias_resolves(loaded):
    tasks = [loaded[c] for c in PH_ACTION_TASKS]
    assert Counter(t.action.number for t in tasks) == {1: 3, 2: 2, 3: 3, 4: 2, 5: 2, 6: 2}
    for task in tasks:
        assert task.code.startswith(f"PH-A{task.action.number}-")
        assert task.action.plan.code == PH
        assert task.year is None
        assert task.start == datetime.date(2023, 1, 1)
        assert task.deadline == datetime.date(2027, 12, 31)
    assert loaded["PH-A1-1"].title == "加快建设明湖国际科创岛"
    # 市委组织部〔市委人才办〕 as printed is the 市委组织部 unit, not a unit of its own.
    for code in ("PH-A4-1", "PH-A4-2"):
        assert loaded[code].lead_unit.code == "330482-zzb"
        assert loaded[code].lead_unit.name == "市委组织部"
    assert loaded["PH-A4-1"].lead_unit == loaded["PH-2023-12"].lead_unit
    assert loaded["PH-A3-2"].goal.startswith("到2027年") and loaded["PH-A3-2"].quantity == Decimal(40)


def test_js_23_tasks_under_8_actions_led_by_the_bureaus_divisions(loaded):
    tasks = [loaded[f"JS-2025-{n:02d}"] for n in range(1, 24)]
    assert Counter(t.action.number for t in tasks) == JS_PER_ACTION
    assert [t.seq for t in tasks] == list(range(1, 24))
    assert all(t.year == 2025 and t.start == datetime.date(2025, 1, 1) for t in tasks)
    assert all(t.deadline == datetime.date(2025, 12, 31) for t in tasks)
    assert all(t.category == t.action.title for t in tasks)

    first = loaded["JS-2025-01"]
    assert first.title == "健全教科人一体推进机制"
    assert first.lead_unit.code == "330421-kjj-d1" and first.lead_unit.kind == "division"
    assert first.lead_unit.parent.code == "330421-kjj"
    assert [u.code for u in first.assisting_units] == ["330421-kjj-d5", "330421-kjj-d4"]
    assert all(t.lead_unit.kind == "division" for t in tasks[:22])

    last = loaded["JS-2025-23"]
    assert last.title == "推动干部履职能力提升"
    assert last.lead_unit.code == "330421-kjj" and last.lead_unit.kind == "bureau"
    assert last.assisting_units == []
    assert (loaded["JS-2025-02"].quantity, loaded["JS-2025-02"].quantity_unit) == (Decimal(10), "人")


def test_loading_again_changes_nothing(loaded, users):
    tasks = KeyTask.objects.count()
    assists = list(TaskAssist.objects.order_by("id").values_list("id", "task_id", "org_unit_id", "position"))
    milestones = Milestone.objects.count()
    history = ChangeRecord.objects.count()
    again = load_tasks(users["admin"])
    assert len(again) == 49
    assert KeyTask.objects.count() == tasks == 49
    assert list(TaskAssist.objects.order_by("id").values_list("id", "task_id", "org_unit_id", "position")) == assists
    assert Milestone.objects.count() == milestones
    assert ChangeRecord.objects.count() == history  # nothing changed, so nothing is recorded


def test_loading_again_repairs_an_edited_task_and_records_it(loaded, users):
    task = loaded["PH-2023-02"]
    KeyTask.objects.filter(pk=task.pk).update(title="改错的标题", deadline=datetime.date(2030, 1, 1))
    TaskAssist.objects.filter(task=task).delete()
    load_tasks(users["admin"])
    task.refresh_from_db()
    assert task.title == "航天平湖产业基地项目(一期)"
    assert task.deadline == datetime.date(2023, 12, 31)
    assert [u.name for u in task.assisting_units] == ["市科技局"]
    record = ChangeRecord.objects.filter(object_id=str(task.pk), action=ChangeRecord.Action.UPDATE,
                                         note="载入重点工作清单").first()
    assert record is not None
    assert record.before["title"] == "改错的标题" and record.after["title"] == "航天平湖产业基地项目(一期)"
