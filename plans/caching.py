"""Which writes make a plan's cached pages and answers stale, and the keys they are cached under.

Every save or delete of a plan, its indicators, targets, figures, responsibilities or period locks records a
change of the plan's slice (`plan:<id>`), a renamed place or region one of `places`; bulk writes that bypass
model signals (generation, COPY imports) call `changed(plan_id)` themselves. Pages and endpoints ask
`version_keys(plan)` for what their answer depends on.
"""

import datetime

from django.db.models.signals import m2m_changed, post_delete, post_save

from core import versions
from core.models import OrgUnit, Region

PLACES = "places"


def plan_key(plan_id: int) -> str:
    return f"plan:{plan_id}"


def version_keys(plan) -> tuple[str, str]:
    return (plan_key(plan.pk), PLACES)


def changed(*plan_ids: int) -> None:
    """Record a change of these plans' data (call inside the writing transaction)."""
    versions.bump(*(plan_key(pk) for pk in plan_ids))


def answer_parts(user, plan, *parts) -> tuple:
    """What an answer about a plan depends on besides the data: who asks (their scope and role shape it) and
    the day (overdue places, interpolated targets and what "the current period" is move with the date)."""
    return (user.pk, plan.pk, datetime.date.today().isoformat(), *parts)


def _plan_of(sender, instance) -> int | None:
    from plans.models import Indicator, IndicatorResponsibility, IndicatorValue, PeriodLock, Plan, Target

    if sender is Plan:
        return instance.pk
    if sender in (Indicator, PeriodLock):
        return instance.plan_id
    if sender in (Target, IndicatorValue, IndicatorResponsibility):
        indicator = instance._state.fields_cache.get("indicator")
        if indicator is not None:
            return indicator.plan_id
        return Indicator.objects.filter(pk=instance.indicator_id).values_list("plan_id", flat=True).first()
    return None


def _on_write(sender, instance, raw=False, **kwargs) -> None:
    if raw:  # loading a fixture or a backup: the restore records its own versions (core.backup)
        return
    plan_id = _plan_of(sender, instance)
    if plan_id is not None:
        changed(plan_id)


def _on_place(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        versions.bump(PLACES)


def _on_units(sender, instance, action, **kwargs) -> None:
    if action.startswith("post_"):
        _on_write(type(instance), instance)


def connect() -> None:
    from plans.models import Indicator, IndicatorResponsibility, IndicatorValue, PeriodLock, Plan, Target

    for model in (Plan, Indicator, IndicatorResponsibility, Target, IndicatorValue, PeriodLock):
        post_save.connect(_on_write, sender=model, dispatch_uid=f"plans-version-save-{model.__name__}")
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"plans-version-delete-{model.__name__}")
    m2m_changed.connect(_on_units, sender=Indicator.responsible_units.through, dispatch_uid="plans-version-units")
    for model in (OrgUnit, Region):
        post_save.connect(_on_place, sender=model, dispatch_uid=f"plans-version-place-save-{model.__name__}")
        post_delete.connect(_on_place, sender=model, dispatch_uid=f"plans-version-place-delete-{model.__name__}")
