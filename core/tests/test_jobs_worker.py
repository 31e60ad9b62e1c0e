"""A job through a real Celery worker and broker: the worker is a separate process on the same database."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.db import connection

from core import jobs
from core.models import Job

BROKER = "redis://127.0.0.1:6379/15"


def _broker_up() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def _database_url() -> str | None:
    """The test database as another process reaches it; None for an in-memory SQLite database."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
        return f"postgres://{db['USER'] or 'postgres'}@{host}:{port}/{db['NAME']}"
    name = str(db["NAME"])
    if "memory" in name or not name:
        return None
    return f"sqlite:///{name}"


@pytest.fixture
def worker(tmp_path, settings):
    url = _database_url()
    if url is None:
        pytest.skip("the SQLite test database is in memory: a worker process cannot share it")
    if not _broker_up():
        pytest.skip("no Redis broker on 127.0.0.1:6379")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": url, "KECHUANG_BROKER_URL": BROKER, "KECHUANG_JOBS": "celery",
           "KECHUANG_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "kechuang", "worker", "--pool=solo", "-Q", queue,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    from kechuang.celery import app

    app.conf.broker_url = BROKER
    settings.KECHUANG_JOBS_SYNC = False
    settings.KECHUANG_JOBS = "celery"
    settings.KECHUANG_JOBS_QUEUE = queue
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.django_db(transaction=True)
def test_a_report_job_runs_in_a_celery_worker(reference, users, worker):
    from core.periods import Period
    from plans.models import Plan
    from tasks.models import IssuedReport
    from tasks.reporting import issue_report

    job = issue_report(plan=Plan.objects.get(code="PH315-2023"), period=Period.parse("2023Q4"),
                       user=users["ph_admin"])  # no atomic block: committed at once, the broker gets it
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            break
        time.sleep(0.5)
    assert worker.poll() is None, worker.stdout.read()
    assert job.status == Job.Status.DONE, job.message
    assert job.percent == 100 and job.progress == job.total == 3
    issued = IssuedReport.objects.get(pk=job.result["issued_report"])
    assert issued.job_id == job.pk and issued.docx.name.endswith(".docx")


@pytest.mark.django_db
def test_a_finished_job_delivered_again_is_not_run_twice(users):
    job = Job.objects.create(kind="progress_report", title="x", status=Job.Status.DONE, params={"plan": "none"})
    assert jobs.run(job.pk).status == Job.Status.DONE  # the handler would fail on plan "none"


def test_a_job_kind_without_handler_is_refused():
    with pytest.raises(LookupError):
        jobs.start(kind="no-such-kind", title="x")


@pytest.mark.django_db
def test_progress_fragment_polls_until_the_job_finishes_and_is_scoped(users, login_as):
    from core.models import Region

    job = Job.objects.create(kind="screening", title="评测", status=Job.Status.RUNNING, progress=40, total=100,
                             region=Region.objects.get(code="330482"), created_by=users["ph_admin"])
    html = login_as("ph_leader").get(f"/jobs/{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in html and "进行中 40%（40/100）" in html
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE)
    html = login_as("ph_admin").get(f"/jobs/{job.pk}/").content.decode()
    assert "hx-trigger" not in html and "已完成 100%" in html
    for outsider in ("js_admin", "ph_danghu", "demo_qiye"):
        assert login_as(outsider).get(f"/jobs/{job.pk}/").status_code == 404
