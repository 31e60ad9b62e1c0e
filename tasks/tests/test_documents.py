"""The Word and Excel progress reports, reopened and read back (no database)."""

import django.conf

if not django.conf.settings.configured:
    django.conf.settings.configure(USE_I18N=False)

import io  # noqa: E402
from datetime import date, datetime  # noqa: E402
from decimal import Decimal as D  # noqa: E402

import pytest  # noqa: E402
from docx import Document  # noqa: E402
from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from tasks.documents import (  # noqa: E402
    ALERT_WORDS,
    SHEET_NAMES,
    STATUS_WORDS,
    IndicatorLine,
    RankLine,
    ReportData,
    TaskLine,
    build_docx,
    build_xlsx,
    chinese_number,
    fmt_amount,
    fmt_change,
    fmt_percent,
    group_tasks,
    red_items,
)

TITLE = "平湖市“315”科技创新体系建设工程2023年第一季度进展报告"
INDICATOR_HEADER = ["序号", "指标", "单位", "实际值", "目标值", "完成率", "状态", "同比"]
TASK_HEADER = ["序号", "重点工作", "牵头单位", "配合单位", "目标", "最新进展", "完成进度", "状态", "预警"]
YEAR_END = date(2023, 12, 31)


def _indicator(seq, name, unit, actual, target, completion, status, yoy=None, annual_target=None,
               annual_completion=None):
    return IndicatorLine(seq=seq, name=name, unit=unit, actual=actual, target=target, completion=completion,
                         status=status, yoy_growth=yoy, annual_target=annual_target,
                         annual_completion=annual_completion)


def _task(code, title, category, units, goal, *, alert="green", reasons=(), percent=None, progress="",
          period=None, status="推进中", deadline=YEAR_END):
    return TaskLine(code=code, title=title, category=category, lead_unit=units[0], assisting_units=list(units[1:]),
                    goal=goal, deadline=deadline, status_label=status, alert=alert, alert_reasons=list(reasons),
                    percent=percent, latest_progress=progress, latest_period=period)


def quarter_report() -> ReportData:
    """平湖 2023年第一季度: the plan's Q1 milestones (附件1) and its 2023 key tasks (附件2).

    Targets, task names, units and goals are the plan's own; the actual figures, progress texts and
    scores are illustrative.
    """
    indicators = [
        _indicator(1, "规上工业研发费用", "亿元", D("10.57"), D("11.34"), D("0.9321"), "yellow", D("0.086"),
                   D("51"), D("0.2073")),
        _indicator(2, "规上工业研发费用占营业收入比重", "%", D("2.31"), D("2.2"), D("1.05"), "green", None,
                   D("2.5"), D("0.924")),
        _indicator(3, "高新技术产业增加值", "亿元", D("38.6"), D("50"), D("0.772"), "red", D("-0.034"),
                   D("236"), D("0.1636")),
        _indicator(4, "高新技术产业增加值占规上工业比重", "%", D("57.8"), D("55"), D("1.0509"), "green", None,
                   D("58"), D("0.9966")),
        _indicator(5, "技术交易总额", "亿元", None, D("8"), None, "missing", None, D("30"), None),
        _indicator(9, "每万人高价值发明专利拥有量", "件", D("14.2"), None, None, "no_target", D("0.121"),
                   D("15.9"), D("0.8931")),
    ]
    tasks = [
        _task("PH-2023-01", "明湖国际科创岛", "科技强基重点项目", ["市科技局", "市城投集团"],
              "年内计划完成投资4亿元", percent=D("22"), progress="桩基工程已开工，一季度完成投资0.88亿元",
              period="2023-03"),
        _task("PH-2023-05", "嘉兴南湖学院平湖研究院", "平台提升重点任务", ["市科技局"],
              "年内引进不少于1个高端科研机构", alert="yellow", reasons=["2023年3月进展未按时报送"],
              percent=D("10"), progress="对接高端科研机构2家", period="2023-02"),
        _task("PH-2023-02", "航天平湖产业基地项目(一期)", "科技强基重点项目", ["市发改局", "市科技局"],
              "年内计划完成投资3亿元", alert="red",
              reasons=["连续两个月未报送进展：2023年2月、2023年3月", "进度落后时序25个百分点"]),
        _task("PH-2023-11", "实施科技企业“双倍增”计划和科技小巨人培育计划", "主体培育重点任务",
              ["市科技局", "市经信局"], "新认定省科技型中小企业175家、高新技术企业80家、省科技小巨人企业1家、"
              "专精特新“小巨人”2家", percent=D("31.5"), progress="已申报省科技型中小企业61家", period="2023-03"),
        _task("PH-2023-07", "赛迪科创中心", "平台提升重点任务", ["市经信局"],
              "推进赛迪科创中心年内落地,开展专精特新企业引育", percent=None, deadline=None),
    ]
    towns = [
        RankLine(1, "钟埭街道", D("96.5"), 2, "研发费用完成率领先"),
        RankLine(2, "当湖街道", D("95.25"), -1),
        RankLine(3, "独山港镇", D("93"), 0),
        RankLine(4, "乍浦镇", D("90.1"), None),
        RankLine(None, "广陈镇", None, None, "未填报"),
    ]
    units = [
        RankLine(1, "市科技局", D("98"), 1),
        RankLine(2, "市经信局", D("95.5"), -1),
        RankLine(3, "市发改局", D("82"), None),
    ]
    return ReportData(
        title=TITLE,
        plan_name="平湖市“315”科技创新体系建设工程实施方案(2023-2027年)",
        region_name="平湖市",
        period_label="2023年第一季度",
        kind_label="季度",
        generated_at=datetime(2023, 5, 8, 10, 30),
        time_progress=D("0.25"),
        indicators=indicators,
        tasks=tasks,
        town_ranking=towns,
        unit_ranking=units,
        notes=["技术交易总额一季度未填报", "每万人高价值发明专利拥有量无季度目标，仅列年度目标"],
    )


