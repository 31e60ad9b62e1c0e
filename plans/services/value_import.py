"""Import of filled-in reporting templates: 指标, 地区, 期间, 数值, 说明 (口径 optional)."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core import roles, versions
from core.cells import CellError, convert_amount, parse_amount, parse_text
from core.errors import BusinessError
from core.imports import Column, ImportSpec, RowErrors
from core.models import OrgUnit
from core.periods import Period
from plans.flow import locked_period
from plans.models import Basis, Indicator, Plan, Target
from plans.rules import report_refusal, value_problems
from plans.services.values import report_value, resolve_period

COLUMNS = [
    Column("指标", aliases=("指标名称", "指标编码"), help=_("指标名称或编码，如“规上工业研发费用”或“PH01”"),
           example="规上工业研发费用"),
    Column("地区", aliases=("地区名称", "地区编码", "镇街道"), help=_("地区名称或编码，如“当湖街道”"),
           example="当湖街道"),
    Column("期间", help=_("如2023Q2、2023-05、2023年第二季度、2023年5月、2023年1-5月、2023年"),
           example="2023年第二季度"),
    Column("数值", help=_("可带单位，如“4亿元”“60.37万”“2.5%”；会换算为指标的单位"), example="2.35"),
    Column("说明", required=False, help=_("数据来源或情况说明"), example=""),
    Column("口径", required=False, help=_("新增 或 累计；不填表示不区分"), example=""),
]

BASIS_WORDS = {"新增": Basis.NEW, "新认定": Basis.NEW, "累计": Basis.TOTAL, "累计达": Basis.TOTAL,
               "new": Basis.NEW, "total": Basis.TOTAL}


@dataclass
class PendingValue:
    indicator: Indicator
    place: OrgUnit
    period: Period
    value: Decimal
    basis: str
    note: str


class _Lookup:
    """The plan's indicators and places, and the reporter's decomposed indicators, read once per file."""

    def __init__(self, plan: Plan, user):
        self.plan, self.user = plan, user
        indicators = list(Indicator.objects.filter(plan=plan).select_related("plan__region"))
        self.indicators = {}
        for ind in indicators:
            for key in (ind.code, ind.name, ind.printed_name):
                if key:
                    self.indicators.setdefault(key, ind)
        places = OrgUnit.objects.places().filter(region__code__startswith=plan.region_prefix).select_related(
            "region")
        self.places = {}
        for place in places:
            self.places.setdefault(place.code, place)
            self.places.setdefault(place.name, place)
        self.town_targets = None
        if roles.is_town_reporter(user):
            self.town_targets = set(Target.objects.filter(indicator__plan=plan, org_unit_id=user.org_unit_id)
                                    .values_list("indicator_id", flat=True))
        self.responsible = set()
        self.decomposed = None
        if roles.is_unit_reporter(user):
            self.responsible = set(Indicator.objects.filter(plan=plan, unit_links__org_unit_id=user.org_unit_id)
                                   .values_list("pk", flat=True))
            self.decomposed = set(Target.objects.filter(indicator_id__in=self.responsible)
                                  .values_list("indicator_id", "org_unit_id").distinct())
        self.locks = {}

    def indicator(self, raw) -> Indicator | None:
        text = parse_text(raw)
        if text is None:
            return None
        found = self.indicators.get(text)
        if found is None:
            raise BusinessError(_("规划中没有指标“%(text)s”") % {"text": text})
        return found

    def place(self, raw) -> OrgUnit | None:
        text = parse_text(raw)
        if text is None:
            return None
        found = self.places.get(text)
        if found is None:
            raise BusinessError(_("规划范围内没有地区“%(text)s”") % {"text": text})
        return found

    def refusal(self, indicator: Indicator, place: OrgUnit) -> str | None:
        return report_refusal(self.user, indicator, place, town_targets=self.town_targets,
                              responsible=self.responsible, decomposed=self.decomposed)

    def locked(self, period: Period) -> bool:
        if period.code not in self.locks:
            self.locks[period.code] = locked_period(self.plan, period) is not None
        return self.locks[period.code]


def value_import_spec(plan: Plan, user) -> ImportSpec:
    lookup = _Lookup(plan, user)

    def check(row: RowErrors) -> PendingValue | None:
        if row.raw("期间") in (None, "") and row.raw("数值") in (None, ""):
            return None  # a pre-filled template row the reporter left untouched
        indicator = row.cell("指标", lookup.indicator)
        place = row.cell("地区", lookup.place)
        period = None
        if indicator is not None:
            period = row.cell("期间", lambda raw: resolve_period(indicator, raw) if raw not in (None, "") else None)
        elif row.raw("期间") in (None, ""):
            row.add("期间", _("必填项不能为空"))
        amount = row.cell("数值", parse_amount)
        basis_text = row.cell("口径", parse_text, required=False)
        basis = ""
        if basis_text:
            basis = BASIS_WORDS.get(basis_text)
            if basis is None:
                row.add("口径", _("口径只能填“新增”或“累计”"))
        value = None
        if indicator is not None and amount is not None:
            try:
                value = convert_amount(amount, indicator.unit)
            except CellError as exc:
                row.add("数值", str(exc))
            else:
                for problem in value_problems(unit=indicator.unit, value=value):
                    row.add("数值", problem)
        if indicator is not None and place is not None:
            refusal = lookup.refusal(indicator, place)
            if refusal:
                row.add("指标", refusal)
        if period is not None and lookup.locked(period):
            row.add("期间", _("%(period)s已锁定，不能修改") % {"period": period.label})
        if row.problems or None in (indicator, place, period, value):
            return None
        return PendingValue(indicator, place, period, value, basis or "", row.cell("说明", parse_text) or "")

    def write(items: list[PendingValue]) -> int:
        with versions.batch():  # the plan's cached answers move on once for the whole import
            for item in items:
                report_value(reporter=user, indicator=item.indicator, place=item.place, period=item.period,
                             value=item.value, basis=item.basis, note=item.note, submit=True)
        return len(items)

    return ImportSpec(columns=COLUMNS, check_row=check, write=write, title=_("指标数据导入"),
                      duplicate_key=lambda i: (i.indicator.pk, i.place.pk, i.period.code, i.basis))


def import_values(*, user, plan: Plan, name: str, data: bytes) -> int:
    return value_import_spec(plan, user).run(name, data)


def values_template(plan: Plan, user) -> bytes:
    """A template pre-filled with the indicators and places this user reports, one row per pair."""
    from plans.queries import reportable

    rows = [[ind.name, place.name, "", "", "", ""] for ind, place in reportable(plan, user)]
    return value_import_spec(plan, user).template(rows[:500])
