"""Menu entries that apps register at start-up; each says which roles see it and which programme it is in.

Nine programmes do not fit one menu bar: entries of a group (a programme, or 系统管理) become one dropdown;
a group of which a role sees a single entry is shown as that entry alone.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.urls import reverse

from core.roles import has_role, is_sysadmin, role_of


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset | None  # None: every signed-in user
    order: int
    group: str = ""
    # The URL names of the pages this entry stands for beyond its own address: the menu links to a page
    # that redirects (/plans/go/) while the page one lands on lives elsewhere (/plans/<code>/).
    pages: frozenset = frozenset()


_ITEMS: list[NavItem] = []
_GROUP_ORDER: dict[str, int] = {}


def register(label, url_name: str, roles=None, order: int = 100, group: str = "", pages=()) -> None:
    _ITEMS.append(NavItem(label, url_name, frozenset(roles) if roles else None, order, str(group),
                          frozenset(pages)))
    _ITEMS.sort(key=lambda i: i.order)
    if group:
        _GROUP_ORDER[str(group)] = min(order, _GROUP_ORDER.get(str(group), order))


@cache
def _url(url_name: str) -> str:
    # Menu addresses have no arguments: reversing them once per process is enough (every page shows the menu).
    return reverse(url_name)


def items_for(user, path: str, view_name: str = "") -> list[dict]:
    """The menu of this user: entries and groups ({"label", "children"}), the current one marked active.

    ``view_name`` is the URL name of the page shown ("plans:cockpit"): an entry that declares it among its
    ``pages`` is the current one; otherwise the entry whose address is the longest start of the path.
    """
    visible = [i for i in _ITEMS if i.roles is None or is_sysadmin(user) or has_role(user, i.roles)]
    links = [{"label": i.label, "url": _url(i.url_name), "active": False, "group": i.group,
              "pages": i.pages | {i.url_name}} for i in visible]
    matches = [i for i in links if view_name and view_name in i["pages"]]
    if not matches:
        matches = [i for i in links if i["url"] != "/" and path.startswith(i["url"])]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    for link in links:
        del link["pages"]
    out, groups = [], {}
    for link in links:
        if not link["group"]:
            out.append(link)
        elif link["group"] in groups:
            groups[link["group"]]["children"].append(link)
        else:
            groups[link["group"]] = {"label": link["group"], "children": [link], "active": False}
            out.append(groups[link["group"]])
    for index, entry in enumerate(out):
        children = entry.get("children")
        if children is not None and len(children) == 1:
            out[index] = children[0]
        elif children is not None:
            entry["active"] = any(c["active"] for c in children)
    return out


# Where each role lands after signing in, registered by the app that holds its work (role → URL name).
_HOMES: dict[str, str] = {}


def register_home(role, url_name: str) -> None:
    _HOMES[str(role)] = url_name


# Landings that depend on more than the role (a city's leader lands on the city view, a county's on its
# plan): an app registers a rule (user → URL name or None); the first rule that answers wins.
_HOME_RULES: list[Callable] = []


def register_home_rule(rule: Callable) -> None:
    _HOME_RULES.append(rule)


def home_url_name(user) -> str | None:
    for rule in _HOME_RULES:
        name = rule(user)
        if name:
            return name
    return _HOMES.get(role_of(user) or "")