def empty_report() -> ReportData:
    return ReportData(title="平湖市“315”科技创新体系建设工程2023年3月进展报告", plan_name="", region_name="平湖市",
                      period_label="2023年3月", kind_label="月度", generated_at=datetime(2023, 4, 6, 9, 5),
                      time_progress=D("0.25"), indicators=[], tasks=[], town_ranking=[], unit_ranking=[])


def big_report(towns: int = 1300, tasks: int = 500) -> ReportData:
    data = quarter_report()
    data.tasks = [
        _task(f"T-{i:04d}", f"重点工作{i}", f"类别{i % 12}", ["市科技局", "市经信局", "市发改局"],
              f"年内计划完成投资{i}亿元", alert=("green", "yellow", "red")[i % 3],
              reasons=[] if i % 3 == 0 else [f"进度落后时序{i % 40}个百分点"], percent=D(i % 101),
              progress=f"第{i}项工作按计划推进，已完成阶段性节点。" * 3, period="2023-03")
        for i in range(tasks)
    ]
    data.town_ranking = [RankLine(i + 1, f"镇街道{i + 1}", D(100000) - D(i) / 7, (i % 7) - 3) for i in range(towns)]
    data.unit_ranking = [RankLine(i + 1, f"单位{i + 1}", D(99) - D(i) / 10, None) for i in range(80)]
    return data


@pytest.fixture(scope="module")
def data():
    return quarter_report()


@pytest.fixture(scope="module")
def doc(data):
    return Document(io.BytesIO(build_docx(data)))


@pytest.fixture(scope="module")
def book(data):
    return load_workbook(io.BytesIO(build_xlsx(data)))


def _texts(doc):
    return [p.text for p in doc.paragraphs]


def _rows(table):
    return [[cell.text for cell in row.cells] for row in table.rows]


def _heading_index(doc, text):
    return _texts(doc).index(text)


# ------------------------------------------------------------------------------ formatting


@pytest.mark.parametrize(("value", "text"), [
    (D("2.250000"), "2.25"), (D("11.34"), "11.34"), (D("51"), "51"), (D("100.0"), "100"), (D("1234567.8"), "1,234,567.8"),
    (D("0.0000001"), "0.0000001"), (D("-0.00"), "0"), (D("1E+3"), "1,000"), (None, "—"), (3, "3"),
])
def test_fmt_amount(value, text):
    assert fmt_amount(value) == text


