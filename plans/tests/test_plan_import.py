"""Import of an 附件1-style indicator table into a new plan (plans/services/plan_import.py)."""

import io
from decimal import Decimal as D

import pytest
from openpyxl import Workbook

from core.errors import ImportRejected
from core.models import ChangeRecord, Region
from plans.models import Frequency, Indicator, IndicatorKind, Plan, Target
from plans.services.plan_import import import_indicator_table, indicator_table_template, parse_target_cell

TITLE = "“315”科技创新体系建设工程主要指标进度表"
HEADER = ["序号", "指 标", "2027年", "2025年", "2023年", "一季度", "二季度", "三季度", "四季度", "责任单位"]
# 附件1 as printed: rows 6–9 carry "年度指标" in the first quarter column (merged across the four in print).
ANNEX_1 = [
    [1, "规上工业研发费用(亿元)", 60, 55, 51, 11.34, 25.5, 36, 51, "市科技局"],
    [2, "规上工业研发费用占营业收入比重(%)", 3, 2.7, 2.5, 2.2, 2.25, 2.3, 2.5, "市科技局"],
    [3, "高新技术产业增加值(亿元)", 280, 260, 236, 50, 115, 170, 236, "市科技局"],
    [4, "高新技术产业增加值占规上工业比重(%)", 60, 59, 58, 55, 56, 57, 58, "市科技局"],
    [5, "技术交易总额(亿元)", 40, 35, 30, 8, 15, 22, 30, "市科技局"],
    [6, "每万名就业人员中研发人员(人年)", 110, 10, 90, "年度指标", None, None, None, "市科技局"],
    [7, "每年新增高新技术企业数(家)", "累计达800", "累计达650", "新认定80", "年度指标", None, None, None, "市科技局"],
    [8, "每年新增科技型中小企业数(家)", "累计达2000", "累计达1650", "新认定175", "年度指标", None, None, None,
     "市科技局"],
    [9, "每万人高价值发明专利拥有量(件)", 20, 18, 15.9, "年度指标", None, None, None, "市市场监管局"],
]


def annex_xlsx(rows=ANNEX_1, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["附件1"])
    sheet.append([TITLE])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def new_plan(plans):
    return Plan.objects.create(code="PH-IMPORT", name="平湖市导入测试规划", region=Region.objects.get(code="330482"),
                               start_year=2023, end_year=2027)


@pytest.fixture
def imported(new_plan, users):
    return import_indicator_table(actor=users["ph_admin"], plan=new_plan, name="附件1.xlsx", data=annex_xlsx())


def targets_of(plan, name: str) -> set:
    return {(t.period, t.value, t.basis, t.text)
            for t in Target.objects.filter(indicator__plan=plan, indicator__name=name, org_unit__code="330482")}


def state():
    return (Indicator.objects.count(), Target.objects.count(), ChangeRecord.objects.count())


def test_nine_indicators_in_printed_order(imported, new_plan):
    assert len(imported) == 9
    assert [i.seq for i in imported] == list(range(1, 10))
    seed = list(Indicator.objects.filter(plan__code="PH315-2023").order_by("seq"))
    assert [i.name for i in imported] == [i.name for i in seed]
    assert [i.printed_name for i in imported] == [i.printed_name for i in seed]


def test_targets_equal_the_seed_plan(imported, new_plan, pinghu):
    for indicator in Indicator.objects.filter(plan=pinghu):
        assert targets_of(new_plan, indicator.name) == targets_of(pinghu, indicator.name), indicator.name
    assert Target.objects.filter(indicator__plan=new_plan).count() == 47
    assert not Target.objects.filter(indicator__plan=new_plan).exclude(org_unit__code="330482").exists()


def test_row_one_targets(imported, new_plan):
    assert targets_of(new_plan, "规上工业研发费用") == {
        ("2027", D("60"), "", "60"), ("2025", D("55"), "", "55"), ("2023", D("51"), "", "51"),
        ("2023Q1", D("11.34"), "", "11.34"), ("2023Q2", D("25.5"), "", "25.5"),
        ("2023Q3", D("36"), "", "36"), ("2023Q4", D("51"), "", "51"),
    }


