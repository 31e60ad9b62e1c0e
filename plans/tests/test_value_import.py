"""Import of filled reporting templates (plans/services/value_import.py, import_values)."""

import io
from decimal import Decimal as D

import pytest
from openpyxl import Workbook, load_workbook

from core.audit import history_for
from core.errors import ImportRejected
from core.models import ChangeRecord, OrgUnit
from plans.models import IndicatorValue, ValueStatus
from plans.services.seed import set_target
from plans.services.value_import import import_values, values_template
from plans.services.values import lock_period

HEADERS = ["指标", "地区", "期间", "数值", "说明", "口径"]


def xlsx(rows, headers=HEADERS, title=None) -> bytes:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_text(rows, headers=HEADERS) -> str:
    lines = [",".join(headers)]
    lines += [",".join("" if c is None else str(c) for c in row) for row in rows]
    return "\r\n".join(lines) + "\r\n"


def state():
    return (IndicatorValue.objects.count(), ChangeRecord.objects.count(),
            list(IndicatorValue.objects.order_by("pk").values_list("pk", "value", "status", "version")))


def run(users, plan, data: bytes, name="数据.xlsx", username="ph_admin") -> int:
    return import_values(user=users[username], plan=plan, name=name, data=data)


def value(code: str, period: str, place="330482", basis="") -> IndicatorValue:
    return IndicatorValue.objects.get(indicator__code=code, place__code=place, period=period, basis=basis)


def rejected(users, plan, data: bytes, name="数据.xlsx", username="ph_admin") -> list:
    before = state()
    with pytest.raises(ImportRejected) as exc:
        run(users, plan, data, name, username)
    assert state() == before, "a rejected import must write nothing"
    return exc.value.problems


# ------------------------------------------------------------------ formats


def test_xlsx_import_writes_approved_admin_values(pinghu, users):
    count = run(users, pinghu, xlsx([["规上工业研发费用", "平湖市", "2024Q1", 12.5, "一季度快报", None]]))
    assert count == 1
    row = value("PH01", "2024Q1")
    assert row.value == D("12.5")
    assert row.status == ValueStatus.APPROVED
    assert row.approved_value == D("12.5")
    assert row.note == "一季度快报"
    assert row.reporter == users["ph_admin"]


def test_xlsx_with_a_title_row_above_the_header(pinghu, users):
    run(users, pinghu, xlsx([["PH01", "330482", "2024Q1", 12.5, None, None]], title="2024年一季度指标数据"))
    assert value("PH01", "2024Q1").value == D("12.5")


def test_csv_utf8_with_bom(pinghu, users):
    data = "\ufeff".encode() + csv_text([["技术交易总额", "平湖市", "2024年第一季度", "8.6", "", ""]]).encode()
    assert run(users, pinghu, data, name="数据.csv") == 1
    assert value("PH05", "2024Q1").value == D("8.6")


def test_csv_gbk_bytes(pinghu, users):
    data = csv_text([["技术交易总额", "平湖市", "2024年3月", "8.6", "统计局快报", ""]]).encode("gbk")
    assert run(users, pinghu, data, name="数据.csv") == 1
    row = value("PH05", "2024-03")
    assert row.value == D("8.6")
    assert row.note == "统计局快报"


def test_unit_reporter_import_waits_for_review(pinghu, users):
    run(users, pinghu, xlsx([["PH09", "平湖市", "2024", "16.4件", None, None]]), username="ph_scjg")
    row = value("PH09", "2024")
    assert row.status == ValueStatus.SUBMITTED
    assert row.approved_value is None


