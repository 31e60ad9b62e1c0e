"""Fixtures shared by every app's tests: reference data, the seed plans and one user per role.

The reference data and seed plans are loaded once per test database (they take seconds) and every test
runs inside a transaction that is rolled back. Tests that need a real commit (the browser journey uses
``live_server``) flush the database afterwards, so the fixtures load again whenever the data is missing.
"""

import pytest

from core.demo import DEMO_PASSWORD

SEED_PLAN = "PH315-2023"


def pytest_configure(config):
    from django.conf import settings

    # Hashing demo passwords with the production hasher costs seconds per test for nothing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Background jobs run within the test so their results can be asserted.
    settings.KECHUANG_JOBS_SYNC = True


def _ensure_seed() -> None:
    from core.demo import load_demo_users
    from core.models import User
    from core.seed import load_reference
    from plans.models import Plan
    from plans.services.seed import load_plans

    if Plan.objects.filter(code=SEED_PLAN).exists() and User.objects.filter(username="admin").exists():
        return
    load_reference()
    load_demo_users()
    load_plans(User.objects.get(username="admin"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _ensure_seed()


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded and generated files go to a per-test folder, never into the project's data folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Answers are cached by data version; a rolled-back test's versions come back, so no answer may outlive it."""
    from django.core.cache import caches

    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def reference(db):
    _ensure_seed()


@pytest.fixture
def users(reference):
    from core.demo import DEMO_USERS
    from core.models import User

    return {u.username: u for u in User.objects.filter(username__in=[row[0] for row in DEMO_USERS])
            .select_related("org_unit__region", "region")}


@pytest.fixture
def plans(users):
    from plans.models import Plan

    return {p.code: p for p in Plan.objects.filter(code__in=[SEED_PLAN, "JS-2025"]).select_related("region")}


@pytest.fixture
def pinghu(plans):
    return plans[SEED_PLAN]


@pytest.fixture
def demo(plans, users):
    from plans.services.demo import load_demo_towns

    for plan in plans.values():
        load_demo_towns(users["admin"], plan)
    return plans


@pytest.fixture
def password():
    return DEMO_PASSWORD


@pytest.fixture
def login_as(client, users):
    """A test client signed in as one of the demo users."""
    def login(username):
        client.force_login(users[username])
        return client

    return login
