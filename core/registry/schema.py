"""The request bodies of a registration's API, declared from the same form its create page uses.

The API checks a body with the create form (``RegistryViewSet._form``), so the schema of that body is
the form's fields: names, required ones, lengths, choices, number ranges. It is closed — a name the form
does not know is refused — and a PATCH body has the same fields, none required, plus ``version``.
"""

from __future__ import annotations

from django import forms
from rest_framework import serializers


def _number_bounds(field) -> dict:
    bounds = {}
    for validator in field.validators:
        limit = getattr(validator, "limit_value", None)
        if isinstance(limit, int | float) and not callable(limit):
            if validator.code == "min_value":
                bounds["min_value"] = limit
            elif validator.code == "max_value":
                bounds["max_value"] = limit
    return bounds


def body_field(field: forms.Field, *, required: bool) -> serializers.Field:
    """The API field a form field reads, as it reads it from JSON."""
    common = {"required": required, "help_text": str(field.help_text or field.label or "")}
    blank = {"allow_blank": not field.required}
    if isinstance(field, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.CharField(), **common)
    if isinstance(field, forms.ModelChoiceField):
        common["help_text"] = f"{common['help_text']}（填 id、编码或名称）"
        return serializers.CharField(allow_null=not field.required, **blank, **common)
    if isinstance(field, forms.MultipleChoiceField):
        return serializers.ListField(child=serializers.ChoiceField(choices=field.choices), **common)
    if isinstance(field, forms.ChoiceField):
        return serializers.ChoiceField(choices=[c for c in field.choices if c[0] != ""],
                                       allow_blank=not field.required, **common)
    if isinstance(field, forms.JSONField):
        return serializers.JSONField(**common)
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(**common)
    if isinstance(field, forms.DecimalField):
        return serializers.DecimalField(max_digits=field.max_digits or 20, decimal_places=field.decimal_places or 6,
                                        allow_null=not field.required, **_number_bounds(field), **common)
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(allow_null=not field.required, **_number_bounds(field), **common)
    if isinstance(field, forms.DateField):
        return serializers.DateField(allow_null=not field.required, **common)
    if isinstance(field, forms.EmailField):
        return serializers.EmailField(max_length=field.max_length, **blank, **common)
    if isinstance(field, forms.URLField):
        return serializers.URLField(max_length=field.max_length, **blank, **common)
    length = {"max_length": field.max_length} if getattr(field, "max_length", None) else {}
    return serializers.CharField(min_length=1 if field.required else None, trim_whitespace=False,
                                 **length, **blank, **common)


def write_serializer(registration, *, partial: bool) -> type[serializers.Serializer]:
    """``<Model>Write`` (create) or ``<Model>Change`` (PATCH) from the registration's form."""
    fields = {name: body_field(field, required=field.required and not partial)
              for name, field in registration.form_class().base_fields.items()}
    if partial:
        fields["version"] = serializers.CharField(required=False, allow_null=True,
                                                  help_text="读取时的 version，防止覆盖别人的修改")
    name = f"{registration.model.__name__}{'Change' if partial else 'Write'}"
    return type(name, (serializers.Serializer,), {**fields, "closed": True})
