"""One action on a project or a call from a page's form or the API's body: the fields read and checked, the
service called, the message to show. The pages and the API share it, so both doors refuse alike."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import BusinessError
from projects.services import calls as call_service
from projects.services import projects as service


def _date(text: str | None, field: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError as exc:
        raise BusinessError(_("日期应写作YYYY-MM-DD"), field=field) from exc


def _version(data) -> int | None:
    text = str(data.get("version", ""))
    return int(text) if text.isdigit() else None


def on_project(user, code: str, data) -> str:
    """One action on a project from a page's or the API's fields; returns what to tell the user."""
    action = data.get("action", "")
    if action == "decide":
        service.decide(actor=user, code=code, amount=data.get("amount"), opinion=data.get("opinion", ""),
                       version=_version(data))
        return _("已立项")
    if action == "sign_contract":
        service.sign(actor=user, code=code, contract_no=data.get("contract_no", ""), version=_version(data))
        return _("合同已登记")
    if action == "extend":
        to = _date(data.get("to"), "to")
        if to is None:
            raise BusinessError(_("请填写延期至的日期"), field="to")
        service.extend(actor=user, code=code, to=to)
        return _("已延期")
    if action == "pay":
        seq = str(data.get("seq", ""))
        if not seq.isdigit():
            raise BusinessError(_("请指定拨付期次"), field="seq")
        service.pay_tranche(actor=user, code=code, seq=int(seq), amount=data.get("amount"),
                            paid_on=_date(data.get("paid_on"), "paid_on"))
        return _("已拨付")
    service.step(actor=user, code=code, action=action, opinion=data.get("opinion", ""), version=_version(data))
    return _("已办理")


def on_call(user, code: str, data) -> str:
    action = data.get("action", "")
    if action == "review":
        per = str(data.get("per_subject") or "3")
        if not per.isdigit():
            raise BusinessError(_("每个项目的评审专家应为1—9人"), field="per_subject")
        due = _date(data.get("due_on"), "due_on") or timezone.localdate() + datetime.timedelta(days=14)
        made = call_service.open_review(actor=user, code=code, due_on=due, per_subject=int(per))
        return _("已组织评审：%(n)s个项目，分配专家%(m)s人次") % {"n": made["projects"], "m": made["assigned"]}
    if action == "scores":
        return _("已汇总%(n)s个项目的评审得分") % {"n": call_service.take_scores(actor=user, code=code)}
    if action == "shortlist":
        selected = data.getlist("selected") if hasattr(data, "getlist") else list(data.get("selected") or [])
        days = str(data.get("working_days") or "5")
        if not days.isdigit():
            raise BusinessError(_("公示期应为1至30个工作日"), field="working_days")
        made = call_service.publish_shortlist(actor=user, code=code, selected=[str(s) for s in selected],
                                              working_days=int(days))
        return _("拟立项公示已发布：%(n)s项；未立项%(m)s项") % {"n": made["publicised"], "m": made["not_selected"]}
    raise BusinessError(_("未知的操作"), field="action")
