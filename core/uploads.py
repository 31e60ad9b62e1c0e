"""Attachments users upload as evidence (key tasks, performance tables …): the file types accepted and the
size limit, checked before anything is stored."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.errors import BusinessError

ALLOWED_UPLOADS = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".txt", ".zip", ".wps", ".et"}
MAX_UPLOAD = 20 * 1024 * 1024


def checked_upload(upload, field: str = "attachments") -> tuple[str, str]:
    """The uploaded file's own name (no folders) and its lower-case suffix; refused when not accepted."""
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].replace("\x00", "")
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if suffix not in ALLOWED_UPLOADS:
        raise BusinessError(_("不支持的文件类型“%(suffix)s”") % {"suffix": (suffix or name)[:20]}, field=field)
    if upload.size > MAX_UPLOAD:
        raise BusinessError(_("文件不能超过20MB"), field=field)
    return name[:200], suffix
