from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect
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
