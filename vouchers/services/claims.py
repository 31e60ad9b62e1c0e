"""Writes of a voucher claim: the refusals a claim meets when it is saved or submitted, its award as the rule
of its policy year gives it, its files, and its steps through the one workflow engine."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core import workflow as engine
from core.audit import record_change
from core.errors import BusinessError, FieldProblem, Missing, NotAllowed
from core.models import ChangeRecord
from core.numbering import next_number
from core.scoping import governing_codes
from core.uploads import checked_upload
from enterprises.models import Enterprise, Qualification
from enterprises.queries import valid_filter
from vouchers import award as arithmetic
from vouchers.flow import CLAIM_FLOW, is_applicant
from vouchers.models import COUNTED, Claim, ClaimFile, ClaimStatus, FileKind, SubsidyRule

EDITABLE = (ClaimStatus.DRAFT, ClaimStatus.RETURNED)


def county_codes(region_code: str) -> list[str]:
    """The codes a rule may be set at for a place, nearest first: county, city, province."""
    return governing_codes(region_code)


def rule_for(region_code: str, year: int) -> SubsidyRule | None:
    rules = {r.region.code: r for r in SubsidyRule.objects.filter(
        region__code__in=county_codes(region_code), year=year).select_related("region")}
    return next((rules[c] for c in county_codes(region_code) if c in rules), None)


def held_types(enterprise: Enterprise, on: datetime.date) -> set[str]:
    return set(Qualification.objects.filter(valid_filter(on), enterprise=enterprise).values_list("type", flat=True))


def already_awarded(claim: Claim) -> Decimal:
    """What the enterprise was awarded in the claim's policy year by its other claims still counted."""
    total = (Claim.objects.filter(enterprise_id=claim.enterprise_id, year=claim.year, status__in=COUNTED)
             .exclude(pk=claim.pk).aggregate(total=Sum("award"))["total"])
    return total or Decimal("0")


def quote(claim: Claim, rule: SubsidyRule | None = None) -> arithmetic.Award:
    """The award the claim gets now under its year's rule (refused when the year has no rule)."""
    rule = rule or rule_for(claim.region.code, claim.year)
    if rule is None:
        raise BusinessError(_("%(year)s年度尚未设定创新券补助规则") % {"year": claim.year}, field="year")
    cap, cap_type = arithmetic.annual_cap_for(held_types(claim.enterprise, claim.used_on), rule.preferred(),
                                              rule.preferred_cap, rule.general_cap)
    return arithmetic.compute(contract_amount=claim.contract_amount, invoice_amount=claim.invoice_amount,
                              ratio=rule.ratio, claimed=claim.amount_claimed, claim_cap=rule.claim_cap,
                              annual_cap=cap, already=already_awarded(claim), cap_type=cap_type)


def window_problem(rule: SubsidyRule, today: datetime.date) -> FieldProblem | None:
    if today < rule.opens_on or today > rule.closes_on:
        return FieldProblem("year", _("%(year)s年度创新券受理期为%(start)s至%(end)s，现不在受理期内") % {
            "year": rule.year, "start": rule.opens_on.isoformat(), "end": rule.closes_on.isoformat()})
    return None


