"""What the claim workflow's steps check and do (named in ``vouchers.flow``): the submission's refusals, the
award fixed at 初审 and confirmed at 复审 under a lock on the enterprise, the notice guard, the ledger."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from core import funds, publicity
from core.errors import BusinessError
from core.models_notice import PublicNotice
from enterprises.models import Enterprise
from vouchers.models import REQUIRED_FILES, FileKind

PROGRAMME = "创新券"


def keep_opinion(step) -> None:
    step.obj.opinion = step.opinion[:500]


def ready_to_submit(step):
    from vouchers.services.claims import problems

    claim = step.obj
    have = set(claim.files.values_list("kind", flat=True))
    missing = [FileKind(k).label for k in REQUIRED_FILES if k not in have]
    if missing:
        return _("请先上传：%(names)s") % {"names": "、".join(str(m) for m in missing)}
    found = problems(claim)
    return found[0] if found else None


def on_submit(step) -> None:
    step.obj.submitted_on = timezone.localdate()
    step.obj.opinion = ""


def _fix_award(step) -> None:
    """The award as the rule gives it now; the enterprise row is locked so two reviews of its claims at once
    cannot both spend the same annual cap."""
    from vouchers.services.claims import quote

    claim = step.obj
    Enterprise.objects.select_for_update().filter(pk=claim.enterprise_id).first()
    result = quote(claim)
    if result.amount <= 0:
        raise BusinessError(_("该企业%(year)s年度创新券补助已达年度上限，核定补助为0元，请作不予兑付处理") % {
            "year": claim.year})
    claim.award, claim.award_basis = result.amount, result.basis()


def on_first_pass(step) -> None:
    _fix_award(step)
    step.obj.first_reviewer = step.user
    keep_opinion(step)


def on_send_back(step) -> None:
    step.obj.award, step.obj.award_basis = None, {}
    keep_opinion(step)


def on_second_pass(step) -> None:
    _fix_award(step)
    keep_opinion(step)


def batch_notice_open(step):
    batch = step.obj.batch
    if batch is None or batch.notice_id is None:
        return _("申请尚未编入已发布公示的兑付批次")
    if batch.notice.status != PublicNotice.Status.OPEN:
        return _("批次公示已结束")
    return None


def notice_cleared(step):
    return publicity.notice_cleared(step.obj)


def on_listed(step) -> None:
    """After a clear notice the award is approved in the ledger, due on the day it is listed."""
    claim = step.obj
    today = timezone.localdate()
    claim.fund_entry = funds.open_entry(
        actor=step.user, obj=claim, programme=PROGRAMME, policy_item=claim.batch.display_title,
        region=claim.region, recipient_name=claim.enterprise.name, recipient_uscc=claim.enterprise.uscc,
        recipient_unit=claim.enterprise.org_unit, fiscal_year=claim.batch.year, approved=claim.award,
        approved_on=today, note=claim.code, is_demo=claim.is_demo)


def on_paid(step) -> None:
    claim = step.obj
    entry = claim.fund_entry
    funds.record_payment(actor=step.user, entry_id=entry.pk, amount=entry.approved - entry.paid,
                         paid_on=claim.batch.paid_on or timezone.localdate())


def on_recovered(step) -> None:
    keep_opinion(step)
    claim = step.obj
    funds.claim_refund(actor=step.user, entry_id=claim.fund_entry_id, amount=claim.fund_entry.paid,
                       reason=_("创新券追回：%(why)s") % {"why": step.opinion})

