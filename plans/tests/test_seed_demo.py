"""Seed plans transcribed from the source documents, the demo towns, and the ``demo`` command.

The expected figures below are copied from the source documents (平湖市"315"实施方案 with 附件1, and 嘉善县科技局
2024年工作总结及2025年工作思路), not read from plans.json, so a transcription slip in the seed file fails here.
"""

import datetime
import io
from decimal import Decimal as D

import pytest
from django.core.management import call_command

from core.audit import history_for
from core.models import ChangeRecord, OrgUnit, Region, User
from plans.models import (
    Action,
    ActionTask,
    ActionTaskUnit,
    Direction,
    Indicator,
    IndicatorResponsibility,
    IndicatorValue,
    PeriodLock,
    Plan,
    Target,
    ValueStatus,
)
from plans.progress import TREND_REVERSAL
from plans.queries import indicator_warnings
from plans.services.seed import load_plans

# ------------------------------------------------------------------ 平湖: 二、主要任务 (一)–(六)

PINGHU_ACTIONS = [
    ("实施重点科创平台提能造峰行动", [
        ("加快建设明湖国际科创岛", ["市科技局", "市城投集团"]),
        ("加快形成区域创新标志项目支撑体系", ["市发改局", "市科技局", "市经信局"]),
        ("提升创新载体发展质效", ["市科技局", "市经信局"]),
    ]),
    ("实施关键核心技术攻坚突破行动", [
        ("开展关键核心技术攻关", ["市科技局", "市经信局"]),
        ("创新科技项目攻关机制", ["市科技局"]),
    ]),
    ("实施创新链产业链深度融合行动", [
        ("加大科技企业引育", ["市科技局", "市经信局"]),
        ("加速科技成果转化", ["市科技局"]),
        ("持续提升产业竞争力", ["市经信局", "市发改局", "市科技局"]),
    ]),
    ("实施创新人才集结提质行动", [
        # 市委组织部〔市委人才办〕 in the document is one unit: 市委组织部.
        ("集聚科技领军人才", ["市委组织部", "市科技局"]),
        ("激发人才创新创造活力", ["市委组织部", "市科技局", "市人力社保局", "市农业农村局"]),
    ]),
    ("实施全域创新能级跨越提升行动", [
        ("促进高新区高质量发展", ["市科技局", "市发改局", "市商务局", "市经信局", "市财政局"]),
        ("深入打造“科技外资”金名片", ["市科技局", "市发改局", "市商务局"]),
    ]),
    ("实施创新生态深化打造行动", [
        ("健全完善知识产权服务保护体系", ["市市场监管局"]),
        ("强化科创金融支持", ["市金融发展服务中心", "市科技局", "市财政局", "市市场监管局", "人行平湖支行"]),
    ]),
]

