"""Login throttling: keyed by user name and address, kept in a store every server process shares."""

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.test import RequestFactory

from core import throttle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clean_store():
    throttle.store().clear()
    yield
    throttle.store().clear()


def fail(username, address, times=5):
    for _attempt in range(times):
        throttle.login_failed(username, address)


def test_wrong_attempts_for_one_user_do_not_lock_another_from_the_same_address():
    fail("ph_admin", "10.0.0.1")
    assert throttle.login_blocked("ph_admin", "10.0.0.1")
    assert not throttle.login_blocked("ph_leader", "10.0.0.1")


def test_four_failures_do_not_lock():
    fail("ph_admin", "10.0.0.1", times=4)
    assert not throttle.login_blocked("ph_admin", "10.0.0.1")


def test_success_clears_the_count():
    fail("ph_admin", "10.0.0.1", times=4)
    throttle.login_succeeded("ph_admin", "10.0.0.1")
    fail("ph_admin", "10.0.0.1", times=4)
    assert not throttle.login_blocked("ph_admin", "10.0.0.1")


def test_the_counter_is_in_the_database_shared_by_every_process(monkeypatch):
    first, second = caches.create_connection("throttle"), caches.create_connection("throttle")
    assert first is not second and isinstance(first, DatabaseCache)
    monkeypatch.setattr(throttle, "store", lambda: first)
    fail("ph_admin", "10.0.0.1")
    monkeypatch.setattr(throttle, "store", lambda: second)
    assert throttle.login_blocked("ph_admin", "10.0.0.1")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {first._table}")
        assert cursor.fetchone()[0] >= 1


def request_from(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/login/", **extra)


def test_forwarded_for_is_ignored_without_a_trusted_proxy(settings):
    settings.KECHUANG_TRUSTED_PROXIES = []
    assert throttle.client_address(request_from("10.0.0.9", "1.2.3.4")) == "10.0.0.9"


def test_forwarded_for_is_read_behind_a_trusted_proxy(settings):
    settings.KECHUANG_TRUSTED_PROXIES = ["10.0.0.9"]
    assert throttle.client_address(request_from("10.0.0.9", "6.6.6.6, 1.2.3.4")) == "1.2.3.4"
    assert throttle.client_address(request_from("10.0.0.9", "1.2.3.4, 10.0.0.9")) == "1.2.3.4"
    # A client that is not the proxy cannot choose its address.
    assert throttle.client_address(request_from("10.0.0.8", "1.2.3.4")) == "10.0.0.8"
