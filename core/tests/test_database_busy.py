"""SQLite under concurrent writes: writers wait their turn, and a lock that outlasts the wait is a Chinese 409."""

import threading
import time

import pytest
from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from core.api import exception_handler
from core.middleware import DatabaseBusy


def test_sqlite_waits_and_takes_the_write_lock_at_the_start():
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("only SQLite needs a busy timeout")
    assert options["timeout"] >= 5
    assert options["transaction_mode"] == "IMMEDIATE"


def test_api_maps_a_locked_database_to_409():
    response = exception_handler(OperationalError("database is locked"), {})
    assert response.status_code == 409
    assert "稍后" in response.data["errors"][0]["message"]


def test_api_leaves_other_database_errors_alone():
    assert exception_handler(OperationalError("no such table: x"), {}) is None


def test_pages_map_a_locked_database_to_409():
    middleware = DatabaseBusy(lambda r: HttpResponse())
    request = RequestFactory().post("/plans/")
    response = middleware.process_exception(request, OperationalError("database is locked"))
    assert response.status_code == 409
    assert "稍后" in response.content.decode()
    assert middleware.process_exception(request, OperationalError("other")) is None


@pytest.fixture
def file_database(tmp_path, django_db_blocker):
    """A file-based SQLite database with the project's connection options (the test database is in memory)."""
    base = connections.settings["default"]
    if not base["ENGINE"].endswith("sqlite3"):
        pytest.skip("the lock under test is SQLite's")
    connections.settings["busy"] = {**base, "NAME": str(tmp_path / "busy.sqlite3"), "TEST": {}}
    with django_db_blocker.unblock():
        with connections["busy"].cursor() as cursor:
            cursor.execute("CREATE TABLE t (n integer)")
        connections["busy"].close()
        yield "busy"
    del connections.settings["busy"]


def test_two_threads_writing_at_once_both_succeed(file_database, django_db_blocker):
    errors, barrier = [], threading.Barrier(2)

    def write(n):
        try:
            with django_db_blocker.unblock():
                barrier.wait()
                with transaction.atomic(using=file_database), connections[file_database].cursor() as cursor:
                    # Read, then write: two deferred transactions doing this deadlock and one of them
                    # fails at once with "database is locked"; IMMEDIATE makes the second one wait.
                    cursor.execute("SELECT count(*) FROM t")
                    time.sleep(0.3)
                    for i in range(20):
                        cursor.execute("INSERT INTO t VALUES (%s)", [n * 100 + i])
        except Exception as exc:  # noqa: BLE001 — the assertion shows what went wrong
            errors.append(exc)
        finally:
            connections[file_database].close()

    threads = [threading.Thread(target=write, args=(n,)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with django_db_blocker.unblock():
        with connections[file_database].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM t")
            assert cursor.fetchone()[0] == 40
        connections[file_database].close()
