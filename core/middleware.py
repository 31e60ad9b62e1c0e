"""Request-level guards that must run before a view reads anything."""

from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

DEFAULT_UPLOAD_MAX_BYTES = 20 * 1024 * 1024


def upload_limit() -> int:
    return getattr(settings, "KECHUANG_UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES)


class RequestSizeLimit:
    """Refuse a body larger than KECHUANG_UPLOAD_MAX_BYTES from its Content-Length, before it is read.

    Without this Django would stream a huge upload to a temporary file first and only the import would
    notice it was too large.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = upload_limit()
        if length > limit:
            message = _("上传内容过大（%(size)sMB），最大允许%(limit)sMB") % {
                "size": round(length / (1024 * 1024), 1), "limit": round(limit / (1024 * 1024), 1)}
            if request.path.startswith("/api/"):
                return JsonResponse({"errors": [{"field": None, "message": message}]}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def database_busy(exc: Exception) -> bool:
    """SQLite's "database is locked": another write held the lock longer than the busy timeout."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


BUSY_MESSAGE = "系统繁忙：其他用户正在保存数据，本次操作未保存，请稍后重试"


class DatabaseBusy:
    """A write that lost the race for SQLite's lock is a 409 the user can retry, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not database_busy(exception):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"errors": [{"field": None, "message": _(BUSY_MESSAGE)}]}, status=409)
        return HttpResponse(render_to_string("409.html", {"message": _(BUSY_MESSAGE)}), status=409)
