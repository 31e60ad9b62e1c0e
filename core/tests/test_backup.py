"""kechuang backup / restore: a round trip gives the same row counts and every file, byte for byte."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

from core.backup import _models


def counts():
    return {label: model._default_manager.count() for label, model in _models()}


@pytest.mark.django_db(transaction=True)
def test_round_trip_restores_every_row_and_file(reference, users, tmp_path, settings):
    from core.periods import Period
    from plans.models import Plan
    from tasks.models import IssuedReport
    from tasks.reporting import issue_report

    job = issue_report(plan=Plan.objects.get(code="PH315-2023"), period=Period.parse("2023Q4"),
                       user=users["ph_admin"])
    job.refresh_from_db()
    issued = IssuedReport.objects.get(pk=job.result["issued_report"])
    original = issued.docx.read()
    before = counts()
    archive = tmp_path / "b.zip"
    call_command("backup", str(archive), stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("backup", str(archive), stdout=io.StringIO())  # never overwrites
    # Lose everything: the database and the files.
    Plan.objects.filter(code="PH315-2023").delete()
    for path in (tmp_path / "media").rglob("*.docx"):
        path.unlink()
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(archive), stdout=io.StringIO())
    call_command("restore", str(archive), "--yes", stdout=io.StringIO())
    assert counts() == before
    restored = IssuedReport.objects.get(pk=issued.pk)
    assert restored.docx.read() == original


@pytest.mark.django_db
def test_a_tampered_archive_is_refused(tmp_path, reference):
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("manifest.json", '{"format": 1, "counts": {}, "files": {"a.docx": "0"}}')
        archive.writestr("data.json", "[]")
        archive.writestr("media/a.docx", b"changed")
    with pytest.raises(CommandError, match="与备份清单不符"):
        call_command("restore", str(bad), "--yes", stdout=io.StringIO())
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="不是有效的备份文件"):
        call_command("restore", str(tmp_path / "junk.zip"), "--yes", stdout=io.StringIO())
