"""The rule sets shipped with the application (enterprises/rulesets/*.json) and strict JSON loading."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from .facts import RuleSetError
from .texts import _CODE, RULESET_DIR


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    # json.load would silently keep the last of two equal keys, hiding an editing mistake.
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise RuleSetError([_("JSON中键“%(key)s”重复") % {"key": key}])
        seen[key] = value
    return seen


def load_shipped(code: str) -> dict:
    """The definition shipped as enterprises/rulesets/<code>.json (plain JSON values, storable as is)."""
    if not isinstance(code, str) or not _CODE.match(code):
        raise RuleSetError([_("规则集代码“%(code)s”无效") % {"code": code}])
    path = RULESET_DIR / f"{code}.json"
    if not path.is_file():
        raise RuleSetError([_("没有内置规则集“%(code)s”") % {"code": code}])
    with path.open(encoding="utf-8") as handle:
        return json.load(handle, object_pairs_hook=_no_duplicate_keys)


def shipped_codes() -> tuple[str, ...]:
    """Codes of the rule sets shipped with the application."""
    return tuple(sorted(path.stem for path in RULESET_DIR.glob("*.json")))
