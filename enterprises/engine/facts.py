"""What the engine reads (an enterprise's facts) and what it returns (an assessment), plus the error of a bad rule set."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _


@dataclass(frozen=True, slots=True)
class YearFigures:
    """One fiscal year of one enterprise, 万元 for money; None = not reported."""

    year: int
    revenue: Decimal | None  # 营业收入
    total_cost: Decimal | None  # 成本费用总额
    rd_expense: Decimal | None  # 研发费用
    domestic_rd: Decimal | None  # 境内研发费用
    hitech_revenue: Decimal | None  # 高新技术产品收入
    total_assets: Decimal | None
    total_liabilities: Decimal | None
    staff: int | None  # 职工总数
    tech_staff: int | None  # 科技人员数
    ip1: int | None  # Ⅰ类知识产权数
    ip2: int | None  # Ⅱ类知识产权数
    # Read by the county R&D-centre rule only; defaulted so that figures built without them stay valid.
    rd_staff: int | None = None  # 研发人员数
    rd_area: Decimal | None = None  # 研发场地面积，平方米


@dataclass(frozen=True, slots=True)
class Qualification:
    type: str  # e.g. "高新技术企业", "科技型中小企业"
    issued: date
    expires: date | None


@dataclass(frozen=True, slots=True)
class EnterpriseFacts:
    established: date | None
    years: tuple[YearFigures, ...]  # any order
    qualifications: tuple[Qualification, ...]


# ---------------------------------------------------------------------------- outputs


@dataclass(frozen=True, slots=True)
class CriterionResult:
    code: str
    name: str
    passed: bool | None  # None = unknown (missing input)
    actual: str | None  # shown value in the criterion's unit, e.g. "4.2%", "3项", "18分（26.3%）"
    required: str  # e.g. "≥5%", "≥1项", "≤500人"
    gap: str | None  # what is missing; None when passed or unknown
    score: Decimal | None = None  # for scored criteria
    value: Decimal | None = None  # the raw number (ratio as fraction) for sorting/tests
    # The same as numbers, for a client that must not parse "17.2%": the figure as shown and the bound, both in
    # ``unit`` (17.2 and 5 with "%"; a score and its floor with "分"), and how they compare (">=", ">", "<=",
    # "<"). None / "" where the requirement is no single number (a qualification, a condition, bands not decided).
    unit: str = ""
    actual_number: Decimal | None = None
    required_number: Decimal | None = None
    comparison: str = ""


@dataclass(frozen=True, slots=True)
class Assessment:
    ruleset: str
    version: int
    date: date
    eligible: bool | None  # None when status is incomplete and the outcome depends on unknowns
    direct: bool  # eligible through a direct qualification route
    score: Decimal | None
    status: str  # "eligible" (达标) | "not_eligible" (未达标) | "incomplete" (资料不全)
    criteria: tuple[CriterionResult, ...]
    notes: tuple[str, ...] = ()
    failed_count: int = 0  # criteria with passed False


ELIGIBLE, NOT_ELIGIBLE, INCOMPLETE = "eligible", "not_eligible", "incomplete"


class RuleSetError(ValueError):
    """A rule set definition that cannot be compiled; the message lists every problem (Chinese)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"{number}. {problem}" for number, problem in enumerate(self.problems, start=1))
        super().__init__(_("认定规则定义有误（%(count)d处）：\n%(lines)s") % {
            "count": len(self.problems), "lines": lines})


# -------------------------------------------------------------------------- vocabulary
