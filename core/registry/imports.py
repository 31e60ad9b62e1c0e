"""Bulk import of a registered model: the columns are the create form's fields, each row is checked by it.

A row's cells become the form's data (choices may be written as their label, yes/no as 是/否, related
records by code or name), so a spreadsheet row is refused for exactly the reasons the create page refuses it.
"""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext as _

from core.cells import CellError, parse_date, parse_text
from core.imports import Column, ImportSpec

_YES = {"是", "y", "yes", "true", "1", "√", "有"}
_NO = {"否", "n", "no", "false", "0", "×", "无"}


def _cell_to_data(field: forms.Field, raw: object):
    if isinstance(field, forms.BooleanField):
        text = (parse_text(raw) or "").lower()
        if text in _YES:
            return "on"
        if text in _NO or not text:
            return ""
        raise CellError(_("请填写“是”或“否”"))
    if isinstance(field, forms.DateField):
        value = parse_date(raw)
        return value.isoformat() if isinstance(value, datetime.date) else value
    text = parse_text(raw)
    if text is not None and isinstance(field, forms.TypedChoiceField | forms.ChoiceField) \
            and not isinstance(field, forms.ModelChoiceField):
        by_label = {str(label): value for value, label in field.choices}
        return by_label.get(text, text)
    return text


def import_spec(registration, actor) -> ImportSpec:
    from core.registry.services import save_object

    form_class = registration.form_class()
    probe = form_class(user=actor)
    labels = {name: str(field.label) for name, field in probe.fields.items()}
    columns = [Column(labels[name], required=probe.fields[name].required, aliases=(name,),
                      help=str(probe.fields[name].help_text or ""))
               for name in probe.fields]

    def check_row(errors):
        data, bad = {}, False
        for name, field in probe.fields.items():
            raw = errors.raw(labels[name])
            try:
                value = _cell_to_data(field, raw)
            except CellError as exc:
                errors.add(labels[name], str(exc))
                bad = True
                continue
            if value not in (None, ""):
                data[name] = value
        if bad:
            return None
        if not data:
            return None  # a blank template row
        form = form_class(data, user=actor)
        if not form.is_valid():
            for name, messages in form.errors.items():
                errors.add(labels.get(name, labels[next(iter(labels))]), "；".join(messages))
            return None
        return form

    unique = [f.name for f in registration.model._meta.concrete_fields
              if f.unique and not f.primary_key and f.name in probe.fields]

    def duplicate_key(form):
        return tuple(form.cleaned_data.get(name) for name in unique) if unique else id(form)

    def write(pending):
        return [save_object(registration, actor=actor, form=form) for form in pending]

    return ImportSpec(columns=columns, check_row=check_row, write=write, duplicate_key=duplicate_key,
                      title=registration.label)
