"""Cultivation pools (培育库): filled from screening results by each pool's own rule, plus manual entries.

A pool rule is data: {"ruleset": "hitech", "without_valid": "高新技术企业", "failed_max": 1} and the keys
``with_valid``, ``failed_min``, ``eligible``, ``score_min``, ``score_max`` (filtered in the database) and
``passed`` / ``not_passed`` (criterion codes that must, or must not, have passed; e.g. a tier criterion). Members that stop matching leave
with the date and the reason; manual members are only removed by hand.
"""

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from core.audit import record_change, record_changes, snapshot
from core.errors import BusinessError, Conflict, NotAllowed
from core.models import ChangeRecord
from enterprises.models import Enterprise, Pool, PoolMember, Qualification, Screening, ScreeningResult

RULE_KEYS = {"ruleset", "without_valid", "with_valid", "failed_min", "failed_max", "eligible", "score_min",
             "score_max", "passed", "not_passed", "complete"}

SHIPPED_POOLS = [
    {"code": "hitech_incubation", "name": "高企培育库", "order": 1,
     "description": "尚未持有有效高新技术企业资质，高新技术企业量化预评资料齐全、未通过项不超过1项。",
     "rule": {"ruleset": "hitech", "without_valid": "高新技术企业", "failed_max": 1, "complete": True}},
    {"code": "hitech_reserve", "name": "高企储备库", "order": 2,
     "description": "持有有效科技型中小企业资质，高新技术企业量化预评未通过2项及以上。",
     "rule": {"ruleset": "hitech", "with_valid": "科技型中小企业", "without_valid": "高新技术企业", "failed_min": 2}},
    {"code": "golden_eagle_seed", "name": "“金鹰”培育库·种子级", "order": 3,
     "description": "示例：符合“金鹰”规则种子级条件、尚未达到孵化级，由科技局按本地办法修改。",
     "rule": {"ruleset": "golden_eagle", "passed": ["tier_seed"], "not_passed": ["tier_incubating", "tier_growth"]}},
    {"code": "golden_eagle_incubating", "name": "“金鹰”培育库·孵化级", "order": 4,
     "description": "示例：符合“金鹰”规则孵化级条件、尚未达到成长级。",
     "rule": {"ruleset": "golden_eagle", "passed": ["tier_incubating"], "not_passed": ["tier_growth"]}},
    {"code": "golden_eagle_growth", "name": "“金鹰”培育库·成长级", "order": 5,
     "description": "示例：符合“金鹰”规则成长级条件。", "rule": {"ruleset": "golden_eagle", "passed": ["tier_growth"]}},
]


def validate_rule(rule: dict) -> None:
    unknown = set(rule) - RULE_KEYS
    if unknown or "ruleset" not in rule:
        raise BusinessError(_("入库规则有误：%(keys)s") % {"keys": "、".join(sorted(unknown)) or _("缺少ruleset")},
                            field="rule")


def ensure_pools() -> list[Pool]:
    out = []
    for item in SHIPPED_POOLS:
        pool, _created = Pool.objects.get_or_create(code=item["code"], defaults={
            "name": item["name"], "description": item["description"], "rule": item["rule"], "order": item["order"]})
        out.append(pool)
    return out


def _valid(kind: str, on: datetime.date):
    return Exists(Qualification.objects.filter(enterprise_id=OuterRef("enterprise_id"), type=kind, issued__lte=on)
                  .filter(Q(expires__isnull=True) | Q(expires__gte=on)))


def matching(pool: Pool, screening: Screening):
    """The screening results a pool's rule admits (one query, evaluated in the database)."""
    rule = pool.rule
    results = ScreeningResult.objects.filter(screening=screening)
    if "failed_max" in rule:
        results = results.filter(failed__lte=rule["failed_max"])
    if "failed_min" in rule:
        results = results.filter(failed__gte=rule["failed_min"])
    if "eligible" in rule:
        results = results.filter(eligible=rule["eligible"])
    if rule.get("complete"):
        # A firm whose figures are missing is followed up for data, not admitted on unknowns.
        results = results.exclude(status="incomplete")
    if "score_min" in rule:
        results = results.filter(score__gte=rule["score_min"])
    if "score_max" in rule:
        results = results.filter(score__lte=rule["score_max"])
    if rule.get("with_valid"):
        results = results.filter(_valid(rule["with_valid"], screening.date))
    if rule.get("without_valid"):
        results = results.filter(~_valid(rule["without_valid"], screening.date))
    return results


def _reason(pool: Pool, screening: Screening, result: ScreeningResult) -> str:
    gaps = [c[4] for c in result.criteria if c[1] is False and c[4]]
    head = _("%(date)s%(ruleset)s评测：") % {"date": screening.date.isoformat(), "ruleset": screening.ruleset.name}
    if result.eligible and (result.direct or not gaps):
        return head + (_("达标（直接认定）") if result.direct else _("全部达标"))
    # A tier pool admits eligible results that still miss the higher tiers: say the score, not "全部达标".
    # format(…, "f"): a stored 40.00 normalises to 4E+1.
    score = (_("得分%(score)s分") % {"score": format(result.score.normalize(), "f")}
             if result.score is not None else "")
    if gaps:
        missed = _("未通过%(n)s项（%(gaps)s）") % {"n": result.failed, "gaps": "；".join(gaps)}
        return head + (f"{score}，{missed}" if score else missed)
    return head + (score or _("符合入库规则"))


