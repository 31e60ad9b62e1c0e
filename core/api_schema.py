"""The OpenAPI schema says what the API really answers.

Every operation can be refused in the one error shape of ``core.api.exception_handler``: bad input (400),
no or a wrong token (401), outside the user's scope (403), unknown record (404), an ``Accept`` the API
cannot serve (406), a stale version or a record still referenced (409), throttled (429); operations with
a body also by size (413) and media type (415). Declaring these once here, rather than on each view,
keeps the schema true for views added later.
"""

from __future__ import annotations

import re

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers


class ErrorItem(serializers.Serializer):
    field = serializers.CharField(allow_null=True, required=False, help_text="出错的字段；整条记录的问题为 null")
    row = serializers.IntegerField(required=False, help_text="导入时出错的行号（表头为第1行）")
    column = serializers.CharField(required=False, allow_blank=True, help_text="导入时出错的列")
    message = serializers.CharField(help_text="中文说明")


class ApiError(serializers.Serializer):
    errors = ErrorItem(many=True)
    detail = serializers.CharField(required=False)


ERROR = OpenApiResponse(ApiError, description="请求被拒绝，原因见 errors")
ERROR_CODES = ("400", "401", "403", "404", "406", "409", "429")
BODY_ERROR_CODES = ("413", "415")
# Endpoints that answer a bare JSON array, declared once for the views that return one.
OBJECT_LIST = OpenApiResponse({"type": "array", "items": {"type": "object", "additionalProperties": {}}},
                              description="对象列表（不分页）")
# An import is a file upload and nothing else; its contents are checked row by row, not by the schema.
IMPORT_BODY = {"multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}},
                                       "required": ["file"]}}
IMPORTED = inline_serializer("Imported", {"imported": serializers.IntegerField()})
CJK = re.compile(r"[\u4e00-\u9fff]")


class KechuangAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ERROR_CODES + (BODY_ERROR_CODES if self.method in ("POST", "PUT", "PATCH") else ())
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(ERROR, code, direction=direction)
        return responses

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        if getattr(serializer, "closed", False):  # the view refuses any name it does not know
            schema["additionalProperties"] = False
        return schema

    def get_description(self) -> str:
        # Docstrings explain the code to its developers in English; the API's readers get the Chinese
        # descriptions given with extend_schema, or the view's Chinese docstring (registry view sets).
        description = super().get_description()
        return description if CJK.search(description or "") else ""
