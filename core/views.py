from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_POST

from core.filters import OrgUnitFilter
from core.forms import ThrottledLoginForm
from core.generic import ObjectListView
from core.models import OrgUnit
from core.roles import Role
from core.tables import OrgUnitTable


class KechuangLoginView(LoginView):
    template_name = "core/login.html"
    authentication_form = ThrottledLoginForm
    redirect_authenticated_user = True


@require_POST
def logout_view(request):
    logout(request)
    return redirect("login")


def home(request):
    """Each role lands where its work is."""
    user = request.user
    if not user.is_authenticated:
        return redirect("login")
    if user.role == Role.UNIT_REPORTER:
        return redirect("tasks:my-tasks")
    if user.role == Role.TOWN_REPORTER:
        return redirect("plans:report-go")
    if user.role in (Role.BUREAU_ADMIN, Role.LEADER, Role.SYSADMIN) or user.is_superuser:
        return redirect("plans:go")
    return redirect("profile")


def health(request):
    """A liveness check for the proxy (and the benchmark's floor): the app answers and the database too."""
    from django.db import connection
    from django.http import JsonResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def profile(request):
    from django.shortcuts import render

    if not request.user.is_authenticated:
        return redirect("login")
    return render(request, "core/profile.html", {"title": "我的账户"})


class OrgUnitList(ObjectListView):
    queryset = OrgUnit.objects.select_related("region", "parent")
    table_class = OrgUnitTable
    filterset_class = OrgUnitFilter
    title = "组织单位"
    export_name = "org-units"


# --- error handlers (kechuang/urls.py): JSON in the API's error shape under /api/, the Chinese pages elsewhere


def _api_error(request, message: str, status: int):
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": [{"field": None, "message": message}]}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    return None


def page_not_found(request, exception=None):
    return (_api_error(request, _("请求的接口或数据不存在"), 404)
            or defaults.page_not_found(request, exception))


def permission_denied(request, exception=None):
    return _api_error(request, _("无权操作"), 403) or defaults.permission_denied(request, exception)


def bad_request(request, exception=None):
    return _api_error(request, _("请求有误"), 400) or defaults.bad_request(request, exception)


def server_error(request):
    return (_api_error(request, _("系统错误：服务器处理请求时出错，请稍后再试"), 500)
            or defaults.server_error(request))