@pytest.mark.parametrize(("value", "text"), [
    (D("0.9321"), "93.2%"), (D("0.93249"), "93.2%"), (D("0.93250"), "93.3%"), (D("1"), "100.0%"),
    (D("-0.034"), "-3.4%"), (D("-0.0001"), "0.0%"), (D("12.5"), "1,250.0%"), (None, "—"),
])
def test_fmt_percent(value, text):
    assert fmt_percent(value) == text


def test_fmt_change_and_chinese_numbers():
    assert [fmt_change(c) for c in (2, -1, 0, None)] == ["↑2", "↓1", "—", "—"]
    assert [chinese_number(n) for n in (1, 3, 10, 11, 20, 21, 99, 100)] == [
        "一", "三", "十", "十一", "二十", "二十一", "九十九", "100"]


def test_group_tasks_keeps_first_seen_category_order(data):
    groups = group_tasks(data.tasks)
    assert [category for category, _tasks in groups] == ["科技强基重点项目", "平台提升重点任务", "主体培育重点任务"]
    assert [t.title for t in groups[0][1]] == ["明湖国际科创岛", "航天平湖产业基地项目(一期)"]


def test_red_items_are_the_red_indicator_and_the_red_task(data):
    items = red_items(data)
    assert [(kind, name) for kind, name, _reason in items] == [
        ("指标", "高新技术产业增加值"), ("任务", "航天平湖产业基地项目(一期)")]
    assert items[0][2] == "完成率77.2%（实际值38.6亿元，目标值50亿元）"
    assert items[1][2] == "连续两个月未报送进展：2023年2月、2023年3月；进度落后时序25个百分点"
    assert STATUS_WORDS["red"] == "滞后" and ALERT_WORDS["red"] == "红色预警"


# ------------------------------------------------------------------------------ Word


def test_docx_title_meta_and_sections(doc):
    texts = _texts(doc)
    assert texts[0] == TITLE
    assert doc.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert "平湖市" in texts[1] and "2023年第一季度" in texts[1] and "生成时间：2023年5月8日 10:30" in texts[1]
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading 1")]
    assert headings == ["一、主要指标完成情况", "二、重点工作进展", "三、预警事项", "四、晾晒排名", "附：数据质量提示"]
    summary = texts[_heading_index(doc, "一、主要指标完成情况") + 1]
    assert "时序进度25.0%" in summary
    assert "6项主要指标中，2项达标、1项预警、1项滞后、1项未填报、1项本期无目标" in summary


def test_docx_indicator_table(doc):
    table = doc.tables[0]
    rows = _rows(table)
    assert rows[0] == INDICATOR_HEADER
    assert rows[1] == ["1", "规上工业研发费用", "亿元", "10.57", "11.34", "93.2%", "预警", "8.6%"]
    assert rows[3][6] == "滞后" and rows[3][7] == "-3.4%"
    assert rows[5][3:] == ["—", "8", "—", "未填报", "—"]
    assert rows[6][4:7] == ["—", "—", "无目标"]
    assert table.style.name == "Table Grid"


def test_docx_tasks_grouped_by_category_in_first_seen_order(doc):
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert headings[:3] == ["（一）科技强基重点项目", "（二）平台提升重点任务", "（三）主体培育重点任务"]
    first, second, third = (_rows(t) for t in doc.tables[1:4])
    assert first[0] == TASK_HEADER
    assert [row[1] for row in first[1:]] == ["明湖国际科创岛", "航天平湖产业基地项目(一期)"]
    assert [row[1] for row in second[1:]] == ["嘉兴南湖学院平湖研究院", "赛迪科创中心"]
    assert [row[1] for row in third[1:]] == ["实施科技企业“双倍增”计划和科技小巨人培育计划"]
    island = first[1]
    assert island[:4] == ["1", "明湖国际科创岛", "市科技局", "市城投集团"]
    assert island[4] == "年内计划完成投资4亿元\n完成时限：2023年12月31日"
    assert island[5] == "2023年3月：桩基工程已开工，一季度完成投资0.88亿元"
    assert island[6:] == ["22.0%", "推进中", "正常"]
    assert first[2][5:] == ["—", "—", "推进中", "红色预警：连续两个月未报送进展：2023年2月、2023年3月；进度落后时序25个百分点"]
    assert second[2][4] == "推进赛迪科创中心年内落地,开展专精特新企业引育"  # no deadline line
    assert third[1][3] == "市经信局"


