"""Writes of a project: the application (registry save, checked shape of KPIs and budget lines), files, steps,
the decisions that carry a value (立项 with its amount, 合同 with its number), the one extension, tranche
payments into the ledger and 认定即立项."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import funds, roles
from core import workflow as engine
from core.audit import record_change, snapshot
from core.errors import BusinessError, FieldProblem, Missing, NotAllowed
from core.models import ChangeRecord
from core.numbering import next_number
from core.uploads import checked_upload
from enterprises.models import Enterprise
from projects.flow import PROJECT_FLOW, is_applicant
from projects.models import Call, Project, ProjectFile, Status, Tier, Tranche

EDITABLE = (Status.DRAFT, Status.RETURNED)
MAX_LINES = 50
RUNNING = (Status.APPROVED, Status.EXECUTING, Status.CHECKED)


def one_year_after(day: datetime.date) -> datetime.date:
    """The same day a year on (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return datetime.date(day.year + 1, 2, 28)


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise BusinessError(_("金额应为数字"), field=field) from exc
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise BusinessError(_("金额应为不小于0的有限数"), field=field)
    return amount.quantize(Decimal("0.01"))


def clean_kpis(rows) -> list[dict]:
    if not isinstance(rows, list) or len(rows) > MAX_LINES:
        raise BusinessError(_("绩效指标应为至多%(n)s项的列表") % {"n": MAX_LINES}, field="kpis")
    out = []
    for row in rows:
        if not isinstance(row, dict) or not all(isinstance(row.get(k), str | int | float) for k in
                                                ("indicator", "unit", "target")):
            raise BusinessError(_("每项绩效指标须有 indicator（指标）、unit（单位）、target（目标值）"), field="kpis")
        item = {k: str(row[k]).strip()[:100] for k in ("indicator", "unit", "target")}
        if not all(item.values()) or any("\x00" in v for v in item.values()):
            raise BusinessError(_("绩效指标的指标、单位、目标值不能为空"), field="kpis")
        out.append(item)
    return out


def clean_budget(rows) -> list[dict]:
    if not isinstance(rows, list) or len(rows) > MAX_LINES:
        raise BusinessError(_("经费预算应为至多%(n)s项的列表") % {"n": MAX_LINES}, field="budget_lines")
    out = []
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("item"), str) or not row["item"].strip() \
                or "\x00" in row["item"]:
            raise BusinessError(_("每项经费预算须有 item（科目）与 amount（金额）"), field="budget_lines")
        out.append({"item": row["item"].strip()[:100], "amount": f"{_money(row.get('amount'), 'budget_lines'):.2f}"})
    return out


def next_code(year: int) -> str:
    return next_number(Project, f"XM{year}-", 5)


def save_project(actor, form, instance: Project | None) -> Project:
    """The registry's write of an application (page form and ``POST /api/projects/applications/``)."""
    project: Project = form.save(commit=False)
    if instance is not None and instance.status not in EDITABLE:
        raise BusinessError(_("申报已提交，只能通过审核流程办理"))
    project.region = project.enterprise.region
    if not is_applicant(actor, project):
        raise NotAllowed(_("只能为本企业申报"))
    if project.call.tier == Tier.FILING:
        raise BusinessError(_("备案类项目不经申报，由科技局按认定条件直接立项"), field="call")
    if not project.region.code.startswith(project.call.region.prefix):
        raise BusinessError(_("该指南不面向本企业所在地区"), field="call")
    project.kpis, project.budget_lines = clean_kpis(project.kpis), clean_budget(project.budget_lines)
    project.year, project.tier = project.call.year, project.call.tier
    if project.ends_on < project.starts_on:
        raise BusinessError([FieldProblem("ends_on", _("实施结束不能早于开始"))])
    if (project.ends_on - project.starts_on).days > 5 * 366:
        raise BusinessError(_("实施期不能超过5年"), field="ends_on")
    if instance is None:
        Call.objects.select_for_update().filter(pk=project.call_id).first()  # one number per application
        project.code = next_code(project.year)
        project.status = Status.DRAFT
    project.version = (instance.version if instance is not None else 0) + 1
    project.save()
    return project


def visible_project(user, code: str) -> Project:
    project = (Project.objects.restrict(user).select_related("region", "enterprise", "call", "notice")
               .filter(code=code).first())
    if project is None:
        raise Missing(_("找不到该项目，或不在您的管辖范围内"))
    return project


def add_file(*, actor, code: str, upload) -> ProjectFile:
    project = visible_project(actor, code)
    if not is_applicant(actor, project):
        raise NotAllowed(_("只有承担企业可以上传材料"))
    name, suffix = checked_upload(upload, field="file")
    with transaction.atomic():
        row = ProjectFile(project=project, name=name, uploaded_by=actor)
        row.file.save(f"{timezone.now():%Y%m%d%H%M%S%f}{suffix}", upload, save=False)
        row.save()
        record_change(actor=actor, obj=project, action=ChangeRecord.Action.UPDATE, before=None,
                      after={"附件": name}, note=_("上传附件"))
    return row


