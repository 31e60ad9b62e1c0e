"""Sections one app adds to another app's page without either importing the other: the enterprise portrait
lists the firm's R&D institutions, which the platforms app holds. An app registers a provider for a named
place; the page asks ``for_place`` and renders ``core/_sections.html``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Row:
    text: str
    detail: str = ""
    url: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)
    empty: str = "暂无"


Provider = Callable[[object, object], Section | None]  # (user, record) → a section, or None to show nothing
_PROVIDERS: dict[str, list[Provider]] = {}


def register(place: str, provider: Provider) -> None:
    _PROVIDERS.setdefault(place, []).append(provider)


def for_place(place: str, user, record) -> list[Section]:
    shown = (provider(user, record) for provider in _PROVIDERS.get(place, []))
    return [section for section in shown if section is not None]
