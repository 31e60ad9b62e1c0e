"""达标即准: county R&D centres (县级企业研发中心) recognised from figures the platform already holds.

The enterprises of a region are assessed with the rule set ``county_rd_centre`` (the county's own copy when it
has one, else the shared example) on that year's figures; those that pass and do not yet hold an R&D
institution of county level or higher are proposed. The county bureau confirms a batch under one document:
each enterprise is assessed again at that moment, and the batch is written whole or not at all.

The rule set's 规上 criterion reads revenue (the rule language has no yes/no facts); an enterprise whose year
is explicitly recorded as 规下 (``EnterpriseYear.above_scale`` False) is never proposed, whatever its revenue.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import roles
from core.audit import record_changes, snapshot
from core.bulk import BATCH, chunks
from core.errors import BusinessError, Conflict, FieldProblem, Missing, NotAllowed
from core.models import ChangeRecord, Region, RegionLevel
from enterprises import engine
from enterprises.models import Enterprise, EnterpriseYear, RuleSet
from enterprises.services.rulesets import active, compiled
from enterprises.services.screening import facts_for
from platforms.models import ENTERPRISE_RD_KINDS, Kind, Level, Platform, PlatformLevel, Status

RULESET = "county_rd_centre"
# An enterprise holding one of these already has its R&D institution: a county centre would add nothing.
COUNTY_OR_HIGHER = (Level.NATIONAL, Level.PROVINCE_KEY, Level.PROVINCE, Level.CITY, Level.COUNTY)
CODE_PREFIX = "YF"


@dataclass(frozen=True)
class Proposal:
    """An enterprise that meets the rule for the year: what the bureau sees before confirming."""

    uscc: str
    name: str
    region_code: str
    region_name: str
    year: int
    ruleset: str  # the rule set's name, as the platform's 来源 will say
    assessment: engine.Assessment


@dataclass(frozen=True)
class _Candidate:
    enterprise_id: int
    uscc: str
    name: str
    region_id: int
    region_code: str
    region_name: str
    org_unit_id: int | None


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Missing(_("找不到区划代码为%(code)s的区域") % {"code": code})
    return region


def _reads(user, region: Region) -> bool:
    # Readers of a region (bureau admins, leaders) see its proposals; the system admin every region's.
    return roles.is_sysadmin(user) or (roles.reads_region(user) and region.code.startswith(user.scope_prefix))


def _holders(usccs: list[str]) -> set[str]:
    """Which of the codes already operate an R&D institution of county level or higher (not revoked)."""
    found: set[str] = set()
    for chunk in chunks(usccs, BATCH):
        found.update(Platform.objects.filter(operator_uscc__in=chunk, kind__in=ENTERPRISE_RD_KINDS,
                                             level__in=COUNTY_OR_HIGHER)
                     .exclude(status=Status.REVOKED).values_list("operator_uscc", flat=True))
    return found


def _candidates(region: Region, year: int, usccs: list[str] | None = None) -> list[_Candidate]:
    """Enterprises of the region with figures for the year, not recorded as 规下, holding no R&D institution."""
    rows = (EnterpriseYear.objects.filter(year=year, enterprise__region__code__startswith=region.prefix)
            .exclude(above_scale=False).order_by("enterprise__region__code", "enterprise__name", "enterprise__uscc"))
    if usccs is not None:
        rows = rows.filter(enterprise__uscc__in=usccs)
    found = [_Candidate(*row) for row in rows.values_list(
        "enterprise_id", "enterprise__uscc", "enterprise__name", "enterprise__region_id",
        "enterprise__region__code", "enterprise__region__name", "enterprise__org_unit_id")]
    held = _holders([c.uscc for c in found])
    return [c for c in found if c.uscc not in held]


def _assessed(region: Region, year: int, candidates: list[_Candidate]) -> tuple[RuleSet, dict[str, engine.Assessment]]:
    """Each candidate's assessment on the year's end, from figures up to that year (a later year never counts)."""
    ruleset = active(RULESET, region)
    rules = compiled(ruleset)
    on = datetime.date(year, 12, 31)
    out: dict[str, engine.Assessment] = {}
    for chunk in chunks(candidates, BATCH):
        facts = facts_for([c.enterprise_id for c in chunk])
        for candidate in chunk:
            own = facts[candidate.enterprise_id]
            upto = engine.EnterpriseFacts(own.established, tuple(y for y in own.years if y.year <= year),
                                          own.qualifications)
            out[candidate.uscc] = rules.assess(upto, on)
    return ruleset, out


def _proposals(region: Region, year: int, usccs: list[str] | None = None) -> tuple[RuleSet, list[tuple]]:
    candidates = _candidates(region, year, usccs)
    ruleset, assessments = _assessed(region, year, candidates)
    passing = [(c, assessments[c.uscc]) for c in candidates if assessments[c.uscc].eligible is True]
    return ruleset, passing


def propose(user, region_code: str, year: int) -> list[Proposal]:
    """The region's enterprises that meet the county R&D-centre rule for ``year`` and hold no R&D institution."""
    region = _region(region_code)
    if not _reads(user, region):
        raise NotAllowed(_("只有本地区科技局管理员和领导可以查看县级研发中心认定建议名单"))
    ruleset, passing = _proposals(region, year)
    return [Proposal(c.uscc, c.name, c.region_code, c.region_name, year, ruleset.name, result)
            for c, result in passing]


