"""API plumbing shared by every app: error shape and the exception handler."""

import datetime
import re

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import BusinessError, Conflict, ImportRejected, Missing, NotAllowed
from core.middleware import BUSY_MESSAGE, database_busy


def problems_response(error: BusinessError) -> Response:
    code = status.HTTP_400_BAD_REQUEST
    if isinstance(error, NotAllowed):
        code = status.HTTP_403_FORBIDDEN
    elif isinstance(error, Conflict):
        code = status.HTTP_409_CONFLICT
    elif isinstance(error, Missing):
        code = status.HTTP_404_NOT_FOUND
    return Response({"errors": [{"field": p.field, "message": p.message} for p in error.problems]}, status=code)


def ratio(value) -> float | None:
    """A fraction as JSON (0.5 means 50%)."""
    return float(value) if value is not None else None


def number(value) -> int | float | None:
    """A Decimal as a JSON number without the column's padding: 12.500000 → 12.5, 80.000000 → 80."""
    if value is None:
        return None
    return float(value.normalize()) if value != value.to_integral_value() else int(value)


ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def query_date(request, name: str = "date") -> datetime.date:
    """``?date=YYYY-MM-DD`` (today when left out); anything else, also an empty value, is a 400."""
    text = request.query_params.get(name)
    if text is None:
        return timezone.localdate()
    try:
        if not ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise BusinessError(_("日期应写作YYYY-MM-DD"), field=name) from exc


def query_year(request, name: str = "year") -> int:
    """A required year in the query string, 2000—2100."""
    text = request.query_params.get(name)
    if text is None or not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise BusinessError(_("年度应为2000—2100之间的整数"), field=name)
    return int(text)


def query_region(request, name: str = "region") -> str:
    """An optional region code in the query string (digits only); the user's own scope when absent."""
    text = request.query_params.get(name) or ""
    if text and (not text.isdigit() or len(text) > 12):
        raise BusinessError(_("区域代码应为数字"), field=name)
    return text or (request.user.scope_prefix or "")


def invalid(form) -> Response:
    """A serializer's errors in the API's one shape, as a 400."""
    return Response({"errors": [{"field": f, "message": "；".join(str(m) for m in msgs)}
                                for f, msgs in form.errors.items()]}, status=status.HTTP_400_BAD_REQUEST)


def _flatten(detail, field=None) -> list[dict]:
    if isinstance(detail, dict):
        return [item for key, value in detail.items()
                for item in _flatten(value, None if key == "non_field_errors" else key)]
    if isinstance(detail, list):
        return [item for value in detail for item in _flatten(value, field)]
    return [{"field": field, "message": str(detail)}]


def exception_handler(exc, context):
    """Every refusal in one shape: ``{"errors": [{"field", "message"}]}`` (imports: row and column)."""
    if isinstance(exc, BusinessError):
        return problems_response(exc)
    if isinstance(exc, ImportRejected):
        return Response(
            {"errors": [{"row": p.row, "column": p.column, "message": p.message} for p in exc.problems]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, PermissionDenied):
        return Response({"errors": [{"field": None, "message": str(exc) or "无权操作"}]},
                        status=status.HTTP_403_FORBIDDEN)
    if database_busy(exc):
        return Response({"errors": [{"field": None, "message": BUSY_MESSAGE}]}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ParseError):
        # DRF's text quotes the parser in English ("Out of range float values are not JSON compliant").
        message = "请求内容不是有效的JSON（数字不能为NaN、Infinity或超出范围）"
        return Response({"errors": [{"field": None, "message": message}]},
                        status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict | list) and "errors" not in response.data:
        detail = response.data
        response.data = {"errors": _flatten(detail)}
        if isinstance(detail, dict) and "detail" in detail:
            response.data["detail"] = detail["detail"]
    return response


# --- endpoints -------------------------------------------------------------------------------------
from django.contrib.auth import authenticate  # noqa: E402
from drf_spectacular.utils import extend_schema, inline_serializer  # noqa: E402
from rest_framework import serializers  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402
from rest_framework.permissions import AllowAny  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

from core.models import ChangeRecord  # noqa: E402
from core.throttle import client_address, login_blocked, login_failed, login_succeeded  # noqa: E402


class TokenRequest(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenView(APIView):
    """Exchange a username and password for an API token (throttled like the login page)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=TokenRequest, responses=inline_serializer("Token", {"token": serializers.CharField()}))
    def post(self, request):
        form = TokenRequest(data=request.data)
        if not form.is_valid():
            return invalid(form)
        username, address = form.validated_data["username"], client_address(request)
        if login_blocked(username, address):
            return Response({"errors": [{"field": None, "message": "登录失败次数过多，请15分钟后再试"}]},
                            status=status.HTTP_429_TOO_MANY_REQUESTS)
        user = authenticate(request, username=username, password=form.validated_data["password"])
        if user is None or not user.is_active:
            login_failed(username, address)
            return Response({"errors": [{"field": None, "message": "用户名或密码错误"}]},
                            status=status.HTTP_400_BAD_REQUEST)
        login_succeeded(username, address)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class ChangeRecordSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name")

    class Meta:
        model = ChangeRecord
        fields = ["id", "at", "actor", "action", "before", "after", "note"]