def test_template_round_trip(pinghu, users):
    template = values_template(pinghu, users["ph_scjg"])
    sheet = load_workbook(io.BytesIO(template)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert rows[1][:2] == ("每万人高价值发明专利拥有量", "平湖市")
    assert len(rows) == 2  # 市市场监管局 reports one indicator
    sheet.cell(row=2, column=3, value="2024年")
    sheet.cell(row=2, column=4, value="16.4")
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    assert run(users, pinghu, buffer.getvalue(), username="ph_scjg") == 1
    assert value("PH09", "2024").value == D("16.4")


# ------------------------------------------------------------------ messy cells


@pytest.mark.parametrize(("indicator", "cell", "expected"), [
    ("PH01", "１２．５", D("12.5")),
    ("PH01", "1,234.5", D("1234.5")),
    ("PH01", "4亿元", D("4")),
    ("PH01", "12,345万元", D("1.2345")),
    ("PH01", "60.37万", D("0.006037")),
    ("PH01", " 约12.5 ", D("12.5")),
    ("PH02", "2.5%", D("2.5")),
    ("PH02", "2.5", D("2.5")),
    ("PH02", "２．５％", D("2.5")),
])
def test_messy_number_cells(pinghu, users, indicator, cell, expected):
    run(users, pinghu, xlsx([[indicator, "平湖市", "2024Q1", cell, None, None]]))
    stored = value(indicator, "2024Q1")
    assert stored.value == expected
    # Stored exactly: no float rounding on the way (1.2345, not 1.23449999…).
    assert stored.value.quantize(D("0.000001")) == expected.quantize(D("0.000001"))


def test_ten_thousand_yuan_into_hundred_million_is_exact(pinghu, users):
    run(users, pinghu, xlsx([["PH05", "平湖市", "2024Q1", "12,345万元", None, None]]))
    assert value("PH05", "2024Q1").value == D("1.2345")
    assert str(value("PH05", "2024Q1").approved_value.normalize()) == "1.2345"


def test_numeric_cells_from_excel(pinghu, users):
    run(users, pinghu, xlsx([["PH02", "平湖市", "2024Q1", 2.25, None, None],
                             ["PH07", "平湖市", 2024, 85, None, "新增"]]))
    assert value("PH02", "2024Q1").value == D("2.25")
    assert value("PH07", "2024", basis="new").value == D("85")


def test_blank_rows_are_skipped_but_numbering_is_kept(pinghu, users):
    data = xlsx([
        ["PH01", "平湖市", "2024Q1", "12.5", None, None],   # row 2
        [None, None, None, None, None, None],            # row 3
        [None, None, None, None, None, None],            # row 4
        ["PH01", "平湖市", "2024Q2", "不详", None, None],   # row 5
    ])
    problems = rejected(users, pinghu, data)
    assert [(p.row, p.column) for p in problems] == [(5, "D列（数值）")]


def test_blank_rows_do_not_count(pinghu, users):
    data = xlsx([["PH01", "平湖市", "2024Q1", "12.5", None, None], [None] * 6,
                 ["PH01", "平湖市", "2024Q2", "26", None, None]])
    assert run(users, pinghu, data) == 2


# ------------------------------------------------------------------ periods


@pytest.mark.parametrize(("text", "code"), [
    ("2023Q2", "2023Q2"),
    ("2023-05", "2023-05"),
    ("2023年第二季度", "2023Q2"),
    ("2023年5月", "2023-05"),
    ("2023年1-5月", "2023-05"),
    ("2023年", "2023"),
    ("2023年上半年", "2023H1"),
])
def test_period_spellings(pinghu, users, text, code):
    existing = set(IndicatorValue.objects.values_list("pk", flat=True))
    run(users, pinghu, xlsx([["PH01", "平湖市", text, "20", None, None]]))
    row = IndicatorValue.objects.exclude(pk__in=existing).get()
    assert (row.indicator.code, row.place.code, row.period) == ("PH01", "330482", code)


def test_year_to_date_only_for_cumulative_indicators(pinghu, users):
    problems = rejected(users, pinghu, xlsx([["PH02", "平湖市", "2023年1-5月", "2.3", None, None]]))
    assert len(problems) == 1
    assert (problems[0].row, problems[0].column) == (2, "C列（期间）")
    assert "累计类指标" in problems[0].message


def test_period_outside_the_plan_is_refused(pinghu, users):
    problems = rejected(users, pinghu, xlsx([["PH01", "平湖市", "2035年", "80", None, None]]))
    assert [(p.row, p.column) for p in problems] == [(2, "C列（期间）")]
    assert "不在规划年度" in problems[0].message


# ------------------------------------------------------------------ code or name


@pytest.mark.parametrize(("indicator", "place"), [
    ("PH05", "330482"),
    ("技术交易总额", "平湖市"),
    ("技术交易总额(亿元)", "330482"),
    ("PH05", "平湖市"),
])
def test_indicator_and_place_by_code_or_name(pinghu, users, indicator, place):
    run(users, pinghu, xlsx([[indicator, place, "2024Q1", "9", None, None]]))
    assert value("PH05", "2024Q1").value == D("9")


def test_town_by_code_and_by_name(pinghu, users):
    ph01 = pinghu.indicators.get(code="PH01")
    for code in ("330482001", "330482002"):
        set_target(actor=users["admin"], indicator=ph01, place=OrgUnit.objects.get(code=code), period="2024",
                   value=D("6"))
    run(users, pinghu, xlsx([["PH01", "330482001", "2024Q1", "1.5", None, None],
                             ["PH01", "钟埭街道", "2024Q1", "1.7", None, None]]))
    assert value("PH01", "2024Q1", place="330482001").value == D("1.5")
    assert value("PH01", "2024Q1", place="330482002").value == D("1.7")


def test_basis_column(pinghu, users):
    run(users, pinghu, xlsx([["PH07", "平湖市", "2024", "85", None, "新认定"],
                             ["PH07", "平湖市", "2024", "585", None, "累计"]]))
    assert value("PH07", "2024", basis="new").value == D("85")
    assert value("PH07", "2024", basis="total").value == D("585")


def test_optional_columns_may_be_missing(pinghu, users):
    run(users, pinghu, xlsx([["PH01", "平湖市", "2024Q1", "12.5"]], headers=["指标", "地区", "期间", "数值"]))
    assert value("PH01", "2024Q1").value == D("12.5")


def test_header_aliases(pinghu, users):
    run(users, pinghu, xlsx([["PH01", "平湖市", "2024Q1", "12.5"]], headers=["指标编码", "地区名称", "期间", "数值"]))
    assert value("PH01", "2024Q1").value == D("12.5")


# ------------------------------------------------------------------ rejected files


def test_several_bad_rows_are_all_reported_and_nothing_is_written(pinghu, users):
    data = xlsx([
        ["PH01", "平湖市", "2024Q1", "12.5", None, None],      # 2 fine
        ["PH99", "平湖市", "2024Q1", "1", None, None],         # 3 unknown indicator
        ["PH01", "火星", "2024Q1", "1", None, None],           # 4 unknown place
        ["PH01", "平湖市", "2024Q9", "1", None, None],         # 5 bad period
        ["PH02", "平湖市", "2024Q1", "120", None, None],       # 6 % over 100
        ["PH07", "平湖市", "2024", "-5", None, "新增"],         # 7 negative count
        ["PH01", "平湖市", "2024Q2", "十二亿", None, None],     # 8 not a number
        ["PH01", "平湖市", "2024Q3", "5家", None, None],        # 9 wrong unit
        ["PH07", "平湖市", "2024", "5", None, "当年"],          # 10 bad basis
    ])
    problems = rejected(users, pinghu, data)
    got = [(p.row, p.column) for p in problems]
    assert got == [
        (3, "A列（指标）"),
        (4, "B列（地区）"),
        (5, "C列（期间）"),
        (6, "D列（数值）"),
        (7, "D列（数值）"),
        (8, "D列（数值）"),
        (9, "D列（数值）"),
        (10, "F列（口径）"),
    ]
    messages = {p.row: p.message for p in problems}
    assert "PH99" in messages[3] and "没有指标" in messages[3]
    assert "火星" in messages[4]
    assert "2024Q9" in messages[5]
    assert "100" in messages[6]
    assert "负数" in messages[7]
    assert "十二亿" in messages[8]
    assert "单位不符" in messages[9]
    assert "新增" in messages[10]
    assert not IndicatorValue.objects.filter(indicator__code="PH01", period="2024Q1").exists()


def test_problem_rows_count_title_rows(pinghu, users):
    problems = rejected(users, pinghu, xlsx([["PH01", "平湖市", "2024Q1", "x", None, None]], title="标题"))
    assert [(p.row, p.column) for p in problems] == [(3, "D列（数值）")]


def test_required_cells_left_blank(pinghu, users):
    problems = rejected(users, pinghu, xlsx([
        ["PH01", "平湖市", None, "12", None, None],      # 2 no period
        ["PH01", "平湖市", "2024Q1", None, None, None],  # 3 no figure
        [None, None, "2024Q1", "12", None, None],       # 4 no indicator, no place
    ]))
    assert [(p.row, p.column) for p in problems] == [(2, "C列（期间）"), (3, "D列（数值）"), (4, "A列（指标）"),
                                                     (4, "B列（地区）")]
    assert all("必填" in p.message for p in problems)


def test_untouched_template_rows_are_skipped(pinghu, users):
    data = xlsx([
        ["规上工业研发费用", "平湖市", None, None, None, None],
        ["技术交易总额", "平湖市", "2024Q1", "8.6", None, None],
        ["每万人高价值发明专利拥有量", "平湖市", None, None, None, None],
    ])
    before = IndicatorValue.objects.count()
    assert run(users, pinghu, data) == 1
    assert IndicatorValue.objects.count() == before + 1
    assert value("PH05", "2024Q1").value == D("8.6")


def test_file_of_untouched_template_rows_is_rejected_as_empty(pinghu, users):
    before = state()
    problems = rejected(users, pinghu, values_template(pinghu, users["ph_admin"]))
    assert [p.message for p in problems] == ["文件中没有填写任何数据"]
    assert state() == before


def test_duplicate_rows_in_one_file_are_reported(pinghu, users):
    data = xlsx([
        ["PH01", "平湖市", "2023Q2", "25", None, None],
        ["PH05", "平湖市", "2023Q2", "15", None, None],
        ["规上工业研发费用", "330482", "2023年第二季度", "26", None, None],
    ])
    problems = rejected(users, pinghu, data)
    assert len(problems) == 1
    assert (problems[0].row, problems[0].column) == (4, "A列（指标）")
    assert "第2行" in problems[0].message and "重复" in problems[0].message


def test_year_to_date_and_month_are_the_same_period(pinghu, users):
    problems = rejected(users, pinghu, xlsx([["PH01", "平湖市", "2023-05", "20", None, None],
                                             ["PH01", "平湖市", "2023年1-5月", "20", None, None]]))
    assert [p.row for p in problems] == [3]


def test_same_key_with_different_basis_is_not_a_duplicate(pinghu, users):
    assert run(users, pinghu, xlsx([["PH07", "平湖市", "2024", "85", None, "新增"],
                                    ["PH07", "平湖市", "2024", "585", None, "累计"]])) == 2


@pytest.mark.parametrize("missing", ["指标", "地区", "期间", "数值"])
def test_missing_required_header_is_reported(pinghu, users, missing):
    headers = [h for h in HEADERS if h != missing]
    row = {"指标": "PH01", "地区": "平湖市", "期间": "2024Q1", "数值": "1", "说明": None, "口径": None}
    problems = rejected(users, pinghu, xlsx([[row[h] for h in headers]], headers=headers))
    assert len(problems) == 1
    assert problems[0].row == 1
    assert f"缺少必需的列“{missing}”" in problems[0].message


def test_header_only_file_is_rejected(pinghu, users):
    problems = rejected(users, pinghu, xlsx([]))
    assert len(problems) == 1 and "没有数据行" in problems[0].message


def test_not_a_table_is_rejected(pinghu, users):
    problems = rejected(users, pinghu, b"not a spreadsheet", name="数据.pdf")
    assert len(problems) == 1 and ".pdf" in problems[0].message


def test_locked_period_row_is_rejected(pinghu, users):
    lock_period(admin=users["ph_admin"], plan=pinghu, period="2023Q2")
    problems = rejected(users, pinghu, xlsx([["PH01", "平湖市", "2023-05", "20", None, None],
                                             ["PH01", "平湖市", "2023-07", "30", None, None]]))
    assert [(p.row, p.column) for p in problems] == [(2, "C列（期间）")]
    assert "已锁定" in problems[0].message


def test_unit_reporter_not_responsible_is_rejected_per_row(pinghu, users):
    problems = rejected(users, pinghu, xlsx([["PH01", "平湖市", "2024Q1", "12", None, None],
                                             ["PH09", "平湖市", "2024", "16", None, None]]), username="ph_fgj")
    assert [(p.row, p.column) for p in problems] == [(2, "A列（指标）"), (3, "A列（指标）")]
    assert all("责任单位" in p.message for p in problems)


def test_town_reporter_for_another_town_is_rejected(pinghu, users):
    ph01 = pinghu.indicators.get(code="PH01")
    for code in ("330482001", "330482002"):
        set_target(actor=users["admin"], indicator=ph01, place=OrgUnit.objects.get(code=code), period="2024",
                   value=D("6"))
    problems = rejected(users, pinghu, xlsx([["PH01", "当湖街道", "2024Q1", "1.5", None, None],
                                             ["PH01", "钟埭街道", "2024Q1", "1.7", None, None]]),
                        username="ph_danghu")
    assert [(p.row, p.column) for p in problems] == [(3, "A列（指标）")]
    assert "本镇街道" in problems[0].message


def test_place_of_another_county_is_rejected(pinghu, users):
    problems = rejected(users, pinghu, xlsx([["PH01", "嘉善县", "2024Q1", "1", None, None]]))
    assert [(p.row, p.column) for p in problems] == [(2, "B列（地区）")]


def test_csv_rejection_uses_record_numbers(pinghu, users):
    data = csv_text([["PH01", "平湖市", "2024Q1", "12", "", ""], ["PH01", "平湖市", "2024Q2", "abc", "", ""]])
    problems = rejected(users, pinghu, data.encode("gbk"), name="数据.csv")
    assert [(p.row, p.column) for p in problems] == [(3, "D列（数值）")]


# ------------------------------------------------------------------ revisions through import


def test_importing_the_same_key_again_makes_a_new_revision(pinghu, users):
    run(users, pinghu, xlsx([["PH01", "平湖市", "2024Q1", "12.5", "快报", None]]))
    row = value("PH01", "2024Q1")
    count = IndicatorValue.objects.count()
    run(users, pinghu, xlsx([["规上工业研发费用", "330482", "2024年第一季度", "13.1", "正式数", None]]))
    assert IndicatorValue.objects.count() == count
    row.refresh_from_db()
    assert row.revision == 2
    assert row.value == D("13.1")
    assert row.approved_value == D("13.1")
    latest = history_for(row).first()
    assert latest.before["value"] == "12.5" and latest.after["value"] == "13.1"
    assert latest.actor == users["ph_admin"]


def test_reimport_by_a_reporter_keeps_the_approved_figure(pinghu, users):
    run(users, pinghu, xlsx([["PH09", "平湖市", "2024", "16.4", None, None]]))
    run(users, pinghu, xlsx([["PH09", "平湖市", "2024", "17", None, None]]), username="ph_scjg")
    row = value("PH09", "2024")
    assert row.revision == 2
    assert row.status == ValueStatus.SUBMITTED
    assert row.approved_value == D("16.4")
