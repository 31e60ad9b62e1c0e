"""The closed loop (闭环) of a key task: acknowledge, report, finish, close or return; reminders.

Every step goes through the core workflow engine with the declaration in tasks/flow.py: it locks the task
row, checks the step against the state it finds and the person, and records the transition, so two people
pressing the same button at once get one step and one refusal.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import workflow as engine
from core.audit import record_change, snapshot
from core.errors import BusinessError, Conflict, FieldProblem, NotAllowed
from core.models import ChangeRecord
from core.periods import Period, PeriodError
from core.uploads import checked_upload
from tasks import rules
from tasks.flow import TASK_FLOW, actor_role
from tasks.models import (
    AssistNote,
    Attachment,
    KeyTask,
    ProgressReport,
    Reminder,
    unit_family,
)

MAX_QUANTITY = Decimal(10) ** 16  # ProgressReport.quantity: 20 digits, 4 of them decimals


def to_decimal(value, field: str) -> Decimal | None:
    """A number typed in a form or sent to the API; blank means not given."""
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise BusinessError(_("不是有效的数字：%(v)s") % {"v": value}, field=field) from exc
    # NaN, Infinity and 1e309 parse as Decimals but no column can store them (the database raised a 500).
    if not number.is_finite() or (number and number.adjusted() > 14):
        raise BusinessError(_("数值超出合理范围：%(v)s") % {"v": value}, field=field)
    return number


def allowed_actions(user, task: KeyTask) -> list[str]:
    """The steps ``user`` may take on the task now, in the order of the loop."""
    return [t.name for t in engine.allowed_actions(TASK_FLOW, task, user)]


def _lock(task_id: int) -> KeyTask:
    return engine.lock(TASK_FLOW, task_id)


@transaction.atomic
def transition(*, user, task_id: int, action: str, opinion: str = "", expected_version: int | None = None,
               evidence: list | None = None) -> KeyTask:
    """签收, 申请办结, 销号 or 退回; 报送进展 goes through ``report_progress``."""
    if action not in rules.ACTION_LABELS or action == rules.Action.REPORT:
        raise BusinessError(_("未知操作“%(action)s”") % {"action": action}, field="action")
    step = engine.perform(TASK_FLOW, task_id, user, action, opinion=opinion, version=expected_version,
                          attachment=evidence or None)
    for upload in evidence or []:
        save_attachment(task=step.obj, user=user, upload=upload, purpose="evidence")
    return step.obj


def _month(text: str) -> str:
    try:
        period = Period.parse(text)
    except PeriodError as exc:
        raise BusinessError(str(exc), field="period") from exc
    if period.kind != "M":
        raise BusinessError(_("进展按月报送，期间应写作2023-05"), field="period")
    return period.code


@transaction.atomic
def report_progress(*, user, task_id: int, period: str, percent: Decimal, text: str,
                    quantity: Decimal | None = None, problems: str = "", next_steps: str = "",
                    attachments: list | None = None, today: datetime.date | None = None) -> ProgressReport:
    """The lead unit's monthly progress; the same month again is a new revision of that report."""
    task = _lock(task_id)
    month = _month(period)
    errors = []
    # NaN compares with nothing (Decimal raises), and the column holds 16 digits before the point.
    if percent is None or not percent.is_finite() or not Decimal(0) <= percent <= Decimal(100):
        errors.append(FieldProblem("percent", _("完成进度应在0到100之间")))
    if quantity is not None and (not quantity.is_finite() or abs(quantity) >= MAX_QUANTITY):
        errors.append(FieldProblem("quantity", _("已完成数量不是有效的数字")))
    elif quantity is not None and quantity < 0:
        errors.append(FieldProblem("quantity", _("已完成数量不能为负数")))
    if not (text or "").strip():
        errors.append(FieldProblem("text", _("请填写进展情况")))
    if errors:
        raise BusinessError(errors)
    today = today or timezone.localdate()
    if Period.parse(month).year * 100 + Period.parse(month).end_month > today.year * 100 + today.month:
        raise BusinessError(_("不能报送未来月份的进展"), field="period")
    if task.deadline and task.status in ("closed", "done_reported") and month > task.deadline.strftime("%Y-%m"):
        raise BusinessError(_("任务已办结，不能报送完成时限之后月份的进展"), field="period")
    task = engine.perform(TASK_FLOW, task, user, rules.Action.REPORT).obj
    report, created = ProgressReport.objects.select_for_update().get_or_create(
        task=task, period=month, defaults={"percent": percent, "text": text, "quantity": quantity,
                                           "problems": problems, "next_steps": next_steps, "reporter": user,
                                           "unit_id": user.org_unit_id})
    before = None if created else snapshot(report)
    if not created:
        report.percent, report.text, report.quantity = percent, text, quantity
        report.problems, report.next_steps, report.reporter, report.unit_id = problems, next_steps, user, user.org_unit_id
        report.revision += 1
        report.save()
    record_change(actor=user, obj=report, action=ChangeRecord.Action.CREATE if created else ChangeRecord.Action.UPDATE,
                  before=before, after=snapshot(report))
    latest = task.reports.order_by("-period").first()
    task.percent_done, task.quantity_done, task.latest_period = latest.percent, latest.quantity, latest.period
    task.save(update_fields=["percent_done", "quantity_done", "latest_period"])
    for upload in attachments or []:
        save_attachment(task=task, user=user, upload=upload, report=report)
    return report


@transaction.atomic
def add_assist_note(*, user, report_id: int, text: str) -> AssistNote:
    report = ProgressReport.objects.select_related("task__plan__region").filter(pk=report_id).first()
    if report is None:
        raise BusinessError(_("未知进展报告"), field="report")
    units = unit_family(user)
    unit = next((a.org_unit for a in report.task.assists.all() if a.org_unit_id in units), None)
    if unit is None:
        raise NotAllowed(_("只有配合单位可以补充配合情况"))
    if not (text or "").strip():
        raise BusinessError(_("请填写配合情况"), field="text")
    note = AssistNote.objects.create(report=report, unit=unit, author=user, text=text)
    record_change(actor=user, obj=report, action=ChangeRecord.Action.UPDATE, before=None,
                  after={"配合单位": unit.name, "配合情况": text}, note=_("配合单位补充"))
    return note


def save_attachment(*, task: KeyTask, user, upload, report: ProgressReport | None = None,
                    purpose: str = "progress") -> Attachment:
    name, suffix = checked_upload(upload)
    attachment = Attachment(task=task, report=report, name=name, size=upload.size, purpose=purpose,
                            uploaded_by=user)
    attachment.file.save(f"{timezone.now():%Y%m%d%H%M%S}{suffix}", upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def remind(*, user, task_id: int, message: str = "") -> Reminder:
    task = KeyTask.objects.select_related("plan__region", "lead_unit").get(pk=task_id)
    if actor_role(user, task) != rules.Actor.ADMIN and not user.is_sysadmin:
        raise NotAllowed(_("只有科技局管理员可以催办"))
    if task.status == "closed":
        raise Conflict(_("任务已销号，无需催办"))
    reminder = Reminder.objects.create(task=task, to_unit=task.lead_unit, sent_by=user,
                                       message=message.strip() or _("请尽快报送“%(title)s”的进展") % {"title": task.title})
    record_change(actor=user, obj=task, action=ChangeRecord.Action.UPDATE, before=None,
                  after={"催办": reminder.message}, note=_("催办"))
    return reminder


def mark_reminders_read(user) -> int:
    return Reminder.objects.filter(to_unit_id__in=unit_family(user), read_at__isnull=True).update(
        read_at=timezone.now())

