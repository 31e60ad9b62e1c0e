"""core's own registered models: org units and users, managed in the product by a bureau admin."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core import registry
from core.accounts import UserForm, save_user
from core.models import OrgUnit, User, WebhookEndpoint
from core.models_notice import FundEntry, Objection, PublicNotice
from core.models_review import Expert, ReviewRound, ScoringSheet
from core.registry.factories import RegistryForm, RegistrySerializer
from core.roles import Role
from core.scoring import sheet_problems

ADMINS = frozenset({Role.BUREAU_ADMIN, Role.LEADER})


class OrgUnitSerializer(RegistrySerializer):
    region = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    parent = serializers.CharField(source="parent.code", read_only=True, allow_null=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "kind", "kind_display", "region", "region_name", "parent", "sort_order",
                  "version"]
        read_only_fields = fields


class UserSerializer(RegistrySerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    org_unit_name = serializers.CharField(source="org_unit", read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "role", "role_display", "org_unit", "org_unit_name", "region",
                  "is_active", "last_login", "version"]
        read_only_fields = fields


class ScoringSheetForm(RegistryForm):
    """A sheet whose weights do not sum to 100 (or with bad ranges) is refused when saved."""

    class Meta:
        model = ScoringSheet
        fields = ["name", "region", "criteria"]

    def clean_criteria(self):
        criteria = self.cleaned_data["criteria"]
        problems = sheet_problems(criteria)
        if problems:
            raise forms.ValidationError(problems)
        return criteria


def register() -> None:
    registry.register(registry.Registration(
        OrgUnit, "org-units", queryset=OrgUnit.objects.select_related("region", "parent"),
        form_fields=("code", "name", "kind", "region", "parent", "sort_order"),
        list_fields=("code", "name", "kind", "region", "parent"),
        filter_fields=("kind", "region"), search_fields=("name", "code"),
        serializer=OrgUnitSerializer, menu_group=_("系统管理"), menu_roles=ADMINS, menu_order=80))
    registry.register(registry.Registration(
        User, "users", label=_("用户"), queryset=User.objects.select_related("org_unit", "region"),
        form=UserForm, form_fields=("username", "full_name", "role", "org_unit", "region", "is_active"),
        list_fields=("username", "full_name", "role", "org_unit", "is_active", "last_login"),
        filter_fields=("role", "is_active"), search_fields=("username", "full_name"),
        serializer=UserSerializer, save=save_user, deletable=False, ordering=("username",),
        detail_actions=lambda user, obj: [(_("重置密码"), reverse("user-password-reset", args=[obj.pk]))],
        menu_group=_("系统管理"), menu_roles=frozenset({Role.BUREAU_ADMIN}), menu_order=81))
    registry.register(registry.Registration(
        WebhookEndpoint, "webhooks", queryset=WebhookEndpoint.objects.select_related("org_unit"),
        form_fields=("org_unit", "name", "url", "secret", "is_active"),
        list_fields=("name", "org_unit", "url", "is_active"), detail_fields=("name", "org_unit", "url", "is_active"),
        search_fields=("name",), menu_group=_("系统管理"), menu_roles=frozenset({Role.BUREAU_ADMIN}), menu_order=85))
    registry.register(registry.Registration(
        PublicNotice, "notices", queryset=PublicNotice.objects.select_related("region"),
        form_fields=("title", "body", "contact"), list_fields=("title", "programme", "region", "starts_on", "ends_on"),
        detail_fields=("title", "programme", "region", "starts_on", "working_days", "ends_on", "contact", "body"),
        filter_fields=("programme",), search_fields=("title",), can_add=lambda user: False, deletable=False,
        importable=False, menu_group=_("公示与兑现"), menu_roles=ADMINS, menu_order=70))
    registry.register(registry.Registration(
        Objection, "objections", queryset=Objection.objects.select_related("notice"),
        form_fields=("text",), list_fields=("notice", "submitter", "submitted_at", "status"),
        detail_fields=("notice", "text", "submitter", "contact", "submitted_at", "status", "decision", "decided_at"),
        filter_fields=("status",), can_add=lambda user: False, deletable=False, importable=False, editable=False,
        detail_actions=lambda user, obj: [(_("处理异议"), reverse("objection-decide", args=[obj.pk]))]
        if obj.status == Objection.Status.PENDING else []))
    registry.register(registry.Registration(
        FundEntry, "funds", queryset=FundEntry.objects.select_related("region"),
        form_fields=("programme", "policy_item", "region", "recipient_name", "recipient_uscc", "fiscal_year",
                     "source", "approved", "approved_on", "due_on", "note", "document"),
        list_fields=("fiscal_year", "programme", "policy_item", "recipient_name", "approved", "paid", "paid_on"),
        detail_fields=("fiscal_year", "programme", "policy_item", "region", "recipient_name", "recipient_uscc",
                       "source", "approved", "paid", "approved_on", "due_on", "paid_on", "note", "document",
                       "is_demo"),
        filter_fields=("fiscal_year", "programme", "source"), search_fields=("recipient_name", "recipient_uscc"),
        menu_group=_("公示与兑现"), menu_roles=ADMINS, menu_order=71))
    registry.register(registry.Registration(
        Expert, "experts", queryset=Expert.objects.select_related("region", "user"),
        form_fields=("name", "unit_name", "unit_uscc", "title", "fields", "keywords", "relations", "contact",
                     "region", "user", "is_active"),
        list_fields=("name", "unit_name", "title", "fields", "is_active"), filter_fields=("is_active",),
        search_fields=("name", "unit_name"), menu_group=_("专家评审"), menu_roles=ADMINS, menu_order=75))
    registry.register(registry.Registration(
        ScoringSheet, "scoring-sheets", form=ScoringSheetForm, form_fields=("name", "region", "criteria"),
        list_fields=("name", "region", "version"), search_fields=("name",), importable=False,
        menu_group=_("专家评审"), menu_roles=frozenset({Role.BUREAU_ADMIN}), menu_order=76))
    registry.register(registry.Registration(
        ReviewRound, "review-rounds", queryset=ReviewRound.objects.select_related("region", "sheet"),
        form_fields=("title", "due_on"), list_fields=("title", "programme", "sheet", "due_on", "status"),
        detail_fields=("title", "programme", "region", "sheet", "due_on", "status"), search_fields=("title",),
        can_add=lambda user: False, deletable=False, importable=False,
        detail_actions=lambda user, obj: [(_("进度与结果"), reverse("review-round", args=[obj.pk]))],
        menu_group=_("专家评审"), menu_roles=ADMINS, menu_order=77))