# ------------------------------------------------------------------ 平湖: 附件1 主要指标进度表, as printed
# (seq, printed name, unit, responsible unit, {period: (value, basis, text)})
ANNEX_1 = [
    (1, "规上工业研发费用(亿元)", "亿元", "市科技局",
     {"2027": ("60", "", "60"), "2025": ("55", "", "55"), "2023": ("51", "", "51"), "2023Q1": ("11.34", "", "11.34"),
      "2023Q2": ("25.5", "", "25.5"), "2023Q3": ("36", "", "36"), "2023Q4": ("51", "", "51")}),
    (2, "规上工业研发费用占营业收入比重(%)", "%", "市科技局",
     {"2027": ("3", "", "3"), "2025": ("2.7", "", "2.7"), "2023": ("2.5", "", "2.5"), "2023Q1": ("2.2", "", "2.2"),
      "2023Q2": ("2.25", "", "2.25"), "2023Q3": ("2.3", "", "2.3"), "2023Q4": ("2.5", "", "2.5")}),
    (3, "高新技术产业增加值(亿元)", "亿元", "市科技局",
     {"2027": ("280", "", "280"), "2025": ("260", "", "260"), "2023": ("236", "", "236"),
      "2023Q1": ("50", "", "50"), "2023Q2": ("115", "", "115"), "2023Q3": ("170", "", "170"),
      "2023Q4": ("236", "", "236")}),
    (4, "高新技术产业增加值占规上工业比重(%)", "%", "市科技局",
     {"2027": ("60", "", "60"), "2025": ("59", "", "59"), "2023": ("58", "", "58"), "2023Q1": ("55", "", "55"),
      "2023Q2": ("56", "", "56"), "2023Q3": ("57", "", "57"), "2023Q4": ("58", "", "58")}),
    (5, "技术交易总额(亿元)", "亿元", "市科技局",
     {"2027": ("40", "", "40"), "2025": ("35", "", "35"), "2023": ("30", "", "30"), "2023Q1": ("8", "", "8"),
      "2023Q2": ("15", "", "15"), "2023Q3": ("22", "", "22"), "2023Q4": ("30", "", "30")}),
    (6, "每万名就业人员中研发人员(人年)", "人年", "市科技局",
     {"2027": ("110", "", "110"), "2025": ("10", "", "10"), "2023": ("90", "", "90")}),
    (7, "每年新增高新技术企业数(家)", "家", "市科技局",
     {"2027": ("800", "total", "累计达800"), "2025": ("650", "total", "累计达650"),
      "2023": ("80", "new", "新认定80")}),
    (8, "每年新增科技型中小企业数(家)", "家", "市科技局",
     {"2027": ("2000", "total", "累计达2000"), "2025": ("1650", "total", "累计达1650"),
      "2023": ("175", "new", "新认定175")}),
    (9, "每万人高价值发明专利拥有量(件)", "件", "市市场监管局",
     {"2027": ("20", "", "20"), "2025": ("18", "", "18"), "2023": ("15.9", "", "15.9")}),
]

# ------------------------------------------------------------------ 嘉善: 八大专项行动, tasks 1–23 and 责任科室

JIASHAN_ACTIONS = [
    ("因地制宜实施教科人一体改革行动", [
        (1, "健全教科人一体推进机制", ["办公室", "人才科", "合作科"]),
        (2, "谋深做实教科人一体改革试点", ["人才科", "合作科"]),
        (3, "建立人才流动共享机制", ["人才科", "合作科", "综合科"]),
    ]),
    ("实施科创平台赋能发展行动", [
        (4, "提升科创平台辨识度", ["合作科", "综合科", "高新科"]),
        (5, "深化院企技术合作", ["合作科", "高新科", "人才科", "综合科"]),
        (6, "链接区域性创新资源", ["合作科", "科创中心"]),
    ]),
    ("实施创新主体量质提升行动", [
        (7, "推动科技企业培育量质齐升", ["高新科"]),
        (8, "推动企业研发机构扩面提质", ["高新科", "合作科"]),
        (9, "推动企业主导的产学研融通创新", ["综合科", "高新科", "合作科"]),
    ]),
    ("实施构建全链条科技成果转化行动", [
        (10, "建立成果转化机制", ["合作科"]),
        (11, "完善成果转化体系", ["合作科", "科创中心"]),
        (12, "完善成果转化要素", ["合作科", "科创中心"]),
    ]),
    ("实施科创园区提质增效行动", [
        (13, "提升高新区承载能级", ["人才科"]),
        (14, "推进全域创业孵化体系建设", ["科创中心"]),
    ]),
    ("实施创新人才增量提质行动", [
        (15, "精准引育一批高端人才", ["人才科"]),
        (16, "加强“柔性”引才力度", ["人才科"]),
        (17, "持续优化外籍人才便利化服务水平", ["人才科"]),
    ]),
    ("实施创新生态品质提升行动", [
        (18, "营造浓厚科技创新氛围", ["办公室", "综合科", "合作科"]),
        (19, "推动科技金融深度融合", ["科创中心", "合作科"]),
        (20, "大力推进“科技强农”", ["合作科"]),
    ]),
    ("实施科技党建品牌引领行动", [
        (21, "加强党对科技工作的全面领导", ["办公室"]),
        (22, "深化党建品牌效能", ["办公室"]),
        (23, "推动干部履职能力提升", []),  # the document names no 责任科室 for task 23
    ]),
]

