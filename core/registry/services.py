"""Writes of registered records: create, edit and delete with history, scope checks and stale-edit refusal.

Every door (page, API, import) comes through here, so the rules are the same whatever the door.
"""

from __future__ import annotations

import hashlib
import json

from django.db import models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from core.audit import record_change, snapshot
from core.errors import Conflict, NotAllowed
from core.models import ChangeRecord


def stamp(obj: models.Model) -> str:
    """What an editor saw, the same in every process: the version column, else a digest of the fields.

    (Python's ``hash()`` of strings is salted per process, so a stamp built on it refused every edit
    after a restart or on a second server.)
    """
    version = getattr(obj, "version", None)
    if isinstance(version, int):
        return str(version)
    payload = json.dumps(snapshot(obj), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _check_stamp(current: models.Model, seen: str | None) -> None:
    if seen not in (None, "") and str(seen) != stamp(current):
        raise Conflict(_("该记录已被他人修改，请刷新后重试"))


def _check_in_scope(registration, actor, obj) -> None:
    if not registration.model._default_manager.restrict(actor, "change").filter(pk=obj.pk).exists():
        raise NotAllowed(_("保存后的记录超出您的管辖范围"))


def _bump_version(obj: models.Model, locked: models.Model | None) -> None:
    if isinstance(getattr(obj, "version", None), int):
        obj.version = (locked.version if locked is not None else 0) + 1


def save_object(registration, *, actor, form, instance: models.Model | None = None,
                seen_stamp: str | None = None) -> models.Model:
    """Create (``instance`` None) or update a record from a valid form; refused writes change nothing."""
    with transaction.atomic():
        locked = before = None
        if instance is None:
            if not registration.can_add(actor):
                raise NotAllowed(_("您无权新建%(name)s") % {"name": registration.verbose_name})
        else:
            if not registration.editable:
                raise NotAllowed(_("%(name)s不能直接修改") % {"name": registration.verbose_name})
            locked = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
            _check_stamp(locked, seen_stamp)
            before = snapshot(locked)
        if registration.save is not None:
            obj = registration.save(actor, form, instance)
        else:
            obj = form.save(commit=False)
            _bump_version(obj, locked)
            obj.save()
            form.save_m2m()
        _check_in_scope(registration, actor, obj)
        record_change(actor=actor, obj=obj, action=ChangeRecord.Action.CREATE if locked is None
                      else ChangeRecord.Action.UPDATE, before=before, after=snapshot(obj))
    return obj


def delete_object(registration, *, actor, instance: models.Model, seen_stamp: str | None = None) -> None:
    if not registration.deletable:
        raise NotAllowed(_("%(name)s不能删除") % {"name": registration.verbose_name})
    with transaction.atomic():
        locked = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
        _check_stamp(locked, seen_stamp)
        before = snapshot(locked)
        try:
            with transaction.atomic():
                locked.delete()
        except (ProtectedError, RestrictedError) as exc:
            related = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ())
            names = "、".join(sorted({str(o._meta.verbose_name) for o in related})) or "—"
            raise Conflict(_("该记录仍被其他记录引用（%(what)s），不能删除") % {"what": names}) from exc
        locked.pk = instance.pk  # Django clears it on delete; the history keeps which record it was
        record_change(actor=actor, obj=locked, action=ChangeRecord.Action.DELETE, before=before, after=None)
