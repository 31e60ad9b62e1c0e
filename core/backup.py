"""Backup and restore of the whole platform: every table (database-independent JSON) and every uploaded or
generated file, in one .zip with a manifest of row counts and file digests that the restore checks.

The archive restores into any supported database (a SQLite demo into PostgreSQL too); the restore refuses an
archive whose manifest does not match what it holds, and checks the counts after loading.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import management
from django.db import transaction

EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]
FORMAT = 1


class BackupError(Exception):
    """The archive cannot be restored; the message says why (in Chinese, for the operator)."""


def _models():
    skip = {e.lower() for e in EXCLUDED}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in skip or model._meta.app_label in skip or model._meta.proxy or not model._meta.managed:
            continue
        yield label, model


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def backup(target: Path) -> dict:
    """Write the archive; returns its manifest."""
    buffer = io.StringIO()
    management.call_command("dumpdata", *[f"--exclude={e}" for e in EXCLUDED], natural_foreign=True,
                            natural_primary=False, format="json", stdout=buffer)
    media = Path(settings.MEDIA_ROOT)
    manifest = {"format": FORMAT, "counts": {label: model._default_manager.count() for label, model in _models()},
                "files": {}}
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", buffer.getvalue())
        if media.exists():
            for path in sorted(p for p in media.rglob("*") if p.is_file()):
                relative = path.relative_to(media).as_posix()
                data = path.read_bytes()
                manifest["files"][relative] = _digest(data)
                archive.writestr(f"media/{relative}", data)
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


def restore(source: Path) -> dict:
    """Replace everything with the archive's content (database and files); returns the manifest."""
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BackupError(f"不是有效的备份文件：{exc}") from exc
    with archive:
        names = set(archive.namelist())
        if not {"manifest.json", "data.json"} <= names:
            raise BackupError("备份文件缺少 manifest.json 或 data.json")
        manifest = json.loads(archive.read("manifest.json"))
        if manifest.get("format") != FORMAT:
            raise BackupError(f"不支持的备份格式：{manifest.get('format')}")
        for relative, digest in manifest["files"].items():
            if _digest(archive.read(f"media/{relative}")) != digest:
                raise BackupError(f"文件 {relative} 与备份清单不符")
        data = archive.read("data.json")
        fixture = Path(settings.DATA_DIR if hasattr(settings, "DATA_DIR") else source.parent)
        fixture.mkdir(parents=True, exist_ok=True)
        fixture_path = fixture / "restore-data.json"
        fixture_path.write_bytes(data)
        try:
            with transaction.atomic():
                management.call_command("flush", interactive=False, verbosity=0)
                management.call_command("loaddata", str(fixture_path), verbosity=0)
                counts = {label: model._default_manager.count() for label, model in _models()}
                wrong = {k: (v, counts.get(k)) for k, v in manifest["counts"].items() if counts.get(k) != v}
                if wrong:
                    raise BackupError(f"恢复后的记录数与备份不符：{wrong}")
        finally:
            fixture_path.unlink(missing_ok=True)
        media = Path(settings.MEDIA_ROOT)
        for relative in manifest["files"]:
            path = media / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(archive.read(f"media/{relative}"))
    # Cached answers are keyed by data versions, which the restore sets back to the archive's: an answer
    # cached before it under the same numbers may be of other data.
    from django.core.cache import caches

    caches["default"].clear()
    return manifest
