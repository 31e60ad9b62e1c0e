"""The vouchers' registered models: providers, the service catalogue, the subsidy rule of a year, claims and
batches — list, detail, edit, import, export and API by declaration. Claims and batches write through their
services, so the refusals are the same at every door."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core import registry, roles
from core.registry.factories import make_serializer
from core.roles import Role
from vouchers import award as arithmetic
from vouchers.apps import GROUP
from vouchers.models import Batch, CatalogueItem, Claim, Provider, SubsidyRule
from vouchers.services.batches import figures, save_batch, with_figures
from vouchers.services.claims import save_claim

READERS = frozenset({Role.BUREAU_ADMIN, Role.LEADER})
WITH_ENTERPRISES = READERS | {Role.ENTERPRISE}

PROVIDER_FIELDS = ("code", "name", "uscc", "region", "services", "accepts_vouchers", "related_usccs", "bank_name",
                   "bank_account", "source")
PRIVATE = ("bank_name", "bank_account", "related_usccs")
CLAIM_FIELDS = ("voucher_no", "year", "enterprise", "provider", "service", "contract_name", "contract_amount",
                "contract_date", "invoice_no", "invoice_amount", "invoice_date", "used_on", "completed_on",
                "amount_claimed")
BATCH_FIELDS = ("code", "region", "year", "seq", "title", "usage_from", "usage_to", "source")


class ProviderSerializer(make_serializer(registry.Registration(Provider, "providers-shape",
                                                               api_fields=PROVIDER_FIELDS))):
    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = self.context["request"].user if "request" in self.context else None
        # The bank account is for the bureau's payments: no one else reads it.
        if user is None or not roles.manages_region(user, instance.region.code):
            for name in PRIVATE:
                data.pop(name, None)
        return data


class BatchSerializer(make_serializer(registry.Registration(Batch, "batches-shape",
                                                            api_fields=(*BATCH_FIELDS, "status", "paid_on")))):
    enterprises = serializers.IntegerField(source="counted_enterprises", read_only=True, help_text="获补企业数")
    claims = serializers.IntegerField(source="counted_claims", read_only=True, help_text="获补项目数")
    amount = serializers.SerializerMethodField(help_text="补助金额（万元，按公布口径）")
    amount_yuan = serializers.SerializerMethodField(help_text="补助金额（元）")
    summary = serializers.SerializerMethodField(help_text="公布的汇总句")
    display_title = serializers.CharField(read_only=True)

    class Meta:
        model = Batch
        fields = ["id", *BATCH_FIELDS, "region_name", "display_title", "status", "status_display", "paid_on",
                  "enterprises", "claims", "amount", "amount_yuan", "summary", "version"]
        read_only_fields = fields

    def to_representation(self, instance):
        if not hasattr(instance, "counted_claims"):  # a batch just written, not read through the list's query
            facts = figures(instance)
            instance.counted_claims, instance.counted_enterprises = facts["claims"], facts["enterprises"]
            instance.counted_amount = facts["amount"]
        return super().to_representation(instance)

    def _amount(self, obj):
        return obj.counted_amount or arithmetic.ZERO

    def get_amount(self, obj) -> str:
        return arithmetic.wan(self._amount(obj))

    def get_amount_yuan(self, obj) -> str:
        return f"{self._amount(obj):.2f}"

    def get_summary(self, obj) -> str:
        return arithmetic.batch_sentence(obj.counted_enterprises, obj.counted_claims, self._amount(obj))


def claim_actions(user, obj) -> list[tuple[str, str]]:
    return [(_("办理与材料"), reverse("vouchers:claim", args=[obj.pk]))]


def batch_actions(user, obj) -> list[tuple[str, str]]:
    return [(_("批次办理"), reverse("vouchers:batch", args=[obj.code]))]


def may_claim(user) -> bool:
    return roles.is_enterprise(user) or roles.manages_region(user)


def register() -> None:
    registry.register(registry.Registration(
        Provider, "providers", queryset=Provider.objects.select_related("region"), form_fields=PROVIDER_FIELDS,
        list_fields=("code", "name", "uscc", "region", "services", "accepts_vouchers"),
        detail_fields=("code", "name", "uscc", "region", "services", "accepts_vouchers", "source"),
        filter_fields=("accepts_vouchers",), search_fields=("name", "uscc", "code", "services"),
        lookups={"region": ("code", "name")}, serializer=ProviderSerializer,
        menu_group=GROUP, menu_roles=WITH_ENTERPRISES, menu_order=72))
    registry.register(registry.Registration(
        CatalogueItem, "vouchers/catalogue", queryset=CatalogueItem.objects.select_related("region"),
        form_fields=("region", "year", "code", "name", "category", "source"), filter_fields=("year", "category"),
        search_fields=("name", "code"), lookups={"region": ("code", "name")},
        menu_group=GROUP, menu_roles=WITH_ENTERPRISES, menu_order=73))
    registry.register(registry.Registration(
        SubsidyRule, "vouchers/rules", queryset=SubsidyRule.objects.select_related("region"),
        form_fields=("region", "year", "name", "ratio", "claim_cap", "preferred_types", "preferred_cap",
                     "general_cap", "opens_on", "closes_on", "is_example", "source"),
        list_fields=("year", "name", "region", "ratio", "claim_cap", "preferred_cap", "general_cap", "opens_on",
                     "closes_on", "is_example"),
        filter_fields=("year",), search_fields=("name",), lookups={"region": ("code", "name")},
        importable=False, menu_group=GROUP, menu_roles=READERS, menu_order=74))
    registry.register(registry.Registration(
        Claim, "vouchers/claims", label=_("创新券兑付申请"),
        queryset=Claim.objects.select_related("region", "enterprise", "provider", "service", "batch"),
        form_fields=CLAIM_FIELDS,
        list_fields=("code", "enterprise", "provider", "service", "used_on", "amount_claimed", "award", "status",
                     "batch"),
        detail_fields=("code", "status", *CLAIM_FIELDS, "award", "batch", "opinion", "submitted_on", "region",
                       "is_demo"),
        api_fields=("code", "status", *CLAIM_FIELDS, "award", "award_basis", "batch", "opinion", "submitted_on",
                    "region", "is_demo"),
        filter_fields=("status", "year", "batch"), search_fields=("code", "voucher_no", "invoice_no",
                                                                   "enterprise__name", "provider__name"),
        lookups={"enterprise": ("uscc", "name"), "provider": ("uscc", "code", "name"), "service": ("code",),
                 "batch": ("code",)},
        save=save_claim, can_add=may_claim, detail_actions=claim_actions, importable=False,
        ordering=("-year", "-created_at", "-id"), menu_group=GROUP, menu_roles=WITH_ENTERPRISES, menu_order=71))
    registry.register(registry.Registration(
        Batch, "vouchers/batches", queryset=with_figures(Batch.objects.select_related("region")),
        form_fields=BATCH_FIELDS,
        list_fields=("code", "year", "seq", "region", "usage_from", "usage_to", "status", "paid_on"),
        filter_fields=("year", "status"), search_fields=("code", "title"), lookups={"region": ("code", "name")},
        serializer=BatchSerializer, save=save_batch, detail_actions=batch_actions, importable=False,
        menu_group=GROUP, menu_roles=READERS, menu_order=75))