def admitted_ids(pool: Pool, screening: Screening) -> set[int]:
    admitted = matching(pool, screening)
    must, must_not = set(pool.rule.get("passed", [])), set(pool.rule.get("not_passed", []))
    if not (must or must_not):
        return set(admitted.values_list("enterprise_id", flat=True))
    wanted = set()
    for enterprise_id, criteria in admitted.values_list("enterprise_id", "criteria").iterator(chunk_size=5000):
        passed = {c[0] for c in criteria if c[1] is True}
        if must <= passed and not (must_not & passed):
            wanted.add(enterprise_id)
    return wanted


@transaction.atomic
def refresh_pool(pool: Pool, screening: Screening, user=None) -> dict:
    admitted = matching(pool, screening)
    wanted = admitted_ids(pool, screening)
    # Only the screened region's members are judged: a county's screening leaves other counties' alone.
    region = screening.region
    current = {m.enterprise_id: m for m in PoolMember.objects.filter(
        pool=pool, exited_on__isnull=True,
        enterprise__region__code__startswith=region.code if region.level == "town" else region.prefix)}
    new_ids = wanted - set(current)
    leaving = [m for eid, m in current.items() if eid not in wanted and m.source == "screening"]
    members = []
    for result in admitted.filter(enterprise_id__in=new_ids).only("enterprise_id", "eligible", "direct", "failed",
                                                                   "score", "criteria").iterator(chunk_size=2000):
        members.append(PoolMember(pool=pool, enterprise_id=result.enterprise_id, entered_on=screening.date,
                                  reason=_reason(pool, screening, result), screening=screening, source="screening"))
    PoolMember.objects.bulk_create(members, batch_size=2000)
    exit_reason = _("%(date)s%(ruleset)s评测不再符合入库规则") % {"date": screening.date.isoformat(),
                                                                "ruleset": screening.ruleset.name}
    for member in leaving:
        member.exited_on, member.exit_reason = screening.date, exit_reason
    PoolMember.objects.bulk_update(leaving, ["exited_on", "exit_reason"], batch_size=2000)
    record_changes(actor=user, changes=[(m, ChangeRecord.Action.CREATE, None, {"pool": pool.code, "reason": m.reason})
                                        for m in members[:10000]]
                   + [(m, ChangeRecord.Action.UPDATE, {"exited_on": None}, {"exited_on": str(m.exited_on),
                                                                             "exit_reason": exit_reason})
                      for m in leaving[:10000]], note=_("培育库按评测结果更新"))
    return {"entered": len(members), "exited": len(leaving), "members": len(wanted | {
        eid for eid, m in current.items() if m.source == "manual"})}


@transaction.atomic
def refresh_pools(screening: Screening, user=None) -> dict:
    """Refresh every pool fed by the screening's rule set, one refresh of those pools at a time.

    Two screenings finishing together would otherwise both read the members before either wrote, and both
    insert the same entrants and exit the same members. Locking the pools' rows (in a fixed order, so two
    refreshes cannot deadlock) makes the second wait for the first to commit, then read what it wrote.
    The lock is on the pools rather than on the region because regions nest: a province's screening judges
    every county's members, so a lock on one region row would not keep it apart from a county's refresh.
    """
    fed = list(Pool.objects.select_for_update().filter(rule__ruleset=screening.ruleset.code).order_by("pk"))
    return {pool.code: refresh_pool(pool, screening, user) for pool in fed}


@transaction.atomic
def add_member(*, user, pool: Pool, enterprise: Enterprise, reason: str, on: datetime.date) -> PoolMember:
    if not user.is_bureau_admin:
        raise NotAllowed(_("只有科技局管理员可以调整培育库"))
    if not reason.strip():
        raise BusinessError(_("手动入库须说明原因"), field="reason")
    if PoolMember.objects.filter(pool=pool, enterprise=enterprise, exited_on__isnull=True).exists():
        raise Conflict(_("该企业已在库中"))
    member = PoolMember.objects.create(pool=pool, enterprise=enterprise, entered_on=on, reason=reason,
                                       source="manual", added_by=user)
    record_change(actor=user, obj=member, action=ChangeRecord.Action.CREATE, before=None, after=snapshot(member),
                  note=_("手动入库"))
    return member


@transaction.atomic
def remove_member(*, user, member: PoolMember, reason: str, on: datetime.date) -> PoolMember:
    if not user.is_bureau_admin:
        raise NotAllowed(_("只有科技局管理员可以调整培育库"))
    if not reason.strip():
        raise BusinessError(_("出库须说明原因"), field="reason")
    if member.exited_on is not None:
        raise Conflict(_("该企业已出库"))
    before = snapshot(member)
    member.exited_on, member.exit_reason = on, reason
    member.save(update_fields=["exited_on", "exit_reason"])
    record_change(actor=user, obj=member, action=ChangeRecord.Action.UPDATE, before=before, after=snapshot(member),
                  note=_("手动出库"))
    return member
