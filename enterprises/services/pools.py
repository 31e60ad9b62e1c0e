"""Cultivation pools (培育库): filled from screening results by each pool's own rule, plus manual entries.

A pool rule is data: {"ruleset": "hitech", "without_valid": "高新技术企业", "failed_max": 1} and the keys
``with_valid``, ``failed_min``, ``eligible``, ``score_min``, ``score_max`` (filtered in the database) and
``passed`` / ``not_passed`` (criterion codes that must, or must not, have passed; e.g. a tier criterion). Members that stop matching leave
with the date and the reason; manual members are only removed by hand.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, JSONObject
from django.utils.translation import gettext as _

from core.audit import record_change, record_changes_of, snapshot
from core.bulk import insert_rows
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


class _Passed(Func):
    """Whether a stored result's criterion ``code`` passed: an item ``[code, true, …]`` in its criteria.

    Evaluated in the database so that the tier rules (``passed`` / ``not_passed``) filter like the others
    instead of every admitted result's criteria being read into Python. ``true`` is matched as JSON true,
    as Python's ``is True`` did: a criterion not judged (null) has not passed. The path is ``strict``: in
    lax mode PostgreSQL unwraps the item arrays and ``@[0]`` no longer reads the code.
    """

    output_field = BooleanField()

    def __init__(self, code: str):
        super().__init__(F("criteria"), Value(code))

    def _parts(self, compiler) -> tuple[str, str, tuple]:
        (criteria, criteria_params), (code, code_params) = (compiler.compile(e) for e in self.get_source_expressions())
        return criteria, code, (*criteria_params, *code_params)

    def as_sql(self, compiler, connection, **extra_context):
        criteria, code, params = self._parts(compiler)
        return (f"EXISTS (SELECT 1 FROM json_each({criteria}) AS item WHERE json_extract(item.value, '$[0]') = {code}"
                f" AND json_type(item.value, '$[1]') = 'true')", params)

    def as_postgresql(self, compiler, connection, **extra_context):
        criteria, code, params = self._parts(compiler)
        return (f"jsonb_path_exists({criteria}, 'strict $[*] ? (@[0] == $code && @[1] == true)', "
                f"jsonb_build_object('code', ({code})::text))", params)


def matching(pool: Pool, screening: Screening) -> QuerySet:
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
    for code in rule.get("passed", []):
        results = results.filter(_Passed(code))
    for code in rule.get("not_passed", []):
        results = results.exclude(_Passed(code))
    return results


def _wording(screening: Screening) -> dict[str, str]:
    """The reason's texts, translated once per refresh: gettext per entrant cost more than the rest of it."""
    return {"head": _("%(date)s%(ruleset)s评测：") % {"date": screening.date.isoformat(),
                                                     "ruleset": screening.ruleset.name},
            "direct": _("达标（直接认定）"), "all": _("全部达标"), "score": _("得分%(score)s分"),
            "missed": _("未通过%(n)s项（%(gaps)s）"), "fits": _("符合入库规则")}


def _reason(pool: Pool, screening: Screening, result: ScreeningResult, wording: dict[str, str] | None = None) -> str:
    """The entry reason from a result (a model instance or a row with the same attributes)."""
    words = wording or _wording(screening)
    gaps = [c[4] for c in result.criteria if c[1] is False and c[4]]
    head = words["head"]
    if result.eligible and (result.direct or not gaps):
        return head + (words["direct"] if result.direct else words["all"])
    # A tier pool admits eligible results that still miss the higher tiers: say the score, not "全部达标".
    # format(…, "f"): a stored 40.00 normalises to 4E+1.
    score = words["score"] % {"score": format(result.score.normalize(), "f")} if result.score is not None else ""
    if gaps:
        missed = words["missed"] % {"n": result.failed, "gaps": "；".join(gaps)}
        return head + (f"{score}，{missed}" if score else missed)
    return head + (score or words["fits"])


def admitted_ids(pool: Pool, screening: Screening) -> set[int]:
    return set(matching(pool, screening).values_list("enterprise_id", flat=True))


