"""Large imports run as background jobs, small ones within the request as before.

An upload of more than ``KECHUANG_IMPORT_JOB_ROWS`` rows would keep the request open for minutes, past any
reverse proxy's timeout. Such a file is saved to the uploads area (``imports/`` under MEDIA_ROOT) and a job
of kind ``import`` runs the same importer on it: the same checks, all or nothing in one transaction, and a
result that is either the count written or every problem by row and column.

An app registers each importer once under a name (``register("enterprises", import_enterprises)``); the
job names it in its parameters, so a Celery worker finds the same function.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from core import jobs
from core.errors import BusinessError, ImportRejected
from core.models import Job
from core.tabular import count_rows

DEFAULT_JOB_ROWS = 2000
FOLDER = "imports"


@dataclass(frozen=True)
class Importer:
    run: Callable[..., dict]  # (user=, name=, data=, progress=) -> {"created": n, "updated": m}
    check: Callable[[object], None] | None = None  # raises NotAllowed before anything is queued


_IMPORTERS: dict[str, Importer] = {}


def register(key: str, run: Callable[..., dict], *, check: Callable[[object], None] | None = None) -> None:
    _IMPORTERS[key] = Importer(run, check)


def job_rows() -> int:
    return int(getattr(settings, "KECHUANG_IMPORT_JOB_ROWS", DEFAULT_JOB_ROWS))


def wants_job(name: str, data: bytes) -> bool:
    """Whether an upload is large enough to run as a job (rows in its sheet, a cheap count)."""
    return count_rows(name, data) > job_rows()


def start_import(*, key: str, title: str, user, name: str, data: bytes, back_url: str = "") -> Job:
    """Save the upload and queue its import; the importer's own access check runs first, in the request."""
    importer = _IMPORTERS[key]
    if importer.check is not None:
        importer.check(user)
    extension = os.path.splitext(name)[1].lower()[:8]
    stored = default_storage.save(
        f"{FOLDER}/{timezone.localdate():%Y%m}/{uuid.uuid4().hex}{extension}", ContentFile(data)
    )
    return jobs.start(
        kind="import",
        title=title,
        user=user,
        region=getattr(user, "scope_region", None),
        params={"importer": key, "file": stored, "name": name[:200], "back": back_url},
    )


def problem_json(problem) -> dict:
    """A row problem in the API's import error shape (also what the job page lists)."""
    return {
        "row": problem.row,
        "column": problem.column,
        "message": problem.message,
        "fix_url": getattr(problem, "fix_url", ""),
    }


@jobs.handler("import")
def _import_job(job: Job, report) -> dict:
    importer = _IMPORTERS[job.params["importer"]]
    stored = job.params["file"]
    with default_storage.open(stored, "rb") as handle:
        data = handle.read()
    try:
        result = importer.run(user=job.created_by, name=job.params["name"], data=data, progress=report)
    except ImportRejected as exc:
        outcome = {"imported": 0, "errors": [problem_json(p) for p in exc.problems]}
    except BusinessError as exc:  # e.g. an enterprise outside the importer's scope: nothing was written
        outcome = {
            "imported": 0,
            "errors": [{"row": 0, "column": "", "message": m.message, "fix_url": ""} for m in exc.problems],
        }
    else:
        outcome = {**result, "imported": result.get("created", 0) + result.get("updated", 0), "errors": []}
    # The upload holds enterprises' figures: it is kept no longer than its import needs it. A job that
    # failed unexpectedly keeps its file, so the cause can be looked into.
    default_storage.delete(stored)
    return outcome


def summary(job: Job) -> str:
    """One line for the job page and notifications."""
    if not job.finished:
        return ""
    if job.status == Job.Status.FAILED:
        return _("导入出错，未导入任何数据，请联系管理员")
    errors = job.result.get("errors") or []
    if errors:
        return _("文件 %(name)s 有 %(n)s 处问题，未导入任何数据：") % {
            "name": job.params.get("name", ""),
            "n": len(errors),
        }
    return _("导入成功：%(n)s条") % {"n": job.result.get("imported", 0)}
