"""Change history written explicitly by services: who, when, before and after."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import CharField, DateTimeField, JSONField, Value
from django.db.models.expressions import BaseExpression
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from core.bulk import insert_select
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


def _actor_fields(actor) -> tuple[int | None, str]:
    return (actor.pk if actor is not None and actor.pk else None), (str(actor) if actor is not None else "系统")[:80]


def record_changes(*, actor, changes: list[tuple[models.Model, str, dict | None, dict | None]], note: str = "") -> int:
    """Many changes at once (imports): one INSERT for all their history records."""
    if not changes:
        return 0
    content_types = {}
    rows = []
    actor_id, actor_name = _actor_fields(actor)
    for obj, action, before, after in changes:
        model = type(obj)
        if model not in content_types:
            content_types[model] = ContentType.objects.get_for_model(model, for_concrete_model=True)
        rows.append(ChangeRecord(content_type=content_types[model], object_id=str(obj.pk), object_repr=str(obj)[:200],
                                 action=action, actor_id=actor_id, actor_name=actor_name, before=before,
                                 after=after, note=note))
    ChangeRecord.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def record_changes_of(*, actor, records: models.QuerySet, action: str, before: dict | None,
                      after: dict | BaseExpression, note: str = "") -> int:
    """One change per record of a query, written by the database itself (INSERT … SELECT): a pool refresh
    enters or exits a hundred thousand firms, and each needs its history without a Python object apiece.

    ``after`` is a dict (the same for every record) or an expression over the record, e.g.
    ``JSONObject(reason=F("reason"))``. Returns how many were written.
    """
    model = records.model
    # object_repr is str(obj); in SQL that is only known for Django's default "<Model> object (<pk>)".
    if model.__str__ is not models.Model.__str__:
        raise TypeError(f"{model.__name__} has its own __str__: its history cannot be written in SQL")
    actor_id, actor_name = _actor_fields(actor)
    pk_text = Cast("pk", CharField(max_length=64))
    columns = {
        "content_type_id": Value(ContentType.objects.get_for_model(model, for_concrete_model=True).pk),
        "object_id": pk_text,
        "object_repr": Concat(Value(f"{model.__name__} object ("), pk_text, Value(")"), output_field=CharField()),
        "action": Value(action),
        "actor_name": Value(actor_name),
        "at": Value(timezone.now(), output_field=DateTimeField()),
        "after": after if isinstance(after, BaseExpression) else Value(after, output_field=JSONField()),
        "note": Value(note),
    }
    # Columns left out are NULL: an untyped NULL in a SELECT list would not go into a jsonb column.
    if actor_id is not None:
        columns["actor_id"] = Value(actor_id)
    if before is not None:
        columns["before"] = Value(before, output_field=JSONField())
    return insert_select(ChangeRecord, columns, records)
