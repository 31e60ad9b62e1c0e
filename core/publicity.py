"""公示: a list of decisions published for a period of working days, with objections recorded and decided.

A programme opens a notice with the records it decided and, for each, only the fields it may publish;
``notice_cleared`` is the guard its workflow uses before the step that follows the notice.
"""

from __future__ import annotations

import datetime
import re

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import roles
from core.audit import record_change, snapshot
from core.errors import BusinessError, Conflict, FieldProblem, NotAllowed
from core.models import ChangeRecord
from core.models_notice import NoticeItem, Objection, PublicNotice
from core.workdays import add_working_days

# Published fields may never be these (by name), nor look like them (by value).
_SENSITIVE_NAMES = ("身份证", "证件号", "电话", "手机", "联系方式", "账号", "账户", "银行", "id_number", "phone",
                    "mobile", "bank", "account")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
                        r"(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_BANK_ACCOUNT = re.compile(r"(?<!\d)\d{16,19}(?!\d)")


def sensitive_reason(key: str, value: object) -> str | None:
    """Why a field may not be published, or None."""
    name = str(key).lower()
    if any(word in name for word in _SENSITIVE_NAMES):
        return _("“%(key)s”属于不得公示的个人或账户信息") % {"key": key}
    text = str(value or "")
    if _ID_NUMBER.search(text):
        return _("“%(key)s”含身份证号码") % {"key": key}
    if _MOBILE.search(text):
        return _("“%(key)s”含手机号码") % {"key": key}
    if _BANK_ACCOUNT.search(text):
        return _("“%(key)s”含疑似银行账号") % {"key": key}
    return None


def open_notice(*, actor, title: str, programme: str, region, columns: list[tuple[str, str]],
                items: list[tuple[models.Model, dict]], starts_on: datetime.date | None = None,
                working_days: int = 5, body: str = "", contact: str = "") -> PublicNotice:
    """Publish ``items`` (record, fields to publish) for ``working_days`` working days from ``starts_on``."""
    if not roles.manages_region(actor, region.code):
        raise NotAllowed(_("只有本地区科技局管理员可以发布公示"))
    if not items:
        raise BusinessError(_("公示名单不能为空"))
    if not 1 <= working_days <= 30:
        raise BusinessError(_("公示期应为1至30个工作日"), field="working_days")
    keys = [key for key, _label in columns]
    for _obj, published in items:
        for key, value in published.items():
            if key not in keys:
                raise BusinessError(_("公示内容中的“%(key)s”不在公示字段之列") % {"key": key})
            reason = sensitive_reason(key, value)
            if reason:
                raise BusinessError(reason)
    starts_on = starts_on or timezone.localdate()
    ends_on, known = add_working_days(starts_on, working_days)
    with transaction.atomic():
        notice = PublicNotice.objects.create(
            title=title, programme=programme, region=region, body=body, columns=[list(c) for c in columns],
            starts_on=starts_on, working_days=working_days, ends_on=ends_on, calendar_known=known,
            contact=contact, created_by=actor)
        NoticeItem.objects.bulk_create([
            NoticeItem(notice=notice, content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk),
                       position=i, published={k: str(v) for k, v in published.items()})
            for i, (obj, published) in enumerate(items, start=1)])
        record_change(actor=actor, obj=notice, action=ChangeRecord.Action.CREATE, before=None,
                      after=snapshot(notice), note=_("发布公示，%(n)s项") % {"n": len(items)})
    return notice


def is_open(notice: PublicNotice, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return notice.status == PublicNotice.Status.OPEN and notice.starts_on <= today <= notice.ends_on


def submit_objection(*, notice_id: int, item_id: int | None, text: str, submitter: str, contact: str,
                     today: datetime.date | None = None) -> Objection:
    """Anyone may object while the notice runs; name and contact are kept for the bureau only."""
    notice = PublicNotice.objects.filter(pk=notice_id).first()
    if notice is None:
        raise BusinessError(_("公示不存在"))
    if not is_open(notice, today):
        raise BusinessError(_("公示期已过或尚未开始，不再受理异议"))
    problems = []
    for field, value, limit in (("text", text, 2000), ("submitter", submitter, 100), ("contact", contact, 100)):
        value = (value or "").strip()
        if not value:
            problems.append((field, _("不能为空")))
        elif "\x00" in value or len(value) > limit:
            problems.append((field, _("不能超过%(n)s个字符，且不能包含空字符") % {"n": limit}))
    if problems:
        raise BusinessError([FieldProblem(f, m) for f, m in problems])
    item = None
    if item_id is not None:
        item = NoticeItem.objects.filter(pk=item_id, notice=notice).first()
        if item is None:
            raise BusinessError(_("异议对象不在本公示名单中"), field="item")
    return Objection.objects.create(notice=notice, item=item, text=text.strip(), submitter=submitter.strip(),
                                    contact=contact.strip())


def decide_objection(*, actor, objection_id: int, upheld: bool, decision: str) -> Objection:
    """The bureau decides an objection with a written opinion; decided once."""
    if not (decision or "").strip():
        raise BusinessError(_("请填写处理意见"), field="decision")
    with transaction.atomic():
        objection = Objection.objects.select_for_update().filter(pk=objection_id).first()
        if objection is None or not PublicNotice.objects.restrict(actor, "change").filter(
                pk=objection.notice_id).exists():
            raise NotAllowed(_("您无权处理此异议"))
        if objection.status != Objection.Status.PENDING:
            raise Conflict(_("该异议已处理"))
        before = snapshot(objection, ["status", "decision"])
        objection.status = Objection.Status.UPHELD if upheld else Objection.Status.REJECTED
        objection.decision, objection.decided_by, objection.decided_at = decision.strip(), actor, timezone.now()
        objection.save()
        record_change(actor=actor, obj=objection, action=ChangeRecord.Action.UPDATE, before=before,
                      after=snapshot(objection, ["status", "decision"]))
    return objection


def notice_cleared(obj: models.Model, today: datetime.date | None = None) -> str | None:
    """Why ``obj`` may not pass its notice yet (None when it has): not published, still running, an
    undecided objection, or an objection upheld against it."""
    today = today or timezone.localdate()
    item = (NoticeItem.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
            .select_related("notice").order_by("-notice__starts_on", "-id").first())
    if item is None:
        return _("尚未公示")
    if today <= item.notice.ends_on:
        return _("公示期至%(day)s，期满后方可进行下一步") % {"day": item.notice.ends_on.isoformat()}
    pending = Objection.objects.filter(notice=item.notice, status=Objection.Status.PENDING)
    if pending.filter(models.Q(item=item) | models.Q(item__isnull=True)).exists():
        return _("公示有未处理的异议")
    if Objection.objects.filter(item=item, status=Objection.Status.UPHELD).exists():
        return _("公示异议成立")
    return None
