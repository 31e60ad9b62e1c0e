"""The enterprise-year import writes in batches (bulk inserts and updates) and still keeps every change's
history: who, when, before and after; the batches share one transaction, so a failure leaves nothing."""

import datetime
from decimal import Decimal

import pytest

from core.models import ChangeRecord
from enterprises.models import Enterprise, EnterpriseYear
from enterprises.services.imports import import_enterprises
from enterprises.tests.conftest import REAL_CODES, code_for
from enterprises.tests.test_imports import row, xlsx, year_of

pytestmark = pytest.mark.django_db

A, B, C = REAL_CODES


def many(count: int, year: int = 2024) -> list[dict]:
    return [row(code_for(900 + i), name=f"平湖测试{i}科技有限公司", year=year) for i in range(count)]


def test_bulk_writes_in_batches_keep_the_history_of_every_row(users, monkeypatch):
    """Batches of two rows: creates and updates land across batches, each with who/when/before/after."""
    admin = users["ph_admin"]
    monkeypatch.setattr("enterprises.services.imports.BATCH", 2)
    first = [
        row(A, year=2023, revenue=1000),
        row(A, year=2024, revenue=1100),
        row(B, name="平湖乙科技有限公司", year=2024, revenue=500),
    ]
    assert import_enterprises(user=admin, name="a.xlsx", data=xlsx(first)) == {"created": 3, "updated": 0}
    enterprise = Enterprise.objects.get(uscc=B)
    stamp = enterprise.updated_at
    started = datetime.datetime.now(datetime.UTC)

    second = [
        row(A, year=2023, revenue=1000),
        row(A, year=2024, revenue="1,250.5"),
        row(B, name="平湖乙科技股份有限公司", year=2024, revenue=500, tech=5),
        row(C, name="新企业", year=2024),
    ]
    assert import_enterprises(user=admin, name="a.xlsx", data=xlsx(second)) == {"created": 1, "updated": 3}

    changes = ChangeRecord.objects.filter(at__gte=started)
    years = {(c.object_repr, c.action): c for c in changes.filter(content_type__model="enterpriseyear")}
    # The unchanged 2023 row is no change; the two changed rows and the new one are.
    assert set(years) == {
        ("平湖甲科技有限公司 2024", "update"),
        ("平湖乙科技股份有限公司 2024", "update"),
        ("新企业 2024", "create"),
    }
    changed = years[("平湖甲科技有限公司 2024", "update")]
    assert changed.object_id == str(year_of(A, 2024).pk)
    assert (changed.before["revenue"], changed.after["revenue"]) == ("1100", "1250.5")
    assert (changed.actor, changed.actor_name) == (admin, str(admin))
    created = years[("新企业 2024", "create")]
    assert created.object_id == str(year_of(C, 2024).pk) and created.before is None
    assert created.after == {
        "year": 2024,
        "revenue": "1000",
        "total_cost": None,
        "rd_expense": "60",
        "domestic_rd": None,
        "hitech_revenue": None,
        "total_assets": None,
        "total_liabilities": None,
        "staff": 100,
        "tech_staff": 20,
        "ip1": None,
        "ip2": None,
        "above_scale": None,
    }
    assert years[("平湖乙科技股份有限公司 2024", "update")].after["tech_staff"] == 5
    renamed = changes.get(content_type__model="enterprise", action="update")
    assert (renamed.before["name"], renamed.after["name"]) == ("平湖乙科技有限公司", "平湖乙科技股份有限公司")
    assert changes.filter(content_type__model="enterprise", action="create").get().object_repr == "新企业"
    assert {c.note for c in changes} == {"导入企业年度数据"}
    enterprise.refresh_from_db()
    assert enterprise.name == "平湖乙科技股份有限公司" and enterprise.updated_at > stamp  # auto_now kept
    assert year_of(A, 2024).revenue == Decimal("1250.50") and year_of(B, 2024).tech_staff == 5


def test_a_failure_in_a_later_batch_leaves_nothing_of_the_earlier_ones(users, monkeypatch):
    """The batches share one transaction: a write that fails half-way undoes the batches already written."""
    from enterprises.services import imports

    monkeypatch.setattr(imports, "BATCH", 2)
    calls = []

    def failing(**kwargs):
        calls.append(kwargs)
        if len(calls) == 3:  # two batches of years written, then this one fails
            raise RuntimeError("disk full")
        return original(**kwargs)

    original = imports.record_rows
    monkeypatch.setattr(imports, "record_rows", failing)
    before = (Enterprise.objects.count(), EnterpriseYear.objects.count(), ChangeRecord.objects.count())
    with pytest.raises(RuntimeError):
        import_enterprises(user=users["ph_admin"], name="a.xlsx", data=xlsx(many(5)))
    assert len(calls) == 3
    assert (
        Enterprise.objects.count(),
        EnterpriseYear.objects.count(),
        ChangeRecord.objects.count(),
    ) == before
