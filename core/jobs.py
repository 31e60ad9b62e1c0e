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

from celery import shared_task
from django.conf import settings
from django.db import close_old_connections, transaction
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


def start(*, kind: str, title: str, user=None, region=None, params: dict | None = None) -> Job:
    if kind not in _HANDLERS:
        raise LookupError(f"no job handler registered for {kind!r}")
    job = Job.objects.create(kind=kind, title=title, created_by=user, region=region, params=params or {})
    transaction.on_commit(lambda: _dispatch(job.pk))
    return job


def runner() -> str:
    if getattr(settings, "KECHUANG_JOBS_SYNC", False):
        return "inline"
    return getattr(settings, "KECHUANG_JOBS", "thread")


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
        close_old_connections()


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

    def report(done: int, total: int) -> None:
        Job.objects.filter(pk=job_id).update(progress=done, total=total)

    try:
        result = _HANDLERS[job.kind](job, report)
    except Exception as exc:  # noqa: BLE001 - a failed job must be recorded, whatever failed
        log.exception("job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(status=Job.Status.FAILED, finished_at=timezone.now(),
                                             message=f"{exc}\n{traceback.format_exc(limit=5)}"[:4000])
    else:
        Job.objects.filter(pk=job_id).update(status=Job.Status.DONE, finished_at=timezone.now(),
                                             result=result or {})
    job.refresh_from_db()
    return job
