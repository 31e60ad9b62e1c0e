"""Figures shared by the roll-up tests: PH02 as a formula, PH01 decomposed to three towns of which two report."""

from decimal import Decimal as D

from core.models import OrgUnit
from core.periods import Period
from plans.models import Indicator, IndicatorKind, Plan
from plans.services.seed import set_target
from plans.services.values import report_value

AREA, DANGHU, ZHONGDAI, CAOQIAO = "330482", "330482001", "330482002", "330482003"


def place(code: str) -> OrgUnit:
    return OrgUnit.objects.select_related("region").get(code=code)


def load_figures(admin, pinghu: Plan) -> Plan:
    """PH10 营业收入 added, PH02 defined as PH01 ÷ PH10 × 100, PH01 decomposed to three towns, two report."""
    revenue = Indicator.objects.create(plan=pinghu, code="PH10", seq=10, name="规上工业营业收入", unit="亿元",
                                       kind=IndicatorKind.CUMULATIVE)
    Indicator.objects.filter(plan=pinghu, code="PH02").update(formula="PH01 / PH10 * 100")
    ph01 = Indicator.objects.get(plan=pinghu, code="PH01")
    for code in (DANGHU, ZHONGDAI, CAOQIAO):
        set_target(actor=admin, indicator=ph01, place=place(code), period="2024", value=D(10))

    def put(indicator, where, period, value):
        report_value(reporter=admin, indicator=indicator, place=place(where), period=Period.parse(period),
                     value=D(value))

    put(ph01, AREA, "2023Q2", "20")
    put(ph01, AREA, "2023", "50")
    put(ph01, AREA, "2024Q2", "24")
    put(revenue, AREA, "2024Q2", "1000")
    put(ph01, DANGHU, "2024Q2", "9")
    put(ph01, ZHONGDAI, "2024Q2", "11")
    put(revenue, DANGHU, "2024Q2", "300")
    put(revenue, ZHONGDAI, "2024Q2", "500")
    return pinghu
