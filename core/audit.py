"""Change history written explicitly by services: who, when, before and after."""

import datetime
import functools
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import CharField, DateTimeField, JSONField, Value
from django.db.models.expressions import BaseExpression
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from core.bulk import insert_rows, insert_select
from core.models import ChangeRecord


def plain(value):
    """A field's value as the history keeps it (JSON-ready)."""
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
    return {
        name: plain(getattr(obj, attname))
        for name, attname in _kept(type(obj), None if fields is None else tuple(fields))
    }


@functools.cache
def _kept(model: type[models.Model], fields: tuple[str, ...] | None) -> tuple[tuple[str, str], ...]:
    # Worked out once per model and field list: an import snapshots every row twice.
    return tuple(
        (f.name, f.attname)
        for f in model._meta.concrete_fields
        if f.name not in _NEVER_KEPT and (fields is None or f.name in fields)
    )


def changes_nothing(action: str, before: dict | None, after: dict | None) -> bool:
    """An edit whose before and after are the same: saving a form untouched is not a change to keep.

    Only edits: a create, a delete or a workflow step (which carries an opinion) is an event even so.
    """
    return action == ChangeRecord.Action.UPDATE and before is not None and before == after


def record_change(
    *, actor, obj: models.Model, action: str, before: dict | None, after: dict | None, note: str = ""
) -> ChangeRecord | None:
    """One change in the history; None (nothing written) for an edit that changed nothing."""
    if changes_nothing(action, before, after):
        return None
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
        object_id__in=[str(i) for i in ids],
    ).select_related("actor")


def _actor_fields(actor) -> tuple[int | None, str]:
    return (actor.pk if actor is not None and actor.pk else None), (str(actor) if actor is not None else "系统")[:80]


def record_changes(
    *, actor, changes: list[tuple[models.Model, str, dict | None, dict | None]], note: str = ""
) -> int:
    """Many changes at once (imports): one prepared INSERT for all their history records."""
    return record_rows(
        actor=actor,
        rows=[(type(obj), obj.pk, str(obj), action, before, after) for obj, action, before, after in changes],
        note=note,
    )


HistoryRow = tuple[type[models.Model], object, str, str, dict | None, dict | None]
_HISTORY_FIELDS = [
    "content_type",
    "object_id",
    "object_repr",
    "action",
    "actor",
    "actor_name",
    "at",
    "before",
    "after",
    "note",
]


def record_rows(*, actor, rows: list[HistoryRow], note: str = "") -> int:
    """History for records a bulk write made without model instances: (model, pk, repr, action, before, after).

    Everything but the values is the same for the whole write, so it is worked out once: the time is the
    write's (one import is one change in time), and the actor's name is kept as it was then.
    """
    if not rows:
        return 0
    content_types: dict = {}
    actor_id, actor_name = _actor_fields(actor)
    at = timezone.now()
    values = []
    for model, pk, label, action, before, after in rows:
        if changes_nothing(action, before, after):
            continue
        if model not in content_types:
            content_types[model] = ContentType.objects.get_for_model(model, for_concrete_model=True).pk
        values.append(
            (
                content_types[model],
                str(pk),
                label[:200],
                action,
                actor_id,
                actor_name,
                at,
                before,
                after,
                note,
            )
        )
    return insert_rows(ChangeRecord, _HISTORY_FIELDS, values) if values else 0


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
