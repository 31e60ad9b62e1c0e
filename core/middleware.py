"""Request-level guards that must run before a view reads anything."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
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
