from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()

STATUS_LABELS = {"green": "达标", "yellow": "预警", "red": "滞后", "missing": "未填报", "no_target": "无目标"}


@register.filter
def num(value, places: int = 2):
    """A figure as people read it: at most ``places`` decimals, no trailing zeros, thousands separated."""
    if value is None or value == "":
        return "—"
    d = Decimal(value).quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    text = f"{d:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@register.filter
def pct(value, places: int = 1):
    """A fraction (0.932) as a percentage (93.2%)."""
    if value is None:
        return "—"
    d = (Decimal(value) * 100).quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    return f"{d}%"


@register.filter
def status_label(status: str) -> str:
    return _(STATUS_LABELS.get(status, status))


@register.filter
def arrow(change):
    if change is None:
        return ""
    if change > 0:
        return f"↑{change}"
    if change < 0:
        return f"↓{-change}"
    return "—"


@register.filter
def safe_json(value) -> str:
    """JSON for an HTML attribute in single quotes."""
    import json

    from django.utils.functional import LazyObject, empty
    from django.utils.html import escape

    if isinstance(value, LazyObject):  # a value computed only on a cache miss (core.versions.lazy_values)
        if value._wrapped is empty:
            value._setup()
        value = value._wrapped
    return escape(json.dumps(value, ensure_ascii=False))
