"""Caching by data version: read answers are cached under the versions of the data they show.

`bump(key)` records a change of a slice of data inside the writing transaction (a row of `DataChange`), so the
new version becomes visible exactly when the new data does; `current(keys)` reads the versions (the sum of the
slice's row weights, see `compact`) in one query;
`cached(...)` keeps a computed value under a key made of its parts and those versions. A value cached under an
old version is simply never asked for again (and expires), so nothing is deleted when data changes.

The versions are read before the data, so a value is never stored under a version newer than its data.
`batch()` lets a bulk write (an import) record each slice once, not once per row. Inside a web request the
versions read are remembered until the request ends or it writes (`bump`), so a page that asks for the same
slices several times (the default period, the page body) reads them once.
"""

import hashlib
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models import Sum
from django.utils.functional import SimpleLazyObject

from core.models_versions import DataChange

T = TypeVar("T")
# A value lives at most this long even if nothing changes: a safety net, not what keeps answers fresh.
TTL_SECONDS = 600
CACHE_ALIAS = "default"

_local = threading.local()


# A slice is folded about once per this many changes of all slices (when a new row's id is a multiple).
COMPACT_EVERY = 200


def _begin_request(**kwargs) -> None:
    _local.memo = {}


def _end_request(**kwargs) -> None:
    _local.memo = None


# Connected here, not in an app's ready(): the memo is this module's own business.
request_started.connect(_begin_request, dispatch_uid="core-versions-begin")
request_finished.connect(_end_request, dispatch_uid="core-versions-end")


def bump(*keys: str) -> None:
    """Record a change of each slice. Call inside the transaction that changes the data."""
    if getattr(_local, "memo", None):
        _local.memo = {}  # this request changed data: what it read before is no longer its version
    pending = getattr(_local, "pending", None)
    if pending is not None:  # inside batch(): recorded once when the batch ends
        pending.update(keys)
        return
    rows = DataChange.objects.bulk_create([DataChange(key=key) for key in dict.fromkeys(keys)])
    for row in rows:
        if row.pk and row.pk % COMPACT_EVERY == 0:
            # After the writer commits, in a short transaction of its own: folding takes row locks that
            # a long import must not hold.
            transaction.on_commit(lambda key=row.key: compact(key))


def compact(key: str) -> int:
    """Fold the slice's committed rows into one that carries their total weight; the version is unchanged.

    Rows a writer has not committed yet are neither seen nor locked, so they are counted once they commit;
    two foldings of one slice queue on the row locks, and each replaces only the rows it locked."""
    with transaction.atomic():
        rows = list(DataChange.objects.select_for_update().filter(key=key).values_list("pk", "weight"))
        if len(rows) < 2:
            return len(rows)
        DataChange.objects.filter(pk__in=[pk for pk, _weight in rows]).delete()
        DataChange.objects.create(key=key, weight=sum(weight for _pk, weight in rows))
    return len(rows)


@contextmanager
def batch() -> Iterator[None]:
    """Collect the bumps of a bulk write and record each slice once at the end (still inside its transaction)."""
    outer = getattr(_local, "pending", None)
    if outer is not None:  # nested: the outermost batch records
        yield
        return
    _local.pending = set()
    try:
        yield
    finally:
        keys, _local.pending = _local.pending, None
    if keys:
        bump(*sorted(keys))


def current(keys: Iterable[str]) -> tuple[int, ...]:
    """The versions of the slices, in order (0 for one never changed), in one query."""
    keys = list(keys)
    memo = getattr(_local, "memo", None)
    missing = [k for k in keys if memo is None or k not in memo]
    counts = {k: 0 for k in missing}
    if missing:
        counts.update(DataChange.objects.filter(key__in=missing).values("key").annotate(n=Sum("weight"))
                      .values_list("key", "n"))
    if memo is not None:
        memo.update(counts)
        counts = memo
    return tuple(counts[k] for k in keys)


def cache_key(name: str, parts: Iterable[object], versions: Iterable[int]) -> str:
    """A short, stable key (SHA-256, never `hash()`, which differs between processes)."""
    raw = "\x1f".join([name, *map(str, parts), "v", *map(str, versions)])
    return f"kc:{name}:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"


def key_for(name: str, parts: Iterable[object], version_keys: Iterable[str]) -> str:
    """The cache key of a value at the slices' current versions."""
    return cache_key(name, parts, current(version_keys))


def cached(name: str, parts: Iterable[object], version_keys: Iterable[str], compute: Callable[[], T]) -> T:
    """The value computed for these parts at the current versions, computed once per version."""
    key = key_for(name, parts, version_keys)
    cache = caches[CACHE_ALIAS]
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TTL_SECONDS)
    return value


def lazy_values(compute: Callable[[], dict], names: Iterable[str]) -> dict:
    """A template context whose values are computed only if the template asks for one (a cache miss), once."""
    whole = SimpleLazyObject(compute)
    return {name: SimpleLazyObject(lambda name=name: whole[name]) for name in names}
