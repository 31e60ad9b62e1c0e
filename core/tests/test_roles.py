"""The role predicates of core.roles, on plain objects and unsaved users: no database."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from core import roles
from core.roles import Role

PREDICATES = {
    "is_sysadmin": {Role.SYSADMIN},
    "is_bureau_admin": {Role.SYSADMIN, Role.BUREAU_ADMIN},
    "is_leader": {Role.LEADER},
    "is_unit_reporter": {Role.UNIT_REPORTER},
    "is_town_reporter": {Role.TOWN_REPORTER},
    "is_reporter": {Role.UNIT_REPORTER, Role.TOWN_REPORTER},
    "is_enterprise": {Role.ENTERPRISE},
    "is_institution": {Role.INSTITUTION},
    "is_expert": {Role.REVIEWER},
    "is_outsider": {Role.ENTERPRISE, Role.INSTITUTION, Role.REVIEWER},
    "reads_region": {Role.SYSADMIN, Role.BUREAU_ADMIN, Role.LEADER},
    "manages_region": {Role.SYSADMIN, Role.BUREAU_ADMIN},
}


def person(role, *, superuser: bool = False, prefix: str = "330482"):
    return SimpleNamespace(is_authenticated=True, is_superuser=superuser, role=role, scope_prefix=prefix)


@pytest.mark.parametrize("name", sorted(PREDICATES))
@pytest.mark.parametrize("role", list(Role))
def test_each_predicate_holds_for_exactly_its_roles(name, role):
    assert getattr(roles, name)(person(role)) is (role in PREDICATES[name])


@pytest.mark.parametrize("name", sorted(PREDICATES))
@pytest.mark.parametrize(
    "nobody", [None, AnonymousUser(), SimpleNamespace(is_authenticated=False, role=Role.SYSADMIN)]
)
def test_nobody_signed_in_holds_no_role(name, nobody):
    assert getattr(roles, name)(nobody) is False
    assert roles.role_of(nobody) is None
    assert roles.has_role(nobody, Role) is False


def test_a_superuser_is_the_system_admin_whatever_its_role_field_says():
    boss = person(Role.LEADER, superuser=True)
    assert roles.role_of(boss) == Role.SYSADMIN
    assert roles.is_sysadmin(boss) and roles.is_bureau_admin(boss) and roles.manages_region(boss, "330421")
    assert roles.reads_region(boss)
    # The single-role predicates read the field, as the comparisons they replaced did.
    assert roles.is_leader(boss)
    assert roles.role_of(person(Role.LEADER)) == Role.LEADER


def test_manages_region_only_inside_the_bureau_admins_scope():
    admin = person(Role.BUREAU_ADMIN, prefix="330482")
    assert roles.manages_region(admin, "330482")
    assert roles.manages_region(admin, "330482001")
    assert not roles.manages_region(admin, "330421")
    assert roles.manages_region(person(Role.SYSADMIN, prefix="-"), "330421")
    assert not roles.manages_region(person(Role.LEADER), "330482")


@pytest.mark.parametrize(
    ("role", "view", "change"),
    [
        (Role.BUREAU_ADMIN, True, True),
        (Role.LEADER, True, False),
        (Role.TOWN_REPORTER, False, False),
        (Role.ENTERPRISE, False, False),
        (Role.SYSADMIN, True, True),
    ],
)
def test_region_access_bureau_changes_leader_reads(role, view, change):
    assert roles.region_access(person(role), "view") is view
    assert roles.region_access(person(role), "change") is change
    assert roles.region_access(person(role), "delete") is change


def test_has_role_accepts_values_and_members():
    assert roles.has_role(person("town_reporter"), {Role.TOWN_REPORTER})
    assert roles.has_role(person(Role.TOWN_REPORTER), {"town_reporter", "leader"})
    assert not roles.has_role(person(Role.TOWN_REPORTER), {Role.UNIT_REPORTER})
    assert not roles.has_role(person(""), {""})


def test_unsaved_users_answer_like_the_properties_of_the_model():
    from core.models import User

    for role in Role:
        user = User(username="probe", role=role)
        assert user.is_sysadmin is roles.is_sysadmin(user) is (role == Role.SYSADMIN)
        assert user.is_bureau_admin is roles.is_bureau_admin(user)
    assert User(username="root", role=Role.LEADER, is_superuser=True).is_bureau_admin