def test_docx_red_items_list(doc):
    texts = _texts(doc)
    start = _heading_index(doc, "三、预警事项")
    end = _heading_index(doc, "四、晾晒排名")
    assert texts[start + 1:end] == [
        "1. 【指标】高新技术产业增加值：完成率77.2%（实际值38.6亿元，目标值50亿元）",
        "2. 【任务】航天平湖产业基地项目(一期)：连续两个月未报送进展：2023年2月、2023年3月；进度落后时序25个百分点",
    ]


def test_docx_rankings_with_arrows(doc):
    towns, units = _rows(doc.tables[4]), _rows(doc.tables[5])
    assert towns[0] == ["名次", "镇（街道）", "综合得分", "名次变化", "说明"]
    assert towns[1] == ["1", "钟埭街道", "96.5", "↑2", "研发费用完成率领先"]
    assert [row[3] for row in towns[1:]] == ["↑2", "↓1", "—", "—", "—"]
    assert towns[5][:3] == ["—", "广陈镇", "—"]
    assert units[0] == ["名次", "责任单位", "任务得分", "名次变化"]
    assert units[2] == ["2", "市经信局", "95.5", "↓1"]
    texts = _texts(doc)
    assert texts[-2:] == ["1. 技术交易总额一季度未填报", "2. 每万人高价值发明专利拥有量无季度目标，仅列年度目标"]


def test_docx_fonts_page_and_table_style(doc):
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert normal.get(qn("w:eastAsiaTheme")) is None
    for name, font in (("Heading 1", "黑体"), ("Heading 2", "楷体_GB2312")):
        fonts = doc.styles[name].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == font
        assert fonts.get(qn("w:eastAsiaTheme")) is None
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert all(table.style.name == "Table Grid" for table in doc.tables)
    header_row = doc.tables[0].rows[0]._tr
    assert header_row.trPr.find(qn("w:tblHeader")) is not None
    assert doc.core_properties.title == TITLE


def test_docx_empty_report():
    doc = Document(io.BytesIO(build_docx(empty_report())))
    texts = _texts(doc)
    assert "本期无重点工作进展。" in texts
    assert "本期无红色预警事项。" in texts
    assert "本期无镇（街道）排名。" in texts
    assert "附：数据质量提示" not in texts
    assert "0项主要指标中，0项达标、0项预警、0项滞后、0项未填报" in texts[_heading_index(doc, "一、主要指标完成情况") + 1]
    assert doc.tables == []


# ------------------------------------------------------------------------------ Excel


def test_xlsx_sheets_titles_and_headers(book):
    assert book.sheetnames == SHEET_NAMES == ["主要指标", "重点工作", "预警事项", "镇街道排名", "单位排名", "数据质量提示"]
    for sheet in book.worksheets:
        assert sheet["A1"].value.startswith(TITLE + "——")
        assert sheet["A1"].font.b
        assert sheet.freeze_panes == "A3"
        assert all(cell.font.b for cell in sheet[2] if cell.value is not None)
    assert book["主要指标"]["A1"].value == TITLE + "——主要指标完成情况（时序进度25.0%）"
    assert [c.value for c in book["主要指标"][2]] == INDICATOR_HEADER + ["年度目标", "年度完成率", "数据期", "情况说明"]


def test_xlsx_indicators_are_numbers(book):
    sheet = book["主要指标"]
    row = [c.value for c in sheet[3]]
    assert row[:5] == [1, "规上工业研发费用", "亿元", 10.57, 11.34]
    completion = sheet["F3"]
    assert completion.value == pytest.approx(0.9321)
    assert completion.number_format == "0.0%"
    assert sheet["G3"].value == "预警"
    assert sheet["H3"].value == pytest.approx(0.086) and sheet["H3"].number_format == "0.0%"
    assert sheet["E3"].number_format == "#,##0.00"
    assert sheet["I3"].value == 51 and sheet["I3"].number_format == "#,##0"
    assert sheet["D7"].value is None  # 技术交易总额 not reported
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width


