"""The consequences of the year's tables: official scores, grades and ranks of a kind's cohort in a region,
the kind's budget allocated in proportion to score (funds ledger), the cultivation pool's 有进有出, and the
what-if of a past year under another template — computed beside the official result, never over it."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import roles, versions
from core.audit import record_change, record_changes, snapshot
from core.bulk import update_rows
from core.errors import BusinessError, Conflict, Missing, NotAllowed
from core.models import ChangeRecord, Region
from core.models_notice import FundEntry
from core.scoping import region_prefix
from platforms import performance
from platforms.models import Kind, PerformanceTable, PerformanceTemplate, Platform, PoolPeriod, TableStatus

PROGRAMME = "创新平台"
VERSION_KEY = "platforms"
MAX_BUDGET = Decimal(10) ** 12  # the ledger holds 14 digits of 元: a budget past this is a typing slip
RESULT_FIELDS = ["score", "grade", "rank", "rank_change", "contributions", "scored_at"]


def _region(actor, region_code: str) -> Region:
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise Missing(_("没有这个区域：%(code)s") % {"code": region_code[:12]})
    if not roles.manages_region(actor, region.code):
        raise NotAllowed(_("只有本地区科技局管理员可以评定"))
    return region


def cohort(kind: str, year: int, region_code: str, statuses=(TableStatus.APPROVED,)):
    return (PerformanceTable.objects.filter(platform__kind=kind, year=year, status__in=statuses,
                                            platform__region__code__startswith=region_prefix(region_code))
            .select_related("platform", "template"))


def table_inputs(table: PerformanceTable) -> dict[str, Decimal | None]:
    """What the scoring reads: the reported numbers, and the experts' scores for the qualitative items."""
    inputs: dict[str, Decimal | None] = {}
    for item in table.template.indicators:
        source = table.expert_scores if item["rule"]["type"] == "expert" else table.values
        raw = source.get(item["code"])
        inputs[item["code"]] = Decimal(raw) if raw not in (None, "") else None
    return inputs


def previous_ranks(kind: str, year: int, region_code: str) -> dict[int, int | None]:
    rows = cohort(kind, year - 1, region_code).exclude(rank__isnull=True).values_list("platform_id", "rank")
    return dict(rows)


def score(template: PerformanceTemplate, tables: list[PerformanceTable], previous: dict[int, int | None]):
    """The pure scoring of a cohort under one template, keyed by platform id."""
    return performance.score_cohort(template.indicators, template.grades or performance.DEFAULT_GRADES,
                                    {t.platform_id: table_inputs(t) for t in tables}, previous)


def shared_template(tables: list[PerformanceTable]) -> PerformanceTemplate:
    templates = {t.template_id: t.template for t in tables}
    if len(templates) != 1:
        names = "、".join(sorted(str(t) for t in templates.values()))
        raise BusinessError(_("同一类型同一年度的评价表须使用同一模板，现有：%(names)s") % {"names": names})
    return next(iter(templates.values()))


@transaction.atomic
def score_official(*, actor, kind: str, year: int, region_code: str) -> list[PerformanceTable]:
    """Score, grade and rank every approved table of a kind and year in a region; then the pool's exits."""
    region = _region(actor, region_code)
    tables = list(cohort(kind, year, region.code).select_for_update(of=("self",)))
    if not tables:
        raise BusinessError(_("没有审核通过的绩效评价表"))
    template = shared_template(tables)
    results = score(template, tables, previous_ranks(kind, year, region.code))
    now = timezone.now()
    changes = []
    for table in tables:
        before = snapshot(table, RESULT_FIELDS)
        result = results[table.platform_id]
        table.score, table.grade, table.rank = result.score, result.grade, result.rank
        table.rank_change = result.rank_change
        table.contributions = {code: str(value) for code, value in result.contributions.items()}
        table.scored_at = now
        table.version += 1
        changes.append((table, ChangeRecord.Action.UPDATE, before, snapshot(table, RESULT_FIELDS)))
    update_rows(PerformanceTable, tables, [*RESULT_FIELDS, "version"])  # COPY + one UPDATE on PostgreSQL
    record_changes(actor=actor, changes=changes, note=_("绩效评定"))
    apply_pool_rule(actor=actor, kind=kind, year=year, region_code=region.code, on=now.date())
    versions.bump(VERSION_KEY)
    return tables


def apply_pool_rule(*, actor, kind: str, year: int, region_code: str, on: datetime.date) -> list[Platform]:
    """有进有出: a platform graded 不合格 this year and the year before leaves the pool, the reason kept."""
    rows = (PerformanceTable.objects.filter(platform__kind=kind, year__in=(year - 1, year),
                                            platform__region__code__startswith=region_prefix(region_code))
            .exclude(grade="").values_list("platform_id", "year", "grade"))
    grades: dict[int, dict[int, str]] = {}
    for platform_id, table_year, grade in rows:
        grades.setdefault(platform_id, {})[table_year] = grade
    leaving = [pid for pid, by_year in grades.items() if performance.leaves_pool(by_year, year)]
    periods = list(PoolPeriod.objects.select_for_update().filter(platform_id__in=leaving, left_on__isnull=True)
                   .select_related("platform"))
    reason = _("连续两年绩效评价不合格（%(a)s、%(b)s年度）") % {"a": year - 1, "b": year}
    for period in periods:
        before = snapshot(period)
        period.left_on, period.exit_reason = max(on, period.entered_on), reason
        period.save(update_fields=["left_on", "exit_reason"])
        record_change(actor=actor, obj=period, action=ChangeRecord.Action.UPDATE, before=before,
                      after=snapshot(period), note=_("出库：%(r)s") % {"r": reason})
    return [p.platform for p in periods]


