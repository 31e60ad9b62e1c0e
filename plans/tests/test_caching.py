"""Cached plan answers follow the plan's data version: every kind of write moves it on, nothing stale is shown."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import versions
from core.models import OrgUnit
from core.periods import Period
from core.testing import visible_text
from plans import caching
from plans.models import Indicator, Target
from plans.services import value_import, values

pytestmark = pytest.mark.django_db

PH, PINGHU, DANGHU = "PH315-2023", "330482", "330482001"


def version(plan):
    return versions.current(caching.version_keys(plan))


def test_every_kind_of_write_moves_the_plan_version_on_and_only_that_plans(users, demo):
    plan, other = demo[PH], demo["JS-2025"]
    ph01 = Indicator.objects.get(plan=plan, code="PH01")
    pinghu = OrgUnit.objects.get(code=PINGHU)
    danghu = OrgUnit.objects.get(code=DANGHU)
    steps = {
        "填报": lambda: values.report_value(reporter=users["ph_danghu"], indicator=ph01, place=danghu,
                                           period=Period.parse("2024Q3"), value=Decimal("3")),
        "审核通过": lambda: values.approve_value(
            reviewer=users["ph_admin"],
            value_id=ph01.values.get(place=danghu, period="2024Q3").pk),
        "导入": lambda: value_import.import_values(
            user=users["ph_admin"], plan=plan, name="v.csv",
            data="指标,地区,期间,数值,说明,口径\nPH01,平湖市,2024Q4,7,,\n".encode()),
        "锁定": lambda: values.lock_period(admin=users["ph_admin"], plan=plan, period="2024Q4", reason="季度结账"),
        "目标": lambda: Target.objects.filter(indicator=ph01, org_unit=pinghu).first().save(),
        "指标": lambda: ph01.save(),
        "地区更名": lambda: danghu.save(),
    }
    for name, step in steps.items():
        before, before_other = version(plan), version(other)
        step()
        after = version(plan)
        assert after != before, name
        if name != "地区更名":  # a place is shared by every plan; everything else is one plan's
            assert versions.current([caching.plan_key(other.pk)]) == before_other[:1], name


def test_an_import_of_many_rows_records_one_change(users, demo):
    plan = demo[PH]
    rows = "".join(f"PH01,平湖市,{year}Q{q},{year - 2000 + q},,\n" for year in (2024, 2025) for q in (1, 2, 3, 4))
    before = version(plan)[0]
    assert value_import.import_values(user=users["ph_admin"], plan=plan, name="v.csv",
                                      data=("指标,地区,期间,数值,说明,口径\n" + rows).encode()) == 8
    assert version(plan)[0] == before + 1


def _actual(client, period="2024Q2", code="PH01"):
    body = client.get(f"/api/plans/{PH}/progress/", {"period": period}).json()
    return next(r["actual"] for r in body["indicators"] if r["code"] == code)


def test_the_progress_api_and_the_cockpit_never_show_a_figure_an_approval_replaced(login_as, users, demo):
    client = login_as("ph_admin")
    ph01 = Indicator.objects.get(plan=demo[PH], code="PH01")
    first = _actual(client)
    page = client.get(f"/plans/{PH}/", {"period": "2024Q2"}).content.decode()
    assert _actual(client) == first  # the cached answer
    values.report_value(reporter=users["ph_admin"], indicator=ph01, place=OrgUnit.objects.get(code=PINGHU),
                        period=Period.parse("2024Q2"), value=Decimal("987654.3"))
    assert _actual(client) == 987654.3 != first
    again = client.get(f"/plans/{PH}/", {"period": "2024Q2"}).content.decode()
    assert "987,654.3" in again and "987,654.3" not in page


def test_a_cached_cockpit_reads_only_what_the_request_itself_needs(login_as, demo):
    client = login_as("ph_admin")
    with CaptureQueriesContext(connection) as miss:
        assert client.get(f"/plans/{PH}/", {"period": "2024Q2"}).status_code == 200
    with CaptureQueriesContext(connection) as hit:
        second = client.get(f"/plans/{PH}/", {"period": "2024Q2"})
    assert second.status_code == 200 and 'data-testid="card-PH01"' in second.content.decode()
    assert not any("plans_indicatorvalue" in q["sql"] for q in hit.captured_queries)
    assert len(hit) < len(miss) and len(hit) <= 10


def test_cached_answers_are_kept_per_user_so_no_one_gets_anothers_scope(client, users, demo):
    params = {"indicator": "PH01", "period": "2024Q2"}
    client.force_login(users["ph_admin"])
    everyone = {r["org_unit"] for r in client.get(f"/api/plans/{PH}/ranking/", params).json()}
    client.force_login(users["ph_danghu"])
    own = {r["org_unit"] for r in client.get(f"/api/plans/{PH}/ranking/", params).json()}
    assert DANGHU in own and len(everyone) > len(own)
    assert own <= {DANGHU}


def test_the_indicator_page_is_cached_and_follows_a_target_change(login_as, users, demo):
    client = login_as("ph_admin")
    url = f"/plans/{PH}/indicators/PH01/"
    first = visible_text(client.get(url, {"period": "2023Q2"}).content.decode())
    with CaptureQueriesContext(connection) as hit:
        assert visible_text(client.get(url, {"period": "2023Q2"}).content.decode()) == first
    assert not any("plans_indicatorvalue" in q["sql"] or "plans_target" in q["sql"] for q in hit.captured_queries)
    target = Target.objects.filter(indicator__plan=demo[PH], indicator__code="PH01",
                                   org_unit__code=PINGHU, period="2023Q2").first()
    target.value = Decimal("4242.42")
    target.save()
    assert "4,242.42" in client.get(url, {"period": "2023Q2"}).content.decode() and "4,242.42" not in first
