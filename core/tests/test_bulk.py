"""Bulk writes prepare values exactly as Django would, whichever shortcut they take."""

from decimal import Decimal

import pytest
from django.db import connection

from core.bulk import chunks, preparer
from core.models import ChangeRecord
from enterprises.models import Enterprise, EnterpriseYear


@pytest.mark.parametrize(
    "model,name,value",
    [
        (EnterpriseYear, "revenue", Decimal("1234.50")),
        (EnterpriseYear, "revenue", None),
        (EnterpriseYear, "revenue", 12),  # not a Decimal: Django's own conversion
        (EnterpriseYear, "staff", 120),
        (EnterpriseYear, "staff", True),  # a bool for an integer column becomes 1, as Django makes it
        (EnterpriseYear, "above_scale", False),
        (EnterpriseYear, "enterprise", 7),
        (EnterpriseYear, "id", 99),
        (Enterprise, "name", "平湖甲科技有限公司"),
        (Enterprise, "established", "2015-06-01"),
        (ChangeRecord, "after", {"revenue": "1000"}),
        (ChangeRecord, "note", "导入企业年度数据"),
    ],
)
def test_a_prepared_value_is_what_django_would_send(model, name, value):
    field = model._meta.get_field(name)
    fast, django = preparer(field, connection)(value), field.get_db_prep_save(value, connection)
    # On PostgreSQL Django wraps an int as Int4/Int8 (a subclass, a type hint for server-side binding),
    # which COPY and executemany do not need.
    assert isinstance(django, type(fast))
    if name == "after":  # psycopg's Jsonb wrapper has no equality: compare what it wraps
        fast, django = getattr(fast, "obj", fast), getattr(django, "obj", django)
    assert fast == django


def test_chunks_cover_every_item_once():
    assert [list(c) for c in chunks(list(range(7)), 3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(chunks([], 3)) == []
