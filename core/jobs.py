"""Background jobs with progress: one code path for the embedded demo and for a real queue.

An app registers a handler per job kind (``@jobs.handler("screening")``): a module-level function taking
the Job (its ``params`` say what to do) and a ``report(done, total)`` callback. ``start`` records the Job and,
once the transaction commits, hands its id to the configured runner:

* ``celery`` — a Celery worker (``kechuang worker``) with RabbitMQ or Redis as broker (production);
* ``thread`` — a thread of the app server (the embedded demo, a one-server county);
* inline — within the request or command (``KECHUANG_JOBS_SYNC``: tests, the command line).

Status and progress live in the database, so pages follow a job whatever runs it, and a worker that
dies mid-job has its message delivered again (late acknowledgement) instead of losing it.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from contextlib import contextmanager

from celery import shared_task
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connection, connections, transaction
from django.utils import timezone

from core.models import Job

log = logging.getLogger(__name__)
JobFunction = Callable[[Job, Callable[[int, int], None]], dict]
_HANDLERS: dict[str, JobFunction] = {}


def handler(kind: str):
    """Register the function that runs jobs of ``kind`` (import-time, in the app that owns the work)."""

    def decorate(func: JobFunction) -> JobFunction:
        _HANDLERS[kind] = func
        return func

    return decorate


def has_handler(kind: str) -> bool:
    return kind in _HANDLERS


def start(*, kind: str, title: str, user=None, region=None, params: dict | None = None) -> Job:
    if kind not in _HANDLERS:
        raise LookupError(f"no job handler registered for {kind!r}")
    job = Job.objects.create(kind=kind, title=title, created_by=user, region=region, params=params or {})
    transaction.on_commit(lambda: _dispatch(job.pk))
    return job


_in_command = False


@contextmanager
def threaded_jobs_inline():
    """For a command: its process ends when it does, and a job on a daemon thread would end with it half
    done (a job queued by the demo's data, say), so inside this block the thread runner runs them inline.
    Restored afterwards: a command called from a running server or a test leaves the runner as it found it."""
    global _in_command
    before, _in_command = _in_command, True
    try:
        yield
    finally:
        _in_command = before


def runner() -> str:
    if getattr(settings, "KECHUANG_JOBS_SYNC", False):
        return "inline"
    mode = getattr(settings, "KECHUANG_JOBS", "thread")
    return "inline" if _in_command and mode == "thread" else mode


def _dispatch(job_id: int) -> None:
    mode = runner()
    if mode == "inline":
        run(job_id)
    elif mode == "celery":
        run_job.apply_async(args=[job_id], queue=getattr(settings, "KECHUANG_JOBS_QUEUE", "celery"))
    else:
        threading.Thread(target=_run_in_thread, args=(job_id,), daemon=True).start()


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        run(job_id)
    finally:
        # The thread ends here: its connections (Django keeps one per thread) would otherwise stay open
        # on PostgreSQL until garbage collection, CONN_MAX_AGE or not.
        connections.close_all()


@shared_task(name="kechuang.run_job", acks_late=True, reject_on_worker_lost=True)
def run_job(job_id: int) -> str:
    """The Celery task: run one recorded job in the worker."""
    close_old_connections()
    try:
        return run(job_id).status
    finally:
        close_old_connections()


def run(job_id: int) -> Job:
    """Run a recorded job once: a job already finished (a redelivered message) is left as it is."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            return job
        Job.objects.filter(pk=job_id).update(status=Job.Status.RUNNING, started_at=timezone.now())

    aside = _ProgressAside(job_id, outer=connection.in_atomic_block)

    def report(done: int, total: int) -> None:
        if not aside.report(done, total):
            Job.objects.filter(pk=job_id).update(progress=done, total=total)

    try:
        result = _HANDLERS[job.kind](job, report)
    except Exception as exc:  # noqa: BLE001 - a failed job must be recorded, whatever failed
        log.exception("job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            message=f"{exc}\n{traceback.format_exc(limit=5)}"[:4000],
        )
    else:
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.DONE, finished_at=timezone.now(), result=result or {}
        )
    finally:
        aside.close()
    job.refresh_from_db()
    return job


class _ProgressAside:
    """Progress from inside a handler's long transaction (a large import), seen by others while it runs.

    Within the transaction an update of the job would show only at its commit, so on PostgreSQL it goes
    through a second connection of its own. Never when the job itself runs inside a caller's transaction
    (inline, in tests): the job's row is not committed there, so the second connection could not see it.
    SQLite has one writer at a time: there the progress of the transaction's part shows at its end.
    """

    def __init__(self, job_id: int, *, outer: bool):
        self.job_id, self.outer, self.connection = job_id, outer, None

    def report(self, done: int, total: int) -> bool:
        if self.outer or not connection.in_atomic_block or connection.vendor != "postgresql":
            return False
        if self.connection is None:
            self.connection = connections.create_connection(DEFAULT_DB_ALIAS)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Job._meta.db_table} SET progress = %s, total = %s WHERE id = %s",
                [done, total, self.job_id],
            )
        return True

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
