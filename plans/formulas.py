"""Indicators defined by a formula over other indicators' codes (研发费用占比 = PH01 / PH10 * 100).

A small recursive-descent parser over codes, decimal numbers, + - * / and parentheses: a formula is data a
bureau types, so it is never handed to ``eval``. Pure functions, tested without a database:

- ``parse`` turns the text into a tree or raises ``FormulaError`` (a Chinese message, shown as is);
- ``references`` lists the codes a formula reads;
- ``validate`` checks a formula against the plan's other indicators: unknown code, a cycle through other
  formulas, units that do not agree (亿元 + 家, or a ratio of 亿元 to 亿元 declared in 亿元);
- ``evaluate`` computes a value from the inputs' figures (None when an input is missing or a divisor is 0).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation

from django.utils.translation import gettext as _

MAX_LENGTH = 200
# Units that a dimensionless result (a ratio, possibly scaled by 100 or 1000) may be declared in.
DIMENSIONLESS_UNITS = {"", "%", "‰", "倍"}

_TOKEN = re.compile(r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<code>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[-+*/×÷()（）]))")
_OPS = {"×": "*", "÷": "/", "（": "(", "）": ")"}


class FormulaError(ValueError):
    """A formula that cannot be used; the message is Chinese and names what is wrong."""


@dataclass(frozen=True)
class Number:
    value: Decimal


@dataclass(frozen=True)
class Ref:
    code: str


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Node
    right: Node


Node = Number | Ref | Neg | BinOp


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise FormulaError(_("公式第%(pos)s个字符“%(char)s”无法识别") % {
                "pos": pos + 1, "char": text[pos:].lstrip()[:1]})
        kind = match.lastgroup
        token = match.group(kind)
        out.append((kind, _OPS.get(token, token)))
        pos = match.end()
    return out


class _Parser:
    """expr := term (('+'|'-') term)*; term := factor (('*'|'/') factor)*; factor := '-' factor | atom."""

    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise FormulaError(_("公式不完整：结尾缺少指标编码或数字"))
        self.pos += 1
        return token

    def expr(self) -> Node:
        node = self.term()
        while (token := self.peek()) is not None and token[1] in "+-" and token[0] == "op":
            self.pos += 1
            node = BinOp(token[1], node, self.term())
        return node

    def term(self) -> Node:
        node = self.factor()
        while (token := self.peek()) is not None and token[1] in "*/" and token[0] == "op":
            self.pos += 1
            node = BinOp(token[1], node, self.factor())
        return node

    def factor(self) -> Node:
        kind, token = self.take()
        if kind == "op" and token == "-":
            return Neg(self.factor())
        if kind == "number":
            return Number(Decimal(token))
        if kind == "code":
            return Ref(token)
        if token == "(":
            node = self.expr()
            if self.peek() != ("op", ")"):
                raise FormulaError(_("公式括号不成对：缺少“)”"))
            self.pos += 1
            return node
        raise FormulaError(_("公式中“%(token)s”的位置不对") % {"token": token})


def parse(text: str) -> Node:
    """The formula's tree; FormulaError for empty, overlong or malformed text."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError(_("公式不能为空"))
    if len(text) > MAX_LENGTH:
        raise FormulaError(_("公式过长（最多%(n)s个字符）") % {"n": MAX_LENGTH})
    parser = _Parser(_tokens(text))
    node = parser.expr()
    if parser.peek() is not None:
        token = parser.peek()[1]
        if token == ")":
            raise FormulaError(_("公式括号不成对：多了“)”"))
        raise FormulaError(_("公式中“%(token)s”的位置不对") % {"token": token})
    return node


def references(node: Node) -> set[str]:
    if isinstance(node, Ref):
        return {node.code}
    if isinstance(node, Neg):
        return references(node.operand)
    if isinstance(node, BinOp):
        return references(node.left) | references(node.right)
    return set()


# --- units -------------------------------------------------------------------------------------------------
# A unit is kept as a sorted tuple of (word, power) pairs: 亿元 → (("亿元", 1),), 件/万人 → (("件", 1), ("万人",
# -1)), a number or a ratio of like units → (). Scale factors (×100) do not change the unit.