def test_running_total_and_new_targets_keep_basis_and_words(imported, new_plan):
    assert targets_of(new_plan, "每年新增高新技术企业数") == {
        ("2027", D("800"), "total", "累计达800"),
        ("2025", D("650"), "total", "累计达650"),
        ("2023", D("80"), "new", "新认定80"),
    }


def test_row_six_takes_the_printed_ten(imported, new_plan):
    assert targets_of(new_plan, "每万名就业人员中研发人员") == {
        ("2027", D("110"), "", "110"), ("2025", D("10"), "", "10"), ("2023", D("90"), "", "90")}


def test_period_end_of_quarter_targets(imported, new_plan):
    target = Target.objects.get(indicator__plan=new_plan, indicator__seq=1, period="2023Q2")
    assert target.period_end == 202306


def test_units_frequency_and_responsible_units(imported, new_plan, pinghu):
    for indicator, seed in zip(imported, Indicator.objects.filter(plan=pinghu).order_by("seq"), strict=True):
        assert indicator.unit == seed.unit, indicator.name
        assert indicator.frequency == seed.frequency, indicator.name
        assert [u.pk for u in indicator.ordered_units] == [u.pk for u in seed.ordered_units], indicator.name
    by_seq = {i.seq: i for i in imported}
    assert [by_seq[n].unit for n in range(1, 10)] == ["亿元", "%", "亿元", "%", "亿元", "人年", "家", "家", "件"]
    assert [by_seq[n].frequency for n in range(1, 10)] == [Frequency.QUARTER] * 5 + [Frequency.YEAR] * 4
    assert [u.name for u in by_seq[9].ordered_units] == ["市市场监管局"]
    assert [u.code for u in by_seq[1].ordered_units] == ["330482-kjj"]


def test_kinds_are_guessed_and_flagged(imported, pinghu):
    by_seq = {i.seq: i for i in imported}
    seed = {i.seq: i for i in Indicator.objects.filter(plan=pinghu)}
    for seq in range(1, 10):
        assert by_seq[seq].kind == seed[seq].kind, by_seq[seq].name
    # Percentages are certainly rates; everything else was guessed and waits for an admin.
    assert {seq for seq, i in by_seq.items() if not i.needs_review} == {2, 4}
    assert by_seq[2].kind == by_seq[4].kind == IndicatorKind.RATE
    assert by_seq[7].kind == IndicatorKind.CUMULATIVE and by_seq[7].needs_review


def test_import_keeps_history(imported, new_plan):
    indicator = imported[0]
    assert ChangeRecord.objects.filter(object_id=str(indicator.pk), action=ChangeRecord.Action.CREATE,
                                       content_type__model="indicator").count() == 1
    assert ChangeRecord.objects.filter(content_type__model="target", action=ChangeRecord.Action.CREATE,
                                       object_id__in=[str(t.pk) for t in Target.objects.filter(
                                           indicator__plan=new_plan)]).count() == 47


def test_importing_the_same_table_again_changes_nothing(imported, new_plan, users):
    def targets():
        return list(Target.objects.filter(indicator__plan=new_plan).order_by("pk")
                    .values_list("pk", "indicator_id", "period", "value", "basis", "text"))

    before = targets()
    updates = ChangeRecord.objects.filter(content_type__model="target").count()
    again = import_indicator_table(actor=users["ph_admin"], plan=new_plan, name="附件1.xlsx", data=annex_xlsx())
    assert [i.pk for i in again] == [i.pk for i in imported]
    assert Indicator.objects.filter(plan=new_plan).count() == 9
    assert targets() == before
    assert ChangeRecord.objects.filter(content_type__model="target").count() == updates


def test_import_does_not_touch_the_seed_plan(imported, pinghu):
    assert Indicator.objects.filter(plan=pinghu).count() == 9
    assert Target.objects.filter(indicator__plan=pinghu).count() == 47


def test_unknown_responsible_unit_names_row_and_column(new_plan, users):
    rows = [list(r) for r in ANNEX_1]
    rows[3][9] = "市科协"
    before = state()
    with pytest.raises(ImportRejected) as exc:
        import_indicator_table(actor=users["ph_admin"], plan=new_plan, name="附件1.xlsx", data=annex_xlsx(rows))
    assert state() == before
    problems = exc.value.problems
    assert len(problems) == 1
    # Header on sheet row 3, so the fourth indicator is on row 7; 责任单位 is column J.
    assert problems[0].row == 7
    assert problems[0].column == "J列（责任单位）"
    assert "市科协" in problems[0].message and "未知" in problems[0].message
    assert not Indicator.objects.filter(plan=new_plan).exists()


