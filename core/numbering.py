"""Record numbers of the platform's own shape (CXQ2026-000001, XM2026-00001): the next after the highest of
that shape, whatever other numbering imported records carry. Call it under a lock the caller holds."""

from __future__ import annotations


def next_number(model, prefix: str, digits: int, field: str = "code") -> str:
    last = (model._default_manager.filter(**{f"{field}__regex": rf"^{prefix}[0-9]{{{digits}}}$"})
            .order_by(f"-{field}").values_list(field, flat=True).first())
    number = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{number:0{digits}d}"
