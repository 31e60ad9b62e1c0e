"""Performance templates (一院一表): saved with the next version number of their kind, year and region; a
template a table uses is frozen, so an adjustment is a new version and earlier results keep their rules."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core import roles
from core.audit import record_change, snapshot
from core.errors import NotAllowed
from core.models import ChangeRecord
from platforms.models import PerformanceTemplate


def next_version(kind: str, year: int, region_id: int | None) -> int:
    top = (PerformanceTemplate.objects.filter(kind=kind, year=year, region_id=region_id)
           .aggregate(top=Max("version"))["top"])
    return (top or 0) + 1


def save_template(actor, form, instance: PerformanceTemplate | None) -> PerformanceTemplate:
    """The registry's save: a new template takes the next free version of its kind, year and region."""
    template = form.save(commit=False)
    if instance is None or not instance.pk:
        template.version = next_version(template.kind, template.year, template.region_id)
    template.save()
    return template


@transaction.atomic
def copy_as_new_version(*, actor, template_id: int) -> PerformanceTemplate:
    """另存为新版本: the same indicators and grades under the next version, for the bureau to adjust."""
    source = PerformanceTemplate.objects.restrict(actor, "view").filter(pk=template_id).first()
    if source is None:
        raise NotAllowed(_("找不到该模板，或不在您的管辖范围内"))
    region = source.region if source.region_id else (None if roles.is_sysadmin(actor) else actor.scope_region)
    copy = PerformanceTemplate.objects.create(
        kind=source.kind, year=source.year, name=source.name, region=region,
        version=next_version(source.kind, source.year, region.pk if region else None),
        indicators=source.indicators, grades=source.grades, is_example=source.is_example,
        note=_("由第%(v)s版另存") % {"v": source.version})
    if not PerformanceTemplate.objects.restrict(actor, "change").filter(pk=copy.pk).exists():
        raise NotAllowed(_("您无权在该区域新建模板"))
    record_change(actor=actor, obj=copy, action=ChangeRecord.Action.CREATE, before=None, after=snapshot(copy),
                  note=_("另存为新版本"))
    return copy