# 主要目标: 2025年 (code, unit, value, basis, words as printed, direction)
JIASHAN_GOALS = [
    ("JS01", "%", "4", "", "达4%", Direction.HIGHER),
    ("JS02", "%", None, "", "高于全市平均", Direction.HIGHER),
    ("JS03", "%", "85", "", "继续保持85%以上", Direction.HIGHER),
    ("JS04", "家", "70", "new", "新增70家", Direction.HIGHER),
    ("JS05", "亿元", "6", "", "达6亿元", Direction.HIGHER),
    ("JS06", "名", "5", "", "保持全省第5,力争进位", Direction.LOWER),
]

# Figures the documents report: (plan, indicator, place, period, basis, value, words quoted in the source)
REPORTED = [
    ("PH315-2023", "PH05", "330482", "2023-11", "", "80.61", "1-11月全市技术交易额80.61亿元"),
    ("PH315-2023", "PH07", "330482", "2023", "new", "90", "新认定高新技术企业90家"),
    ("PH315-2023", "PH07", "330482", "2023", "total", "500", "高企数量突破500家"),
    ("PH315-2023", "PH08", "330482", "2023", "new", "203", "省科技型中小企业203家"),
    ("PH315-2023", "PH01", "330482", "2025-08", "", "33.77", "1—8月规上工业研发经费33.77亿元"),
    ("PH315-2023", "PH09", "330482", "2025-09", "", "24.8", "每万人高价值发明专利拥有量达24.8件"),
    ("JS-2025", "JS02", "330421", "2024", "", "3.27", "占营收比重3.27%"),
    ("JS-2025", "JS03", "330421", "2024", "", "87.6", "高新技术产业增加值占比87.6%"),
    ("JS-2025", "JS04", "330421", "2024", "new", "93", "新认定高新技术企业93家"),
    ("JS-2025", "JS06", "330421", "2024", "", "5", "科技创新指数列全省第5"),
]
SEED_KEYS = {(code, place, period, basis) for _p, code, place, period, basis, _v, _w in REPORTED}
COUNTY_PLACES = ("330482", "330421")


def unit_names(task) -> list[str]:
    return [u.name for u in task.ordered_units]


# ------------------------------------------------------------------ 平湖 plan


def test_pinghu_plan_header(pinghu):
    assert pinghu.region.code == "330482"
    assert (pinghu.start_year, pinghu.end_year) == (2023, 2027)
    assert pinghu.issuer == "平湖市人民政府"
    assert pinghu.issued_on == datetime.date(2023, 4, 20)
    assert "每万人口高价值发明专利拥有量达到15.9件" in pinghu.goals_text
    assert pinghu.is_demo is False


def test_pinghu_has_six_actions_and_fourteen_tasks(pinghu):
    assert pinghu.actions.count() == 6
    assert ActionTask.objects.filter(action__plan=pinghu).count() == 14
    assert [a.title for a in pinghu.actions.order_by("number")] == [title for title, _t in PINGHU_ACTIONS]
    assert [a.number for a in pinghu.actions.order_by("number")] == [1, 2, 3, 4, 5, 6]


def test_pinghu_tasks_and_units_in_printed_order(pinghu):
    for number, (title, tasks) in enumerate(PINGHU_ACTIONS, start=1):
        action = pinghu.actions.get(number=number)
        got = [(t.number, t.title, unit_names(t)) for t in action.tasks.order_by("number")]
        assert got == [(n, task, units) for n, (task, units) in enumerate(tasks, start=1)], title


def test_pinghu_first_task_lead_unit_first(pinghu):
    task = ActionTask.objects.get(action__plan=pinghu, title="加快建设明湖国际科创岛")
    assert unit_names(task) == ["市科技局", "市城投集团"]
    assert [link.position for link in task.unit_links.all()] == [0, 1]
    assert "大零号湾" in task.content


