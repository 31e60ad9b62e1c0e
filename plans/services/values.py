"""Reporting and review of indicator values (填报与审核), and period locks.

Every write goes through here: pages, the API, imports and commands call these functions.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import record_change, snapshot
from core.errors import BusinessError, Conflict, FieldProblem, NotAllowed
from core.models import ChangeRecord, OrgUnit
from core.periods import Period, PeriodError, parse_period_loose
from core.roles import Role
from plans.models import Indicator, IndicatorKind, IndicatorValue, PeriodLock, Plan, ValueStatus
from plans.rules import lock_covers, report_refusal, value_problems

VALUE_FIELDS = ["value", "basis", "status", "approved_value", "note", "source", "reporter", "reporter_unit",
                "reviewed_by", "review_opinion", "revision", "version"]


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


def locked_period(plan: Plan, period: Period) -> PeriodLock | None:
    for lock in PeriodLock.objects.filter(plan=plan, locked=True, period__startswith=str(period.year)):
        if lock_covers(Period.parse(lock.period), period):
            return lock
    return None


def ensure_unlocked(plan: Plan, period: Period) -> None:
    lock = locked_period(plan, period)
    if lock is not None:
        raise BusinessError(_("%(period)s已锁定，不能修改（锁定期间：%(lock)s）")
                            % {"period": period.label, "lock": Period.parse(lock.period).label}, field="period")


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


def _locked_row(value_id: int, expected_version: int | None) -> IndicatorValue:
    row = (IndicatorValue.objects.select_for_update().select_related("indicator__plan__region", "place__region")
           .get(pk=value_id))
    if expected_version is not None and row.version != expected_version:
        raise Conflict(_("数据已被他人修改，请刷新后重试"))
    return row


def _transition(row: IndicatorValue, actor, *, to: str, note: str, **changes) -> IndicatorValue:
    before = snapshot(row, VALUE_FIELDS)
    row.status = to
    for field, val in changes.items():
        setattr(row, field, val)
    row.version += 1
    row.save()
    record_change(actor=actor, obj=row, action=ChangeRecord.Action.TRANSITION, before=before,
                  after=snapshot(row, VALUE_FIELDS), note=note)
    return row


def _refuse_state(row: IndicatorValue, action: str) -> Conflict:
    return Conflict(_("该数据当前为“%(state)s”，不能%(action)s")
                    % {"state": row.get_status_display(), "action": action})


@transaction.atomic
def submit_value(*, user, value_id: int, expected_version: int | None = None) -> IndicatorValue:
    row = _locked_row(value_id, expected_version)
    if not IndicatorValue.objects.restrict(user, "view").filter(pk=row.pk).exists():
        raise NotAllowed(_("无权操作该数据"))
    refusal = report_refusal(user, row.indicator, row.place)
    if refusal:
        raise NotAllowed(refusal)
    if row.status not in (ValueStatus.DRAFT, ValueStatus.RETURNED):
        raise _refuse_state(row, _("提交"))
    ensure_unlocked(row.indicator.plan, Period.parse(row.period))
    return _transition(row, user, to=ValueStatus.SUBMITTED, note=_("提交审核"))


def _ensure_reviewer(user, row: IndicatorValue) -> None:
    if not user.is_bureau_admin or not row.indicator.plan.region.code.startswith(
            "" if user.is_sysadmin else user.scope_prefix):
        raise NotAllowed(_("只有本地区科技局管理员可以审核"))


@transaction.atomic
def approve_value(*, reviewer, value_id: int, opinion: str = "",
                  expected_version: int | None = None) -> IndicatorValue:
    row = _locked_row(value_id, expected_version)
    _ensure_reviewer(reviewer, row)
    if row.status != ValueStatus.SUBMITTED:
        raise _refuse_state(row, _("审核通过"))
    ensure_unlocked(row.indicator.plan, Period.parse(row.period))
    return _transition(row, reviewer, to=ValueStatus.APPROVED, note=opinion or _("审核通过"),
                       approved_value=row.value, reviewed_by=reviewer, review_opinion=opinion)


@transaction.atomic
def return_value(*, reviewer, value_id: int, opinion: str,
                 expected_version: int | None = None) -> IndicatorValue:
    if not (opinion or "").strip():
        raise BusinessError(_("退回时必须填写审核意见"), field="opinion")
    row = _locked_row(value_id, expected_version)
    _ensure_reviewer(reviewer, row)
    if row.status != ValueStatus.SUBMITTED:
        raise _refuse_state(row, _("退回"))
    return _transition(row, reviewer, to=ValueStatus.RETURNED, note=opinion, reviewed_by=reviewer,
                       review_opinion=opinion)


def _ensure_plan_admin(user, plan: Plan) -> None:
    if not (user.is_sysadmin or (user.role == Role.BUREAU_ADMIN
                                 and plan.region.code.startswith(user.scope_prefix))):
        raise NotAllowed(_("只有本地区科技局管理员可以锁定或重新开放期间"))


@transaction.atomic
def lock_period(*, admin, plan: Plan, period, reason: str = "") -> PeriodLock:
    _ensure_plan_admin(admin, plan)
    period = period if isinstance(period, Period) else Period.parse(period)
    pending = IndicatorValue.objects.filter(indicator__plan=plan, status=ValueStatus.SUBMITTED,
                                            period_end__gte=period.year * 100 + period.start_month,
                                            period_end__lte=period.end_key)
    if pending.exists():
        raise BusinessError(_("%(period)s仍有%(n)s条待审核数据，审核完成后才能锁定")
                            % {"period": period.label, "n": pending.count()}, field="period")
    lock, _created = PeriodLock.objects.select_for_update().get_or_create(plan=plan, period=period.code)
    if lock.locked and not _created:
        raise Conflict(_("%(period)s已经锁定") % {"period": period.label})
    before = snapshot(lock) if not _created else None
    lock.locked, lock.reason, lock.changed_by = True, reason, admin
    lock.save()
    record_change(actor=admin, obj=lock, action=ChangeRecord.Action.TRANSITION, before=before,
                  after=snapshot(lock), note=reason or _("锁定"))
    return lock


@transaction.atomic
def reopen_period(*, admin, plan: Plan, period, reason: str) -> PeriodLock:
    _ensure_plan_admin(admin, plan)
    if not (reason or "").strip():
        raise BusinessError(_("重新开放期间必须说明原因"), field="reason")
    period = period if isinstance(period, Period) else Period.parse(period)
    lock = PeriodLock.objects.select_for_update().filter(plan=plan, period=period.code, locked=True).first()
    if lock is None:
        raise Conflict(_("%(period)s未锁定") % {"period": period.label})
    before = snapshot(lock)
    lock.locked, lock.reason, lock.changed_by = False, reason, admin
    lock.save()
    record_change(actor=admin, obj=lock, action=ChangeRecord.Action.TRANSITION, before=before,
                  after=snapshot(lock), note=reason)
    return lock




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
