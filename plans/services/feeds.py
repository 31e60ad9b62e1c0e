"""The feed runner: indicators bound in their settings to a source (core.feeds) get the source's yearly figure.

A fed figure never replaces a figure from another source without a choice: when the plan's region already
has a figure for that year — under the same 口径, or without a 口径 (an import's default), or for a period
ending the same month — that the feed did not write and that differs, a FeedConflict holds both figures and
nothing is written until the bureau picks. The same runner serves the job queue (a source's data changed),
the 梯队 page's button and the bureau's choice.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import feeds, jobs, roles
from core.audit import record_change, snapshot
from core.errors import BusinessError, Conflict, NotAllowed
from core.models import ChangeRecord, OrgUnit
from core.periods import Period
from plans.flow import PLAN_ADMIN_ONLY, is_plan_admin, lock_problem
from plans.models import Basis, FeedConflict, Indicator, IndicatorFeed, IndicatorValue, Plan
from plans.services.values import record_fed_value

# The registry holds no certificates before the national scheme began; a later year has nothing to count.
FIRST_FEED_YEAR = 1990
CONFLICT_FIELDS = ["decision", "decided_by", "fed_value", "existing_value", "existing_source"]


@dataclass
class Outcome:
    indicator: str
    basis: str
    source: str
    figure: Decimal | None
    written: bool = False
    conflict: FeedConflict | None = None
    reason: str = ""


def _described(row: IndicatorValue) -> str:
    if row.source:
        return row.source
    who = row.reporter.get_full_name() or row.reporter.username if row.reporter_id else ""
    return _("人工填报或导入（%(who)s）") % {"who": who} if who else _("人工填报或导入")


def _competitor(indicator: Indicator, place: OrgUnit, period: Period, basis: str) -> IndicatorValue | None:
    """The figure of another source the fed figure would displace on the plan's pages, if any."""
    exact = (IndicatorValue.objects.select_related("reporter")
             .filter(indicator=indicator, place=place, period=period.code, basis=basis).first())
    if exact is not None:
        return None if feeds.is_fed(exact.source) else exact
    others = (IndicatorValue.objects.select_related("reporter").approved()
              .filter(indicator=indicator, place=place, period_end=period.end_key)
              .filter(Q(basis=basis) | Q(basis="")).order_by("basis", "-period"))
    return next((row for row in others if not feeds.is_fed(row.source)), None)


def _hold(binding: IndicatorFeed, place: OrgUnit, period: Period, figure: Decimal, other: IndicatorValue,
          actor) -> FeedConflict | None:
    """The open conflict for this slot, made or brought up to date; None when the bureau already kept
    this very figure against this very fed figure."""
    slot = {"indicator": binding.indicator, "place": place, "period": period.code, "basis": binding.basis}
    other_value = other.approved_value if other.approved_value is not None else other.value
    kept = FeedConflict.objects.filter(**slot, decision=FeedConflict.Decision.KEPT).order_by("-decided_at").first()
    if kept and kept.fed_value == figure and kept.existing_value == other_value and kept.existing_id == other.pk:
        return None
    fields = {"source": binding.source, "fed_value": figure, "existing": other, "existing_value": other_value,
              "existing_period": other.period, "existing_basis": other.basis, "existing_source": _described(other)}
    conflict = FeedConflict.objects.select_for_update().filter(**slot, decision=FeedConflict.Decision.OPEN).first()
    if conflict is None:
        conflict = FeedConflict.objects.create(**slot, **fields)
        record_change(actor=actor, obj=conflict, action=ChangeRecord.Action.CREATE, before=None,
                      after=snapshot(conflict, CONFLICT_FIELDS), note=_("汇总数据与已有数据不一致"))
        return conflict
    before = snapshot(conflict, CONFLICT_FIELDS)
    for name, new in fields.items():
        setattr(conflict, name, new)
    if snapshot(conflict, CONFLICT_FIELDS) != before:
        conflict.save()
        record_change(actor=actor, obj=conflict, action=ChangeRecord.Action.UPDATE, before=before,
                      after=snapshot(conflict, CONFLICT_FIELDS), note=_("汇总数据更新"))
    return conflict


