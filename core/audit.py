"""Change history written explicitly by services: who, when, before and after."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.models import ChangeRecord


def _plain(value):
    if isinstance(value, Decimal):
        # Plain notation without trailing zeros, so a figure read back from the database (11.340000) and
        # the same figure as entered (11.34) snapshot alike and an unchanged record is not a change.
        return format(value.normalize(), "f")
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


# Secrets never go into the history, whatever record holds them.
_NEVER_KEPT = {"password", "secret"}


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict:
    """JSON-ready values of a record's concrete fields (foreign keys as their ids)."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in _NEVER_KEPT or (fields is not None and field.name not in fields):
            continue
        data[field.name] = _plain(getattr(obj, field.attname))
    return data


def record_change(*, actor, obj: models.Model, action: str, before: dict | None, after: dict | None,
                  note: str = "") -> ChangeRecord:
    return ChangeRecord.objects.create(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        actor_name=(str(actor) if actor is not None else "系统")[:80],
        before=before,
        after=after,
        note=note,
    )


def history_for(obj: models.Model):
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True), object_id=str(obj.pk)
    ).select_related("actor")


def history_for_many(model, ids) -> models.QuerySet:
    """The changes of several records of one model (e.g. an indicator's targets), newest first."""
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=True),
        object_id__in=[str(i) for i in ids]).select_related("actor")


def record_changes(*, actor, changes: list[tuple[models.Model, str, dict | None, dict | None]], note: str = "") -> int:
    """Many changes at once (imports): one INSERT for all their history records."""
    if not changes:
        return 0
    content_types = {}
    rows = []
    for obj, action, before, after in changes:
        model = type(obj)
        if model not in content_types:
            content_types[model] = ContentType.objects.get_for_model(model, for_concrete_model=True)
        rows.append(ChangeRecord(content_type=content_types[model], object_id=str(obj.pk), object_repr=str(obj)[:200],
                                 action=action, actor=actor if actor is not None and actor.pk else None,
                                 actor_name=(str(actor) if actor is not None else "系统")[:80], before=before,
                                 after=after, note=note))
    ChangeRecord.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