def test_talent_office_resolves_to_the_organisation_department(pinghu):
    task = ActionTask.objects.get(action__plan=pinghu, title="集聚科技领军人才")
    lead = task.ordered_units[0]
    assert lead.code == "330482-zzb"
    assert lead.name == "市委组织部"
    assert "市委组织部〔市委人才办〕" in lead.aliases


def test_pinghu_task_units_are_pinghu_bureaus(pinghu):
    units = OrgUnit.objects.filter(pk__in=ActionTaskUnit.objects.filter(task__action__plan=pinghu)
                                   .values("org_unit_id"))
    assert units.exists()
    assert set(units.values_list("region__code", flat=True)) == {"330482"}
    assert set(units.values_list("kind", flat=True)) == {"bureau"}


def test_pinghu_has_the_nine_annex_indicators(pinghu):
    indicators = list(pinghu.indicators.order_by("seq"))
    assert [(i.seq, i.printed_name, i.unit) for i in indicators] == [
        (seq, printed, unit) for seq, printed, unit, _u, _t in ANNEX_1]
    assert [i.code for i in indicators] == [f"PH0{n}" for n in range(1, 10)]
    assert all(i.name and i.printed_name.startswith(i.name) for i in indicators)


@pytest.mark.parametrize(("seq", "printed", "unit", "responsible", "targets"), ANNEX_1,
                         ids=[f"row{row[0]}" for row in ANNEX_1])
def test_pinghu_every_target_as_printed(pinghu, seq, printed, unit, responsible, targets):
    indicator = pinghu.indicators.get(seq=seq)
    assert indicator.printed_name == printed
    assert [u.name for u in indicator.ordered_units] == [responsible]
    got = {t.period: (t.value, t.basis, t.text)
           for t in Target.objects.filter(indicator=indicator, org_unit__code="330482")}
    assert got == {period: (D(value), basis, text) for period, (value, basis, text) in targets.items()}
    assert not Target.objects.filter(indicator=indicator, is_demo=True).exists()


def test_quarter_milestones_only_for_rows_one_to_five(pinghu):
    quarterly = {i.seq for i in pinghu.indicators.all() if i.targets.filter(period__contains="Q").exists()}
    assert quarterly == {1, 2, 3, 4, 5}
    assert {i.seq: i.frequency for i in pinghu.indicators.all()} == {
        1: "quarter", 2: "quarter", 3: "quarter", 4: "quarter", 5: "quarter",
        6: "year", 7: "year", 8: "year", 9: "year"}


def test_row_six_2025_target_is_ten_as_printed_and_flagged(pinghu):
    ph06 = pinghu.indicators.get(seq=6)
    assert Target.objects.get(indicator=ph06, period="2025").value == D("10")
    warnings = indicator_warnings(pinghu, today=datetime.date(2023, 5, 1))
    reversal = [w for w in warnings[ph06.pk] if w.code == TREND_REVERSAL]
    assert len(reversal) == 1
    assert reversal[0].period == "2025"
    assert "10" in reversal[0].message and "90" in reversal[0].message
    # Only row 6 has targets that move backwards.
    others = [w for ind_id, ws in warnings.items() if ind_id != ph06.pk for w in ws if w.code == TREND_REVERSAL]
    assert others == []


# ------------------------------------------------------------------ 嘉善 plan


def test_jiashan_has_eight_actions_and_23_tasks(plans):
    plan = plans["JS-2025"]
    assert plan.region.code == "330421"
    assert (plan.start_year, plan.end_year) == (2025, 2025)
    assert [a.title for a in plan.actions.order_by("number")] == [title for title, _t in JIASHAN_ACTIONS]
    assert ActionTask.objects.filter(action__plan=plan).count() == 23


def test_jiashan_tasks_and_divisions_in_printed_order(plans):
    plan = plans["JS-2025"]
    for number, (title, tasks) in enumerate(JIASHAN_ACTIONS, start=1):
        action = plan.actions.get(number=number)
        got = [(t.number, t.title, unit_names(t)) for t in action.tasks.order_by("number")]
        assert got == tasks, title


