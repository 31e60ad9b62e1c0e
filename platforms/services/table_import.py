"""Import of a year's performance tables from a workbook: one row per platform (平台编号), one column per item
the operator reports (the template's names, 专家评分 items excluded). All rows are checked first; nothing is
written unless every row is right, and each problem is named by row and column. Each row goes through the
same writes as the form: the table opened on its template, the numbers filled, history kept."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.cells import parse_text
from core.errors import BusinessError, ImportRejected, RowProblem
from core.imports import Column, ImportSpec, RowErrors
from platforms import performance
from platforms.flow import fills
from platforms.models import Kind, PerformanceTable, PerformanceTemplate, Platform
from platforms.services import tables
from platforms.services.tables import EDITABLE

CODE = "平台编号"


@dataclass(frozen=True)
class Pending:
    row: int
    platform: Platform
    values: dict[str, str]


def reported_items(template: PerformanceTemplate) -> list[dict]:
    return [item for item in template.indicators if item["rule"]["type"] != "expert"]


def table_import_spec(user, kind: str, year: int, template: PerformanceTemplate) -> ImportSpec:
    items = reported_items(template)
    columns = [Column(CODE, example="PH-NRI-01", max_length=20)] + [
        Column(f"{item['name']}({item.get('unit', '')})", required=False, aliases=(item["name"],),
               help=_("数值，单位：%(unit)s") % {"unit": item.get("unit", "")}, example="0") for item in items]
    platforms = {p.code: p for p in Platform.objects.restrict(user).filter(kind=kind).select_related("region")}
    locked = set(PerformanceTable.objects.filter(platform__in=platforms.values(), year=year)
                 .exclude(status__in=EDITABLE).values_list("platform__code", flat=True))

    def check(row: RowErrors) -> Pending | None:
        code = row.cell(CODE, parse_text)
        platform = platforms.get(code) if code else None
        if code and platform is None:
            row.add(CODE, _("找不到“%(code)s”，或不是您管辖范围内的%(kind)s") % {"code": code[:20], "kind": Kind(kind).label})
            return None
        if platform is not None and not fills(user, PerformanceTable(platform=platform)):
            row.add(CODE, _("您不能填报“%(name)s”的评价表") % {"name": platform.name})
        if code in locked:
            row.add(CODE, _("该平台%(year)s年度评价表已提交或审核，不能再导入") % {"year": year})
        values = {}
        for item, column in zip(items, columns[1:], strict=True):
            value = row.cell(column.header, _number, required=False)
            if value is not None:
                values[item["code"]] = str(value)
        return Pending(row.row.number, platform, values) if platform is not None else None

    def write(pending: list[Pending]) -> int:
        for item in pending:
            try:
                table = tables.open_table(actor=user, platform_code=item.platform.code, year=year)
                if table.template_id != template.pk:
                    raise BusinessError(_("该平台的评价表使用另一模板（%(other)s），请按该模板导入") % {
                        "other": table.template})
                tables.save_values(actor=user, table_id=table.pk, values={**table.values, **item.values})
            except BusinessError as exc:  # the whole import is rolled back and the row named
                raise ImportRejected([RowProblem(item.row, CODE, str(exc))]) from exc
        return len(pending)

    return ImportSpec(columns=columns, check_row=check, write=write, duplicate_key=lambda p: p.platform.pk,
                      title=_("%(year)s年度%(kind)s绩效评价表") % {"year": year, "kind": Kind(kind).label})


def _number(value):
    if value in (None, ""):
        return None
    return performance.parse_value(str(value).strip() if not isinstance(value, int | float) else value)


def template_for_kind(user, kind: str, year: int) -> PerformanceTemplate:
    """The template the user's platforms of the kind fill for the year (the nearest one for the first of them)."""
    platform = Platform.objects.restrict(user).filter(kind=kind).select_related("region").first()
    template = tables.template_for(platform, year) if platform else None
    if template is None:
        raise BusinessError(_("%(year)s年度尚无您可填报的“%(kind)s”评价表模板") % {"year": year, "kind": Kind(kind).label})
    return template


def import_tables(*, user, kind: str, year: int, name: str, data: bytes) -> int:
    template = template_for_kind(user, kind, year)
    return table_import_spec(user, kind, year, template).run(name, data)


def tables_template(user, kind: str, year: int) -> bytes:
    template = template_for_kind(user, kind, year)
    spec = table_import_spec(user, kind, year, template)
    rows = [[p.code] + [""] * (len(spec.columns) - 1)
            for p in Platform.objects.restrict(user).filter(kind=kind).order_by("code")[:2000]]
    return spec.template(rows)
