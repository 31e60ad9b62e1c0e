"""One API view for every programme's list documents (``…/{kind}.{fmt}``): readers of a region only, and a
record outside the user's scope is the API's 404, not a page's."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from core import roles
from core.errors import Missing, NotAllowed


class DocumentView(APIView):
    respond = None  # (user, code, kind, fmt) → the download; raises Http404 for an unknown record or kind

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
                   description="名单文档下载：fmt 为 xlsx（Excel）或 docx（Word）")
    def get(self, request, code: str, kind: str, fmt: str):
        if not roles.reads_region(request.user):
            raise NotAllowed(_("无权下载"))
        try:
            return type(self).respond(request.user, code, kind, fmt)
        except Http404 as exc:
            raise Missing(str(exc) or _("找不到该记录，或不在您的管辖范围内")) from exc