def problems(claim: Claim, today: datetime.date | None = None) -> list[FieldProblem]:
    """Every reason the claim may not stand as it is: a refused claim changes nothing."""
    today = today or timezone.localdate()
    found: list[FieldProblem] = []
    provider, firm = claim.provider, claim.enterprise
    twin = (Claim.objects.filter(provider=provider, invoice_no=claim.invoice_no)
            .exclude(status=ClaimStatus.REJECTED).exclude(pk=claim.pk).select_related("batch").first())
    if twin is not None:
        where = twin.batch.display_title if twin.batch_id else _("%(year)s年度申请") % {"year": twin.year}
        found.append(FieldProblem("invoice_no", _("该服务机构的发票%(no)s已在%(where)s中申请（%(code)s），不能重复申请")
                                  % {"no": claim.invoice_no, "where": where, "code": twin.code}))
    if not provider.accepts_vouchers:
        found.append(FieldProblem("provider", _("该服务机构不接受创新券")))
    if provider.uscc.upper() == firm.uscc.upper():
        found.append(FieldProblem("provider", _("服务机构与申请企业为同一主体，不能申请创新券")))
    elif firm.uscc.upper() in provider.related_codes():
        found.append(FieldProblem("provider", _("服务机构已声明与申请企业存在关联关系，不能申请创新券")))
    if claim.service.year != claim.contract_date.year:
        found.append(FieldProblem("service", _("“%(name)s”不在合同签订年度（%(year)s年）的服务目录内") % {
            "name": claim.service.name, "year": claim.contract_date.year}))
    elif not claim.region.code.startswith(claim.service.region.prefix):
        found.append(FieldProblem("service", _("该服务项目不属于本地区的服务目录")))
    if claim.amount_claimed > arithmetic.service_fee(claim.contract_amount, claim.invoice_amount):
        found.append(FieldProblem("amount_claimed", _("申请补助不能超过服务费（合同与发票金额的低者）")))
    for name in ("contract_amount", "invoice_amount", "amount_claimed"):
        value = getattr(claim, name)
        if value is None or not value.is_finite() or value <= 0:
            found.append(FieldProblem(name, _("金额应为正数")))
    order = [("invoice_date", claim.contract_date, claim.invoice_date, _("开票日期不能早于合同签订日期")),
             ("completed_on", claim.contract_date, claim.completed_on, _("服务完成日期不能早于合同签订日期")),
             ("used_on", claim.contract_date, claim.used_on, _("创新券使用日期不能早于合同签订日期"))]
    found += [FieldProblem(f, m) for f, early, late, m in order if late < early]
    if claim.completed_on > today:
        found.append(FieldProblem("completed_on", _("服务尚未完成，不能申请兑付")))
    rule = rule_for(claim.region.code, claim.year)
    if rule is None:
        found.append(FieldProblem("year", _("%(year)s年度尚未设定创新券补助规则") % {"year": claim.year}))
    elif claim.status in EDITABLE:
        late = window_problem(rule, today)
        if late:
            found.append(late)
        elif not found and quote(claim, rule).annual_left <= 0:
            found.append(FieldProblem("amount_claimed", _("该企业%(year)s年度创新券补助已达年度上限") % {
                "year": claim.year}))
    return found


def next_code(year: int) -> str:
    return next_number(Claim, f"CXQ{year}-", 6)


def save_claim(actor, form, instance: Claim | None) -> Claim:
    """The registry's write of a claim (page form and ``POST /api/vouchers/claims/``)."""
    claim: Claim = form.save(commit=False)
    if instance is not None and instance.status not in EDITABLE:
        raise BusinessError(_("申请已提交，只能通过审核流程办理"))
    claim.region = claim.enterprise.region
    if not is_applicant(actor, claim):
        raise NotAllowed(_("只能为本企业申请创新券"))
    if instance is None:
        # One enterprise's claims are numbered one after another; the lock keeps two saves from one number.
        Enterprise.objects.select_for_update().filter(pk=claim.enterprise_id).first()
        claim.code = next_code(claim.year)
        claim.status = ClaimStatus.DRAFT
    found = problems(claim)
    if found:
        raise BusinessError(found)
    claim.version = (instance.version if instance is not None else 0) + 1
    claim.save()
    return claim


def visible_claim(user, claim_id: int) -> Claim:
    claim = (Claim.objects.restrict(user).select_related("region", "enterprise", "provider", "service", "batch")
             .filter(pk=claim_id).first())
    if claim is None:
        raise Missing(_("找不到该申请，或不在您的管辖范围内"))
    return claim


def add_file(*, actor, claim_id: int, kind: str, upload) -> ClaimFile:
    claim = visible_claim(actor, claim_id)
    if not is_applicant(actor, claim):
        raise NotAllowed(_("只有申请企业可以上传材料"))
    if claim.status not in EDITABLE:
        raise BusinessError(_("申请已提交，不能再上传材料"))
    if kind not in FileKind.values:
        raise BusinessError(_("材料类型应为：%(kinds)s") % {"kinds": "、".join(str(label) for label in FileKind.labels)}, field="kind")
    name, suffix = checked_upload(upload, field="file")
    with transaction.atomic():
        row = ClaimFile(claim=claim, kind=kind, name=name, uploaded_by=actor)
        row.file.save(f"{timezone.now():%Y%m%d%H%M%S%f}{suffix}", upload, save=False)
        row.save()
        record_change(actor=actor, obj=claim, action=ChangeRecord.Action.UPDATE, before=None,
                      after={"材料": name, "类型": row.get_kind_display()}, note=_("上传申请材料"))
    return row


def step(*, actor, claim_id: int, action: str, opinion: str = "", version: int | None = None) -> Claim:
    claim = visible_claim(actor, claim_id)
    return engine.perform(CLAIM_FLOW, claim, actor, action, opinion=opinion, version=version).obj
