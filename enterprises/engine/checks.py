"""Compiler base: collects every problem of a definition and checks keys, numbers, texts and formats."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from .texts import (
    ABOVE,
    BELOW,
    FIELDS,
    FORMATS,
    MAX,
    MIN,
    _Format,
    _Texts,
    gettext_noop,
)


class _Checks:
    def __init__(self, definition: Any) -> None:
        self.definition = definition
        self.problems: list[str] = []
        self.texts = _Texts()
        self.before = True
        self.count = 1

    # --- problem reporting and primitive checks

    def problem(self, where: str, message: str, **params: Any) -> None:
        self.problems.append(_("%(where)s：%(message)s") % {"where": where, "message": _(message) % params})

    def keys(self, spec: Any, where: str, allowed: set[str], required: Sequence[str] = ()) -> bool:
        if not isinstance(spec, dict):
            self.problem(where, gettext_noop("应为对象（{…}）"))
            return False
        for key in spec:
            if not isinstance(key, str) or (key not in allowed and not key.startswith("_")):
                self.problem(where, gettext_noop("未知的参数“%(key)s”"), key=key)
        ok = True
        for key in required:
            if key not in spec:
                self.problem(where, gettext_noop("缺少“%(key)s”"), key=key)
                ok = False
        return ok

    def number(self, value: Any, where: str) -> Decimal | None:
        if isinstance(value, bool):
            self.problem(where, gettext_noop("“%(value)s”不是数值"), value=value)
            return None
        if isinstance(value, float):
            # A JSON number parsed by json.loads: its shortest repr is exactly what was typed.
            value = repr(value)
        if isinstance(value, int | Decimal):
            number = Decimal(value)
        elif isinstance(value, str):
            try:
                number = Decimal(value.strip())
            except InvalidOperation:
                number = None
        else:
            number = None
        if number is None or not number.is_finite():
            self.problem(where, gettext_noop("“%(value)s”不是数值"), value=value)
            return None
        return number

    def text(self, spec: dict, key: str, where: str, default: str = "") -> str:
        value = spec.get(key, default)
        if not isinstance(value, str):
            self.problem(f"{where}.{key}", gettext_noop("应为文字"))
            return default
        return value

    def one_comparison(self, spec: dict, where: str) -> tuple[str, Decimal] | None:
        found = [key for key in (MIN, MAX, ABOVE, BELOW) if key in spec]
        if len(found) != 1:
            self.problem(where, gettext_noop("应恰好给出min（≥）、max（≤）、above（>）、below（<）中的一个"))
            return None
        bound = self.number(spec[found[0]], f"{where}.{found[0]}")
        return None if bound is None else (found[0], bound)

    def fields(self, value: Any, where: str) -> tuple[str, ...] | None:
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names:
            self.problem(where, gettext_noop("应为字段名或非空的字段名列表"))
            return None
        ok = True
        for name in names:
            if not isinstance(name, str) or name not in FIELDS:
                self.problem(where, gettext_noop("未知的字段“%(field)s”（可用：%(known)s）"), field=name,
                             known="、".join(FIELDS))
                ok = False
        return tuple(names) if ok else None

    def format(self, spec: dict, where: str, default: str, unit_default: str) -> _Format:
        kind = spec.get("format", default)
        if kind not in FORMATS:
            self.problem(f"{where}.format", gettext_noop("未知的格式“%(format)s”（可用：%(known)s）"),
                         format=kind, known="、".join(FORMATS))
            kind = default
        return _Format(kind, self.text(spec, "unit", where, unit_default), self.texts)

