"""A call's collective steps, each one project's own step on the engine, all in one transaction: send the
qualified applications to one review round (experts assigned automatically, conflicts excluded), take the
scores back, publish the 拟立项 list (the rest 未立项), and the call's figures."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core import publicity, review, roles
from core import workflow as engine
from core.errors import BusinessError, Missing, NotAllowed
from projects.flow import PROJECT_FLOW
from projects.models import ESTABLISHED, Call, Project, Status

NOTICE_COLUMNS = [("title", "项目名称"), ("enterprise", "承担单位"), ("tier", "类别"), ("score", "评审得分"),
                  ("amount", "拟补助（元）")]


def visible_call(user, code: str) -> Call:
    call = Call.objects.restrict(user).select_related("region", "sheet").filter(code=code).first()
    if call is None:
        raise Missing(_("找不到该指南，或不在您的管辖范围内"))
    return call


def _managed(user, code: str) -> Call:
    call = visible_call(user, code)
    if not roles.manages_region(user, call.region.code):
        raise NotAllowed(_("只有本地区科技局管理员可以办理"))
    return call


def _projects(call: Call, status: str) -> list[Project]:
    return list(Project.objects.filter(call=call, status=status).select_related("enterprise", "region", "call")
                .order_by("code"))


@transaction.atomic
def open_review(*, actor, code: str, due_on: datetime.date, per_subject: int = 3) -> dict:
    """One round for every qualified application of the call, experts assigned least-loaded first."""
    call = _managed(actor, code)
    if call.sheet_id is None:
        raise BusinessError(_("该指南未设评分表"))
    if due_on <= timezone.localdate():
        raise BusinessError(_("评审截止日期应晚于今天"), field="due_on")
    if not 1 <= per_subject <= 9:
        raise BusinessError(_("每个项目的评审专家应为1—9人"), field="per_subject")
    projects = _projects(call, Status.QUALIFIED)
    if not projects:
        raise BusinessError(_("没有形式审查通过、待评审的申报"))
    round_ = review.open_round(
        actor=actor, title=_("%(title)s专家评审") % {"title": call.title}, programme="科技计划项目",
        sheet=call.sheet, due_on=due_on,
        subjects=[(p, {"title": p.title, "applicant_name": p.enterprise.name, "applicant_uscc": p.enterprise.uscc,
                       "fields": [p.field] if p.field else []}) for p in projects])
    Project.objects.filter(pk__in=[p.pk for p in projects]).update(review_round=round_)
    for project in projects:
        engine.perform(PROJECT_FLOW, project, actor, "send_to_review")
    assigned = review.auto_assign(actor=actor, round_=round_, per_subject=per_subject)
    return {"round": round_, "projects": len(projects), "assigned": assigned}


@transaction.atomic
def take_scores(*, actor, code: str) -> int:
    """Every application whose experts have all scored takes its score; the others wait."""
    call = _managed(actor, code)
    taken = 0
    for project in _projects(call, Status.REVIEWING):
        try:
            with transaction.atomic():
                engine.perform(PROJECT_FLOW, project, actor, "take_scores")
            taken += 1
        except BusinessError:
            continue  # not all of its experts have scored yet
    return taken


@transaction.atomic
def publish_shortlist(*, actor, code: str, selected: list[str], amounts: dict[str, str] | None = None,
                      working_days: int = 5, starts_on: datetime.date | None = None) -> dict:
    """The 拟立项 list: the selected reviewed applications are published (with the proposed amount), the other
    reviewed ones are 未立项 with the reason."""
    call = _managed(actor, code)
    reviewed = {p.code: p for p in _projects(call, Status.REVIEWED)}
    unknown = [c for c in selected if c not in reviewed]
    if unknown:
        raise BusinessError(_("以下项目不是本指南评审完成的申报：%(c)s") % {"c": "、".join(unknown[:5])},
                            field="selected")
    if not selected:
        raise BusinessError(_("请选择拟立项的项目"), field="selected")
    if call.quota and len(selected) > call.quota:
        raise BusinessError(_("拟立项%(n)s个，超过名额%(q)s个") % {"n": len(selected), "q": call.quota},
                            field="selected")
    amounts = amounts or {}
    chosen = [reviewed[c] for c in selected]
    items = [(p, {"title": p.title, "enterprise": p.enterprise.name, "tier": p.get_tier_display(),
                  "score": f"{p.review_score}", "amount": amounts.get(p.code) or f"{p.requested:.2f}"})
             for p in chosen]
    notice = publicity.open_notice(
        actor=actor, title=_("%(title)s拟立项项目公示") % {"title": call.title}, programme="科技计划项目",
        region=call.region, columns=NOTICE_COLUMNS, items=items, starts_on=starts_on, working_days=working_days,
        body=_("经形式审查、专家评审，拟立项%(n)s项，现予公示。") % {"n": len(chosen)})
    Project.objects.filter(pk__in=[p.pk for p in chosen]).update(notice=notice)
    for project in chosen:
        engine.perform(PROJECT_FLOW, project, actor, "publicise")
    left = [p for c, p in reviewed.items() if c not in selected]
    for project in left:
        engine.perform(PROJECT_FLOW, project, actor, "not_select", opinion=_("未列入拟立项名单"))
    return {"notice": notice, "publicised": len(chosen), "not_selected": len(left)}


def figures(call: Call) -> dict:
    rows = dict(Project.objects.filter(call=call).values_list("status").annotate(n=Count("id"))
                .values_list("status", "n"))
    decided = Project.objects.filter(call=call, status__in=ESTABLISHED).aggregate(
        n=Count("id"), amount=Sum("approved_amount"))
    return {"by_status": [{"status": s.value, "label": s.label, "count": rows.get(s.value, 0)} for s in Status
                          if rows.get(s.value)],
            "established": decided["n"], "approved": decided["amount"] or 0,
            "left": call.budget - (decided["amount"] or 0)}
