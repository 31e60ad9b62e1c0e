"""Two screenings of one region started at once both complete: the pool refresh is serialised per region.

Runs with real commits on two threads (``transactional_db``); each thread has its own database connection.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from core.models import ChangeRecord, Job, Region
from enterprises.models import EnterpriseYear, PoolMember
from enterprises.services import pools
from enterprises.services.screening import screen_now, start_screening
from enterprises.tests.conftest import ON, PH_COUNTY, make_firm, years_of

FAIL_ONE = {"tech_staff": 9}  # only 科技人员占比 fails: 高企培育库


@pytest.mark.skipif(connection.vendor == "sqlite",
                    reason="SQLite has no row locks (SELECT … FOR UPDATE is ignored) and its shared-cache "
                           "in-memory test database refuses a second writer at once ('database table is locked'), "
                           "whatever the code does")
def test_two_screenings_started_at_once_both_complete(transactional_db, rulesets, users, monkeypatch):
    passing = make_firm(years=years_of())
    near = [make_firm(years=years_of(**FAIL_ONE)) for _ in range(30)]
    leavers = [make_firm(years=years_of()) for _ in range(30)]
    region = Region.objects.get(code=PH_COUNTY)
    screen_now(user=users["ph_admin"], ruleset="hitech", on=ON, region=region)  # everyone enters
    # The leavers now fail two criteria: both concurrent refreshes would exit them.
    EnterpriseYear.objects.filter(enterprise__in=leavers).update(tech_staff=9, hitech_revenue=Decimal(599))
    exits_before = ChangeRecord.objects.filter(content_type__model="poolmember",
                                               action=ChangeRecord.Action.UPDATE).count()

    # Both screenings reach the pool refresh before either starts it, so the two refreshes really overlap.
    gate = threading.Barrier(2, timeout=60)
    refresh = pools.refresh_pools

    def refresh_together(screening, user=None):
        gate.wait()
        return refresh(screening, user)

    monkeypatch.setattr(pools, "refresh_pools", refresh_together)
    screenings, errors = [], []

    def run() -> None:
        try:
            screenings.append(start_screening(user=users["ph_admin"], ruleset="hitech", on=ON, region=region))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    jobs = Job.objects.filter(screening__in=[s.pk for s in screenings])
    assert [(job.status, job.get_status_display()) for job in jobs] == [(Job.Status.DONE, "已完成")] * 2, [
        job.message for job in jobs]
    # The second refresh saw the first one's members: each enterprise is in the pool once.
    members = PoolMember.objects.filter(pool__code="hitech_incubation", exited_on__isnull=True)
    assert sorted(members.values_list("enterprise_id", flat=True)) == sorted(f.pk for f in [passing, *near])
    gone = PoolMember.objects.filter(pool__code="hitech_incubation", enterprise__in=leavers)
    assert gone.count() == len(leavers) and not gone.filter(exited_on__isnull=True).exists()
    # Each exit is recorded once, by the refresh that made it.
    assert ChangeRecord.objects.filter(content_type__model="poolmember", action=ChangeRecord.Action.UPDATE,
                                       ).count() - exits_before == len(leavers)