def test_jiashan_task_one_divisions(plans):
    task = ActionTask.objects.get(action__plan=plans["JS-2025"], number=1)
    assert task.title == "健全教科人一体推进机制"
    assert unit_names(task) == ["办公室", "人才科", "合作科"]
    # 嘉善县科技局's own divisions, not 平湖's namesakes.
    assert {u.parent.code for u in task.ordered_units} == {"330421-kjj"}
    assert {u.kind for u in task.ordered_units} == {"division"}


def test_jiashan_six_main_goals(plans):
    plan = plans["JS-2025"]
    indicators = list(plan.indicators.order_by("seq"))
    assert [i.code for i in indicators] == [g[0] for g in JIASHAN_GOALS]
    for code, unit, value, basis, text, direction in JIASHAN_GOALS:
        indicator = plan.indicators.get(code=code)
        assert (indicator.unit, indicator.direction) == (unit, direction), code
        target = Target.objects.get(indicator=indicator)
        assert target.period == "2025" and target.org_unit.code == "330421"
        assert target.value == (D(value) if value is not None else None), code
        assert (target.basis, target.text) == (basis, text), code
    assert "高于全市平均" in plan.goals_text


def test_js02_has_no_number_only_words(plans):
    target = Target.objects.get(indicator__plan=plans["JS-2025"], indicator__code="JS02")
    assert target.value is None
    assert target.text == "高于全市平均"


# ------------------------------------------------------------------ reported figures


@pytest.mark.parametrize(("plan", "code", "place", "period", "basis", "value", "words"), REPORTED,
                         ids=[f"{r[1]}-{r[3]}-{r[4] or 'plain'}" for r in REPORTED])
def test_reported_figures_are_approved_with_source(plans, plan, code, place, period, basis, value, words):
    row = IndicatorValue.objects.get(indicator__plan__code=plan, indicator__code=code, place__code=place,
                                     period=period, basis=basis)
    assert row.status == ValueStatus.APPROVED
    assert row.value == D(value)
    assert row.approved_value == D(value)
    assert words in row.source
    assert row.is_demo is False
    assert row.revision == 1


def test_pinghu_figure_source_text(plans):
    row = IndicatorValue.objects.get(indicator__code="PH05", period="2023-11")
    assert row.source.startswith("《为“新质生产力”注入平湖创新力》")
    assert row.period_end == 202311


def test_only_the_documents_figures_are_seeded(plans):
    got = set(IndicatorValue.objects.values_list("indicator__code", "place__code", "period", "basis"))
    assert got == SEED_KEYS


def test_loading_the_plans_again_changes_nothing(plans, users):
    records = ChangeRecord.objects.count()
    targets = list(Target.objects.order_by("pk").values_list("pk", "value", "basis", "text"))
    values = list(IndicatorValue.objects.order_by("pk").values_list("pk", "value", "revision", "version"))
    load_plans(users["admin"])
    assert ChangeRecord.objects.count() == records
    assert list(Target.objects.order_by("pk").values_list("pk", "value", "basis", "text")) == targets
    assert list(IndicatorValue.objects.order_by("pk").values_list("pk", "value", "revision", "version")) == values
    assert ActionTask.objects.count() == 14 + 23


# ------------------------------------------------------------------ demo towns


def test_demo_values_and_targets_are_marked(demo):
    seeded = IndicatorValue.objects.filter(is_demo=False)
    assert set(seeded.values_list("indicator__code", "place__code", "period", "basis")) == SEED_KEYS
    demo_values = IndicatorValue.objects.filter(is_demo=True)
    assert demo_values.count() > 0
    assert set(demo_values.values_list("note", flat=True)) == {"演示数据"}
    # Targets below the county are all demo; the county's targets are the document's, never demo.
    assert not Target.objects.exclude(org_unit__code__in=COUNTY_PLACES).filter(is_demo=False).exists()
    assert not Target.objects.filter(org_unit__code__in=COUNTY_PLACES, is_demo=True).exists()
    assert Target.objects.filter(is_demo=True).exists()