def _platform_to_manage(actor, code: str) -> Platform:
    platform = Platform.objects.restrict(actor, "change").select_related("region").filter(code=code).first()
    if platform is None:
        raise NotAllowed(_("找不到该平台，或您无权管理"))
    return platform


@transaction.atomic
def enter_pool(*, actor, platform_code: str, entered_on: datetime.date, reason: str) -> PoolPeriod:
    """A platform enters (or, after leaving, re-enters) the cultivation pool, with its reason."""
    platform = _platform_to_manage(actor, platform_code)
    Platform.objects.select_for_update().filter(pk=platform.pk).first()  # one entry at a time per platform
    if not (reason or "").strip():
        raise BusinessError(_("请填写入库理由"), field="reason")
    if PoolPeriod.objects.filter(platform=platform, left_on__isnull=True).exists():
        raise Conflict(_("%(name)s已在培育库中") % {"name": platform.name})
    last = PoolPeriod.objects.filter(platform=platform).order_by("-left_on").first()
    if last is not None and entered_on < last.left_on:
        raise BusinessError(_("入库日期不能早于上次出库日期%(d)s") % {"d": last.left_on}, field="entered_on")
    period = PoolPeriod.objects.create(platform=platform, entered_on=entered_on, entry_reason=reason.strip()[:300])
    record_change(actor=actor, obj=period, action=ChangeRecord.Action.CREATE, before=None, after=snapshot(period),
                  note=_("入库"))
    versions.bump(VERSION_KEY)
    return period


@transaction.atomic
def leave_pool(*, actor, platform_code: str, left_on: datetime.date, reason: str) -> PoolPeriod:
    platform = _platform_to_manage(actor, platform_code)
    if not (reason or "").strip():
        raise BusinessError(_("请填写出库理由"), field="reason")
    period = PoolPeriod.objects.select_for_update().filter(platform=platform, left_on__isnull=True).first()
    if period is None:
        raise Conflict(_("%(name)s不在培育库中") % {"name": platform.name})
    if left_on < period.entered_on:
        raise BusinessError(_("出库日期不能早于入库日期%(d)s") % {"d": period.entered_on}, field="left_on")
    before = snapshot(period)
    period.left_on, period.exit_reason = left_on, reason.strip()[:300]
    period.save(update_fields=["left_on", "exit_reason"])
    record_change(actor=actor, obj=period, action=ChangeRecord.Action.UPDATE, before=before, after=snapshot(period),
                  note=_("出库"))
    versions.bump(VERSION_KEY)
    return period


@transaction.atomic
def allocate_budget(*, actor, kind: str, year: int, region_code: str, budget: Decimal,
                    approved_on: datetime.date) -> list[FundEntry]:
    """The kind's budget shared in proportion to score among those graded 合格 or better, in whole 元 summing
    exactly to the budget, each share entered in the funds ledger against its table."""
    region = _region(actor, region_code)
    if (budget is None or not budget.is_finite() or budget <= 0 or budget >= MAX_BUDGET
            or budget != budget.to_integral_value()):
        raise BusinessError(_("预算应为正的整数元（不超过一万亿元）"), field="budget")
    tables = [t for t in cohort(kind, year, region.code) if t.grade in performance.PASSING]
    if not tables:
        raise BusinessError(_("尚无合格及以上的评定结果，请先评定"))
    item = _("%(year)s年度%(kind)s绩效奖补") % {"year": year, "kind": Kind(kind).label}
    if FundEntry.objects.filter(programme=PROGRAMME, policy_item=item,
                                region__code__startswith=region.prefix).exists():
        raise Conflict(_("%(item)s已分配，不能重复分配") % {"item": item})
    shares = performance.allocate(budget, {t.pk: t.score for t in tables})
    table_type = ContentType.objects.get_for_model(PerformanceTable)
    entries = []
    for table in tables:
        amount = shares.get(table.pk, Decimal(0))
        if amount <= 0:
            continue
        entry = FundEntry.objects.create(
            programme=PROGRAMME, policy_item=item, region=table.platform.region,
            recipient_name=table.platform.operator_name or table.platform.name,
            recipient_uscc=table.platform.operator_uscc, recipient_unit=table.platform.operator_unit,
            fiscal_year=approved_on.year, approved=amount, approved_on=approved_on, content_type=table_type,
            object_id=str(table.pk), note=_("%(name)s %(score)s分 %(grade)s") % {
                "name": table.platform.name, "score": table.score, "grade": table.grade},
            is_demo=table.is_demo)
        record_change(actor=actor, obj=entry, action=ChangeRecord.Action.CREATE, before=None,
                      after=snapshot(entry), note=item)
        entries.append(entry)
    return entries


def what_if(user, *, kind: str, year: int, region_code: str, template: PerformanceTemplate) -> dict:
    """The year's tables re-scored under another template beside the official result; nothing is written."""
    tables = list(cohort(kind, year, region_code).filter(
        platform__in=Platform.objects.restrict(user).values("pk")))
    results = score(template, tables, {}) if tables else {}
    official = {t.platform_id: t.rank for t in tables}
    rows = [{"platform": t.platform, "official_score": t.score, "official_rank": t.rank,
             "official_grade": t.grade, "score": results[t.platform_id].score, "rank": results[t.platform_id].rank,
             "grade": results[t.platform_id].grade} for t in tables]
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["platform"].code))
    moved = performance.movements(official, {pid: r.rank for pid, r in results.items()})
    names = {t.platform_id: t.platform.name for t in tables}
    return {"rows": rows, "up": [names[k] for k, *_r in moved["up"]], "down": [names[k] for k, *_r in moved["down"]],
            "template": template}
