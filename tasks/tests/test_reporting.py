"""Monthly and quarterly reports of 平湖 built from the database, written as Word and Excel, reopened and
read back; the annual competition (年比拼) rankings of towns and lead units."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from core.periods import Period
from plans.progress import competition_ranks
from plans.queries import completions_by_place
from tasks import documents
from tasks.models import IssuedReport, KeyTask, ReportSettings, TaskTransition
from tasks.reporting import issue_report, report_data
from tasks.services import workflow
from tasks.services.seed import load_tasks

pytestmark = pytest.mark.django_db

PH = "PH315-2023"
TOWNS = ["当湖街道", "钟埭街道", "曹桥街道", "乍浦镇", "新埭镇", "新仓镇", "黄姑镇", "林埭镇", "广陈镇"]
CATEGORIES = ["科技强基重点项目", "平台提升重点任务", "主体培育重点任务", "实施重点科创平台提能造峰行动",
              "实施关键核心技术攻坚突破行动", "实施创新链产业链深度融合行动", "实施创新人才集结提质行动",
              "实施全域创新能级跨越提升行动", "实施创新生态深化打造行动"]
LEAD_UNITS = {"市科技局", "市发改局", "市委组织部", "市经信局", "市市场监管局", "市金融发展服务中心"}

HANGTIAN = "航天平湖产业基地项目(一期)"  # PH-2023-02, 市发改局: reported every month → green
SAIDI = "赛迪科创中心"  # PH-2023-07, 市经信局: May's report missing at the end of June → yellow
NANHU = "嘉兴南湖学院平湖研究院"  # PH-2023-05, 市科技局: April and May missing → red
MINGHU = "明湖国际科创岛"  # PH-2023-01: never reported → red


def at(year, month, day) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, 10, 0))


def backdate(task: KeyTask, when: datetime.datetime) -> None:
    """The steps were taken on ``when`` (reports are as of their month; steps as of the day they were taken)."""
    TaskTransition.objects.filter(task=task).update(at=when)


def monthly(user, task, months, percent, text):
    for month in months:
        workflow.report_progress(user=user, task_id=task.pk, period=f"2023-{month:02d}", percent=Decimal(percent),
                                 text=f"{text}（{month}月）" if month != months[-1] else text)


@pytest.fixture
def tasks(users):
    load_tasks(users["admin"])
    return {t.code: t for t in KeyTask.objects.all()}


@pytest.fixture
def progress(tasks, users):
    """Four 2023 tasks at the end of June 2023: one green, one yellow, two red."""
    fgj, admin = users["ph_fgj"], users["ph_admin"]
    hangtian, saidi, nanhu = tasks["PH-2023-02"], tasks["PH-2023-07"], tasks["PH-2023-05"]
    workflow.transition(user=fgj, task_id=hangtian.pk, action="acknowledge", opinion="收到")
    monthly(fgj, hangtian, [1, 2, 3, 4, 5], "42", "五月完成主体结构施工")
    monthly(fgj, hangtian, [6], "50", "一期主体结构封顶")
    jxj = workflow_user("t3_rep_jxj", "330482-jxj")
    workflow.transition(user=jxj, task_id=saidi.pk, action="acknowledge")
    monthly(jxj, saidi, [1, 2, 3, 4], "40", "赛迪科创中心完成选址")
    # 市科技局 leads PH-2023-05, so the bureau admin reports it as its lead unit.
    workflow.transition(user=admin, task_id=nanhu.pk, action="acknowledge")
    monthly(admin, nanhu, [1, 2, 3], "20", "南湖学院研究院完成签约")
    for task in (hangtian, saidi, nanhu):
        backdate(task, at(2023, 1, 10))
    return tasks


def workflow_user(username, unit_code):
    from core.models import OrgUnit, User
    from core.roles import Role

    return User.objects.create_user(username, password="x", role=Role.UNIT_REPORTER,
                                    org_unit=OrgUnit.objects.get(code=unit_code))


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def find_table(document, first_header: str, second_header: str):
    return [t for t in document.tables if table_rows(t)[0][:2] == [first_header, second_header]]


def heading_texts(document, level: int) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


def section(document, start: str, end: str) -> list[str]:
    texts = [p.text for p in document.paragraphs]
    return texts[texts.index(start) + 1: texts.index(end)]


def issue(plan, period_code, user, capture) -> IssuedReport:
    with capture(execute=True):
        job = issue_report(plan=plan, period=Period.parse(period_code), user=user)
    job.refresh_from_db()
    assert job.status == "done", job.message
    return IssuedReport.objects.get(job=job)


# ------------------------------------------------------------------------------------ quarterly report


def test_quarterly_word_report_reads_back(progress, demo, users, django_capture_on_commit_callbacks):
    plan = demo[PH]
    issued = issue(plan, "2023Q2", users["ph_admin"], django_capture_on_commit_callbacks)
    assert (issued.plan, issued.period, issued.created_by) == (plan, "2023Q2", users["ph_admin"])
    with issued.docx.open("rb") as handle:
        document = Document(io.BytesIO(handle.read()))

    title = document.paragraphs[0].text
    assert title == f"{plan.name}2023年第二季度进展报告"
    assert "平湖市“315”科技创新体系建设工程" in title
    assert document.core_properties.title == title
    assert "报告期：2023年第二季度（季度报告）" in document.paragraphs[1].text
    assert heading_texts(document, 1)[:4] == ["一、主要指标完成情况", "二、重点工作进展", "三、预警事项", "四、晾晒排名"]

    indicators = table_rows(find_table(document, "序号", "指标")[0])
    assert indicators[0] == ["序号", "指标", "单位", "实际值", "目标值", "完成率", "状态", "同比"]
    rd = next(row for row in indicators if row[1] == "规上工业研发费用")
    assert (rd[0], rd[2], rd[4]) == ("1", "亿元", "25.50")
    assert len(indicators) == 1 + 9

    # 二、重点工作进展: one sub-heading per category, in the plan's order, each with its own tasks.
    subheadings = heading_texts(document, 2)
    assert subheadings[:9] == [f"（{documents.chinese_number(n)}）{c}" for n, c in enumerate(CATEGORIES, start=1)]
    task_tables = find_table(document, "序号", "重点工作")
    assert len(task_tables) == 9
    titles = [[row[1] for row in table_rows(t)[1:]] for t in task_tables]
    for category, names in zip(CATEGORIES, titles, strict=True):
        assert names == list(KeyTask.objects.filter(plan=plan, category=category).order_by("seq")
                             .values_list("title", flat=True))
    assert titles[0] == [MINGHU, HANGTIAN, "长三角•平湖润泽国际信息港项目", "平湖长城汽车研发中心项目"]
    assert sum(len(n) for n in titles) == 26

    rows = {row[1]: row for t in task_tables for row in table_rows(t)[1:]}
    assert rows[HANGTIAN][2:4] == ["市发改局", "市科技局"]
    assert rows[HANGTIAN][5] == "2023年6月：一期主体结构封顶"
    assert rows[HANGTIAN][6:] == ["50.0%", "推进中", "正常"]
    assert rows[SAIDI][5] == "2023年4月：赛迪科创中心完成选址"
    assert rows[SAIDI][8] == "黄色预警：2023年5月进展未按时报送"
    assert rows[NANHU][5] == "2023年3月：南湖学院研究院完成签约"
    assert rows[NANHU][8].startswith("红色预警：连续两个月未报送进展：2023年4月、2023年5月")
    assert rows[MINGHU][5:8] == ["—", "—", "已交办"]
    assert rows[MINGHU][8].startswith("红色预警")
    assert "完成时限：2023年12月31日" in rows[MINGHU][4]

    # 三、预警事项: the red tasks, and neither the green nor the yellow one.
    red = section(document, "三、预警事项", "四、晾晒排名")
    assert any(f"【任务】{NANHU}：连续两个月未报送进展" in line for line in red)
    assert any(f"【任务】{MINGHU}：" in line for line in red)
    assert not any(HANGTIAN in line or SAIDI in line for line in red)

    # 四、晾晒排名: every 平湖 town is ranked.
    towns = table_rows(find_table(document, "名次", "镇（街道）")[0])
    assert towns[0] == ["名次", "镇（街道）", "综合得分", "名次变化"]
    assert set(TOWNS) <= {row[1] for row in towns[1:]}
    assert all(row[0].isdigit() for row in towns[1:])
    assert [int(row[0]) for row in towns[1:]] == sorted(int(row[0]) for row in towns[1:])
    units = table_rows(find_table(document, "名次", "责任单位")[0])
    assert {row[1] for row in units[1:]} == LEAD_UNITS


def test_quarterly_excel_report_reads_back(progress, demo, users, django_capture_on_commit_callbacks):
    plan = demo[PH]
    issued = issue(plan, "2023Q2", users["ph_admin"], django_capture_on_commit_callbacks)
    with issued.xlsx.open("rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    assert book.sheetnames == ["主要指标", "重点工作", "预警事项", "镇街道排名", "单位排名", "数据质量提示"]
    assert book["主要指标"]["A1"].value.startswith(f"{plan.name}2023年第二季度进展报告")

    sheet = book["主要指标"]
    header = [c.value for c in sheet[2]]
    rd = next(row for row in sheet.iter_rows(min_row=3, values_only=True) if row[1] == "规上工业研发费用")
    assert rd[header.index("目标值")] == 25.5
    assert rd[header.index("单位")] == "亿元"

    sheet = book["重点工作"]
    header = [c.value for c in sheet[2]]
    rows = {row[header.index("编号")]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert len(rows) == 26
    hangtian = rows["PH-2023-02"]
    assert hangtian[header.index("重点工作")] == HANGTIAN
    assert hangtian[header.index("类别")] == "科技强基重点项目"
    assert hangtian[header.index("最新进展")] == "一期主体结构封顶"
    assert hangtian[header.index("进展月份")] == "2023年6月"
    assert hangtian[header.index("完成进度")] == 0.5
    assert hangtian[header.index("预警")] == "正常"
    assert rows["PH-2023-07"][header.index("预警")] == "黄色预警"
    assert rows["PH-2023-05"][header.index("预警")] == "红色预警"
    assert rows["PH-2023-05"][header.index("预警原因")].startswith("连续两个月未报送进展")
    categories = [row[header.index("类别")] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert list(dict.fromkeys(categories)) == CATEGORIES  # grouped: each category in one run

    red = [row[2] for row in book["预警事项"].iter_rows(min_row=3, values_only=True) if row[1] == "任务"]
    assert NANHU in red and MINGHU in red and HANGTIAN not in red and SAIDI not in red

    towns = [row[1] for row in book["镇街道排名"].iter_rows(min_row=3, values_only=True)]
    assert set(TOWNS) <= set(towns)
    assert {row[1] for row in book["单位排名"].iter_rows(min_row=3, values_only=True)} == LEAD_UNITS


# -------------------------------------------------------------------------------------- monthly report


def test_monthly_report_shows_the_month_as_it_stood(progress, demo, users):
    plan = demo[PH]
    data = report_data(plan, Period.parse("2023-05"))
    assert data.title == f"{plan.name}2023年5月进展报告"
    assert (data.period_label, data.kind_label) == ("2023年5月", "月度")
    lines = {line.title: line for line in data.tasks}
    # June's report is after the month: May's is the latest.
    assert (lines[HANGTIAN].latest_period, lines[HANGTIAN].latest_progress) == ("2023-05", "五月完成主体结构施工")
    assert lines[HANGTIAN].percent == Decimal(42)

    document = Document(io.BytesIO(documents.build_docx(data)))
    assert document.paragraphs[0].text == f"{plan.name}2023年5月进展报告"
    rows = {row[1]: row for t in find_table(document, "序号", "重点工作") for row in table_rows(t)[1:]}
    assert rows[HANGTIAN][5] == "2023年5月：五月完成主体结构施工"
    book = load_workbook(io.BytesIO(documents.build_xlsx(data)))
    assert book["重点工作"]["A1"].value.startswith(f"{plan.name}2023年5月进展报告")


def test_steps_after_the_period_do_not_count(progress, users):
    plan = KeyTask.objects.get(code="PH-2023-02").plan
    hangtian = progress["PH-2023-02"]
    workflow.transition(user=users["ph_fgj"], task_id=hangtian.pk, action="finish", opinion="完成")
    workflow.transition(user=users["ph_admin"], task_id=hangtian.pk, action="close", opinion="同意")
    TaskTransition.objects.filter(task=hangtian, action__in=["finish", "close"]).update(at=at(2023, 7, 15))
    june = {line.title: line for line in report_data(plan, Period.parse("2023-06")).tasks}[HANGTIAN]
    assert (june.status_label, june.alert) == ("推进中", "green")
    july = {line.title: line for line in report_data(plan, Period.parse("2023-07")).tasks}[HANGTIAN]
    assert (july.status_label, july.alert) == ("已销号", "green")


# ---------------------------------------------------------------------------------- annual competition


def _town_order(ranking) -> list[str]:
    return [line.name for line in ranking]


def _expected_order(completions, names, code) -> list[str]:
    scored = {place: min(values[code], Decimal("1.2")) for place, values in completions.items()
              if values.get(code) is not None}
    return [names[p] for p in sorted(scored, key=lambda p: (-scored[p], names[p]))]


def test_town_ranking_follows_the_indicator_weights(demo, tasks):
    from core.models import OrgUnit

    plan = demo[PH]
    period = Period.parse("2023Q2")
    completions = completions_by_place(plan, period)
    names = dict(OrgUnit.objects.filter(pk__in=completions).values_list("pk", "name"))

    ranking = report_data(plan, period).town_ranking
    assert set(TOWNS) <= set(_town_order(ranking))
    # Equal weights by default: the mean of each town's capped completions.
    top = ranking[0]
    place = next(p for p, n in names.items() if n == top.name)
    values = [min(v, Decimal("1.2")) for v in completions[place].values() if v is not None]
    assert top.score == sum(values) * 100 / len(values)
    assert [line.rank for line in ranking] == sorted(line.rank for line in ranking)

    settings = ReportSettings.objects.create(plan=plan, indicator_weights={"PH01": 1, "PH03": 0, "PH05": 0,
                                                                           "PH07": 0, "PH08": 0})
    by_rd = report_data(plan, period).town_ranking
    assert _town_order(by_rd) == _expected_order(completions, names, "PH01")
    assert by_rd[0].name == "黄姑镇"
    assert by_rd[0].score == min(completions[next(p for p, n in names.items() if n == "黄姑镇")]["PH01"],
                                 Decimal("1.2")) * 100

    settings.indicator_weights = {"PH01": 0, "PH03": "2", "PH05": 0}
    settings.save()
    by_hitech = report_data(plan, period).town_ranking
    assert _town_order(by_hitech) == _expected_order(completions, names, "PH03")
    assert by_hitech[0].name == "平湖经济技术开发区"
    assert _town_order(by_hitech) != _town_order(by_rd)


def test_town_rank_changes_against_the_previous_quarter(demo, tasks):
    from core.models import OrgUnit

    plan = demo[PH]
    now, before = completions_by_place(plan, Period.parse("2023Q2")), completions_by_place(plan, Period.parse("2023Q1"))

    def ranks(completions):
        scores = {p: sum(min(v, Decimal("1.2")) for v in vals.values() if v is not None)
                  / len([v for v in vals.values() if v is not None]) for p, vals in completions.items()}
        return competition_ranks(list(scores.items()))

    names = dict(OrgUnit.objects.filter(pk__in=now).values_list("pk", "name"))
    expected = {names[p]: ranks(before)[p] - rank for p, rank in ranks(now).items()}
    lines = report_data(plan, Period.parse("2023Q2")).town_ranking
    assert {line.name: line.rank_change for line in lines} == expected
    assert any(change > 0 for change in expected.values()) and any(change < 0 for change in expected.values())


def test_unit_ranking_by_task_status_with_rank_changes(tasks, users):
    plan = KeyTask.objects.get(code="PH-2023-02").plan
    fgj, admin = users["ph_fgj"], users["ph_admin"]
    # 市发改局 closes all four of its tasks on 20 May.
    for code in ("PH-2023-02", "PH-2023-03", "PH-2023-04", "PH-A1-2"):
        task = tasks[code]
        workflow.transition(user=fgj, task_id=task.pk, action="acknowledge")
        workflow.transition(user=fgj, task_id=task.pk, action="finish", opinion="已完成")
        workflow.transition(user=admin, task_id=task.pk, action="close", opinion="同意销号")
        backdate(task, at(2023, 5, 20))
    # 市经信局 reports January to March on both its tasks, then stops: green in April, yellow in May.
    jxj = workflow_user("t3_rank_jxj", "330482-jxj")
    for code in ("PH-2023-07", "PH-A3-3"):
        task = tasks[code]
        workflow.transition(user=jxj, task_id=task.pk, action="acknowledge")
        monthly(jxj, task, [1, 2, 3], "30", "按计划推进")
        backdate(task, at(2023, 1, 10))

    april = report_data(plan, Period.parse("2023-04")).unit_ranking
    assert [(line.rank, line.name) for line in april][:1] == [(1, "市经信局")]
    assert {line.name: line.score for line in april} == {**dict.fromkeys(LEAD_UNITS, Decimal(30)),
                                                         "市经信局": Decimal(80)}

    may = report_data(plan, Period.parse("2023-05")).unit_ranking
    assert [(line.rank, line.name, line.score, line.rank_change) for line in may] == [
        (1, "市发改局", Decimal(100), 1),
        (2, "市经信局", Decimal(60), -1),
        *[(3, name, Decimal(30), -1) for name in sorted(LEAD_UNITS - {"市发改局", "市经信局"})],
    ]
    document = Document(io.BytesIO(documents.build_docx(report_data(plan, Period.parse("2023-05")))))
    units = table_rows(find_table(document, "名次", "责任单位")[0])
    assert units[1] == ["1", "市发改局", "100.0", "↑1"]
    assert units[2] == ["2", "市经信局", "60.0", "↓1"]
