"""Fixtures shared by every app's tests: reference data, the seed plans and one user per role."""

import pytest

from core.demo import DEMO_PASSWORD


@pytest.fixture
def reference(db):
    from core.seed import load_reference

    load_reference()


@pytest.fixture
def users(reference):
    from core.demo import load_demo_users

    return {u.username: u for u in load_demo_users()}


@pytest.fixture
def plans(users):
    from plans.services.seed import load_plans

    return {p.code: p for p in load_plans(users["admin"])}


@pytest.fixture
def pinghu(plans):
    return plans["PH315-2023"]


@pytest.fixture
def demo(plans, users):
    from plans.services.demo import load_demo_towns

    for plan in plans.values():
        load_demo_towns(users["admin"], plan)
    return plans


@pytest.fixture
def password():
    return DEMO_PASSWORD
