"""督办与报告设置 of a plan (预警阈值、月报截止日、比拼权重): who changes them and how a change is kept.

The form (tasks.forms.ReportSettingsForm) turns the posted text into values and refuses malformed ones; the
decisions — only the plan's own bureau admin changes them, every save is kept in the history — are here.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import record_change, snapshot
from core.errors import NotAllowed
from core.models import ChangeRecord
from plans.models import Plan
from tasks.forms import ReportSettingsForm
from tasks.models import ReportSettings
from tasks.queries import plan_settings


def may_change_settings(user, plan: Plan) -> bool:
    """The settings weigh the region's towns and units against each other: its bureau admin sets them."""
    return Plan.objects.restrict(user, "change").filter(pk=plan.pk).exists()


def settings_form(user, plan: Plan, data=None) -> ReportSettingsForm:
    """The form on the plan's current settings (unsaved defaults when it has none yet)."""
    if not may_change_settings(user, plan):
        raise NotAllowed(_("只有本地区科技局管理员可以修改督办与报告设置"))
    return ReportSettingsForm(
        data, instance=plan_settings(plan), indicator_codes=plan.indicators.values_list("code", flat=True)
    )


@transaction.atomic
def save_report_settings(*, user, plan: Plan, form: ReportSettingsForm) -> ReportSettings:
    """Save a valid form of ``settings_form``; the history keeps the values before and after."""
    if not may_change_settings(user, plan):
        raise NotAllowed(_("只有本地区科技局管理员可以修改督办与报告设置"))
    if form.instance.plan_id != plan.pk:
        # A form built on another plan's settings would overwrite that plan's record.
        raise NotAllowed(_("设置不属于该规划"))
    # The row as stored, not the form's instance: validating the form has already put the new values on it.
    stored = ReportSettings.objects.filter(pk=form.instance.pk).first() if form.instance.pk else None
    before = snapshot(stored) if stored is not None else None
    saved = form.save()
    record_change(
        actor=user,
        obj=saved,
        action=ChangeRecord.Action.UPDATE if before else ChangeRecord.Action.CREATE,
        before=before,
        after=snapshot(saved),
    )
    return saved
