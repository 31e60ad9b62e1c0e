"""The JSON bodies of a registration's API, declared and checked from the same form its create page uses.

The API hands a body to the create form (``RegistryViewSet._form``); a form reads text, so what JSON may
stand for each field is decided here once and used twice: for the OpenAPI schema (``write_serializer``)
and to refuse a value of the wrong JSON type before the form sees it (``form_data``). The body is closed —
a name the form does not know is refused — and a PATCH body has the same fields, none required, plus
``version``.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_choice_field
from rest_framework import serializers

from core.api_schema import ANY_TEXT, SOME_TEXT
from core.registry.factories import MAX_TEXT

INT32 = 2**31 - 1
# A related record is named by its id or by its code or name (LookupChoiceField).
RECORD = {"anyOf": [{"type": "integer", "minimum": 1, "maximum": INT32},
                    {"type": "string", "minLength": 1, "maxLength": 200, "pattern": SOME_TEXT}]}


def _bounds(field) -> dict:
    bounds = {}
    for validator in field.validators:
        limit = getattr(validator, "limit_value", None)
        if isinstance(limit, int | float | Decimal) and not isinstance(limit, bool):
            if validator.code == "min_value":
                bounds["minimum"] = limit
            elif validator.code == "max_value":
                bounds["maximum"] = limit
    return bounds


def json_shape(model, name: str) -> type | None:
    """list or dict for a JSON column that defaults to one: the code reading it expects that shape."""
    try:
        default = model._meta.get_field(name).default
    except Exception:  # FieldDoesNotExist: a form-only field
        return None
    return default if default in (list, dict) else None


def kind_of(field: forms.Field) -> str:
    if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
        return "list"
    if isinstance(field, forms.ModelChoiceField):
        return "record"
    if isinstance(field, forms.JSONField):
        return "json"
    if isinstance(field, forms.BooleanField):
        return "boolean"
    if isinstance(field, forms.DecimalField | forms.FloatField):
        return "decimal"
    if isinstance(field, forms.IntegerField):
        return "integer"
    if isinstance(field, forms.DateField):
        return "date"
    return "text"  # text and choices: a JSON string


def field_schema(field: forms.Field, shape: type | None = None) -> dict:
    kind = kind_of(field)
    if kind == "list":
        choices = [str(c[0]) for c in getattr(field, "choices", []) if c[0] != ""]
        items = {"type": "string", "enum": choices} if choices and not isinstance(
            field, forms.ModelMultipleChoiceField) else RECORD
        schema = {"type": "array", "items": items}
    elif kind == "record":
        schema = dict(RECORD)
    elif kind == "json":
        schema = {"type": "array"} if shape is list else {"type": "object"} if shape is dict else {}
    elif kind == "boolean":
        schema = {"type": "boolean"}
    elif kind == "decimal":
        digits, places = getattr(field, "max_digits", None) or 20, getattr(field, "decimal_places", None) or 6
        whole = max(digits - places, 1)
        limit = {"maximum": 10**whole - 1, "minimum": -(10**whole - 1), **_bounds(field)}
        # Whole numbers or text such as "12500.50": a JSON fraction would pass through binary floating point.
        schema = {"anyOf": [{"type": "integer", **limit},
                            {"type": "string", "pattern": rf"^-?[0-9]{{1,{whole}}}(\.[0-9]{{1,{places}}})?$"}]}
    elif kind == "integer":
        schema = {"type": "integer", "minimum": -INT32 - 1, "maximum": INT32, **_bounds(field)}
    elif isinstance(field, forms.ChoiceField):
        # Built as drf-spectacular builds a serializer's choices, so the enum shares its named component.
        choices = [c for c in field.choices if c[0] != ""]
        schema = build_choice_field(serializers.ChoiceField(choices=choices, allow_blank=not field.required))
    elif kind == "date":
        schema = {"type": "string", "format": "date"}
    else:
        schema = {"type": "string", "maxLength": getattr(field, "max_length", None) or MAX_TEXT,
                  "pattern": SOME_TEXT if field.required else ANY_TEXT}
        if field.required:
            schema["minLength"] = 1
    if not field.required and kind not in ("list", "json", "boolean"):
        schema["nullable"] = True
    if field.help_text or field.label:
        schema["description"] = str(field.help_text or field.label)
    return schema


ACCEPTS = {"list": (list,), "record": (int, str), "json": (list, dict, str, int, float, bool),
           "boolean": (bool,), "decimal": (int, str), "integer": (int,), "date": (str,), "text": (str,)}
EXPECTED = {"list": _("列表"), "record": _("记录的 id、编码或名称"), "json": "JSON", "boolean": _("true 或 false"),
            "decimal": _("整数或写成文本的数，如 \"12500.50\""), "integer": _("整数"),
            "date": _("日期 YYYY-MM-DD"), "text": _("文本")}
# Left empty, these are JSON null: an empty string is no id, number or date.
NO_EMPTY_TEXT = {"record", "decimal", "date"}


def _wrong(field: forms.Field, kind: str, value, shape: type | None) -> bool:
    if value is None:
        return field.required or kind in ("boolean", "list", "json")
    if isinstance(value, bool) and kind not in ("boolean", "json"):
        return True
    if not isinstance(value, ACCEPTS[kind]) or (shape is not None and not isinstance(value, shape)):
        return True
    return value == "" and kind in NO_EMPTY_TEXT


def form_data(model, fields: dict[str, forms.Field], data: dict, current: dict) -> dict:
    """What the form reads: ``current`` (a PATCH's stored values) overlaid with the JSON ``data``, whose
    values must be of their field's JSON type; raises a 400 naming every field that is not."""
    problems = {}
    for name, value in data.items():
        field, kind, shape = fields[name], kind_of(fields[name]), json_shape(model, name)
        if _wrong(field, kind, value, shape) and not (value is None and field.required and kind == "text"):
            what = EXPECTED[kind] if shape is None else (_("列表") if shape is list else _("对象"))
            problems[name] = _("应为%(what)s") % {"what": what}
    if problems:
        raise serializers.ValidationError(problems)
    merged = {**current, **data}
    for name, value in list(merged.items()):
        if kind_of(fields[name]) == "json":
            merged[name] = json.dumps(value, ensure_ascii=False)  # a form reads JSON as its text
        elif value is False or value is None:  # not ticked / left empty, as a form would send it
            merged.pop(name)
        elif isinstance(value, int | float | Decimal):
            merged[name] = str(value)
    return merged


class FormBodyField(serializers.Field):
    """A body field whose schema is written out by ``field_schema`` (see the extension below)."""

    def __init__(self, schema: dict, **kwargs):
        self.schema = schema
        super().__init__(**kwargs)


class FormBodyFieldExtension(OpenApiSerializerFieldExtension):
    target_class = FormBodyField

    def map_serializer_field(self, auto_schema, direction):
        return self.target.schema


def write_serializer(registration, *, partial: bool) -> type[serializers.Serializer]:
    """``<Model>Write`` (create) or ``<Model>Change`` (PATCH) from the registration's form."""
    model = registration.model
    fields = {name: FormBodyField(field_schema(field, json_shape(model, name)),
                                  required=field.required and not partial)
              for name, field in registration.form_class().base_fields.items()}
    if partial:
        fields["version"] = serializers.CharField(required=False, allow_null=True, allow_blank=True,
                                                  help_text="读取时的 version，防止覆盖别人的修改")
    name = f"{registration.model.__name__}{'Change' if partial else 'Write'}"
    return type(name, (serializers.Serializer,), {**fields, "closed": True})
