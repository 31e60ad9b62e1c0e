"""Background jobs with progress, run in-process by default.

A job function receives the Job and a ``report(done, total)`` callback. In-process mode (the default, for
a single-server deployment) runs it on a thread; tests and the command line run it right away
(``KECHUANG_JOBS_SYNC``). A worker queue can replace ``_dispatch`` without touching callers.
"""

import logging
import threading
import traceback
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from core.models import Job

log = logging.getLogger(__name__)
JobFunction = Callable[[Job, Callable[[int, int], None]], dict]


def start(*, kind: str, title: str, func: JobFunction, user=None, region=None, params: dict | None = None) -> Job:
    job = Job.objects.create(kind=kind, title=title, created_by=user, region=region, params=params or {})
    transaction.on_commit(lambda: _dispatch(job.pk, func))
    return job


def _dispatch(job_id: int, func: JobFunction) -> None:
    if getattr(settings, "KECHUANG_JOBS_SYNC", False):
        run(job_id, func)
        return
    threading.Thread(target=_run_in_thread, args=(job_id, func), daemon=True).start()


def _run_in_thread(job_id: int, func: JobFunction) -> None:
    close_old_connections()
    try:
        run(job_id, func)
    finally:
        close_old_connections()


def run(job_id: int, func: JobFunction) -> Job:
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job_id).update(status=Job.Status.RUNNING, started_at=timezone.now())

    def report(done: int, total: int) -> None:
        Job.objects.filter(pk=job_id).update(progress=done, total=total)

    try:
        result = func(job, report)
    except Exception as exc:  # noqa: BLE001 - a failed job must be recorded, whatever failed
        log.exception("job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(status=Job.Status.FAILED, finished_at=timezone.now(),
                                             message=f"{exc}\n{traceback.format_exc(limit=5)}"[:4000])
    else:
        Job.objects.filter(pk=job_id).update(status=Job.Status.DONE, finished_at=timezone.now(),
                                             result=result or {})
    job.refresh_from_db()
    return job
