"""Reporting and review of indicator values (填报与审核), and period locks.

Every write goes through here: pages, the API, imports and commands call these functions.  Review steps and
locks are declared in plans/flow.py and taken through the core workflow engine.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core import workflow as engine
from core.audit import record_change, snapshot
from core.errors import BusinessError, Conflict, FieldProblem, NotAllowed
from core.models import ChangeRecord, OrgUnit
from core.periods import Period, PeriodError, parse_period_loose
from plans.flow import (
    PERIOD_LOCK_FLOW,
    PLAN_ADMIN_ONLY,
    VALUE_FIELDS,
    VALUE_FLOW,
    is_plan_admin,
    lock_problem,
)
from plans.models import Indicator, IndicatorKind, IndicatorValue, PeriodLock, Plan, ValueStatus
from plans.rules import report_refusal, value_problems


def resolve_period(indicator: Indicator, text) -> Period:
    """A period as staff write it, checked against the indicator (year-to-date only for cumulative)."""
    try:
        parsed = parse_period_loose(text)
    except PeriodError as exc:
        raise BusinessError(str(exc), field="period") from exc
    if parsed.year_to_date and indicator.kind != IndicatorKind.CUMULATIVE:
        raise BusinessError(_("“1-N月”累计写法只适用于累计类指标，“%(name)s”不是累计类指标")
                            % {"name": indicator.name}, field="period")
    period = parsed.period
    plan = indicator.plan
    if not plan.start_year - 1 <= period.year <= plan.end_year:
        raise BusinessError(_("期间%(period)s不在规划年度%(start)s—%(end)s内")
                            % {"period": period.label, "start": plan.start_year, "end": plan.end_year},
                            field="period")
    return period


def ensure_unlocked(plan: Plan, period: Period) -> None:
    problem = lock_problem(plan, period)
    if problem is not None:
        raise BusinessError([problem])


def check_value(indicator: Indicator, value: Decimal) -> None:
    problems = value_problems(unit=indicator.unit, value=value)
    if problems:
        raise BusinessError([FieldProblem("value", p) for p in problems])


@transaction.atomic
def report_value(*, reporter, indicator: Indicator, place: OrgUnit, period, value: Decimal, basis: str = "",
                 note: str = "", source: str = "", submit: bool = True, expected_version: int | None = None,
                 is_demo: bool = False) -> IndicatorValue:
    """Store a figure; a figure already there becomes the previous revision in the history.

    A bureau admin's (or system admin's) own entry is approved at once; a reporter's is a draft or, with
    ``submit``, waits for review. ``expected_version`` refuses a stale edit instead of overwriting.
    """
    if not isinstance(period, Period):
        period = resolve_period(indicator, period)
    refusal = report_refusal(reporter, indicator, place)
    if refusal:
        raise NotAllowed(refusal)
    check_value(indicator, value)
    # Stored with six decimals: round here, once, so the history records what the database keeps.
    value = value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    ensure_unlocked(indicator.plan, period)

    admin_entry = reporter.is_bureau_admin
    new_status = ValueStatus.APPROVED if admin_entry else (ValueStatus.SUBMITTED if submit else ValueStatus.DRAFT)
    row = (IndicatorValue.objects.select_for_update()
           .filter(indicator=indicator, place=place, period=period.code, basis=basis or "").first())
    before = snapshot(row, VALUE_FIELDS) if row else None
    if row is None:
        if expected_version is not None:
            raise Conflict(_("该数据已被删除或尚未创建，请刷新后重试"))
        row = IndicatorValue(indicator=indicator, place=place, period=period.code, period_end=period.end_key,
                             basis=basis or "", revision=1, version=1, is_demo=is_demo)
    else:
        if expected_version is not None and expected_version != row.version:
            raise Conflict(_("数据已被他人修改（当前版本%(now)s，您编辑的是版本%(yours)s），请刷新后重试")
                           % {"now": row.version, "yours": expected_version})
        row.revision += 1
        row.version += 1
    row.value = value
    row.status = new_status
    row.note = note
    row.source = source
    row.reporter = reporter
    row.reporter_unit_id = reporter.org_unit_id
    row.review_opinion = ""
    row.reviewed_by = reporter if admin_entry else None
    if admin_entry:
        row.approved_value = value
    row.save()
    record_change(actor=reporter, obj=row,
                  action=ChangeRecord.Action.CREATE if before is None else ChangeRecord.Action.UPDATE,
                  before=before, after=snapshot(row, VALUE_FIELDS), note=note)
    return row


@transaction.atomic
def record_fed_value(*, actor, indicator: Indicator, place: OrgUnit, period: Period, value: Decimal, basis: str,
                     source: str, note: str) -> IndicatorValue:
    """A figure counted by the platform itself (plans.services.feeds): approved as written, with history.

    ``actor`` is the admin who ran or chose it, or None for a run of the job queue (recorded as 系统).
    Whether it may replace what is there was decided by the caller; a locked period still refuses it.
    """
    check_value(indicator, value)
    value = value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    ensure_unlocked(indicator.plan, period)
    row = (IndicatorValue.objects.select_for_update()
           .filter(indicator=indicator, place=place, period=period.code, basis=basis or "").first())
    before = snapshot(row, VALUE_FIELDS) if row else None
    if row is None:
        row = IndicatorValue(indicator=indicator, place=place, period=period.code, period_end=period.end_key,
                             basis=basis or "", revision=1, version=1)
    else:
        row.revision += 1
        row.version += 1
    row.value = row.approved_value = value
    row.status = ValueStatus.APPROVED
    row.note, row.source, row.review_opinion = note, source, ""
    row.reporter = row.reviewed_by = actor
    row.reporter_unit_id = actor.org_unit_id if actor is not None else None
    row.save()
    record_change(actor=actor, obj=row,
                  action=ChangeRecord.Action.CREATE if before is None else ChangeRecord.Action.UPDATE,
                  before=before, after=snapshot(row, VALUE_FIELDS), note=note)
    return row


@transaction.atomic
def submit_value(*, user, value_id: int, expected_version: int | None = None) -> IndicatorValue:
    return engine.perform(VALUE_FLOW, value_id, user, "submit", version=expected_version).obj


@transaction.atomic
def approve_value(*, reviewer, value_id: int, opinion: str = "",
                  expected_version: int | None = None) -> IndicatorValue:
    return engine.perform(VALUE_FLOW, value_id, reviewer, "approve", opinion=opinion, version=expected_version).obj


@transaction.atomic
def return_value(*, reviewer, value_id: int, opinion: str,
                 expected_version: int | None = None) -> IndicatorValue:
    # Said before anything is looked up: a return without a reason is refused whoever sends it.
    if not (opinion or "").strip():
        raise BusinessError(_("退回时必须填写审核意见"), field="opinion")
    return engine.perform(VALUE_FLOW, value_id, reviewer, "return", opinion=opinion, version=expected_version).obj


# One page of the review queue at most: a bulk step is one transaction holding a row lock per value.
BULK_REVIEW_LIMIT = 500


@transaction.atomic
def review_values(*, reviewer, value_ids: list[int], action: str, opinion: str = "",
                  plan: Plan | None = None) -> list[IndicatorValue]:
    """Approve or return several figures with one opinion, each through the workflow engine, all or nothing.

    Every value refused (not found in the reviewer's scope, no longer waiting, locked period, not the reviewer's)
    is named in one BusinessError and nothing is changed; otherwise the steps are taken in the order given.
    """
    if action not in ("approve", "return"):
        raise BusinessError(_("未知操作"), field="action")
    ids = list(dict.fromkeys(value_ids))
    if not ids:
        raise BusinessError(_("请至少选择一条数据"), field="values")
    if len(ids) > BULK_REVIEW_LIMIT:
        raise BusinessError(_("一次最多处理%(n)s条数据") % {"n": BULK_REVIEW_LIMIT}, field="values")
    if action == "return" and not (opinion or "").strip():
        raise BusinessError(_("退回时必须填写审核意见"), field="opinion")
    rows = IndicatorValue.objects.restrict(reviewer, "change").filter(pk__in=ids)
    if plan is not None:
        rows = rows.filter(indicator__plan=plan)
    found = {v.pk: v for v in rows.select_related("indicator", "place")}
    problems, done = [], []
    for pk in ids:
        row = found.get(pk)
        if row is None:
            problems.append(FieldProblem("values", _("数据#%(id)s不存在或无权审核") % {"id": pk}))
            continue
        try:
            # Each step is its own savepoint: a refused one leaves nothing behind, the next is still tried.
            done.append(engine.perform(VALUE_FLOW, row.pk, reviewer, action, opinion=opinion).obj)
        except BusinessError as exc:
            problems.append(FieldProblem("values", _("%(name)s（%(place)s，%(period)s）：%(reason)s") % {
                "name": row.indicator.name, "place": row.place.name, "period": Period.parse(row.period).label,
                "reason": str(exc)}))
    if problems:
        raise BusinessError(problems)
    return done


@transaction.atomic
def lock_period(*, admin, plan: Plan, period, reason: str = "") -> PeriodLock:
    if not is_plan_admin(admin, plan):  # before the row is looked up or made
        raise NotAllowed(_(PLAN_ADMIN_ONLY))
    period = period if isinstance(period, Period) else Period.parse(period)
    lock, created = PeriodLock.objects.get_or_create(plan=plan, period=period.code, defaults={"locked": False})
    return engine.perform(PERIOD_LOCK_FLOW, lock, admin, "lock", opinion=reason, created=created).obj


@transaction.atomic
def reopen_period(*, admin, plan: Plan, period, reason: str) -> PeriodLock:
    if not is_plan_admin(admin, plan):
        raise NotAllowed(_(PLAN_ADMIN_ONLY))
    if not (reason or "").strip():
        raise BusinessError(_("重新开放期间必须说明原因"), field="reason")
    period = period if isinstance(period, Period) else Period.parse(period)
    lock = PeriodLock.objects.filter(plan=plan, period=period.code, locked=True).first()
    if lock is None:
        raise Conflict(_("%(period)s未锁定") % {"period": period.label})
    return engine.perform(PERIOD_LOCK_FLOW, lock, admin, "reopen", opinion=reason).obj


def report_value_by_codes(*, reporter, indicator: str, org_unit: str, period, value, plan: str | None = None,
                          basis: str | None = None, note: str = "", submit: bool = True,
                          version: int | None = None) -> IndicatorValue:
    """The API's and the command line's way in: codes and messy text resolved, then ``report_value``."""
    from core.cells import CellError, convert_amount, parse_amount

    problems = []
    candidates = Indicator.objects.restrict(reporter).select_related("plan__region")
    if plan:
        candidates = candidates.filter(plan__code=plan)
    found = list(candidates.filter(code=indicator)) or list(candidates.filter(name=indicator))
    if not found:
        problems.append(FieldProblem("indicator", _("未知指标“%(code)s”") % {"code": indicator}))
    elif len(found) > 1:
        problems.append(FieldProblem("indicator", _("指标“%(code)s”在多个规划中都有，请同时指定plan")
                                     % {"code": indicator}))
    place = OrgUnit.objects.select_related("region").filter(code=org_unit).first()
    if place is None or not place.is_place:
        problems.append(FieldProblem("org_unit", _("未知地区“%(code)s”") % {"code": org_unit}))
    amount = None
    try:
        amount = parse_amount(value)
        if amount is None:
            problems.append(FieldProblem("value", _("数值不能为空")))
    except CellError as exc:
        problems.append(FieldProblem("value", str(exc)))
    if problems:
        raise BusinessError(problems)
    ind = found[0]
    try:
        number = convert_amount(amount, ind.unit)
    except CellError as exc:
        raise BusinessError(str(exc), field="value") from exc
    return report_value(reporter=reporter, indicator=ind, place=place, period=resolve_period(ind, period),
                        value=number, basis=basis or "", note=note, submit=submit, expected_version=version)
