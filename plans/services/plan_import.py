"""A plan's indicator table imported from a sheet laid out like 附件1 (主要指标进度表).

序号 | 指标 (unit in brackets) | one column per target year (2027年 …) | quarter columns (一季度 … belong to the
nearest year column on their left) | 责任单位. Cells such as "累计达800", "新认定80" and "年度指标" are read as
the document means them; what the sheet cannot tell (the indicator's kind) is guessed and flagged.
"""

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core.audit import record_change, snapshot
from core.cells import CellError, parse_amount, parse_text, to_halfwidth
from core.errors import ImportRejected, RowProblem
from core.models import ChangeRecord, OrgUnit
from core.seed import find_unit
from core.tabular import Table, TableFileError, read_table
from plans.models import Frequency, Indicator, IndicatorKind, IndicatorResponsibility, Plan
from plans.queries import plan_place
from plans.services.seed import set_target

YEAR_HEADER = re.compile(r"^(\d{4})年?(?:目标)?$")
QUARTERS = {"一季度": 1, "二季度": 2, "三季度": 3, "四季度": 4, "Q1": 1, "Q2": 2, "Q3": 3, "Q4": 4,
            "第一季度": 1, "第二季度": 2, "第三季度": 3, "第四季度": 4}
YEARLY_ONLY = {"年度指标", "年度考核", "—", "-", "/"}
NAME_WITH_UNIT = re.compile(r"^(?P<name>.+?)[(（](?P<unit>[^()（）]+)[)）]\s*$")


@dataclass
class ParsedIndicator:
    row: int
    seq: int
    name: str
    printed_name: str
    unit: str
    kind: str
    needs_review: bool
    frequency: str
    targets: list[tuple[str, Decimal | None, str, str]] = field(default_factory=list)
    units: list[OrgUnit] = field(default_factory=list)


def parse_target_cell(raw) -> tuple[Decimal | None, str, str] | None:
    """("累计达800") → (800, "total", "累计达800"); ("新认定80") → (80, "new", …); blank → None."""
    text = parse_text(raw)
    if text is None:
        return None
    plain = to_halfwidth(text).strip()
    basis = ""
    for prefix, meaning in (("累计达", "total"), ("累计", "total"), ("新认定", "new"), ("新增", "new")):
        if plain.startswith(prefix):
            basis, plain = meaning, plain[len(prefix):]
            break
    amount = parse_amount(plain)
    if amount is None:
        return None
    return amount.value, basis, text if isinstance(raw, str) else format(amount.value, "f")


def guess_kind(name: str, unit: str, bases: set[str]) -> tuple[str, bool]:
    """The indicator's kind and whether a person should confirm it."""
    if unit == "%" or any(word in name for word in ("比重", "占比", "率", "每万", "强度")):
        return IndicatorKind.RATE, unit != "%"
    if "累计" in name or bases == {"total"}:
        return IndicatorKind.STOCK, True
    return IndicatorKind.CUMULATIVE, True


def _columns(table: Table) -> tuple[dict[str, int], dict[str, tuple[int, int]], list[RowProblem]]:
    years, quarters, problems, last_year = {}, {}, [], None
    for header in table.headers:
        match = YEAR_HEADER.match(header)
        if match:
            last_year = int(match.group(1))
            years[header] = last_year
        elif header in QUARTERS:
            if last_year is None:
                problems.append(RowProblem(table.header_row, table.column_label(header),
                                           _("季度列左侧没有年度列，无法确定属于哪一年")))
            else:
                quarters[header] = (last_year, QUARTERS[header])
    for needed in ("指标",):
        if needed not in table.headers:
            problems.append(RowProblem(table.header_row, "", _("缺少必需的列“%(h)s”") % {"h": needed}))
    if not years:
        problems.append(RowProblem(table.header_row, "", _("没有年度目标列（如“2025年”）")))
    return years, quarters, problems


