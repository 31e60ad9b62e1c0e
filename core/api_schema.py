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
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
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
# Text the API takes: never a NUL byte; where blank is refused, at least one character that is not a space.
ANY_TEXT = r"^[^\x00]*$"
SOME_TEXT = r"^(?=[\s\S]*\S)[^\x00]*$"
# A period as the API names it (core.periods canonical form): 2024, 2024H1, 2024Q2, 2024-05.
PERIOD_PATTERN = r"^20[0-9]{2}(H[12]|Q[1-4]|-(0[1-9]|1[0-2]))?$"


def period_parameter(name: str = "period", *, required: bool = True) -> OpenApiParameter:
    return OpenApiParameter(name, str, required=required, pattern=PERIOD_PATTERN,
                            description="期间：2024、2024H1、2024Q2 或 2024-05")


def year_parameter(name: str = "year", *, required: bool = False) -> OpenApiParameter:
    return OpenApiParameter(name, {"type": "integer", "minimum": 2000, "maximum": 2100}, required=required,
                            description="年度，如 2024")


def date_parameter(name: str = "date") -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.DATE, description="日期，YYYY-MM-DD")


class KechuangAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ERROR_CODES + (BODY_ERROR_CODES if self.method in ("POST", "PUT", "PATCH") else ())
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(ERROR, code, direction=direction)
        return responses

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        plain_text = isinstance(field, serializers.CharField) and not isinstance(
            field, serializers.RegexField | serializers.EmailField | serializers.URLField)
        if direction == "request" and plain_text and "pattern" not in schema:
            # DRF refuses NUL bytes, and blank text (after trimming) where blank is not allowed.
            schema["pattern"] = (ANY_TEXT if field.allow_blank else SOME_TEXT if field.trim_whitespace
                                 else ANY_TEXT)
            if not field.allow_blank:
                schema.setdefault("minLength", 1)
        return schema

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
