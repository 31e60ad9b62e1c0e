"""The reports a bureau forwards, read back from the generated .docx on the demo data of 平湖.

The demo walks every key task round the loop up to 3 December 2026 (with the dates each step stands
for); the figures are the documents' own where the seed has them (技术交易额 1-11月 80.61亿元 for 2023,
研发经费 1—8月 33.77亿元 for 2025, 每万人高价值发明专利 24.8件 in September 2025).
"""

import datetime
import io
import re
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from core.periods import Period
from core.testing import loaded_once
from tasks import documents
from tasks.reporting import report_data
from tasks.services.demo import load_demo_progress
from tasks.services.seed import load_tasks
from tasks.tests.test_reporting import PH, find_table, heading_texts, section, table_rows

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 3)


@pytest.fixture(scope="module")
def walked_once(django_db_setup, django_db_blocker):
    """The demo's plans, towns and key tasks walked up to TODAY: built once for the module (it takes a minute)."""
    def load():
        from conftest import _ensure_seed
        from core.models import User
        from plans.models import Plan
        from plans.services.demo import load_demo_towns

        _ensure_seed()
        admin = User.objects.get(username="admin")
        for plan in Plan.objects.filter(code__in=[PH, "JS-2025"]):
            load_demo_towns(admin, plan)
        load_tasks(admin)
        load_demo_progress(admin, TODAY)
        return Plan.objects.select_related("region").get(code=PH)

    with loaded_once(django_db_blocker, load) as plan:
        yield plan


@pytest.fixture
def walked(walked_once, db):
    return walked_once


def _docx(plan, code: str) -> tuple[Document, bytes]:
    data = report_data(plan, Period.parse(code), today=TODAY)
    raw = documents.build_docx(data)
    return Document(io.BytesIO(raw)), raw


def _indicator_sentences(document) -> list[str]:
    lines = section(document, "一、主要指标完成情况", "二、重点工作进展")
    return lines[1:]  # after the summary, one sentence per indicator


def _check_layout(document, raw: bytes) -> None:
    """Fonts named as government documents use them, with fallbacks; a PAGE field in every footer."""
    title = document.paragraphs[0].runs[0]._r.rPr.rFonts
    assert title.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert document.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert document.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert document.styles["Heading 2"].element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"
    header_run = document.tables[0].rows[0].cells[0].paragraphs[0].runs[0]._r
    assert header_run.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    font_table = zipfile.ZipFile(io.BytesIO(raw)).read("word/fontTable.xml").decode()
    for name, fallback in (("方正小标宋简体", "宋体"), ("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体")):
        assert re.search(f'w:name="{name}">\\s*<w:altName w:val="{fallback}"/>', font_table), name
    for doc_section in document.sections:
        fields = doc_section.footer._element.xpath(".//w:fldSimple/@w:instr")
        assert [f.strip() for f in fields] == ["PAGE"]


def _check_closing(document) -> None:
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts[-2:] == ["平湖市科技局", "2026年12月3日"]


def test_monthly_report_2026_11_reads_as_forwarded(walked):
    document, raw = _docx(walked, "2026-11")
    _check_layout(document, raw)
    _check_closing(document)
    sentences = _indicator_sentences(document)
    assert len(sentences) == 9
    summary = section(document, "一、主要指标完成情况", "二、重点工作进展")[0]
    assert summary.startswith("截至2026年11月，时序进度91.7%。9项主要指标中，")
    assert summary.endswith("0项未填报。其中9项本期无新数据，按最近一期数据计。")
    # Quarterly figures: a monthly report shows the latest with its period, evaluated against its target.
    rd = sentences[0]
    assert re.fullmatch(r"截至三季度，规上工业研发费用\d+\.\d{2}亿元，.*完成年度目标（\d+\.\d{2}亿元）的\d+\.\d%.*。", rd)
    assert sentences[8] == "截至2025年9月末，每万人高价值发明专利拥有量24.8件，完成年度目标（18.0件）的137.8%。"
    assert not any("未填报" in s or "暂无" in s for s in sentences)
    table = table_rows(find_table(document, "序号", "指标")[0])
    assert all(row[6] != "未填报" for row in table[1:])
    # Targets at the indicator's precision: 亿元 two decimals, % one, counts none.
    assert all(re.fullmatch(r"[\d,]+\.\d{2}", row[4]) for row in table[1:] if row[2] == "亿元")
    assert all(re.fullmatch(r"\d+\.\d", row[4]) for row in table[1:] if row[2] == "%")
    assert all(re.fullmatch(r"[\d,]+", row[4]) for row in table[1:] if row[2] == "家")
    assert table[1][3].endswith("（2026年第三季度）")

    # Tasks: 2023's tasks 销号 in January 2024 are done with; those still open are carried over, and no
    # task that was worked on still reads 已交办.
    tasks = {row[1]: row for t in find_table(document, "序号", "重点工作") for row in table_rows(t)[1:]}
    assert "长三角•平湖润泽国际信息港项目" not in tasks or tasks["长三角•平湖润泽国际信息港项目"][7] != "已交办"
    assert {row[7] for row in tasks.values()} <= {"推进中", "办结待核", "已销号", "已退回"}
    assert any(row[7] == "推进中" for row in tasks.values())

    # Rankings filled (the towns' latest quarter, said so), with scores at one decimal.
    assert "以下按2026年第三季度数据排名" in " ".join(section(document, "（一）镇（街道）排名", "（二）责任单位排名"))
    towns = table_rows(find_table(document, "名次", "镇（街道）")[0])
    assert len(towns) > 5 and all(re.fullmatch(r"\d+\.\d|—", row[2]) for row in towns[1:])
    units = table_rows(find_table(document, "名次", "责任单位")[0])
    assert len(units) > 3 and all(re.fullmatch(r"\d+\.\d", row[2]) for row in units[1:])

    # Every data-quality note names its indicator.
    names = {row[1] for row in table[1:]}
    texts = [p.text for p in document.paragraphs]
    notes = [t for t in texts[texts.index("附：数据质量提示") + 1:] if re.match(r"\d+\. ", t)]
    assert notes and all(note.split(". ", 1)[1].split("：", 1)[0] in names for note in notes)