def batch_size() -> int:
    """Rows per round trip when entrants are written (a setting, so tests can cross it with a few firms)."""
    return getattr(settings, "KECHUANG_POOL_BATCH", 5000)


MEMBER_COLUMNS = ("pool_id", "enterprise_id", "entered_on", "reason", "exit_reason", "source", "screening_id")


def _active(pool: Pool) -> QuerySet:
    return PoolMember.objects.filter(pool=pool, exited_on__isnull=True)


def _enter(pool: Pool, screening: Screening) -> int:
    """Insert a member for every admitted firm not already in the pool; returns how many.

    The reason is composed in Python (``_reason``, one wording for every database), so the entrants are
    streamed as plain rows (no model instances) by one query and written a batch at a time. Writing while
    the query is read is safe: a row written is for a firm already read, and each firm is judged by its
    own "not already a member", which no other firm's row changes.
    """
    entrants = matching(pool, screening).exclude(Exists(_active(pool).filter(enterprise_id=OuterRef("enterprise_id"))))
    fields = ("enterprise_id", "eligible", "direct", "failed", "score", "criteria")
    on, size, entered, wording = screening.date.isoformat(), batch_size(), 0, _wording(screening)
    rows: list[tuple] = []
    for row in entrants.order_by().values_list(*fields, named=True).iterator(chunk_size=size):
        rows.append((pool.pk, row.enterprise_id, on, _reason(pool, screening, row, wording), "", "screening",
                     screening.pk))
        if len(rows) >= size:
            insert_rows(PoolMember, MEMBER_COLUMNS, rows, prepared=True)
            entered, rows = entered + len(rows), []
    if rows:
        insert_rows(PoolMember, MEMBER_COLUMNS, rows, prepared=True)
    return entered + len(rows)


@transaction.atomic
def refresh_pool(pool: Pool, screening: Screening, user=None) -> dict:
    """Bring a pool in line with a screening: set-based, with a history record for every entrant and leaver.

    Leavers are exited by one UPDATE and entrants inserted in large batches; their history is copied by
    the database from the rows themselves (INSERT … SELECT), so no entrant or leaver goes without one.
    """
    # Only the screened region's members are judged: a county's screening leaves other counties' alone.
    region = screening.region
    in_region = {"enterprise__region__code__startswith": region.code if region.level == "town" else region.prefix}
    note = _("培育库按评测结果更新")
    exit_reason = _("%(date)s%(ruleset)s评测不再符合入库规则") % {"date": screening.date.isoformat(),
                                                                "ruleset": screening.ruleset.name}
    # Manual members are only removed by hand; a firm the rule no longer admits leaves.
    # NOT IN over the admitted firms, not a correlated NOT EXISTS: the database works the admitted set out
    # once (a hashed subplan) whatever its statistics say; right after the screening's rows were written
    # they are stale, and a per-member re-evaluation of the whole rule took minutes for a few hundred firms.
    leaving = _active(pool).filter(source="screening", **in_region).exclude(
        enterprise_id__in=matching(pool, screening).values("enterprise_id"))
    # The history first, from the same rows the UPDATE then exits (the pool's row lock keeps them the same).
    record_changes_of(actor=user, records=leaving, action=ChangeRecord.Action.UPDATE, before={"exited_on": None},
                      after={"exited_on": screening.date.isoformat(), "exit_reason": exit_reason}, note=note)
    exited = leaving.update(exited_on=screening.date, exit_reason=exit_reason)
    # Members inserted from here on have higher ids: their history is copied from them after the inserts.
    last_before = PoolMember.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    entered = _enter(pool, screening)
    record_changes_of(actor=user, records=PoolMember.objects.filter(pool=pool, pk__gt=last_before, source="screening"),
                      action=ChangeRecord.Action.CREATE, before=None,
                      after=JSONObject(pool=Cast(Value(pool.code), TextField()), reason=F("reason")), note=note)
    return {"entered": entered, "exited": exited, "members": _active(pool).filter(**in_region).count()}


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
