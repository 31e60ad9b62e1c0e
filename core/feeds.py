"""Sources of figures the platform already holds, declared by the apps that own the data.

An indicator is fed by its settings (the plans app binds an indicator and a 口径 to a source key), never by
its code. A source says what it counts (key, Chinese label, unit), how to count it for a region and a year,
and which models make it stale. When a watched model changes, the (county, year)s it touches are collected
for the transaction and, once it commits, one job per county is queued — or merged into that county's job
still waiting — so an import of ten thousand certificates queues one job, not ten thousand.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import signals
from django.utils.translation import gettext as _

from core import jobs

JOB_KIND = "feeds"
# A county's 6-digit code: the unit of debouncing (a town's 9-digit code begins with its county's).
COUNTY_DIGITS = 6

# (region prefix, year, today) → the year's figure, or None where there is none (a rate over nothing)
Compute = Callable[[str, int, datetime.date], Decimal | None]
Locate = Callable[[object], Iterable[tuple[str, int]]]  # a changed record → the (region code, year)s it counts in


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    unit: str
    compute: Compute
    stale_on: tuple[str, ...] = ()  # "app_label.ModelName" of the records it counts

    @property
    def written_as(self) -> str:
        """The 来源 written on a fed figure: how a figure the feed wrote is told from any other."""
        return _("平台汇总：%(label)s") % {"label": self.label}


_SOURCES: dict[str, Source] = {}


def register(source: Source) -> Source:
    _SOURCES[source.key] = source
    return source


def get(key: str) -> Source | None:
    return _SOURCES.get(key)


def sources() -> list[Source]:
    return sorted(_SOURCES.values(), key=lambda s: s.key)


def choices() -> list[tuple[str, str]]:
    return [(s.key, f"{s.label}（{s.unit}）") for s in sources()]


def is_fed(source_text: str) -> bool:
    """Whether a figure's 来源 is one a feed writes (so the feed may update it without asking)."""
    return any(source_text == s.written_as for s in _SOURCES.values())


# ------------------------------------------------------------------------------------- staleness


def watch(model, locate: Locate) -> None:
    """Mark the sources stale whenever a record of ``model`` is saved or deleted (the old and new state)."""
    label = model._meta.label

    def before_save(sender, instance, raw=False, **kwargs):
        if raw or instance.pk is None:
            return
        old = sender._default_manager.filter(pk=instance.pk).first()
        if old is not None:
            _mark(locate(old))

    def after_save(sender, instance, raw=False, **kwargs):
        if not raw:
            _mark(locate(instance))

    def before_delete(sender, instance, **kwargs):
        # Before, not after: a cascade may already have removed what ``locate`` reads.
        _mark(locate(instance))

    for name, signal, receiver in (("pre_save", signals.pre_save, before_save),
                                   ("post_save", signals.post_save, after_save),
                                   ("pre_delete", signals.pre_delete, before_delete)):
        signal.connect(receiver, sender=model, weak=False, dispatch_uid=f"feeds:{label}:{name}")


def changed(region_code: str, years: Iterable[int]) -> None:
    """Say that figures of ``region_code`` for ``years`` changed outside the watched models' signals."""
    _mark((region_code, year) for year in years)


_state = threading.local()


def _mark(places_years: Iterable[tuple[str, int]]) -> None:
    found = [(code[:COUNTY_DIGITS], int(year)) for code, year in places_years if code]
    if not found:
        return
    if not connection.in_atomic_block:
        for county, year in found:
            queue(county, {year})
        return
    pending = getattr(_state, "pending", None)
    callback = getattr(_state, "callback", None)
    # A rolled-back transaction drops its callbacks: then start afresh rather than collect for nobody.
    if pending is None or not any(entry[1] is callback for entry in connection.run_on_commit):
        pending = _state.pending = {}

        def flush():
            collected, _state.pending, _state.callback = _state.pending or {}, None, None
            for county, years in sorted(collected.items()):
                queue(county, years)

        _state.callback = flush
        transaction.on_commit(flush)
    for county, year in found:
        pending.setdefault(county, set()).add(year)


def queue(county: str, years: set[int]):
    """One waiting job per county: merged into the one not yet started, else a new one."""
    if not jobs.has_handler(JOB_KIND):
        return None
    from core.models import Job, Region

    with transaction.atomic():
        waiting = (Job.objects.select_for_update().filter(kind=JOB_KIND, status=Job.Status.PENDING,
                                                          params__region=county).first())
        if waiting is not None:
            merged = sorted(set(waiting.params.get("years", [])) | set(years))
            if merged != waiting.params.get("years"):
                waiting.params = {"region": county, "years": merged}
                waiting.save(update_fields=["params"])
            return waiting
        region = Region.objects.filter(code=county).first()
        return jobs.start(kind=JOB_KIND, title=_("指标数据自动汇总（%(region)s）") % {"region": region or county},
                          region=region, params={"region": county, "years": sorted(years)})