def test_quarterly_report_2023q4_reads_as_forwarded(walked):
    document, raw = _docx(walked, "2023Q4")
    _check_layout(document, raw)
    _check_closing(document)
    sentences = _indicator_sentences(document)
    # 技术交易额 1-11月 80.61亿元 against its 30亿元 target for 2023: 268.7%.
    assert "截至11月，技术交易总额80.61亿元，完成年度目标（30.00亿元）的268.7%。" in sentences
    assert sentences[0] == "2023年规上工业研发费用53.04亿元，完成年度目标（51.00亿元）的104.0%。"
    assert "截至2023年末，规上工业研发费用占营业收入比重2.4%，完成年度目标（2.5%）的96.0%，尚未完成年度目标。" \
        in sentences
    assert "2023年每年新增高新技术企业数90家，完成年度目标（80家）的112.5%。" in sentences
    # As the tasks stood on 31 December 2023: worked on all year, none yet 销号 (that came in January).
    tasks = [row for t in find_table(document, "序号", "重点工作") for row in table_rows(t)[1:]]
    assert tasks and {row[7] for row in tasks} == {"推进中"}
    assert heading_texts(document, 1)[:4] == ["一、主要指标完成情况", "二、重点工作进展", "三、预警事项", "四、晾晒排名"]
    assert find_table(document, "名次", "镇（街道）") and find_table(document, "名次", "责任单位")


def test_a_monthly_figure_in_its_own_month_reads_as_the_documents(walked):
    data = report_data(walked, Period.parse("2025-08"), today=TODAY)
    rd = next(line for line in data.indicators if line.name == "规上工业研发费用")
    assert documents.indicator_sentence(rd).startswith("1—8月规上工业研发费用33.77亿元，")
    assert rd.figure_period_label == ""


def test_a_task_closed_in_january_reads_as_closed_in_that_years_reports(walked):
    data = report_data(walked, Period.parse("2024-01"), today=TODAY)
    closed = [line for line in data.tasks if line.code.startswith("PH-2023") and line.status_label == "已销号"]
    assert closed  # 销号 on 12 January 2024 in the demo's timeline
    before = report_data(walked, Period.parse("2023-12"), today=TODAY)
    assert not any(line.status_label == "已销号" for line in before.tasks)


def test_excel_figures_at_the_indicators_precision(walked):
    data = report_data(walked, Period.parse("2026-11"), today=TODAY)
    sheet = load_workbook(io.BytesIO(documents.build_xlsx(data)))["主要指标"]
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=3)}
    rd = rows["规上工业研发费用"]  # actual, target, annual target: 亿元, two decimals
    for cell in (rd[3], rd[4], rd[8]):
        assert cell.number_format == "#,##0.00" and round(cell.value, 2) == cell.value
    share = rows["规上工业研发费用占营业收入比重"]
    assert share[4].number_format == "#,##0.0" and round(share[4].value, 1) == share[4].value
    firms = rows["每年新增高新技术企业数"]
    assert firms[3].number_format == "#,##0" and firms[3].value == 90
    assert rd[10].value == "2026年第三季度" and rd[11].value.startswith("截至三季度，规上工业研发费用")