def _feed_one(binding: IndicatorFeed, source: feeds.Source, place: OrgUnit, period: Period, figure: Decimal,
              actor) -> Outcome:
    outcome = Outcome(binding.indicator.code, binding.basis, source.key, figure)
    plan = binding.indicator.plan
    problem = lock_problem(plan, period)
    if problem is not None:
        outcome.reason = problem.message
        return outcome
    other = _competitor(binding.indicator, place, period, binding.basis)
    if other is not None:
        if (other.approved_value if other.approved_value is not None else other.value) == figure:
            outcome.reason = _("与已有数据一致")
            return outcome
        outcome.conflict = _hold(binding, place, period, figure, other, actor)
        outcome.reason = (_("已有其他来源的数据（%(source)s），待选择") % {"source": _described(other)}
                          if outcome.conflict else _("已选择保留原数据"))
        return outcome
    fed = IndicatorValue.objects.filter(indicator=binding.indicator, place=place, period=period.code,
                                        basis=binding.basis).first()
    if fed is not None and fed.approved_value == figure and fed.source == source.written_as:
        outcome.reason = _("无变化")
        return outcome
    record_fed_value(actor=actor, indicator=binding.indicator, place=place, period=period, value=figure,
                     basis=binding.basis, source=source.written_as, note=_("由平台数据自动汇总"))
    outcome.written = True
    return outcome


@transaction.atomic
def feed_plan(*, plan: Plan, year: int, today: datetime.date, actor=None) -> list[Outcome]:
    """Feed ``year`` into every bound indicator of ``plan`` (the plan's own region, a yearly figure)."""
    out = []
    if year not in plan.years and year != plan.start_year - 1:
        return out
    place = OrgUnit.objects.get(code=plan.region.code)
    period = Period(year, "Y", 0)
    bindings = IndicatorFeed.objects.filter(indicator__plan=plan).select_related("indicator__plan__region")
    for binding in bindings:
        source = feeds.get(binding.source)
        if source is None:
            out.append(Outcome(binding.indicator.code, binding.basis, binding.source, None,
                               reason=_("数据来源“%(key)s”已不存在") % {"key": binding.source}))
            continue
        computed = source.compute(plan.region_prefix, year, today)
        if computed is None:  # a rate with nothing to divide by (no 规上 enterprise that year): no figure at all
            out.append(Outcome(binding.indicator.code, binding.basis, binding.source, None,
                               reason=_("%(year)s年度无可汇总的数据") % {"year": year}))
            continue
        out.append(_feed_one(binding, source, place, period, Decimal(computed), actor))
    return out


def feed_all(*, admin, year: int, today: datetime.date) -> dict:
    """The 梯队 page's button: every plan the admin changes; how many figures were written, how many wait."""
    if not roles.is_bureau_admin(admin) and not roles.is_sysadmin(admin):
        raise NotAllowed(_("只有科技局管理员可以同步指标"))
    if not FIRST_FEED_YEAR <= year <= today.year:
        raise BusinessError(_("年度应为1990至%(y)s之间的四位数字") % {"y": today.year}, field="year")
    written = conflicts = 0
    for plan in Plan.objects.restrict(admin, "change").select_related("region"):
        for outcome in feed_plan(plan=plan, year=year, today=today, actor=admin):
            written += outcome.written
            conflicts += outcome.conflict is not None
    return {"written": written, "conflicts": conflicts}


@jobs.handler(feeds.JOB_KIND)
def run_feed_job(job, report) -> dict:
    """A source's data changed in a county: feed the plans that count it, for the years it touched."""
    county, years = job.params["region"], [int(y) for y in job.params.get("years", [])]
    today = timezone.localdate()
    plans = [p for p in Plan.objects.filter(indicators__feeds__isnull=False).distinct().select_related("region")
             if county.startswith(p.region_prefix) or p.region_prefix.startswith(county)]
    written = conflicts = 0
    for index, plan in enumerate(plans):
        for year in years:
            if FIRST_FEED_YEAR <= year <= today.year:
                for outcome in feed_plan(plan=plan, year=year, today=today, actor=None):
                    written += outcome.written
                    conflicts += outcome.conflict is not None
        report(index + 1, len(plans))
    return {"written": written, "conflicts": conflicts}


# ------------------------------------------------------------------------------------------ settings


def _stale_years(plan: Plan, today: datetime.date) -> list[int]:
    return [y for y in range(plan.start_year - 1, plan.end_year + 1) if FIRST_FEED_YEAR <= y <= today.year]


