"""How the 梯队 sync replaced a figure the bureau had imported: the imported figure carried no 口径 (the
import's 口径 column is optional), the sync wrote its own rows under 口径“新增”and“累计”, and the cockpit prefers the
row of the target's 口径 — so the imported figure vanished from every page without anyone choosing it."""

import datetime
from decimal import Decimal

import pytest

from core.periods import Period
from enterprises.tests.conftest import HITECH, make_firm, rulesets  # noqa: F401 (a fixture)
from plans.queries import plan_progress
from plans.services.value_import import import_values
from plans.tests.test_value_import import xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rulesets")]


def shown(plan, code: str, period: str) -> Decimal | None:
    rows = plan_progress(plan, Period.parse(period)).rows
    return next(row.actual for row in rows if row.indicator.code == code)


def test_the_ladder_sync_never_hides_a_figure_the_bureau_imported(pinghu, users):
    import_values(user=users["ph_admin"], plan=pinghu, name="数据.xlsx",
                  data=xlsx([["PH07", "平湖市", "2025年", "85", "局汇总", ""]]))
    assert shown(pinghu, "PH07", "2025") == Decimal(85)
    make_firm(quals=[(HITECH, datetime.date(2025, 11, 20))])

    from plans.services.feeds import feed_all
    summary = feed_all(admin=users["ph_admin"], year=2025, today=datetime.date(2026, 3, 1))

    assert summary["conflicts"] >= 1  # shown to the bureau instead of written

    assert shown(pinghu, "PH07", "2025") == Decimal(85)
