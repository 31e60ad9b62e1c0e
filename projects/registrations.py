"""The projects' registered models: calls, applications (a project until it is decided) and projects (from
立项 on) — list, detail, edit and API by declaration; applications write through ``save_project``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import registry, roles
from core.roles import Role
from projects.apps import GROUP
from projects.models import APPLYING, ESTABLISHED, Call, Project
from projects.services.projects import save_project

READERS = frozenset({Role.BUREAU_ADMIN, Role.LEADER})
WITH_ENTERPRISES = READERS | {Role.ENTERPRISE}
CALL_FIELDS = ("code", "region", "year", "tier", "title", "budget", "quota", "opens_on", "closes_on", "sheet",
               "tranches", "midterm", "filing_qualifications", "filing_amount", "source")
APPLICATION_FIELDS = ("call", "enterprise", "title", "field", "starts_on", "ends_on", "requested", "own_funds",
                      "kpis", "budget_lines")
SHOWN = ("code", "year", "tier", "title", "enterprise", "status", "requested", "approved_amount", "review_score")


def project_actions(user, obj) -> list[tuple[str, str]]:
    return [(_("项目主页"), reverse("projects:project", args=[obj.code]))]


def call_actions(user, obj) -> list[tuple[str, str]]:
    return [(_("指南办理"), reverse("projects:call", args=[obj.code]))]


def may_apply(user) -> bool:
    return roles.is_enterprise(user) or roles.manages_region(user)


def register() -> None:
    base = Project.objects.select_related("region", "enterprise", "call")
    registry.register(registry.Registration(
        Project, "projects", label=_("科技计划项目"), queryset=base.filter(status__in=ESTABLISHED),
        form_fields=APPLICATION_FIELDS, list_fields=SHOWN,
        detail_fields=(*SHOWN, "call", "starts_on", "ends_on", "own_funds", "kpis", "budget_lines",
                       "approved_on", "contract_no", "contract_on", "extended_to", "acceptance", "opinion",
                       "region", "is_demo"),
        filter_fields=("year", "tier", "status"), search_fields=("code", "title", "enterprise__name"),
        lookups={"call": ("code",), "enterprise": ("uscc", "name")}, save=save_project,
        can_add=lambda user: False, editable=False, deletable=False, importable=False,
        detail_actions=project_actions, ordering=("-year", "tier", "code"),
        menu_group=GROUP, menu_roles=WITH_ENTERPRISES, menu_order=78))
    registry.register(registry.Registration(
        Project, "projects/applications", label=_("科技计划项目申报"), queryset=base.filter(status__in=APPLYING),
        form_fields=APPLICATION_FIELDS, list_fields=SHOWN,
        detail_fields=(*SHOWN, "call", "starts_on", "ends_on", "own_funds", "kpis", "budget_lines", "opinion",
                       "region", "is_demo"),
        filter_fields=("year", "tier", "status"), search_fields=("code", "title", "enterprise__name"),
        lookups={"call": ("code",), "enterprise": ("uscc", "name")}, save=save_project, can_add=may_apply,
        detail_actions=project_actions, importable=False, ordering=("-year", "-created_at", "-id"),
        menu_group=GROUP, menu_roles=WITH_ENTERPRISES, menu_order=79))
    registry.register(registry.Registration(
        Call, "projects/calls", label=_("申报指南"), queryset=Call.objects.select_related("region", "sheet"),
        form_fields=CALL_FIELDS, list_fields=("code", "year", "tier", "title", "region", "budget", "quota",
                                              "opens_on", "closes_on"),
        filter_fields=("year", "tier"), search_fields=("code", "title"),
        lookups={"region": ("code", "name"), "sheet": ("name",)}, detail_actions=call_actions, importable=False,
        ordering=("-year", "tier", "code"), menu_group=GROUP, menu_roles=WITH_ENTERPRISES, menu_order=79))
