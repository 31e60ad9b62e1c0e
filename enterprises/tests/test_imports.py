"""Imports of enterprises' annual figures and of qualifications through the API: exact headers, messy cells,
.xlsx and CSV (UTF-8, GBK), updates with history, every problem listed by its Excel row with nothing written,
and who may import what."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from core.models import ChangeRecord
from enterprises import engine
from enterprises.models import Enterprise, EnterpriseYear, Qualification
from enterprises.tests.conftest import HITECH, REAL_CODES, SME, chinese, make_firm

pytestmark = pytest.mark.django_db

HEADERS = ["统一社会信用代码", "企业名称", "所属区域", "成立日期", "年度", "营业收入(万元)", "成本费用总额(万元)",
           "研发费用(万元)", "境内研发费用(万元)", "高新技术产品收入(万元)", "资产总额(万元)", "负债总额(万元)",
           "职工总数", "科技人员数", "Ⅰ类知识产权数", "Ⅱ类知识产权数", "是否规上"]
QUAL_HEADERS = ["统一社会信用代码", "资质类型", "证书编号", "发证日期", "有效期至"]
A, B, C = REAL_CODES
ENTERPRISES_URL, QUALIFICATIONS_URL = "/api/enterprises/import", "/api/qualifications/import"


def row(code=A, name="平湖甲科技有限公司", region="当湖街道", year=2024, **cells) -> dict:
    """A row by header; other cells by the short names of KEYS (None leaves a cell blank)."""
    values = {"统一社会信用代码": code, "企业名称": name, "所属区域": region, "成立日期": "2015-06-01", "年度": year,
              "营业收入(万元)": 1000, "研发费用(万元)": 60, "职工总数": 100, "科技人员数": 20}
    values.update({KEYS.get(k, k): v for k, v in cells.items()})
    return values


KEYS = {"revenue": "营业收入(万元)", "cost": "成本费用总额(万元)", "rd": "研发费用(万元)", "domestic": "境内研发费用(万元)",
        "hitech": "高新技术产品收入(万元)", "assets": "资产总额(万元)", "liabilities": "负债总额(万元)",
        "staff": "职工总数", "tech": "科技人员数", "ip1": "Ⅰ类知识产权数", "ip2": "Ⅱ类知识产权数", "scale": "是否规上",
        "established": "成立日期"}


def xlsx(rows: list[dict], headers=HEADERS, extra: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers + ([extra] if extra else []))
    for values in rows:
        sheet.append([values.get(h) for h in headers] + (["备注内容"] if extra else []))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[dict], encoding: str, headers=HEADERS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for values in rows:
        writer.writerow(["" if values.get(h) is None else values.get(h) for h in headers])
    return buffer.getvalue().encode(encoding)


def upload(client, data: bytes, name: str = "企业.xlsx", url: str = ENTERPRISES_URL):
    return client.post(url, {"file": SimpleUploadedFile(name, data)}, format="multipart")


def errors_of(response) -> list[tuple[int, str, str]]:
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert all(set(e) == {"row", "column", "message"} for e in errors), errors
    assert all(chinese(e["message"]) for e in errors), errors
    return [(e["row"], e["column"], e["message"]) for e in errors]


def year_of(code: str, year: int) -> EnterpriseYear:
    return EnterpriseYear.objects.get(enterprise__uscc=code, year=year)


# ------------------------------------------------------------------------------------------- figures


def test_xlsx_creates_enterprises_and_years_blank_cells_are_null(users, api):
    rows = [row(A, year=2023, scale="是", ip1=2), row(A, year=2024, scale="否", revenue=1200),
            row(B, name="嘉兴乙新材料有限公司", region="330482101", established=None, year=2024)]
    response = upload(api(users["ph_admin"]), xlsx(rows, extra="备注"))
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 3, "updated": 0}

    first = Enterprise.objects.get(uscc=A)
    assert (first.name, first.region.code, first.established) == ("平湖甲科技有限公司", "330482001",
                                                                   datetime.date(2015, 6, 1))
    second = Enterprise.objects.get(uscc=B)
    assert (second.region.name, second.established) == ("乍浦镇", None)
    y2023, y2024 = year_of(A, 2023), year_of(A, 2024)
    assert (y2023.revenue, y2023.rd_expense, y2023.staff, y2023.tech_staff, y2023.ip1, y2023.above_scale) == (
        Decimal(1000), Decimal(60), 100, 20, 2, True)
    assert (y2024.revenue, y2024.above_scale) == (Decimal(1200), False)
    # Blank optional cells are "not reported", never zero.
    assert (y2024.total_cost, y2024.domestic_rd, y2024.hitech_revenue, y2024.total_assets, y2024.ip1,
            y2024.ip2) == (None,) * 6
    assert year_of(B, 2024).above_scale is None
    created = ChangeRecord.objects.filter(object_id=str(y2023.pk), content_type__model="enterpriseyear")
    assert created.get().action == ChangeRecord.Action.CREATE


def test_reimport_same_year_updates_it_and_keeps_history(users, api):
    client = api(users["ph_admin"])
    assert upload(client, xlsx([row(A, year=2024, revenue=1000, tech=20)])).json() == {"created": 1, "updated": 0}
    record = year_of(A, 2024)

    response = upload(client, xlsx([row(A, name="平湖甲科技股份有限公司", year=2024, revenue="1,500", tech=25),
                                    row(A, year=2023)]))
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 1, "updated": 1}
    record.refresh_from_db()
    assert (record.revenue, record.tech_staff) == (Decimal(1500), 25)
    assert EnterpriseYear.objects.filter(enterprise__uscc=A).count() == 2
    change = ChangeRecord.objects.get(content_type__model="enterpriseyear", object_id=str(record.pk),
                                      action=ChangeRecord.Action.UPDATE)
    assert (change.before["revenue"], change.after["revenue"]) == ("1000", "1500")
    assert (change.before["tech_staff"], change.after["tech_staff"]) == (20, 25)
    assert change.actor == users["ph_admin"]
    renamed = ChangeRecord.objects.get(content_type__model="enterprise", action=ChangeRecord.Action.UPDATE)
    assert (renamed.before["name"], renamed.after["name"]) == ("平湖甲科技有限公司", "平湖甲科技股份有限公司")
    assert Enterprise.objects.get(uscc=A).name == "平湖甲科技股份有限公司"


def test_messy_cells_units_separators_full_width(users, api):
    rows = [row(A, year=2024, revenue="4亿元", cost="1,234.5", rd="６０", domestic="50万元", staff="１２０",
                tech=" 30 ", ip2="３", scale="规上")]
    response = upload(api(users["ph_admin"]), xlsx(rows))
    assert response.status_code == 200, response.content
    record = year_of(A, 2024)
    assert record.revenue == Decimal(40000)
    assert record.total_cost == Decimal("1234.5")
    assert record.rd_expense == Decimal(60)
    assert record.domestic_rd == Decimal(50)
    assert (record.staff, record.tech_staff, record.ip2, record.above_scale) == (120, 30, 3, True)


def test_rd_staff_and_area_columns_are_optional_and_an_old_sheet_keeps_them(users, api):
    client = api(users["ph_admin"])
    later = HEADERS + ["研发人员数", "研发场地面积(平方米)"]
    response = upload(client, xlsx([row(A, **{"研发人员数": "１２", "研发场地面积(平方米)": "150.5"})], headers=later))
    assert response.status_code == 200, response.content
    assert (year_of(A, 2024).rd_staff, year_of(A, 2024).rd_area) == (12, Decimal("150.5"))
    # A sheet made from the earlier template has neither column: the stored figures stay.
    assert upload(client, xlsx([row(A, revenue=1200)])).status_code == 200
    record = year_of(A, 2024)
    assert (record.revenue, record.rd_staff, record.rd_area) == (Decimal(1200), 12, Decimal("150.5"))
    found = errors_of(upload(client, xlsx([row(A, **{"研发人员数": 120, "研发场地面积(平方米)": -1})], headers=later)))
    assert [(r, c) for r, c, _m in found] == [(2, "R列（研发人员数）"), (2, "S列（研发场地面积(平方米)）")]
    assert [m for _r, _c, m in found] == ["研发人员数不能大于职工总数", "面积不能为负数"]


def test_revenue_below_rd_expense_is_allowed(users, api):
    response = upload(api(users["ph_admin"]), xlsx([row(A, revenue=50, rd=80)]))
    assert response.status_code == 200, response.content
    record = year_of(A, 2024)
    assert (record.revenue, record.rd_expense) == (Decimal(50), Decimal(80))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_and_gbk(users, api, encoding):
    rows = [row(A, name="平湖甲科技有限公司", region="钟埭街道", revenue="2,000"), row(C, name="浙江丙电子有限公司")]
    response = upload(api(users["ph_admin"]), csv_bytes(rows, encoding), name="企业.csv")
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 2, "updated": 0}
    firm = Enterprise.objects.get(uscc=A)
    assert (firm.name, firm.region.name) == ("平湖甲科技有限公司", "钟埭街道")
    assert year_of(A, 2024).revenue == Decimal(2000)
    assert Enterprise.objects.get(uscc=C).name == "浙江丙电子有限公司"


# ------------------------------------------------------------------------------------------- refusals


def test_every_error_is_listed_and_nothing_is_imported(users, api):
    next_year = timezone.localdate().year + 1
    bad_check = A[:-1] + ("G" if A[-1] != "G" else "H")
    rows = [
        row(bad_check),                                           # 2: check character
        row(B, region="火星镇"),                                   # 3: unknown region
        row(C, revenue=-5),                                       # 4: negative amount
        row(A, year=2020, staff=10, tech=11),                     # 5: more tech staff than staff
        row(A, year=next_year),                                   # 6: a year in the future
        row(A, year=2021, staff="12.5"),                          # 7: non-integer staff
        row(A, year=2022, scale="也许"),                           # 8: bad 是否规上
        row(B, year=2023),                                        # 9: fine …
        row(B, year=2023, revenue=999),                           # 10: … duplicated (code, year)
        row(C, year=2023, revenue=10, rd=20),                     # 11: fine (revenue < R&D is allowed)
    ]
    before = (Enterprise.objects.count(), EnterpriseYear.objects.count(), ChangeRecord.objects.count())
    found = errors_of(upload(api(users["ph_admin"]), xlsx(rows)))

    by_row = {}
    for number, column, message in found:
        by_row.setdefault(number, []).append((column, message))
    assert sorted(by_row) == [2, 3, 4, 5, 6, 7, 8, 10]
    assert by_row[2] == [("A列（统一社会信用代码）", f"统一社会信用代码校验位应为{A[-1]}，实际为{bad_check[-1]}")]
    assert by_row[3] == [("C列（所属区域）", "未知或不在管辖范围内的区域“火星镇”")]
    assert by_row[4] == [("F列（营业收入(万元)）", "金额不能为负数")]
    assert by_row[5] == [("N列（科技人员数）", "科技人员数不能大于职工总数")]
    assert by_row[6][0][0] == "E列（年度）" and str(timezone.localdate().year) in by_row[6][0][1]
    assert by_row[7][0][0] == "M列（职工总数）" and "整数" in by_row[7][0][1]
    assert by_row[8][0][0] == "Q列（是否规上）" and "是" in by_row[8][0][1]
    assert by_row[10][0][0] == "A列（统一社会信用代码）" and "第9行" in by_row[10][0][1]
    assert len(found) == 8
    assert (Enterprise.objects.count(), EnterpriseYear.objects.count(), ChangeRecord.objects.count()) == before


def test_missing_required_header_is_reported_on_the_header_row(users, api):
    headers = [h for h in HEADERS if h != "年度"]
    found = errors_of(upload(api(users["ph_admin"]), xlsx([row(A)], headers=headers)))
    assert len(found) == 1
    assert found[0][0] == 1 and "年度" in found[0][2]
    assert not Enterprise.objects.filter(uscc=A).exists()


def test_blank_required_cell_is_an_error(users, api):
    found = errors_of(upload(api(users["ph_admin"]), xlsx([row(A, name=None)])))
    assert found == [(2, "B列（企业名称）", "必填项不能为空")]


@pytest.mark.parametrize("username", ["ph_leader", "jx_leader", "ph_danghu", "ph_scjg", "demo_qiye", "demo_jigou"])
def test_only_bureau_admins_may_import(users, api, username):
    response = upload(api(users[username]), xlsx([row(A)]))
    assert response.status_code == 403, response.content
    assert chinese(response.json()["errors"][0]["message"])
    quals = upload(api(users[username]), xlsx([], headers=QUAL_HEADERS), url=QUALIFICATIONS_URL)
    assert quals.status_code == 403
    assert not Enterprise.objects.filter(uscc=A).exists()


def test_anonymous_import_is_refused(db):
    from rest_framework.test import APIClient

    response = upload(APIClient(), xlsx([row(A)]))
    assert response.status_code == 401
    assert not Enterprise.objects.filter(uscc=A).exists()


def test_jiashan_admin_cannot_place_a_firm_in_a_pinghu_town(users, api):
    client = api(users["js_admin"])
    found = errors_of(upload(client, xlsx([row(A, region="魏塘街道"), row(B, region="当湖街道"),
                                           row(C, region="330482101")])))
    assert [(r, c) for r, c, _m in found] == [(3, "C列（所属区域）"), (4, "C列（所属区域）")]
    assert "当湖街道" in found[0][2]
    assert not Enterprise.objects.filter(uscc__in=[A, B, C]).exists()

    assert upload(client, xlsx([row(A, region="魏塘街道")])).json() == {"created": 1, "updated": 0}
    assert Enterprise.objects.get(uscc=A).region.code == "330421001"


def test_jiashan_admin_cannot_take_over_a_pinghu_enterprise(users, api, rulesets):
    firm = make_firm(code=A, name="平湖甲科技有限公司")
    response = upload(api(users["js_admin"]), xlsx([row(A, name="改名", region="魏塘街道")]))
    assert response.status_code == 403, response.content
    firm.refresh_from_db()
    assert (firm.name, firm.region.code) == ("平湖甲科技有限公司", "330482001")
    assert not firm.years.exists()


# ----------------------------------------------------------------------------------- qualifications


def qual_row(code=A, kind=HITECH, number="GR202333000001", issued="2023-10-15", expires=None) -> dict:
    return {"统一社会信用代码": code, "资质类型": kind, "证书编号": number, "发证日期": issued, "有效期至": expires}


def test_qualification_expiry_derived_from_type(users, api, rulesets):
    make_firm(code=A)
    make_firm(code=B)
    rows = [qual_row(A, HITECH, "GR202333000001", "2023-10-15"),
            qual_row(B, SME, "2024330482A0001", "2024-03-01"),
            qual_row(B, "省级企业研发中心", "YF2022-01", "2022-11-20"),
            qual_row(A, SME, "2022330482A0002", "2022-05-01", "2023-12-31")]
    response = upload(api(users["ph_admin"]), xlsx(rows, headers=QUAL_HEADERS), url=QUALIFICATIONS_URL)
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 4, "updated": 0}
    stored = {q.number: (q.enterprise.uscc, q.type, q.issued, q.expires) for q in Qualification.objects.all()}
    assert stored["GR202333000001"] == (A, HITECH, datetime.date(2023, 10, 15), datetime.date(2026, 10, 14))
    assert stored["2024330482A0001"] == (B, SME, datetime.date(2024, 3, 1), datetime.date(2025, 2, 28))
    assert stored["YF2022-01"][3] is None  # a research centre has no expiry
    assert stored["2022330482A0002"][3] == datetime.date(2023, 12, 31)  # given expiry kept

    # Re-importing a certificate updates it.
    again = upload(api(users["ph_admin"]), xlsx([qual_row(A, HITECH, "GR202333000001", "2023-10-16")],
                                                headers=QUAL_HEADERS), url=QUALIFICATIONS_URL)
    assert again.json() == {"created": 0, "updated": 1}
    assert Qualification.objects.get(number="GR202333000001").expires == datetime.date(2026, 10, 15)


def test_one_year_certificate_issued_on_29_february_runs_to_28_february(users, api, rulesets):
    """The registry's derived expiry and the engine's reading of an unrecorded expiry must agree."""
    make_firm(code=A)
    rows = [qual_row(A, SME, "2024330482A0229", "2024-02-29")]
    response = upload(api(users["ph_admin"]), xlsx(rows, headers=QUAL_HEADERS), url=QUALIFICATIONS_URL)
    assert response.status_code == 200, response.content
    stored = Qualification.objects.get(number="2024330482A0229")
    assert stored.expires == datetime.date(2025, 2, 28)
    assert stored.valid_on(datetime.date(2025, 2, 28)) and not stored.valid_on(datetime.date(2025, 3, 1))
    rule = engine.compile_ruleset({
        "code": "sme_held", "name": "持有科小", "criteria": [{"code": "held", "name": "持有", "kind": "qualification",
                                                           "type": SME, "valid_years": 1}],
        "eligible": "held"})
    unrecorded = engine.EnterpriseFacts(None, (), (engine.Qualification(SME, datetime.date(2024, 2, 29), None),))
    assert rule.assess(unrecorded, datetime.date(2025, 2, 28)).eligible is True
    assert rule.assess(unrecorded, datetime.date(2025, 3, 1)).eligible is False


def test_qualification_errors_listed_nothing_imported(users, api, rulesets):
    make_firm(code=A)
    rows = [qual_row(B, HITECH, "N1"),                                     # 2: no such enterprise
            qual_row(A, "国家级孵化器", "N2"),                              # 3: unknown type
            qual_row(A, HITECH, "N3", "2023-10-15", "2023-10-14"),          # 4: expiry before issue
            qual_row(A, SME, "N4", "2024-03-01")]                           # 5: fine
    found = errors_of(upload(api(users["ph_admin"]), xlsx(rows, headers=QUAL_HEADERS), url=QUALIFICATIONS_URL))
    assert [(r, c) for r, c, _m in found] == [(2, "A列（统一社会信用代码）"), (3, "B列（资质类型）"),
                                              (4, "E列（有效期至）")]
    assert B in found[0][2]
    assert "国家级孵化器" in found[1][2]
    assert "早于" in found[2][2]
    assert not Qualification.objects.exists()


def test_qualification_import_cannot_reach_another_countys_enterprise(users, api, rulesets):
    make_firm(code=A)  # a 平湖 firm
    found = errors_of(upload(api(users["js_admin"]), xlsx([qual_row(A)], headers=QUAL_HEADERS),
                             url=QUALIFICATIONS_URL))
    assert [(r, c) for r, c, _m in found] == [(2, "A列（统一社会信用代码）")]
    assert not Qualification.objects.exists()
