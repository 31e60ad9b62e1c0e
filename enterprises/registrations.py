"""enterprises' registered model: qualifications (资质证书) listed, corrected and removed on the registry's
pages and at /api/enterprise-qualifications/. Bulk loading stays with the exact-header import of
enterprises.services.imports, which knows the certificate lists' own layout."""

from django.utils.translation import gettext_lazy as _

from core import registry
from core.roles import Role
from enterprises.apps import GROUP
from enterprises.models import Qualification, default_expiry

FIELDS = ("enterprise", "type", "number", "issued", "expires")


def save_qualification(actor, form, instance) -> Qualification:
    """An expiry left empty is the type's term (高企 3 years from issue, …), as the import derives it."""
    qualification = form.save(commit=False)
    if qualification.expires is None:
        qualification.expires = default_expiry(qualification.type, qualification.issued)
    qualification.save()
    return qualification


def register() -> None:
    registry.register(registry.Registration(
        Qualification, "enterprise-qualifications", label=_("企业资质"),
        queryset=Qualification.objects.select_related("enterprise"), form_fields=FIELDS, list_fields=FIELDS,
        filter_fields=("type",), search_fields=("number", "enterprise__name", "enterprise__uscc"),
        lookups={"enterprise": ("uscc", "name")}, save=save_qualification, importable=False,
        ordering=("enterprise__uscc", "issued"),
        menu_group=GROUP, menu_roles=frozenset({Role.BUREAU_ADMIN, Role.LEADER}), menu_order=64))