def step(*, actor, code: str, action: str, opinion: str = "", version: int | None = None) -> Project:
    project = visible_project(actor, code)
    return engine.perform(PROJECT_FLOW, project, actor, action, opinion=opinion, version=version).obj


def _set_then_step(actor, code: str, action: str, values: dict, opinion: str, version: int | None) -> Project:
    """A decision that carries a value: the value and the step in one transaction, so a refused step keeps
    nothing of it."""
    project = visible_project(actor, code)
    with transaction.atomic():
        Project.objects.filter(pk=project.pk).update(**values)
        return engine.perform(PROJECT_FLOW, project, actor, action, opinion=opinion, version=version).obj


def decide(*, actor, code: str, amount, opinion: str = "", version: int | None = None) -> Project:
    return _set_then_step(actor, code, "approve", {"approved_amount": _money(amount, "amount")}, opinion, version)


def sign(*, actor, code: str, contract_no: str, version: int | None = None) -> Project:
    text = (contract_no or "").replace("\x00", "").strip()
    if not text or len(text) > 50:
        raise BusinessError(_("合同编号应为1—50个字符"), field="contract_no")
    return _set_then_step(actor, code, "sign", {"contract_no": text}, "", version)


def extend(*, actor, code: str, to: datetime.date) -> Project:
    """The one extension a project may have, up to a year past its planned end."""
    with transaction.atomic():
        project = Project.objects.select_for_update().filter(pk=visible_project(actor, code).pk).first()
        if not roles.manages_region(actor, project.region.code):
            raise NotAllowed(_("只有本地区科技局管理员可以批准延期"))
        if project.status not in (Status.EXECUTING, Status.CHECKED):
            raise BusinessError(_("只有执行中的项目可以延期"))
        if project.extended_to is not None:
            raise BusinessError(_("项目已延期一次，不能再次延期"))
        limit = one_year_after(project.ends_on)
        if not project.ends_on < to <= limit:
            raise BusinessError(_("延期至应在%(a)s之后、不晚于%(b)s") % {"a": project.ends_on.isoformat(),
                                                                "b": limit.isoformat()}, field="to")
        before = snapshot(project)
        project.extended_to = to
        project.version += 1
        project.save()
        record_change(actor=actor, obj=project, action=ChangeRecord.Action.UPDATE, before=before,
                      after=snapshot(project), note=_("延期至%(d)s") % {"d": to.isoformat()})
    return project


def pay_tranche(*, actor, code: str, seq: int, amount, paid_on: datetime.date | None = None) -> Tranche:
    """Pay (part of) a tranche that has fallen due; never more than it, nor than what is left approved."""
    amount = _money(amount, "amount")
    if amount <= 0:
        raise BusinessError(_("拨付金额应为正数"), field="amount")
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise BusinessError(_("拨付日期不能晚于今天"), field="paid_on")
    project = visible_project(actor, code)
    with transaction.atomic():
        tranche = Tranche.objects.select_for_update().filter(project=project, seq=seq).first()
        if tranche is None:
            raise Missing(_("该项目没有第%(n)s期拨款") % {"n": seq})
        if project.status in (Status.TERMINATED, Status.REVOKED, Status.FAILED):
            raise BusinessError(_("项目已%(s)s，不能再拨付") % {"s": project.get_status_display()})
        if tranche.fund_entry_id is None:
            raise BusinessError(_("第%(n)s期（%(name)s）尚未到拨付时点") % {"n": seq, "name": tranche.name})
        if tranche.paid + amount > tranche.amount:
            raise BusinessError(_("本期尚余%(left)s元，拨付%(amount)s元超出") % {
                "left": f"{tranche.amount - tranche.paid:.2f}", "amount": f"{amount:.2f}"}, field="amount")
        funds.record_payment(actor=actor, entry_id=tranche.fund_entry_id, amount=amount, paid_on=paid_on)
        tranche.paid += amount
        tranche.paid_on = paid_on
        tranche.save(update_fields=["paid", "paid_on"])
    return tranche


def record_filing(*, actor, call: Call, enterprise: Enterprise, title: str, field: str = "",
                  starts_on: datetime.date | None = None, source: str = "", is_demo: bool = False) -> Project:
    """认定即立项: a firm meeting the call's rule has its own project recorded as 备案 at once, no review."""
    today = timezone.localdate()
    starts_on = starts_on or today
    with transaction.atomic():
        project = Project.objects.create(
            code=next_code(call.year), call=call, year=call.year, tier=call.tier, region=enterprise.region,
            enterprise=enterprise, title=title[:200], field=field[:50], starts_on=starts_on,
            ends_on=one_year_after(starts_on), requested=call.filing_amount or Decimal("0"),
            source=source[:300], is_demo=is_demo)
        return engine.perform(PROJECT_FLOW, project, actor, "file", created=True).obj
