"""Who sees which screening (enterprises.queries) and which rule set a user edits (services.rulesets)."""

from types import SimpleNamespace

import pytest

from core.models import Region
from core.roles import Role
from enterprises.models import Screening
from enterprises.queries import may_see_screening, visible_screenings
from enterprises.services.rulesets import edit_targets, saves_a_copy
from enterprises.tests.conftest import JS_COUNTY, ON, PH_COUNTY


def person(role, superuser: bool = False):
    return SimpleNamespace(is_authenticated=True, is_superuser=superuser, role=role, scope_prefix="330482")


def row(pk: int, code: str, region_id: int | None, is_active: bool = True):
    return SimpleNamespace(pk=pk, code=code, region_id=region_id, is_active=is_active)


# The shared hitech and tech_sme, 平湖's copy of hitech, and an old shared hitech version.
SHOWN = [row(1, "hitech", None), row(2, "tech_sme", None), row(3, "hitech", 7), row(4, "hitech", None, False)]


def test_the_system_admin_edits_the_shared_versions():
    assert edit_targets(person(Role.SYSADMIN), SHOWN) == {1, 2}
    assert edit_targets(person(Role.LEADER, superuser=True), SHOWN) == {1, 2}


def test_a_county_edits_its_copy_and_the_shared_ones_it_has_not_copied():
    assert edit_targets(person(Role.BUREAU_ADMIN), SHOWN) == {2, 3}


def test_an_inactive_copy_still_counts_as_copied():
    shown = [row(1, "hitech", None), row(5, "hitech", 7, is_active=False)]
    assert edit_targets(person(Role.BUREAU_ADMIN), shown) == set()


def test_saving_a_shared_version_makes_a_copy_except_for_the_system_admin():
    shared, own = row(1, "hitech", None), row(3, "hitech", 7)
    assert saves_a_copy(person(Role.BUREAU_ADMIN), shared)
    assert not saves_a_copy(person(Role.BUREAU_ADMIN), own)
    assert not saves_a_copy(person(Role.BUREAU_ADMIN), None)
    assert not saves_a_copy(person(Role.SYSADMIN), shared)


@pytest.fixture
def screenings(rulesets):
    hitech = rulesets["hitech"]
    return {
        code: Screening.objects.create(ruleset=hitech, date=ON, region=Region.objects.get(code=code))
        for code in (PH_COUNTY, JS_COUNTY)
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "seen"),
    [
        ("admin", {PH_COUNTY, JS_COUNTY}),
        ("jx_leader", {PH_COUNTY, JS_COUNTY}),
        ("ph_admin", {PH_COUNTY}),
        ("ph_leader", {PH_COUNTY}),
        ("js_admin", {JS_COUNTY}),
        ("ph_danghu", set()),
        ("ph_fgj", set()),
        ("demo_qiye", set()),
        ("demo_zhuanjia", set()),
    ],
)
def test_a_screening_is_seen_by_its_regions_bureau_and_leaders(users, screenings, username, seen):
    user = users[username]
    assert {code for code, s in screenings.items() if may_see_screening(user, s)} == seen
    listed = set(
        visible_screenings(user)
        .filter(pk__in=[s.pk for s in screenings.values()])
        .values_list("region__code", flat=True)
    )
    assert listed == seen


def test_nobody_signed_in_sees_no_screening():
    from django.contrib.auth.models import AnonymousUser

    assert not may_see_screening(AnonymousUser(), SimpleNamespace(region=SimpleNamespace(code=PH_COUNTY)))
