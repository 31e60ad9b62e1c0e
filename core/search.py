"""Site-wide search, scoped to the user: every registration with search fields, and what apps register.

An app registers a provider for each model it wants found, naming the restricted queryset's fields and
the page a hit opens; ``core`` knows no app's models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

MAX_TERM = 100


@dataclass(frozen=True)
class Provider:
    label: str  # the kind of record, shown beside each hit ("企业", "指标" …)
    queryset: Callable  # (user) → restricted queryset
    fields: tuple[str, ...]
    url: Callable  # (obj) → address of its page
    describe: Callable = str  # (obj) → the hit's title


_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> None:
    _PROVIDERS.append(provider)


def providers() -> list[Provider]:
    from core import registry

    from_registry = [Provider(r.label, lambda user, r=r: r.restricted(user), r.search_fields,
                              lambda obj, r=r: reverse(f"registry:{r.name}-detail", args=[obj.pk]))
                     for r in registry.registrations() if r.search_fields]
    return _PROVIDERS + from_registry


def search(user, term: str, per_kind: int = 10) -> list[dict]:
    """Up to ``per_kind`` hits of each kind the user may see, in the order the providers were registered."""
    term = (term or "").replace("\x00", "").strip()[:MAX_TERM]
    if not term:
        return []
    groups = []
    for provider in providers():
        query = Q()
        for name in provider.fields:
            query |= Q(**{f"{name}__icontains": term})
        hits = [{"title": provider.describe(obj), "url": provider.url(obj)}
                for obj in provider.queryset(user).filter(query)[:per_kind]]
        if hits:
            groups.append({"label": provider.label, "hits": hits})
    return groups
