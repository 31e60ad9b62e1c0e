"""Menu entries that apps register at start-up; each says which roles see it."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset | None  # None: every signed-in user
    order: int


_ITEMS: list[NavItem] = []


def register(label, url_name: str, roles=None, order: int = 100) -> None:
    _ITEMS.append(NavItem(label, url_name, frozenset(roles) if roles else None, order))
    _ITEMS.sort(key=lambda i: i.order)


def items_for(user, path: str) -> list[dict]:
    out = []
    for item in _ITEMS:
        if item.roles is not None and not user.is_sysadmin and user.role not in item.roles:
            continue
        out.append({"label": item.label, "url": reverse(item.url_name), "active": False})
    # Only the entry whose address matches the longest part of the path is marked as the current one.
    matches = [i for i in out if i["url"] != "/" and path.startswith(i["url"])]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return out
