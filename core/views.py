from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_POST

from core.accounts import reset_password
from core.errors import BusinessError
from core.forms import ThrottledLoginForm
from core.models import User
from core.navigation import home_url_name


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
    target = home_url_name(user)
    return redirect(target or "profile")


def health(request):
    """A liveness check for the proxy (and the benchmark's floor): the app answers and the database too."""
    from django.db import connection
    from django.http import JsonResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def profile(request):
    if not request.user.is_authenticated:
        return redirect("login")
    return render(request, "core/profile.html", {"title": "我的账户"})



class PasswordChange(PasswordChangeView):
    """Every user changes their own password (the policy of core.passwords applies)."""

    template_name = "core/password_form.html"
    success_url = reverse_lazy("profile")
    extra_context = {"title": "修改密码"}

    def form_valid(self, form):
        messages.success(self.request, "密码已修改")
        return super().form_valid(form)


class _ResetForm(forms.Form):
    password = forms.CharField(label="新密码", strip=False, max_length=128,
                               widget=forms.PasswordInput(attrs={"class": "form-control"}))


@login_required
def password_reset(request, pk):
    """A bureau admin sets a new password for a user of its region."""
    target = get_object_or_404(User.objects.restrict(request.user, "change"), pk=pk)
    form = _ResetForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            reset_password(actor=request.user, target=target, password=form.cleaned_data["password"])
        except BusinessError as exc:
            form.add_error("password", str(exc))
        else:
            messages.success(request, f"已重置 {target.username} 的密码")
            return redirect("registry:users-detail", target.pk)
    if form.errors:
        status = 400
    return render(request, "core/password_form.html",
                  {"title": f"重置密码：{target.username}", "form": form}, status=status)


@login_required
def site_search(request):
    from core.search import search

    term = request.GET.get("q", "")
    return render(request, "core/search.html", {"title": "搜索", "term": term[:100],
                                                "groups": search(request.user, term)})


@login_required
def job_status(request, pk):
    """A job's progress as a fragment that asks again every two seconds until the job has finished."""
    from core.models import Job

    job = get_object_or_404(Job.objects.restrict(request.user), pk=pk)
    return render(request, "core/_job.html", {"job": job})


@login_required
def import_job(request, pk):
    """A large import's page: the job's progress, then what came of it (the count, or every problem by row).

    The result part asks again every two seconds until the job has finished (``?part=result`` returns it
    alone), so neither it nor the progress above it needs a reload.
    """
    from core import import_jobs
    from core.models import Job

    job = get_object_or_404(Job.objects.restrict(request.user), pk=pk, kind="import")
    context = {"title": _("导入进度"), "job": job, "summary": import_jobs.summary(job),
               "problems": job.result.get("errors") or [], "back_url": job.params.get("back", "")}
    if request.GET.get("part") == "result":
        return render(request, "core/_import_result.html", context)
    return render(request, "core/import_job.html", context)


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
