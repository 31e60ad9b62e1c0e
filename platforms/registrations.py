"""The platforms' registered models: platforms, their level periods, pool periods, incubators' counts and
thresholds, templates, instruments and bookings — list, detail, edit, import, export and API by declaration."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core import registry
from core.filters import SMALL, SearchFilterSet
from core.registry.factories import SELECT, make_serializer
from core.roles import Role
from platforms.apps import GROUP
from platforms.forms import PLATFORM_FIELDS, PlatformForm, TemplateForm
from platforms.models import (
    Booking,
    IncubatorFigures,
    IncubatorThreshold,
    Instrument,
    Kind,
    Level,
    PerformanceTemplate,
    Platform,
    PlatformLevel,
    PoolPeriod,
    Status,
)
from platforms.services.registry import save_platform
from platforms.services.templates import save_template

READERS = frozenset({Role.BUREAU_ADMIN, Role.LEADER})
WITH_INSTITUTIONS = frozenset({Role.BUREAU_ADMIN, Role.LEADER, Role.INSTITUTION, Role.ENTERPRISE})
LIST_FIELDS = ("code", "name", "kind", "level", "region", "operator_name", "status")


def with_pool_flag(queryset):
    """Whether each platform is in the cultivation pool now, read in the same query as the platform."""
    open_period = PoolPeriod.objects.filter(platform=OuterRef("pk"), left_on__isnull=True)
    return queryset.annotate(in_pool=Exists(open_period))


class PlatformFilter(SearchFilterSet):
    search_fields = ("name", "code", "operator_name", "operator_uscc")
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=Kind.choices, empty_label=_("全部"),
                                       widget=forms.Select(attrs=SELECT))
    level = django_filters.ChoiceFilter(label=_("级别"), choices=Level.choices, empty_label=_("全部"),
                                        widget=forms.Select(attrs=SELECT))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Status.choices, empty_label=_("全部"),
                                         widget=forms.Select(attrs=SELECT))
    region = django_filters.CharFilter(label=_("区域代码"), method="in_region", widget=forms.TextInput(attrs=SMALL),
                                       validators=[RegexValidator(r"^[0-9]{2,12}$", _("区域代码应为2—12位数字"))])

    class Meta:
        model = Platform
        fields = ["q", "kind", "level", "status", "region"]

    def in_region(self, queryset, name, value):
        from core.scoping import region_prefix

        return queryset.filter(region__code__startswith=region_prefix(value.strip()))


class PlatformSerializer(make_serializer(registry.Registration(Platform, "platforms-shape",
                                                               api_fields=PLATFORM_FIELDS))):
    region = serializers.CharField(source="region.code", read_only=True, help_text="区域代码")
    region_name = serializers.CharField(source="region.name", read_only=True)
    in_pool = serializers.BooleanField(read_only=True, help_text="当前是否在培育库")

    class Meta:
        model = Platform
        fields = ["id", *PLATFORM_FIELDS, "region_name", "kind_display", "level_display", "status_display",
                  "town_name", "operator_unit_name", "in_pool", "version"]
        read_only_fields = fields


def platform_actions(user, obj) -> list[tuple[str, str]]:
    return [(_("平台主页"), reverse("platforms:platform", args=[obj.code]))]


def template_actions(user, obj) -> list[tuple[str, str]]:
    return [(_("另存为新版本"), reverse("platforms:template-copy", args=[obj.pk]))]


def _platform_part(model, name, fields, *, filter_fields=(), search=("platform__name",), order=67, **extra):
    return registry.Registration(
        model, name, queryset=model.objects.select_related("platform"), form_fields=fields, list_fields=fields,
        filter_fields=filter_fields, search_fields=search, lookups={"platform": ("code", "name")},
        menu_group=GROUP, menu_roles=READERS, menu_order=order, **extra)


def register() -> None:
    reg = registry.register(registry.Registration(
        Platform, "platforms", label=_("创新平台"),
        queryset=with_pool_flag(Platform.objects.select_related("region", "town", "operator_unit")),
        form_fields=PLATFORM_FIELDS, list_fields=LIST_FIELDS, filterset=PlatformFilter, form=PlatformForm,
        serializer=PlatformSerializer, search_fields=PlatformFilter.search_fields,
        lookups={"region": ("code", "name"), "town": ("code", "name"), "operator_unit": ("code", "name")},
        save=save_platform, detail_actions=platform_actions, ordering=("region__code", "kind", "code"),
        menu_group=GROUP, menu_roles=WITH_INSTITUTIONS, menu_order=65))
    PlatformForm.registration = reg
    level_fields = ("platform", "level", "starts_on", "ends_on", "recognised_by", "document_no")
    registry.register(_platform_part(PlatformLevel, "platform-levels", level_fields, filter_fields=("level",),
                                     order=67, ordering=("platform__code", "starts_on")))
    registry.register(_platform_part(
        PoolPeriod, "pool-periods", ("platform", "entered_on", "entry_reason", "left_on", "exit_reason"),
        order=67, ordering=("platform__code", "entered_on"), importable=False, editable=False, deletable=False,
        can_add=lambda user: False))
    registry.register(_platform_part(
        IncubatorFigures, "incubator-figures", ("platform", "year", "area", "incubating", "graduated", "outside",
                                                "source"), filter_fields=("year",), order=68,
        ordering=("platform__code", "year")))
    registry.register(registry.Registration(
        IncubatorThreshold, "incubator-thresholds", form_fields=(
            "name", "kind", "level", "region", "min_area", "min_incubating", "min_graduated", "is_example",
            "source"), filter_fields=("kind", "level"), search_fields=("name",),
        lookups={"region": ("code", "name")}, menu_group=GROUP, menu_roles=READERS, menu_order=68))
    template_reg = registry.register(registry.Registration(
        PerformanceTemplate, "performance-templates", form=TemplateForm,
        form_fields=TemplateForm.Meta.fields, list_fields=("name", "kind", "year", "version", "region",
                                                           "is_example"),
        detail_fields=("name", "kind", "year", "version", "region", "indicators", "grades", "is_example", "note"),
        filter_fields=("kind", "year"), search_fields=("name",), lookups={"region": ("code", "name")},
        save=save_template, detail_actions=template_actions, importable=False,
        menu_group=GROUP, menu_roles=READERS, menu_order=66))
    TemplateForm.registration = template_reg
    registry.register(_platform_part(
        Instrument, "instruments", ("platform", "name", "model_no", "value", "shared"), filter_fields=("shared",),
        search=("name", "model_no", "platform__name"), order=69, ordering=("platform__code", "name")))
    registry.register(registry.Registration(
        Booking, "instrument-bookings", queryset=Booking.objects.select_related("instrument__platform"),
        form_fields=("instrument", "user_name", "user_uscc", "used_on", "hours", "fee", "state"),
        filter_fields=("state",), search_fields=("user_name", "instrument__name"),
        lookups={"instrument": ("name",)}, ordering=("-used_on", "pk"),
        menu_group=GROUP, menu_roles=READERS, menu_order=69))
