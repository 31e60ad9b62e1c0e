"""Models by declaration: one ``Registration`` per model gives its pages, import, API, menu and search entry.

Like Nautobot's UI view sets, a registration names the model and, where the defaults will not do, its
queryset, FilterSet, table, form and serializer; ``core.registry.urls`` turns every registration into list,
detail, create, edit, delete and import pages and ``/api/<name>/`` endpoints that reuse the same FilterSet.
Apps register in their ``AppConfig.ready``; ``core`` never imports an app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models


def _bureau_admin(user) -> bool:
    return user.is_bureau_admin


@dataclass
class Registration:
    model: type[models.Model]
    name: str  # URL path and route name: "org-units" → /org-units/, /api/org-units/; may nest: "vouchers/claims"
    label: str = ""  # the page title; the model's verbose_name_plural by default
    queryset: models.QuerySet | None = None  # select_related etc.; always restricted per user before use
    list_fields: tuple[str, ...] = ()  # table columns (default: the form's fields)
    filter_fields: tuple[str, ...] = ()  # exact-match filters beside the search box
    search_fields: tuple[str, ...] = ()  # fields the search box and the site search look in
    form_fields: tuple[str, ...] = ()  # what create / edit / import / API writes accept
    detail_fields: tuple[str, ...] = ()  # rows of the detail page (default: list and form fields)
    api_fields: tuple[str, ...] = ()  # what the API returns besides id (default: detail fields)
    lookups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # FK column → fields a cell may name
    filterset: type | None = None
    table: type | None = None
    form: type | None = None
    serializer: type | None = None
    can_add: Callable = _bureau_admin  # (user) → bool; the created record must also fall in the user's scope
    deletable: bool = True
    editable: bool = True  # False: records change only through their own services (e.g. a decided objection)
    importable: bool = True
    # Writes through a service instead of ``form.save()``: (actor, form, instance or None) → saved object.
    save: Callable | None = None
    # Further buttons on the detail page: (user, obj) → [(label, url)], e.g. 重置密码 for users.
    detail_actions: Callable | None = None
    menu_group: str = ""
    menu_roles: frozenset | None = None
    menu_order: int = 100
    ordering: tuple[str, ...] = ()

    def __post_init__(self):
        meta = self.model._meta
        self.label = self.label or str(meta.verbose_name_plural)
        if self.queryset is None:
            self.queryset = self.model.objects.all()
        self.form_fields = tuple(self.form_fields)
        self.list_fields = tuple(self.list_fields) or self.form_fields
        self.detail_fields = tuple(self.detail_fields) or tuple(dict.fromkeys(self.list_fields + self.form_fields))
        self.api_fields = tuple(self.api_fields) or self.detail_fields

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    def restricted(self, user, action: str = "view") -> models.QuerySet:
        queryset = self.queryset.restrict(user, action)
        if self.ordering:
            return queryset.order_by(*self.ordering)
        # Pages of an unordered list could repeat or skip rows between requests.
        return queryset if queryset.ordered else queryset.order_by("pk")

    # The pieces the pages and the API share, made once from the declaration when not given.
    def filterset_class(self):
        from core.registry.factories import make_filterset

        if self.filterset is None:
            self.filterset = make_filterset(self)
        return self.filterset

    def table_class(self):
        from core.registry.factories import make_table

        if self.table is None:
            self.table = make_table(self)
        return self.table

    def form_class(self):
        from core.registry.factories import make_form

        if self.form is None:
            self.form = make_form(self)
        return self.form

    def serializer_class(self):
        from core.registry.factories import make_serializer

        if self.serializer is None:
            self.serializer = make_serializer(self)
        return self.serializer


_REGISTRY: dict[str, Registration] = {}


def register(registration: Registration) -> Registration:
    if registration.name in _REGISTRY and _REGISTRY[registration.name].model is not registration.model:
        raise ValueError(f"registry name {registration.name!r} is taken")
    _REGISTRY[registration.name] = registration
    if registration.menu_roles is not None:
        from core import navigation

        navigation.register(registration.label, f"registry:{registration.name}-list", registration.menu_roles,
                            order=registration.menu_order, group=registration.menu_group)
    return registration


def get(name: str) -> Registration:
    return _REGISTRY[name]


def for_model(model) -> Registration | None:
    return next((r for r in _REGISTRY.values() if r.model is model), None)


def registrations() -> list[Registration]:
    return list(_REGISTRY.values())