def _why_not(region: Region, year: int, uscc: str, assessment: engine.Assessment | None) -> str:
    """Why an enterprise of a batch no longer qualifies, naming it (Chinese, for the bureau)."""
    firm = Enterprise.objects.filter(uscc=uscc).select_related("region").first()
    if firm is None:
        return _("企业库中没有统一社会信用代码为%(code)s的企业") % {"code": uscc}
    named = _("“%(name)s”（%(code)s）") % {"name": firm.name, "code": uscc}
    if not firm.region.code.startswith(region.prefix):
        return _("%(firm)s不属于%(region)s") % {"firm": named, "region": region.name}
    if _holders([uscc]):
        return _("%(firm)s已有县级及以上研发机构，不再重复认定") % {"firm": named}
    year_row = firm.years.filter(year=year).first()
    if year_row is None:
        return _("%(firm)s没有%(year)s年度数据") % {"firm": named, "year": year}
    if year_row.above_scale is False:
        return _("%(firm)s%(year)s年度不是规上企业") % {"firm": named, "year": year}
    if assessment is not None and assessment.status == engine.INCOMPLETE:
        return _("%(firm)s资料不全，暂无法判断：%(notes)s") % {"firm": named, "notes": "；".join(assessment.notes)}
    gaps = [c.gap for c in (assessment.criteria if assessment else ()) if c.passed is False and c.gap]
    return _("%(firm)s已不符合认定条件：%(gaps)s") % {"firm": named, "gaps": "；".join(gaps) or _("未达标")}


def _next_codes(region: Region, count: int) -> list[str]:
    """Unused platform codes "YF" + county code + a four-digit sequence, after the highest one given."""
    prefix = f"{CODE_PREFIX}{region.code}"
    used = [code[len(prefix):] for code in Platform.objects.filter(code__startswith=prefix)
            .values_list("code", flat=True)]
    start = max((int(tail) for tail in used if tail.isdigit()), default=0) + 1
    return [f"{prefix}{number:04d}" for number in range(start, start + count)]


@transaction.atomic
def confirm_batch(*, actor, region_code: str, year: int, usccs: list[str], document_no: str,
                  recognised_on: datetime.date) -> list[Platform]:
    """Recognise the listed enterprises as 县级企业研发中心 under one document, all of them or none."""
    region = _region(region_code)
    if not roles.manages_region(actor, region.code):
        raise NotAllowed(_("只有本县（市、区）科技局管理员可以确认认定县级研发中心"))
    if region.level != RegionLevel.COUNTY:
        raise BusinessError(_("县级研发中心由县（市、区）科技局认定，请选择县（市、区）"), field="region")
    document_no = (document_no or "").strip()
    if not document_no:
        raise BusinessError(_("请填写认定文号"), field="document_no")
    if recognised_on is None or recognised_on > timezone.localdate():
        raise BusinessError(_("请填写认定日期，且不能晚于今天"), field="recognised_on")
    codes = [str(code).strip().upper() for code in usccs]
    if not codes:
        raise BusinessError(_("请选择要认定的企业"), field="usccs")
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise BusinessError(_("名单中企业重复：%(codes)s") % {"codes": "、".join(repeated)}, field="usccs")
    # One batch of a county at a time: the re-check below then sees every centre an earlier batch created,
    # and two batches never take the same code (the row lock serialises them on PostgreSQL).
    Region.objects.select_for_update().filter(pk=region.pk).first()
    ruleset, passing = _proposals(region, year, codes)
    by_code = {candidate.uscc: candidate for candidate, _result in passing}
    stale = [code for code in codes if code not in by_code]
    if stale:
        _ruleset, assessments = _assessed(region, year, _candidates(region, year, stale))
        # Every stale enterprise named, each its own problem: the bureau mends the list once.
        raise BusinessError([FieldProblem("usccs", _why_not(region, year, code, assessments.get(code)))
                             for code in stale])
    recognised_by = _("%(region)s科学技术局") % {"region": region.name}
    source = _("达标即准：%(name)s") % {"name": ruleset.name}
    created: list[Platform] = []
    try:
        for code, uscc in zip(_next_codes(region, len(codes)), codes, strict=True):
            firm = by_code[uscc]
            # One save each (not bulk_create): the feeds watch Platform's signals to mark 研发机构设置率 stale.
            created.append(Platform.objects.create(
                code=code, name=_("%(name)s研发中心") % {"name": firm.name}, kind=Kind.ENT_CENTRE,
                level=Level.COUNTY, region_id=firm.region_id, operator_name=firm.name, operator_uscc=firm.uscc,
                operator_unit_id=firm.org_unit_id, recognised_by=recognised_by, document_no=document_no,
                recognised_on=recognised_on, source=source, status=Status.ACTIVE))
    except IntegrityError as exc:  # another batch took the codes first (SQLite has no row lock)
        raise Conflict(_("平台编号已被占用，请重新提交")) from exc
    levels = PlatformLevel.objects.bulk_create([
        PlatformLevel(platform=platform, level=Level.COUNTY, starts_on=recognised_on, recognised_by=recognised_by,
                      document_no=document_no) for platform in created])
    note = _("达标即准认定县级研发中心（%(document)s）") % {"document": document_no}
    create = ChangeRecord.Action.CREATE
    record_changes(actor=actor, changes=[(obj, create, None, snapshot(obj)) for obj in (*created, *levels)],
                   note=note)
    return created
