"""Indicator data sources (数据来源设置) and the conflicts of fed figures (数据来源冲突): the plan's bureau only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core import feeds
from core.errors import BusinessError, NotAllowed
from plans.flow import PLAN_ADMIN_ONLY, is_plan_admin
from plans.models import Basis, FeedConflict, Indicator
from plans.queries import feed_conflicts, feed_settings
from plans.services import feeds as feed_service
from plans.views.common import visible_plan


def _managed_plan(request, code):
    plan = visible_plan(request, code)
    if not is_plan_admin(request.user, plan):
        raise PermissionDenied(_(PLAN_ADMIN_ONLY))
    return plan


@login_required
def settings_page(request, code):
    plan = _managed_plan(request, code)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "unbind":
                feed_service.unbind_feed(admin=request.user, binding_id=_int(request.POST.get("feed")))
                messages.success(request, _("已取消数据来源"))
            else:
                indicator = get_object_or_404(Indicator, plan=plan, code=request.POST.get("indicator", ""))
                feed_service.bind_feed(admin=request.user, indicator=indicator,
                                       basis=request.POST.get("basis", ""), source=request.POST.get("source", ""))
                messages.success(request, _("已设置数据来源，平台将在后台汇总并写入（与已有数据不一致时列入冲突待选择）"))
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except BusinessError as exc:
            return render(request, "plans/feed_settings.html", _settings_context(plan, str(exc)), status=400)
        return redirect("plans:feed-settings", plan.code)
    return render(request, "plans/feed_settings.html", _settings_context(plan))


def _settings_context(plan, error: str = "") -> dict:
    labels = dict(feeds.choices())
    return {"plan": plan, "rows": [(ind, [(b, labels.get(b.source, b.source)) for b in bindings])
                                   for ind, bindings in feed_settings(plan)],
            "sources": feeds.choices(), "bases": Basis.choices, "error": error,
            "title": _("指标数据来源")}


def _int(text) -> int:
    try:
        return int(text or "")
    except ValueError as exc:
        raise BusinessError(_("请选择一项"), field="feed") from exc


@login_required
def conflicts_page(request, code):
    plan = _managed_plan(request, code)
    if request.method == "POST":
        try:
            conflict_id = _int(request.POST.get("conflict"))
            if not FeedConflict.objects.filter(pk=conflict_id, indicator__plan=plan).exists():
                raise BusinessError(_("该冲突记录不存在"), field="conflict")
            feed_service.decide_conflict(admin=request.user, conflict_id=conflict_id,
                                         choice=request.POST.get("choice", ""))
            messages.success(request, _("已处理"))
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except BusinessError as exc:
            return render(request, "plans/feed_conflicts.html", _conflicts_context(plan, str(exc)), status=400)
        return redirect("plans:feed-conflicts", plan.code)
    return render(request, "plans/feed_conflicts.html", _conflicts_context(plan))


def _conflicts_context(plan, error: str = "") -> dict:
    labels = dict(feeds.choices())
    return {"plan": plan, "conflicts": [(c, labels.get(c.source, c.source)) for c in feed_conflicts(plan)],
            "error": error, "title": _("数据来源冲突"), "KEPT": FeedConflict.Decision.KEPT,
            "FED": FeedConflict.Decision.FED}
