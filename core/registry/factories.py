"""The FilterSet, table, form and serializer of a registration, made from its declaration when not given."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms import modelform_factory
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import serializers

from core.filters import SMALL, IntegerFilter, SearchFilterSet, YesNoFilter

SELECT = {"class": "form-select form-select-sm"}
# Free text longer than this is refused, whatever the column allows (a TextField has no limit of its own).
MAX_TEXT = 10_000


def restricted_related(model, user):
    """What of a related model a user may pick: its restricted queryset where it has one."""
    queryset = model._default_manager.all()
    return queryset.restrict(user, "view") if hasattr(queryset, "restrict") else queryset


def make_filterset(registration):
    attrs = {}
    for name in registration.filter_fields:
        field = registration.model._meta.get_field(name)
        label = field.verbose_name
        if field.is_relation:
            related = field.related_model
            attrs[name] = django_filters.ModelChoiceFilter(
                label=label, widget=forms.Select(attrs=SELECT), empty_label=_lazy("全部"),
                queryset=lambda request, related=related: restricted_related(related, request.user)
                if request is not None else related._default_manager.none())
        elif field.choices:
            attrs[name] = django_filters.ChoiceFilter(label=label, choices=field.choices, empty_label=_lazy("全部"),
                                                      widget=forms.Select(attrs=SELECT))
        elif isinstance(field, models.BooleanField):
            attrs[name] = YesNoFilter(label=label, widget=forms.Select(
                attrs=SELECT, choices=[("", _lazy("全部")), ("true", _lazy("是")), ("false", _lazy("否"))]))
        elif isinstance(field, models.IntegerField):  # also the small and positive kinds
            attrs[name] = IntegerFilter(label=label, widget=forms.NumberInput(attrs=SMALL))
        elif isinstance(field, models.DateField):
            attrs[name] = django_filters.DateFilter(
                label=label, widget=forms.DateInput(attrs={**SMALL, "type": "date"}),
                lookup_expr="date" if isinstance(field, models.DateTimeField) else "exact")
        else:
            attrs[name] = django_filters.CharFilter(label=label, widget=forms.TextInput(attrs=SMALL))
    attrs["search_fields"] = registration.search_fields
    attrs["Meta"] = type("Meta", (), {"model": registration.model, "fields": ["q", *registration.filter_fields]})
    return type(f"{registration.model.__name__}RegistryFilter", (SearchFilterSet,), attrs)


def make_table(registration):
    name = registration.name
    fields = list(registration.list_fields)
    attrs = {"Meta": type("Meta", (), {"model": registration.model, "fields": fields,
                                        "attrs": {"class": "table table-sm table-hover mb-0"}})}
    if fields:
        first = registration.model._meta.get_field(fields[0])
        attrs[fields[0]] = tables.Column(verbose_name=first.verbose_name, linkify=lambda record: reverse(
            f"registry:{name}-detail", args=[record.pk]))
    return type(f"{registration.model.__name__}RegistryTable", (tables.Table,), attrs)


class LookupChoiceField(forms.ModelChoiceField):
    """A related record named by its id (a page's select) or by a code or name (a spreadsheet cell, the API)."""

    def __init__(self, *args, lookup_fields=(), **kwargs):
        self.lookup_fields = tuple(lookup_fields)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, self.queryset.model):
            value = value.pk
        text = str(value).strip()
        for name in self.lookup_fields:
            matches = list(self.queryset.filter(**{name: text})[:2])
            if len(matches) > 1:
                raise ValidationError(_("“%(text)s”对应多条记录，请填写编码") % {"text": text})
            if matches:
                return matches[0]
        if text.isdigit() and len(text) < 19:
            found = self.queryset.filter(pk=int(text)).first()
            if found is not None:
                return found
        raise ValidationError(_("找不到“%(text)s”，或不在您的管辖范围内") % {"text": text[:50]},
                              code="invalid_choice")


def clean_text(value: str, field) -> str:
    """Text no database column can hold safely is refused here, before any write."""
    if "\x00" in value:
        raise ValidationError(_("不能包含空字符（NUL）"))
    limit = getattr(field, "max_length", None) or MAX_TEXT
    if len(value) > limit:
        raise ValidationError(_("不能超过%(n)s个字符（现有%(m)s个）") % {"n": limit, "m": len(value)})
    return value


class RegistryForm(forms.ModelForm):
    """A registration's form: related choices limited to what the user may see, text checked, styled."""

    registration = None

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        lookups = self.registration.lookups if self.registration else {}
        for name, field in list(self.fields.items()):
            model_field = self._meta.model._meta.get_field(name) if name in self._model_field_names() else None
            if isinstance(field, forms.ModelChoiceField) and model_field is not None and model_field.is_relation:
                related = model_field.related_model
                names = lookups.get(name) or tuple(f for f in ("code", "name")
                                                   if _has_field(related, f))
                replacement = LookupChoiceField(
                    queryset=restricted_related(related, user), required=field.required, label=field.label,
                    help_text=field.help_text, lookup_fields=names)
                replacement.widget.attrs.update({"class": "form-select"})
                self.fields[name] = replacement
            elif isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select")
            else:
                field.widget.attrs.setdefault("class", "form-control")

    def _model_field_names(self):
        return {f.name for f in self._meta.model._meta.get_fields()}

    def _clean_fields(self):
        super()._clean_fields()
        for name, value in list(self.cleaned_data.items()):
            if isinstance(value, str):
                try:
                    self.cleaned_data[name] = clean_text(value, self.fields[name])
                except ValidationError as exc:
                    self.add_error(name, exc)


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist
        return False
    return True


def make_form(registration):
    base = type(f"{registration.model.__name__}RegistryBase", (RegistryForm,), {"registration": registration})
    return modelform_factory(registration.model, form=base, fields=list(registration.form_fields))


class RegistrySerializer(serializers.ModelSerializer):
    """Read shape of a registered record; related records as their id and their name beside it."""

    version = serializers.SerializerMethodField(help_text="修改或删除时原样带回，用于拒绝过期的修改")

    def get_version(self, obj) -> str:
        from core.registry.services import stamp

        return stamp(obj)


def make_serializer(registration):
    fields = ["id"]
    attrs = {}
    for name in registration.api_fields:
        field = registration.model._meta.get_field(name)
        fields.append(name)
        if field.is_relation and not field.many_to_many:
            attrs[f"{name}_name"] = serializers.CharField(source=f"{name}", read_only=True, allow_null=True)
            fields.append(f"{name}_name")
        elif field.choices:
            attrs[f"{name}_display"] = serializers.CharField(source=f"get_{name}_display", read_only=True)
            fields.append(f"{name}_display")
    fields.append("version")
    attrs["Meta"] = type("Meta", (), {"model": registration.model, "fields": fields,
                                       "read_only_fields": fields})
    return type(f"{registration.model.__name__}RegistrySerializer", (RegistrySerializer,), attrs)