def test_an_unknown_unit_is_offered_for_creation_filled_in(new_plan, users, login_as):
    rows = [list(r) for r in ANNEX_1]
    rows[3][9] = "市统计局"
    with pytest.raises(ImportRejected) as exc:
        import_indicator_table(actor=users["ph_admin"], plan=new_plan, name="附件1.xlsx", data=annex_xlsx(rows))
    url = exc.value.problems[0].fix_url
    html = login_as("ph_admin").get(url).content.decode()
    assert 'value="市统计局"' in html  # the name, filled in
    region = Region.objects.get(code=new_plan.region.code)
    assert f'<option value="{region.pk}" selected>' in html
    response = login_as("ph_admin").post(url.split("?")[0], {"code": "330482-tjj", "name": "市统计局",
                                                             "kind": "bureau", "region": region.code, "sort_order": 0})
    assert response.status_code == 302
    imported = import_indicator_table(actor=users["ph_admin"], plan=new_plan, name="附件1.xlsx",
                                      data=annex_xlsx(rows))
    assert len(imported) == 9  # the import names a unit the platform now knows


def test_every_unknown_unit_is_listed(new_plan, users):
    rows = [list(r) for r in ANNEX_1]
    rows[0][9] = "市科技局、市科协"
    rows[8][9] = "市知识产权局"
    with pytest.raises(ImportRejected) as exc:
        import_indicator_table(actor=users["ph_admin"], plan=new_plan, name="附件1.xlsx", data=annex_xlsx(rows))
    assert [(p.row, p.column) for p in exc.value.problems] == [(4, "J列（责任单位）"), (12, "J列（责任单位）")]


def test_several_units_in_one_cell_keep_their_order(new_plan, users):
    rows = [list(r) for r in ANNEX_1]
    rows[0][9] = "市经信局、市科技局"
    out = import_indicator_table(actor=users["ph_admin"], plan=new_plan, name="附件1.xlsx", data=annex_xlsx(rows))
    assert [u.name for u in out[0].ordered_units] == ["市经信局", "市科技局"]


def test_unit_alias_resolves(new_plan, users):
    rows = [list(r) for r in ANNEX_1]
    rows[0][9] = "市委组织部〔市委人才办〕"
    out = import_indicator_table(actor=users["ph_admin"], plan=new_plan, name="附件1.xlsx", data=annex_xlsx(rows))
    assert [u.name for u in out[0].ordered_units] == ["市委组织部"]


def test_bad_target_cell_is_rejected(new_plan, users):
    rows = [list(r) for r in ANNEX_1]
    rows[1][3] = "两点七"
    before = state()
    with pytest.raises(ImportRejected) as exc:
        import_indicator_table(actor=users["ph_admin"], plan=new_plan, name="附件1.xlsx", data=annex_xlsx(rows))
    assert state() == before
    assert [(p.row, p.column) for p in exc.value.problems] == [(5, "D列（2025年）")]


def test_missing_indicator_column_is_rejected(new_plan, users):
    header = [h if h != "指 标" else "名称" for h in HEADER]
    with pytest.raises(ImportRejected) as exc:
        import_indicator_table(actor=users["ph_admin"], plan=new_plan, name="附件1.xlsx",
                               data=annex_xlsx(header=header))
    assert any("指标" in p.message for p in exc.value.problems)
    assert not Indicator.objects.filter(plan=new_plan).exists()


def test_template_is_importable(new_plan, users):
    out = import_indicator_table(actor=users["ph_admin"], plan=new_plan, name="模板.xlsx",
                                 data=indicator_table_template())
    assert [i.name for i in out] == ["规上工业研发费用", "每年新增高新技术企业数"]


@pytest.mark.parametrize(("raw", "expected"), [
    ("累计达800", (D("800"), "total", "累计达800")),
    ("新认定80", (D("80"), "new", "新认定80")),
    ("新增 70", (D("70"), "new", "新增 70")),
    (11.34, (D("11.34"), "", "11.34")),
    (60, (D("60"), "", "60")),
    (None, None),
])
def test_parse_target_cell(raw, expected):
    assert parse_target_cell(raw) == expected
