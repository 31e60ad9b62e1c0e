"""Data versions: a write moves its slice's version on, a batch records once, cached values follow versions."""

import pytest

from core import versions
from core.models import DataChange

pytestmark = pytest.mark.django_db


def test_a_slice_never_changed_is_version_zero_and_each_bump_moves_it_on():
    assert versions.current(["a", "b"]) == (0, 0)
    versions.bump("a")
    versions.bump("a", "b", "a")  # one call names a slice once
    assert versions.current(["a", "b"]) == (2, 1)
    assert versions.current(["b", "a"]) == (1, 2)


def test_a_batch_records_each_slice_once_and_nothing_when_it_fails():
    before = DataChange.objects.count()
    with versions.batch():
        for _ in range(500):
            versions.bump("t:1")
        with versions.batch():  # nested: the outer batch records
            versions.bump("t:2")
        assert DataChange.objects.count() == before
    assert versions.current(["t:1", "t:2"]) == (1, 1)
    with pytest.raises(ZeroDivisionError), versions.batch():
        versions.bump("t:3")
        raise ZeroDivisionError("写入失败")
    assert versions.current(["t:3"]) == (0,)
    versions.bump("t:3")  # the failed batch left nothing pending behind
    assert versions.current(["t:3"]) == (1,)


def test_cached_computes_once_per_version_and_again_after_a_change():
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    assert versions.cached("x", ("p",), ["s"], compute) == {"n": 1}
    assert versions.cached("x", ("p",), ["s"], compute) == {"n": 1}
    assert versions.cached("x", ("q",), ["s"], compute) == {"n": 2}  # other parts, other value
    versions.bump("s")
    assert versions.cached("x", ("p",), ["s"], compute) == {"n": 3}
    assert len(calls) == 3


def test_keys_are_stable_and_differ_by_name_parts_and_versions():
    key = versions.cache_key("cockpit", (1, "2024Q2"), (3, 0))
    assert key == versions.cache_key("cockpit", (1, "2024Q2"), (3, 0))
    assert len({key, versions.cache_key("cockpit", (1, "2024Q3"), (3, 0)),
                versions.cache_key("cockpit", (1, "2024Q2"), (4, 0)),
                versions.cache_key("progress", (1, "2024Q2"), (3, 0))}) == 4


def test_lazy_values_compute_only_when_asked_and_once():
    calls = []

    def compute():
        calls.append(1)
        return {"a": [1, 2], "b": {"x": 3}}

    values = versions.lazy_values(compute, ("a", "b"))
    assert calls == []
    assert list(values["a"]) == [1, 2] and values["b"]["x"] == 3 and len(values["a"]) == 2
    assert calls == [1]


def test_inside_a_request_versions_are_read_once_until_the_request_writes(django_assert_num_queries):
    # What request_started / request_finished call (sending them would also close the test's connection).
    versions._begin_request()
    try:
        with django_assert_num_queries(1):
            assert versions.current(["m:1", "m:2"]) == (0, 0)
            assert versions.current(["m:2", "m:1"]) == (0, 0)  # remembered: no query
        versions.bump("m:1")  # the request writes: what it read before is forgotten
        with django_assert_num_queries(1):
            assert versions.current(["m:1", "m:2"]) == (1, 0)
        with django_assert_num_queries(1):  # a slice not asked for before is read, only it
            assert versions.current(["m:1", "m:3"]) == (1, 0)
    finally:
        versions._end_request()
    DataChange.objects.create(key="m:2")  # outside a request nothing is remembered
    with django_assert_num_queries(1):
        assert versions.current(["m:2"]) == (1,)
    with django_assert_num_queries(1):
        assert versions.current(["m:2"]) == (1,)


def test_folding_a_slices_rows_leaves_its_version_and_later_changes_count_on():
    for _ in range(5):
        versions.bump("f:1")
    versions.bump("f:2")
    assert versions.compact("f:1") == 5
    assert DataChange.objects.filter(key="f:1").count() == 1
    assert versions.current(["f:1", "f:2"]) == (5, 1)
    versions.bump("f:1")
    assert versions.current(["f:1"]) == (6,)
    assert versions.compact("f:1") == 2 and versions.current(["f:1"]) == (6,)
    assert versions.compact("f:9") == 0


def test_a_change_now_and_then_folds_its_slice_after_the_writer_commits(monkeypatch,
                                                                        django_capture_on_commit_callbacks):
    monkeypatch.setattr(versions, "COMPACT_EVERY", 1)  # every new row's id is a multiple of 1
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        versions.bump("g:1")
        versions.bump("g:1")
    assert DataChange.objects.filter(key="g:1").count() == 2  # nothing folded before the commit
    for callback in waiting:
        callback()
    assert DataChange.objects.filter(key="g:1").count() == 1 and versions.current(["g:1"]) == (2,)