def test_xlsx_tasks_red_items_rankings_and_notes(book):
    tasks = book["重点工作"]
    assert [tasks.cell(row=r, column=4).value for r in range(3, 8)] == [
        "明湖国际科创岛", "航天平湖产业基地项目(一期)", "嘉兴南湖学院平湖研究院", "赛迪科创中心",
        "实施科技企业“双倍增”计划和科技小巨人培育计划"]
    assert tasks["F3"].value == "市城投集团" and tasks["G3"].value == "年内计划完成投资4亿元"
    assert tasks["H3"].value.date() == date(2023, 12, 31)
    assert tasks["J3"].value == pytest.approx(0.22) and tasks["J3"].number_format == "0.0%"
    assert tasks["K4"].value == "红色预警"

    red = book["预警事项"]
    assert [[c.value for c in row] for row in red.iter_rows(min_row=3)] == [
        [1, "指标", "高新技术产业增加值", "完成率77.2%（实际值38.6亿元，目标值50亿元）"],
        [2, "任务", "航天平湖产业基地项目(一期)", "连续两个月未报送进展：2023年2月、2023年3月；进度落后时序25个百分点"],
    ]

    towns = book["镇街道排名"]
    assert [c.value for c in towns[2]] == ["名次", "镇（街道）", "综合得分", "名次变化", "说明"]
    assert [c.value for c in towns[3]][:4] == [1, "钟埭街道", 96.5, 2]
    assert towns["D3"].number_format == '"↑"0;"↓"0;"—"'
    assert towns["D4"].value == -1
    units = book["单位排名"]
    assert [c.value for c in units[4]][:4] == [2, "市经信局", 95.5, -1]
    notes = book["数据质量提示"]
    assert notes["B3"].value == "技术交易总额一季度未填报"


def test_xlsx_empty_report():
    book = load_workbook(io.BytesIO(build_xlsx(empty_report())))
    assert book.sheetnames == SHEET_NAMES
    for sheet in book.worksheets:
        assert sheet.max_row == 2


def test_control_characters_from_pasted_text_are_cleaned():
    data = quarter_report()
    data.tasks[0].latest_progress = "桩基工程已开工\x0b一季度完成投资0.88亿元\x00\x1f\r\n下步加快施工"
    data.notes = ["\x07技术交易总额一季度未填报"]
    doc = Document(io.BytesIO(build_docx(data)))
    assert doc.tables[1].rows[1].cells[5].text == (
        "2023年3月：桩基工程已开工\n一季度完成投资0.88亿元\n下步加快施工"
    )
    assert _texts(doc)[-1] == "1. 技术交易总额一季度未填报"
    book = load_workbook(io.BytesIO(build_xlsx(data)))
    assert book["重点工作"]["M3"].value == "桩基工程已开工\n一季度完成投资0.88亿元\n下步加快施工"
    assert book["数据质量提示"]["B3"].value == "技术交易总额一季度未填报"


# ------------------------------------------------------------------------------ scale


def test_big_report_holds_every_row():
    # Its speed is measured in bench/report_bench.py, not asserted here (a loaded CI machine is no clock).
    data = big_report()
    docx_bytes = build_docx(data)
    xlsx_bytes = build_xlsx(data)

    doc = Document(io.BytesIO(docx_bytes))
    task_tables = doc.tables[1:13]
    assert sum(len(t.rows) - 1 for t in task_tables) == 500
    towns = doc.tables[13]
    assert len(towns.rows) == 1301
    assert [c.text for c in towns.rows[1].cells] == ["1", "镇街道1", "100,000.0", "↓3"]
    book = load_workbook(io.BytesIO(xlsx_bytes), read_only=True)
    assert book["镇街道排名"].max_row == 1302
    assert book["重点工作"].max_row == 502