def test_demo_towns_get_targets_and_figures(demo):
    danghu = OrgUnit.objects.get(code="330482001")
    assert Target.objects.filter(org_unit=danghu, indicator__code="PH01", period="2023").exists()
    assert IndicatorValue.objects.filter(place=danghu, indicator__code="PH01").exists()
    assert not Target.objects.filter(org_unit=danghu, indicator__code="PH02").exists()


def test_demo_never_overwrites_a_seed_figure(demo):
    for _plan, code, place, period, basis, value, words in REPORTED:
        row = IndicatorValue.objects.get(indicator__code=code, place__code=place, period=period, basis=basis)
        assert (row.value, row.approved_value, row.revision, row.is_demo) == (D(value), D(value), 1, False), code
        assert words in row.source
        assert history_for(row).count() == 1
    # No demo figure competes with a seed figure ending in the same month with the same basis.
    for _plan, code, place, period, basis, _value, _words in REPORTED:
        end = IndicatorValue.objects.get(indicator__code=code, place__code=place, period=period,
                                         basis=basis).period_end
        assert not IndicatorValue.objects.filter(indicator__code=code, place__code=place, period_end=end,
                                                 basis=basis, is_demo=True).exists(), code


def test_demo_keeps_the_printed_county_targets(demo, pinghu):
    for seq, _printed, _unit, _resp, targets in ANNEX_1:
        got = {t.period: (t.value, t.basis, t.text)
               for t in Target.objects.filter(indicator__plan=pinghu, indicator__seq=seq, org_unit__code="330482")}
        assert got == {p: (D(v), b, t) for p, (v, b, t) in targets.items()}


def test_demo_skips_county_figures_after_the_reversed_target(demo, pinghu):
    ph06 = pinghu.indicators.get(seq=6)
    assert not IndicatorValue.objects.filter(indicator=ph06, place__code="330482", period_end__gt=202312).exists()


# ------------------------------------------------------------------ the demo command


COUNTED = [Region, OrgUnit, User, Plan, Action, ActionTask, ActionTaskUnit, Indicator, IndicatorResponsibility,
           Target, IndicatorValue, PeriodLock, ChangeRecord]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.mark.django_db
def test_demo_command_loads_everything():
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "规划 2 个" in out.getvalue()
    assert Plan.objects.count() == 2
    assert ActionTask.objects.filter(action__plan__code="PH315-2023").count() == 14
    assert ActionTask.objects.filter(action__plan__code="JS-2025").count() == 23
    assert User.objects.filter(username="ph_admin").exists()
    assert set(IndicatorValue.objects.filter(is_demo=False).values_list(
        "indicator__code", "place__code", "period", "basis")) == SEED_KEYS
    assert IndicatorValue.objects.filter(is_demo=True).exists()


@pytest.mark.django_db
def test_demo_command_twice_is_idempotent():
    call_command("demo", stdout=io.StringIO())
    first = counts()
    last_record = ChangeRecord.objects.order_by("-id").values_list("id", flat=True).first()
    values = list(IndicatorValue.objects.order_by("pk").values_list(
        "pk", "value", "approved_value", "status", "revision", "version", "is_demo"))
    targets = list(Target.objects.order_by("pk").values_list("pk", "value", "basis", "text", "is_demo"))
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert counts() == first
    assert not ChangeRecord.objects.filter(id__gt=last_record).exists()
    assert list(IndicatorValue.objects.order_by("pk").values_list(
        "pk", "value", "approved_value", "status", "revision", "version", "is_demo")) == values
    assert list(Target.objects.order_by("pk").values_list("pk", "value", "basis", "text", "is_demo")) == targets
    assert "新增演示数据 0 条" in out.getvalue()


@pytest.mark.django_db
def test_demo_command_keeps_a_changed_password():
    call_command("demo", stdout=io.StringIO())
    user = User.objects.get(username="ph_admin")
    user.set_password("另一个密码2026!")
    user.save()
    call_command("demo", stdout=io.StringIO())
    user.refresh_from_db()
    assert user.check_password("另一个密码2026!")