@transaction.atomic
def bind_feed(*, admin, indicator: Indicator, basis: str, source: str,
              today: datetime.date | None = None) -> IndicatorFeed:
    """Bind an indicator's 口径 to a source; the plan is fed by the job queue once this commits."""
    plan = indicator.plan
    if not is_plan_admin(admin, plan):
        raise NotAllowed(_(PLAN_ADMIN_ONLY))
    if feeds.get(source) is None:
        raise BusinessError(_("未知的数据来源“%(key)s”") % {"key": source}, field="source")
    if basis not in Basis.values:
        raise BusinessError(_("口径只能是“新增”“累计”或不区分"), field="basis")
    binding = IndicatorFeed.objects.filter(indicator=indicator, basis=basis).first()
    before = snapshot(binding, ["source"]) if binding else None
    if binding is None:
        binding = IndicatorFeed(indicator=indicator, basis=basis, created_by=admin)
    binding.source = source
    binding.save()
    record_change(actor=admin, obj=binding, action=ChangeRecord.Action.CREATE if before is None
                  else ChangeRecord.Action.UPDATE, before=before, after=snapshot(binding, ["source"]),
                  note=_("设置指标数据来源"))
    feeds.changed(plan.region.code, _stale_years(plan, today or timezone.localdate()))
    return binding


@transaction.atomic
def unbind_feed(*, admin, binding_id: int) -> None:
    binding = IndicatorFeed.objects.select_related("indicator__plan__region").filter(pk=binding_id).first()
    if binding is None:
        raise BusinessError(_("该数据来源设置不存在"), field="feed")
    if not is_plan_admin(admin, binding.indicator.plan):
        raise NotAllowed(_(PLAN_ADMIN_ONLY))
    record_change(actor=admin, obj=binding, action=ChangeRecord.Action.DELETE,
                  before=snapshot(binding, ["source"]), after=None, note=_("取消指标数据来源"))
    binding.delete()


def seed_feeds(*, actor, indicator: Indicator, items: list[dict]) -> None:
    """The seed plans' bindings (plans/seed_data): set as the bureau would, without asking who may."""
    for item in items:
        binding, created = IndicatorFeed.objects.get_or_create(
            indicator=indicator, basis=item["basis"] or "", defaults={"source": item["source"], "created_by": actor})
        if created or binding.source != item["source"]:
            before = None if created else snapshot(binding, ["source"])
            binding.source = item["source"]
            binding.save()
            record_change(actor=actor, obj=binding, action=ChangeRecord.Action.CREATE if created
                          else ChangeRecord.Action.UPDATE, before=before, after=snapshot(binding, ["source"]),
                          note=_("来源文件的指标口径"))


# ------------------------------------------------------------------------------------------ decisions


@transaction.atomic
def decide_conflict(*, admin, conflict_id: int, choice: str) -> FeedConflict:
    """The bureau picks: keep the figure that is there, or write the fed one (both recorded in history)."""
    conflict = (FeedConflict.objects.select_for_update().select_related("indicator__plan__region", "place")
                .filter(pk=conflict_id).first())
    if conflict is None:
        raise BusinessError(_("该冲突记录不存在"), field="conflict")
    plan = conflict.indicator.plan
    if not is_plan_admin(admin, plan):
        raise NotAllowed(_(PLAN_ADMIN_ONLY))
    if choice not in (FeedConflict.Decision.KEPT, FeedConflict.Decision.FED):
        raise BusinessError(_("请选择“保留原数据”或“采用汇总数据”"), field="choice")
    if conflict.decision != FeedConflict.Decision.OPEN:
        raise Conflict(_("该冲突已处理（%(d)s）") % {"d": conflict.get_decision_display()})
    before = snapshot(conflict, CONFLICT_FIELDS)
    if choice == FeedConflict.Decision.FED:
        source = feeds.get(conflict.source)
        if source is None:
            raise BusinessError(_("数据来源“%(key)s”已不存在") % {"key": conflict.source}, field="choice")
        record_fed_value(actor=admin, indicator=conflict.indicator, place=conflict.place,
                         period=Period.parse(conflict.period), value=conflict.fed_value, basis=conflict.basis,
                         source=source.written_as, note=_("科技局选择采用汇总数据"))
    conflict.decision, conflict.decided_by, conflict.decided_at = choice, admin, timezone.now()
    conflict.save()
    record_change(actor=admin, obj=conflict, action=ChangeRecord.Action.UPDATE, before=before,
                  after=snapshot(conflict, CONFLICT_FIELDS), note=conflict.get_decision_display())
    return conflict