def parse_indicator_table(plan: Plan, name: str, data: bytes) -> list[ParsedIndicator]:
    try:
        table = read_table(name, data, header_row_hint=["序号", "指标", "责任单位"])
    except TableFileError as exc:
        raise ImportRejected([RowProblem(0, "", str(exc))]) from exc
    years, quarters, problems = _columns(table)
    if problems:
        raise ImportRejected(problems)
    parsed: list[ParsedIndicator] = []
    for position, row in enumerate(table.rows, start=1):
        def problem(header: str, message: str, row=row, fix_url: str = "") -> None:
            problems.append(RowProblem(row.number, table.column_label(header), message, fix_url))

        printed = parse_text(row.cells.get("指标"))
        if printed is None:
            problem("指标", _("指标名称不能为空"))
            continue
        match = NAME_WITH_UNIT.match(printed)
        name_only, unit = (match.group("name").strip(), match.group("unit").strip()) if match else (printed, "")
        seq = position
        if row.cells.get("序号") not in (None, ""):
            try:
                seq = int(Decimal(str(parse_amount(row.cells["序号"]).value)))
            except (CellError, AttributeError, ArithmeticError):
                problem("序号", _("序号应为整数"))
        item = ParsedIndicator(row.number, seq, name_only, printed, unit, "", False, Frequency.QUARTER)
        bases = set()
        for header, year in years.items():
            try:
                cell = parse_target_cell(row.cells.get(header))
            except CellError as exc:
                problem(header, str(exc))
                continue
            if cell is not None:
                item.targets.append((str(year), *cell))
                bases.add(cell[1])
        quarter_values = 0
        for header, (year, quarter) in quarters.items():
            raw = row.cells.get(header)
            if isinstance(raw, str) and raw.strip() in YEARLY_ONLY:
                continue
            try:
                cell = parse_target_cell(raw)
            except CellError as exc:
                problem(header, str(exc))
                continue
            if cell is not None:
                item.targets.append((f"{year}Q{quarter}", *cell))
                quarter_values += 1
        item.frequency = Frequency.QUARTER if quarter_values else Frequency.YEAR
        item.kind, item.needs_review = guess_kind(name_only, unit, bases - {""})
        if not unit:
            item.needs_review = True
        for unit_name in re.split(r"[、,，;；\s]+", parse_text(row.cells.get("责任单位")) or ""):
            if not unit_name:
                continue
            found = find_unit(unit_name, plan.region)
            if found is None:
                problem("责任单位", _("未知的责任单位“%(name)s”") % {"name": unit_name},
                        fix_url=new_unit_url(unit_name, plan.region))
            else:
                item.units.append(found)
        parsed.append(item)
    if problems:
        raise ImportRejected(problems)
    if not parsed:
        raise ImportRejected([RowProblem(table.header_row + 1, "", _("文件中没有数据行"))])
    return parsed


@transaction.atomic
def import_indicator_table(*, actor, plan: Plan, name: str, data: bytes) -> list[Indicator]:
    """Create or update the plan's indicators and the targets of its region from the sheet."""
    parsed = parse_indicator_table(plan, name, data)
    area = plan_place(plan)
    existing = {ind.name: ind for ind in Indicator.objects.filter(plan=plan)}
    used_codes = set(Indicator.objects.filter(plan=plan).values_list("code", flat=True))
    out = []
    for item in parsed:
        ind = existing.get(item.name)
        before = snapshot(ind) if ind else None
        if ind is None:
            code = f"I{item.seq:02d}"
            while code in used_codes:
                code += "x"
            used_codes.add(code)
            ind = Indicator(plan=plan, code=code)
        ind.seq, ind.name, ind.printed_name, ind.unit = item.seq, item.name, item.printed_name, item.unit
        ind.frequency = item.frequency
        if before is None or ind.needs_review:
            ind.kind, ind.needs_review = item.kind, item.needs_review
        ind.save()
        record_change(actor=actor, obj=ind, action=ChangeRecord.Action.CREATE if before is None else
                      ChangeRecord.Action.UPDATE, before=before, after=snapshot(ind), note=_("导入指标进度表"))
        ind.unit_links.all().delete()
        for pos, unit in enumerate(item.units):
            IndicatorResponsibility.objects.create(indicator=ind, org_unit=unit, position=pos)
        for period, value, basis, text in item.targets:
            set_target(actor=actor, indicator=ind, place=area, period=period, value=value, basis=basis, text=text)
        out.append(ind)
    return out


def indicator_table_template() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "主要指标进度表"
    sheet.append(["序号", "指标", "2027年", "2025年", "2023年", "一季度", "二季度", "三季度", "四季度", "责任单位"])
    sheet.append([1, "规上工业研发费用(亿元)", 60, 55, 51, 11.34, 25.5, 36, 51, "市科技局"])
    sheet.append([7, "每年新增高新技术企业数(家)", "累计达800", "累计达650", "新认定80", "年度指标", None, None, None,
                  "市科技局"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def new_unit_url(name: str, region) -> str:
    """The org-unit create page filled in for a unit an import names but the platform does not know."""
    from urllib.parse import urlencode

    from django.urls import reverse

    return reverse("registry:org-units-create") + "?" + urlencode({"name": name, "kind": "bureau",
                                                                   "region": region.code})