Unit = tuple[tuple[str, int], ...]


def unit_of(text: str) -> Unit:
    text = (text or "").strip()
    if text in DIMENSIONLESS_UNITS:
        return ()
    top, _sep, bottom = text.partition("/")
    powers: dict[str, int] = {}
    for word, power in ((top.strip(), 1), (bottom.strip(), -1)):
        if word:
            powers[word] = powers.get(word, 0) + power
    return tuple(sorted((w, p) for w, p in powers.items() if p))


def _combine(left: Unit, right: Unit, sign: int) -> Unit:
    powers = dict(left)
    for word, power in right:
        powers[word] = powers.get(word, 0) + sign * power
    return tuple(sorted((w, p) for w, p in powers.items() if p))


def unit_label(unit: Unit) -> str:
    if not unit:
        return _("无量纲（比值）")
    top = "·".join(w if p == 1 else f"{w}^{p}" for w, p in unit if p > 0) or "1"
    bottom = "·".join(w if p == -1 else f"{w}^{-p}" for w, p in unit if p < 0)
    return f"{top}/{bottom}" if bottom else top


def result_unit(node: Node, units: Mapping[str, str]) -> Unit:
    """The unit a formula yields from its inputs' units; FormulaError when a sum adds unlike units."""
    if isinstance(node, Number):
        return ()
    if isinstance(node, Ref):
        return unit_of(units[node.code])
    if isinstance(node, Neg):
        return result_unit(node.operand, units)
    left, right = result_unit(node.left, units), result_unit(node.right, units)
    if node.op in "+-":
        if left != right:
            raise FormulaError(_("单位不一致：“%(left)s”与“%(right)s”不能相加减") % {
                "left": unit_label(left), "right": unit_label(right)})
        return left
    return _combine(left, right, 1 if node.op == "*" else -1)


# --- validation and evaluation -----------------------------------------------------------------------------


def _find_cycle(start: str, graph: Mapping[str, set[str]]) -> list[str] | None:
    """A path start → … → start through ``graph`` (code → codes its formula reads), or None."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        code, path = stack.pop()
        for nxt in sorted(graph.get(code, ())):
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def validate(code: str, text: str, *, units: Mapping[str, str], formulas: Mapping[str, str]) -> Node:
    """The parsed formula of indicator ``code`` if it may be saved, else FormulaError.

    ``units`` maps every indicator code of the plan to its unit (``code`` included); ``formulas`` the
    other indicators' saved formulas, to find a cycle this one would close.
    """
    node = parse(text)
    refs = references(node)
    if not refs:
        raise FormulaError(_("公式至少要引用一个指标编码"))
    unknown = sorted(refs - set(units))
    if unknown:
        raise FormulaError(_("公式引用了本规划中不存在的指标：%(codes)s") % {"codes": "、".join(unknown)})
    graph: dict[str, set[str]] = {}
    for other, other_text in formulas.items():
        if other != code and other_text:
            try:
                graph[other] = references(parse(other_text))
            except FormulaError:
                graph[other] = set()
    graph[code] = refs
    cycle = _find_cycle(code, graph)
    if cycle:
        raise FormulaError(_("公式形成循环引用：%(path)s") % {"path": " → ".join(cycle)})
    produced, declared = result_unit(node, units), unit_of(units.get(code, ""))
    if produced != declared:
        raise FormulaError(_("单位不一致：公式得出“%(produced)s”，指标单位为“%(declared)s”") % {
            "produced": unit_label(produced), "declared": units.get(code) or _("无")})
    return node


def evaluate(node: Node, values: Mapping[str, Decimal | None]) -> Decimal | None:
    """The formula's value from its inputs; None when an input has no figure or a divisor is zero."""
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Ref):
        return values.get(node.code)
    if isinstance(node, Neg):
        inner = evaluate(node.operand, values)
        return None if inner is None else -inner
    left, right = evaluate(node.left, values), evaluate(node.right, values)
    if left is None or right is None:
        return None
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    if right == 0:
        return None
    try:
        return left / right
    except (DivisionByZero, InvalidOperation):
        return None
