"""Routes of every registration: pages under ``/<name>/`` (namespace ``registry``) and API under ``/api/<name>/``."""

from django.urls import path
from rest_framework.parsers import MultiPartParser

from core import registry
from core.registry import api, views


def page_patterns() -> list:
    patterns = []
    for reg in registry.registrations():
        n = reg.name
        kw = {"registration": reg}
        patterns += [
            path(f"{n}/", views.RegistryList.as_view(**kw), name=f"{n}-list"),
            path(f"{n}/add/", views.RegistryEdit.as_view(**kw), name=f"{n}-create"),
            path(f"{n}/import/", views.RegistryImport.as_view(**kw), name=f"{n}-import"),
            path(f"{n}/<int:pk>/", views.RegistryDetail.as_view(**kw), name=f"{n}-detail"),
            path(f"{n}/<int:pk>/edit/", views.RegistryEdit.as_view(**kw), name=f"{n}-edit"),
            path(f"{n}/<int:pk>/delete/", views.RegistryDelete.as_view(**kw), name=f"{n}-delete"),
        ]
    return patterns


def api_patterns() -> list:
    patterns = []
    for reg in registry.registrations():
        n, viewset = reg.name, api.viewset_for(reg)
        patterns += [
            path(f"{n}/", viewset.as_view({"get": "list", "post": "create"}), name=f"api-{n}"),
            path(f"{n}/import", viewset.as_view({"post": "import_file"}, parser_classes=[MultiPartParser]),
                 name=f"api-{n}-import"),
            path(f"{n}/template.xlsx", viewset.as_view({"get": "template"}), name=f"api-{n}-template"),
            path(f"{n}/<int:pk>/", viewset.as_view({"get": "retrieve", "patch": "partial_update",
                                                   "delete": "destroy"}), name=f"api-{n}-detail"),
            path(f"{n}/<int:pk>/history/", viewset.as_view({"get": "history"}), name=f"api-{n}-history"),
        ]
    return patterns
