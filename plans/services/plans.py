"""Creating a plan: its header, then (optionally) its indicator table from an 附件1-style sheet."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core import roles
from core.audit import record_change, snapshot
from core.errors import BusinessError, FieldProblem, NotAllowed
from core.models import ChangeRecord, OrgUnit, Region
from plans import formulas
from plans.models import Indicator, Plan
from plans.services.plan_import import import_indicator_table


@transaction.atomic
def create_plan(*, admin, code: str, name: str, region: Region, start_year: int, end_year: int,
                issuer: str = "", issued_on: datetime.date | None = None,
                green_threshold: Decimal = Decimal("1"), yellow_threshold: Decimal = Decimal("0.9"),
                indicator_file: tuple[str, bytes] | None = None) -> Plan:
    if not roles.manages_region(admin, region.code):
        raise NotAllowed(_("只能为本地区创建规划"))
    problems = []
    if Plan.objects.filter(code=code).exists():
        problems.append(FieldProblem("code", _("规划编号“%(code)s”已存在") % {"code": code}))
    if end_year < start_year:
        problems.append(FieldProblem("end_year", _("截止年度不能早于起始年度")))
    if yellow_threshold > green_threshold:
        problems.append(FieldProblem("yellow_threshold", _("黄灯阈值不能高于绿灯阈值")))
    if not OrgUnit.objects.filter(code=region.code).exists():
        problems.append(FieldProblem("region", _("该区划没有对应的地区单位")))
    if problems:
        raise BusinessError(problems)
    plan = Plan.objects.create(code=code, name=name, region=region, issuer=issuer, issued_on=issued_on,
                               start_year=start_year, end_year=end_year, green_threshold=green_threshold,
                               yellow_threshold=yellow_threshold)
    record_change(actor=admin, obj=plan, action=ChangeRecord.Action.CREATE, before=None, after=snapshot(plan))
    if indicator_file is not None:
        import_indicator_table(actor=admin, plan=plan, name=indicator_file[0], data=indicator_file[1])
    return plan


def checked_formula(indicator: Indicator, formula: str, unit: str | None = None) -> str:
    """The formula to store for ``indicator`` ('' for a reported indicator), else BusinessError on formula.

    Checked against the plan's indicators as they will be after the save (``unit`` is the new unit): the
    indicator's own formula (unknown code, cycle, units), and every other formula of the plan, which a new
    unit or formula here could break. Called inside the saving transaction; the plan's indicators are locked
    so that two edits cannot close a cycle between them.
    """
    text = (formula or "").strip()
    rows = list(Indicator.objects.select_for_update().filter(plan_id=indicator.plan_id).order_by("pk")
                .values_list("code", "unit", "formula"))
    units = {code: u for code, u, _f in rows}
    saved = {code: f for code, _u, f in rows if f}
    units[indicator.code] = unit if unit is not None else indicator.unit
    saved.pop(indicator.code, None)
    if text:
        saved[indicator.code] = text
    for code in sorted(saved):
        try:
            formulas.validate(code, saved[code], units=units, formulas=saved)
        except formulas.FormulaError as exc:
            if code == indicator.code:
                raise BusinessError(str(exc), field="formula") from exc
            raise BusinessError(_("修改后指标%(code)s的公式不再成立：%(reason)s") % {"code": code, "reason": exc},
                                field="formula") from exc
    return text
