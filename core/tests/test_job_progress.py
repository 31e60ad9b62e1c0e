"""Progress reported from inside a job's own long transaction (a large import's write) is seen while it runs."""

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from core import jobs
from core.models import Job


@jobs.handler("progress-probe")
def _probe(job: Job, report) -> dict:
    with transaction.atomic():
        report(5, 10)
        other = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with other.cursor() as cursor:
                cursor.execute(f"SELECT progress FROM {Job._meta.db_table} WHERE id = %s", [job.pk])
                found = cursor.fetchone()
                seen = found[0] if found else None  # None: the row is not committed yet
        finally:
            other.close()
    return {"seen": seen}


@pytest.mark.django_db(transaction=True)
def test_progress_inside_the_handlers_transaction_is_seen_by_others_on_postgresql():
    job = Job.objects.create(kind="progress-probe", title="probe")
    done = jobs.run(job.pk)
    assert done.status == Job.Status.DONE, done.message
    # PostgreSQL: through a second connection, at once. SQLite (one writer at a time): at the commit.
    assert done.result["seen"] == (5 if connection.vendor == "postgresql" else 0)
    assert (done.progress, done.total) == (5, 10)


@pytest.mark.django_db
def test_a_job_run_inside_a_callers_transaction_reports_in_it():
    job = Job.objects.create(kind="progress-probe", title="probe")
    done = jobs.run(job.pk)  # the test's transaction: the job's row is not committed, so no second connection
    assert done.status == Job.Status.DONE and (done.progress, done.total) == (5, 10)


def test_a_command_runs_thread_jobs_inline_only_while_it_runs(settings):
    from core import jobs

    settings.KECHUANG_JOBS_SYNC = False
    settings.KECHUANG_JOBS = "thread"
    assert jobs.runner() == "thread"
    with jobs.threaded_jobs_inline():
        assert jobs.runner() == "inline"
        with jobs.threaded_jobs_inline():
            assert jobs.runner() == "inline"
        assert jobs.runner() == "inline"
    # A server or a test that called the command keeps its thread runner afterwards.
    assert jobs.runner() == "thread"
    settings.KECHUANG_JOBS = "celery"
    with jobs.threaded_jobs_inline():
        assert jobs.runner() == "celery"  # Celery workers outlive the command
