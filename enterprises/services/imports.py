"""Bulk import of enterprises' annual figures and of qualifications, all or nothing.

Headers are exactly the bureau's sheet's (other columns are ignored; a blank optional cell means "not
reported"). Re-importing an enterprise and year updates it, keeping the history.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from core import import_jobs, roles
from core.audit import plain, record_changes, record_rows, snapshot
from core.bulk import BATCH, chunks, insert_rows, update_rows
from core.cells import CellError, convert_amount, parse_amount, parse_date, parse_text
from core.errors import BusinessError, NotAllowed
from core.imports import Column, ImportSpec, Progress, RowErrors
from core.models import ChangeRecord, Region
from enterprises import uscc
from enterprises.models import QUALIFICATION_YEARS, Enterprise, EnterpriseYear, Qualification, default_expiry

MONEY = [
    ("营业收入(万元)", "revenue"),
    ("成本费用总额(万元)", "total_cost"),
    ("研发费用(万元)", "rd_expense"),
    ("境内研发费用(万元)", "domestic_rd"),
    ("高新技术产品收入(万元)", "hitech_revenue"),
    ("资产总额(万元)", "total_assets"),
    ("负债总额(万元)", "total_liabilities"),
]
COUNTS = [
    ("职工总数", "staff"),
    ("科技人员数", "tech_staff"),
    ("Ⅰ类知识产权数", "ip1"),
    ("Ⅱ类知识产权数", "ip2"),
]
YEAR_FIELDS = [f for _h, f in MONEY] + [f for _h, f in COUNTS] + ["above_scale"]
# Columns added after bureaus had their templates: a sheet without the column leaves the stored figure as it
# is (a re-import of an old sheet must not blank it), so these are written only when the sheet has them.
LATER = [
    ("研发人员数", "rd_staff"),
    ("研发场地面积(平方米)", "rd_area"),
]
ALL_YEAR_FIELDS = YEAR_FIELDS + [f for _h, f in LATER]
CREATE, UPDATE = ChangeRecord.Action.CREATE, ChangeRecord.Action.UPDATE
ENTERPRISE_FIELDS = ["name", "region", "established"]

ENTERPRISE_COLUMNS = [
    Column("统一社会信用代码", example="91330482MA2B3C4D5E", help=_("18位，按GB 32100-2015校验")),
    Column(
        "企业名称", example="平湖示范科技有限公司", max_length=Enterprise._meta.get_field("name").max_length
    ),
    Column("所属区域", example="当湖街道", help=_("镇街道或县（市、区）的名称或区划代码")),
    Column("成立日期", required=False, example="2015-06-01"),
    Column("年度", example="2024"),
    *[Column(header, required=False, example="") for header, _f in MONEY],
    *[Column(header, required=False, example="") for header, _f in COUNTS],
    Column("是否规上", required=False, example="是", help=_("是/否")),
    *[Column(header, required=False, example="") for header, _f in LATER],
]
QUALIFICATION_COLUMNS = [
    Column("统一社会信用代码"),
    Column("资质类型", help="、".join(QUALIFICATION_YEARS)),
    Column("证书编号"),
    Column("发证日期"),
    Column("有效期至", required=False, help=_("不填时按资质类型推算")),
]
YES = {"是", "Y", "YES", "TRUE", "1", "规上"}
NO = {"否", "N", "NO", "FALSE", "0", "规下"}


@dataclass(slots=True)  # a 100,000-row import holds one per row
class YearRow:
    uscc: str
    name: str
    region: Region
    established: datetime.date | None
    year: int
    figures: dict


def _regions(user) -> dict[str, Region]:
    regions = Region.objects.restrict(user).filter(level__in=["county", "town"])
    found = {}
    for region in regions:
        found.setdefault(region.code, region)
        found.setdefault(region.name, region)
    return found


def _check_importer(user) -> None:
    if not roles.is_bureau_admin(user):
        raise NotAllowed(_("只有科技局管理员可以导入企业数据"))


def _code(raw) -> str | None:
    text = parse_text(raw)
    return uscc.validate(text) if text else None


def _whole(raw) -> int | None:
    amount = parse_amount(raw)
    if amount is None:
        return None
    if amount.value != amount.value.to_integral_value():
        raise CellError(_("应为整数：%(v)s") % {"v": raw})
    if amount.value < 0:
        raise CellError(_("不能为负数"))
    return int(amount.value)


def _money(raw) -> Decimal | None:
    amount = parse_amount(raw)
    if amount is None:
        return None
    value = convert_amount(amount, "万元")
    if value < 0:
        raise CellError(_("金额不能为负数"))
    return value.quantize(Decimal("0.01"))


def _area(raw) -> Decimal | None:
    amount = parse_amount(raw)
    if amount is None:
        return None
    if amount.value < 0:
        raise CellError(_("面积不能为负数"))
    return amount.value.quantize(Decimal("0.01"))


def _yes_no(raw) -> bool | None:
    text = parse_text(raw)
    if text is None:
        return None
    if text.upper() in YES:
        return True
    if text.upper() in NO:
        return False
    raise CellError(_("应填“是”或“否”"))


def enterprise_spec(user, today: datetime.date | None = None) -> ImportSpec:
    today = today or timezone.localdate()
    regions = _regions(user)

    def region(raw) -> Region | None:
        text = parse_text(raw)
        if text is None:
            return None
        found = regions.get(text)
        if found is None:
            raise BusinessError(_("未知或不在管辖范围内的区域“%(v)s”") % {"v": text})
        return found

    def year(raw) -> int | None:
        value = _whole(raw)
        if value is None:
            return None
        if not 1990 <= value <= today.year:
            raise CellError(_("年度应在1990至%(y)s之间") % {"y": today.year})
        return value

    def check(row: RowErrors) -> YearRow | None:
        code = row.cell("统一社会信用代码", _code)
        name = row.cell("企业名称", parse_text)
        place = row.cell("所属区域", region)
        established = row.cell("成立日期", parse_date)
        fiscal = row.cell("年度", year)
        figures = {field: row.cell(header, _money) for header, field in MONEY}
        figures |= {field: row.cell(header, _whole) for header, field in COUNTS}
        figures["above_scale"] = row.cell("是否规上", _yes_no)
        for header, field in LATER:
            if row.spec.actual_header(row.table, header) is not None:
                figures[field] = row.cell(header, _area if field == "rd_area" else _whole)
        if (
            figures.get("staff") is not None
            and figures.get("rd_staff") is not None
            and figures["rd_staff"] > figures["staff"]
        ):
            row.add("研发人员数", _("研发人员数不能大于职工总数"))
        if (
            figures["staff"] is not None
            and figures["tech_staff"] is not None
            and figures["tech_staff"] > figures["staff"]
        ):
            row.add("科技人员数", _("科技人员数不能大于职工总数"))
        if established and established > today:
            row.add("成立日期", _("成立日期不能晚于今天"))
        if established and fiscal and established.year > fiscal:
            row.add("年度", _("年度早于成立日期"))
        if row.problems or None in (code, name, place, fiscal):
            return None
        return YearRow(code, name, place, established, fiscal, figures)

    def write(rows: list[YearRow], progress: Progress | None = None) -> dict:
        return _write_years(user, rows, progress)

    return ImportSpec(
        columns=ENTERPRISE_COLUMNS,
        check_row=check,
        write=write,
        title=_("企业年度数据"),
        duplicate_key=lambda r: (r.uscc, r.year),
        write_reports_progress=True,
    )


def _write_years(user, rows: list[YearRow], progress: Progress | None = None) -> dict:
    """Create or update the enterprises and their years in batches, with one history row per change.

    Batches keep the memory of a 100,000-row import bounded (history records and model objects live for one
    batch) and ``__in`` lists under the databases' parameter limits; the caller's transaction still makes
    the whole import one write.
    """
    codes = sorted({r.uscc for r in rows})
    existing: dict[str, Enterprise] = {}
    for chunk in chunks(codes, BATCH):
        existing.update(
            (e.uscc, e) for e in Enterprise.objects.filter(uscc__in=chunk).select_related("region")
        )
    if not user.is_sysadmin:
        outside = [c for c, e in existing.items() if not e.region.code.startswith(user.scope_prefix)]
        if outside:
            raise NotAllowed(_("企业%(codes)s不在管辖范围内") % {"codes": "、".join(sorted(outside)[:5])})
    note = _("导入企业年度数据")
    latest: dict[str, YearRow] = {}
    for row in rows:
        if row.uscc not in latest or row.year > latest[row.uscc].year:
            latest[row.uscc] = row
    changes: list = []
    new, changed = [], []
    for code, row in latest.items():
        enterprise = existing.get(code)
        if enterprise is None:
            enterprise = Enterprise(uscc=code, name=row.name, region=row.region, established=row.established)
            new.append(enterprise)
            continue
        before = snapshot(enterprise, ENTERPRISE_FIELDS)
        enterprise.name, enterprise.region = row.name, row.region
        enterprise.established = row.established or enterprise.established
        after = snapshot(enterprise, ENTERPRISE_FIELDS)
        if after != before:
            changed.append(enterprise)
            changes.append((enterprise, ChangeRecord.Action.UPDATE, before, after))
    update_rows(Enterprise, changed, ["name", "region", "established", "updated_at"])
    # Both databases return the new primary keys from a bulk insert, so the history can name each row.
    Enterprise.objects.bulk_create(new, batch_size=BATCH)
    for enterprise in new:
        existing[enterprise.uscc] = enterprise
        changes.append(
            (enterprise, ChangeRecord.Action.CREATE, None, snapshot(enterprise, ENTERPRISE_FIELDS))
        )
    record_changes(actor=user, changes=changes, note=note)
    created = updated = 0
    for done, batch in enumerate(chunks(rows, BATCH), start=1):
        ids = {existing[r.uscc].pk for r in batch}
        wanted = {r.year for r in batch}
        years = {
            (y.enterprise_id, y.year): y
            for y in EnterpriseYear.objects.filter(enterprise_id__in=ids, year__in=wanted)
        }
        to_create, to_update, history = [], [], []
        for row in batch:
            enterprise = existing[row.uscc]
            record = years.get((enterprise.pk, row.year))
            if record is None:
                to_create.append((enterprise, row))
                continue
            kept = list(row.figures)  # the later columns only when the sheet has them
            before = snapshot(record, kept)
            for field, value in row.figures.items():
                setattr(record, field, value)
            after = snapshot(record, kept)
            if after != before:
                to_update.append(record)
                history.append((EnterpriseYear, record.pk, f"{enterprise} {row.year}", UPDATE, before, after))
            updated += 1
        update_rows(EnterpriseYear, to_update, ALL_YEAR_FIELDS)
        # New years go in as plain rows (no model instances); their keys are read back for the history.
        insert_rows(
            EnterpriseYear,
            ["enterprise", "year", *ALL_YEAR_FIELDS],
            [(e.pk, r.year, *(r.figures.get(f) for f in ALL_YEAR_FIELDS)) for e, r in to_create],
        )
        if to_create:
            keys = {
                (e, y): pk
                for e, y, pk in EnterpriseYear.objects.filter(
                    enterprise_id__in={e.pk for e, _r in to_create}, year__in=wanted
                ).values_list("enterprise_id", "year", "pk")
            }
            history += [
                (
                    EnterpriseYear,
                    keys[(e.pk, r.year)],
                    f"{e} {r.year}",
                    CREATE,
                    None,
                    {"year": r.year, **{f: plain(v) for f, v in r.figures.items()}},
                )
                for e, r in to_create
            ]
        record_rows(actor=user, rows=history, note=note)
        created += len(to_create)
        if progress:
            progress(min(done * BATCH, len(rows)), len(rows))
    return {"created": created, "updated": updated}


@dataclass
class QualificationRow:
    enterprise: Enterprise
    type: str
    number: str
    issued: datetime.date
    expires: datetime.date | None


def _qualification_type(raw) -> str | None:
    text = parse_text(raw)
    if text is None:
        return None
    plain = text.replace('"', "“", 1).replace('"', "”", 1).replace("'", "")
    for name in QUALIFICATION_YEARS:
        if plain == name or plain.replace("“", "").replace("”", "") == name.replace("“", "").replace("”", ""):
            return name
    raise CellError(_("未知的资质类型“%(v)s”") % {"v": text})


def qualification_spec(user) -> ImportSpec:
    def enterprise(raw) -> Enterprise | None:
        code = _code(raw)
        if code is None:
            return None
        found = Enterprise.objects.restrict(user).filter(uscc=code).first()
        if found is None:
            raise BusinessError(
                _("企业库中没有统一社会信用代码为%(c)s的企业（请先导入企业数据）") % {"c": code}
            )
        return found

    def check(row: RowErrors) -> QualificationRow | None:
        firm = row.cell("统一社会信用代码", enterprise)
        kind = row.cell("资质类型", _qualification_type)
        number = row.cell("证书编号", parse_text)
        issued = row.cell("发证日期", parse_date)
        expires = row.cell("有效期至", parse_date)
        if issued and expires and expires < issued:
            row.add("有效期至", _("有效期至早于发证日期"))
        if issued and issued > timezone.localdate():
            row.add("发证日期", _("发证日期不能晚于今天"))
        if row.problems or None in (firm, kind, number, issued):
            return None
        return QualificationRow(firm, kind, number, issued, expires or default_expiry(kind, issued))

    def write(rows: list[QualificationRow]) -> dict:
        created = updated = 0
        changes = []
        for row in rows:
            found = Qualification.objects.filter(
                enterprise=row.enterprise, type=row.type, number=row.number
            ).first()
            before = snapshot(found) if found else None
            if found is None:
                found = Qualification(
                    enterprise=row.enterprise,
                    type=row.type,
                    number=row.number,
                    issued=row.issued,
                    expires=row.expires,
                )
                created += 1
            else:
                found.issued, found.expires = row.issued, row.expires
                updated += 1
            found.save()
            if before != snapshot(found):
                changes.append(
                    (
                        found,
                        ChangeRecord.Action.CREATE if before is None else ChangeRecord.Action.UPDATE,
                        before,
                        snapshot(found),
                    )
                )
        record_changes(actor=user, changes=changes, note=_("导入资质"))
        return {"created": created, "updated": updated}

    return ImportSpec(
        columns=QUALIFICATION_COLUMNS,
        check_row=check,
        write=write,
        title=_("企业资质"),
        duplicate_key=lambda r: (r.enterprise.pk, r.type, r.number),
    )


def import_enterprises(*, user, name: str, data: bytes, progress: Progress | None = None) -> dict:
    _check_importer(user)
    return enterprise_spec(user).run(name, data, progress)


def import_qualifications(*, user, name: str, data: bytes, progress: Progress | None = None) -> dict:
    _check_importer(user)
    return qualification_spec(user).run(name, data, progress)


# Uploads of more than KECHUANG_IMPORT_JOB_ROWS rows run as background jobs under these names.
import_jobs.register("enterprises", import_enterprises, check=_check_importer)
import_jobs.register("qualifications", import_qualifications, check=_check_importer)
