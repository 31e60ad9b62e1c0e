"""tasks.services.report_settings and tasks.queries.may_follow_job, called without a request."""

from decimal import Decimal

import pytest

from core.errors import NotAllowed
from core.models import ChangeRecord, Job, Region
from tasks.models import ReportSettings
from tasks.queries import may_follow_job
from tasks.services.report_settings import may_change_settings, save_report_settings, settings_form

pytestmark = pytest.mark.django_db
PLAN = "PH315-2023"
POSTED = {"lag_threshold": "15", "report_day": "10", "task_weight": "2", "indicator_weights": "PH01=2"}


@pytest.mark.parametrize(
    ("username", "allowed"),
    [("ph_admin", True), ("admin", True), ("js_admin", False), ("ph_leader", False), ("ph_fgj", False)],
)
def test_only_the_plans_own_bureau_admin_changes_settings(users, plans, username, allowed):
    assert may_change_settings(users[username], plans[PLAN]) is allowed
    if not allowed:
        with pytest.raises(NotAllowed):
            settings_form(users[username], plans[PLAN], POSTED)


def test_saving_keeps_the_values_before_and_after(users, plans):
    admin, plan = users["ph_admin"], plans[PLAN]
    form = settings_form(admin, plan, POSTED)
    assert form.is_valid(), form.errors
    saved = save_report_settings(user=admin, plan=plan, form=form)
    assert (saved.lag_threshold, saved.report_day, saved.indicator_weights) == (
        Decimal(15),
        10,
        {"PH01": "2"},
    )
    created = ChangeRecord.objects.get(object_id=str(saved.pk), content_type__model="reportsettings")
    assert (created.action, created.before) == (ChangeRecord.Action.CREATE, None)

    form = settings_form(admin, plan, {**POSTED, "report_day": "20"})
    assert form.is_valid(), form.errors
    save_report_settings(user=admin, plan=plan, form=form)
    update = ChangeRecord.objects.filter(
        object_id=str(saved.pk), content_type__model="reportsettings", action=ChangeRecord.Action.UPDATE
    ).get()
    # "before" is what was stored, not the form's instance that validation already changed.
    assert (update.before["report_day"], update.after["report_day"]) == (10, 20)
    assert ReportSettings.objects.get(plan=plan).report_day == 20


def test_a_form_of_another_plan_is_refused(users, plans):
    form = settings_form(users["admin"], plans["JS-2025"], {**POSTED, "indicator_weights": ""})
    assert form.is_valid(), form.errors
    with pytest.raises(NotAllowed):
        save_report_settings(user=users["admin"], plan=plans[PLAN], form=form)
    assert not ReportSettings.objects.filter(plan__in=plans.values()).exists()


def test_invalid_settings_are_left_to_the_form(users, plans):
    form = settings_form(users["ph_admin"], plans[PLAN], {**POSTED, "indicator_weights": "XX99=1"})
    assert not form.is_valid()
    assert "indicator_weights" in form.errors


@pytest.mark.parametrize(
    ("username", "follows"),
    [
        ("ph_fgj", True),
        ("admin", True),
        ("ph_admin", True),
        ("ph_leader", True),
        ("jx_leader", True),
        ("js_admin", False),
        ("ph_danghu", False),
        ("demo_qiye", False),
    ],
)
def test_who_follows_a_job(users, username, follows):
    job = Job.objects.create(
        kind="progress_report",
        title="t",
        created_by=users["ph_fgj"],
        region=Region.objects.get(code="330482"),
    )
    assert may_follow_job(users[username], job) is follows


def test_a_job_without_a_region_is_followed_by_its_starter_only(users):
    job = Job.objects.create(kind="import", title="t", created_by=users["ph_admin"])
    assert may_follow_job(users["ph_admin"], job)
    assert not may_follow_job(users["ph_leader"], job)
