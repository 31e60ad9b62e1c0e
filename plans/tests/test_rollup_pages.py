"""The cockpit and indicator pages show 计算值, 镇街道合计 and 预计全年; the indicator form checks a formula."""

import pytest

from core.audit import history_for
from core.testing import visible_text
from plans.models import Indicator
from plans.tests.rollup_data import load_figures, place

pytestmark = pytest.mark.django_db

PH = "PH315-2023"


@pytest.fixture
def figures(users, pinghu):
    return load_figures(users["ph_admin"], pinghu)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    # Spaces dropped: the words of one line are separate elements on the page.
    return visible_text(response.content.decode()).replace(" ", "")


def test_indicator_page_shows_the_towns_total_beside_the_official_figure(login_as, figures):
    text = page(login_as("ph_admin"), f"/plans/{PH}/indicators/PH01/?period=2024Q2&place=330482")
    assert "镇街道合计（2024年第二季度）" in text
    assert "本级填报数（正式数）24" in text
    assert "镇街道合计（计算值）20" in text
    assert "差额（填报数－合计）4" in text
    assert "未报：" + place("330482003").name in text
    assert "预计全年60" in text
    assert "方法：季节比例法（按往年同期占全年比重推算）（2023年）" in text


def test_indicator_page_of_a_formula_shows_the_computed_value(login_as, figures):
    text = page(login_as("ph_admin"), f"/plans/{PH}/indicators/PH02/?period=2024Q2&place=330482")
    assert "计算公式：PH01/PH10*100" in text
    assert "计算值2.4" in text
    assert "汇总方法：按公式由下级地区合计的分子、分母计算" in text
    assert "镇街道合计（计算值）2.5" in text
    assert "最新值" in text


def test_cockpit_cards_say_the_forecast_and_the_total(login_as, figures):
    text = page(login_as("ph_admin"), f"/plans/{PH}/?period=2024Q2&place=330482")
    assert "预计全年60亿元，目标53亿元" in text
    assert "镇街道合计20·差额4·1个未报" in text


def test_a_town_reporter_sees_no_towns_total(login_as, figures):
    text = page(login_as("ph_danghu"), f"/plans/{PH}/indicators/PH01/?period=2024Q2&place=330482")
    assert "镇街道合计" not in text and place("330482002").name not in text.split("晾晒排名")[0]
    assert "预计全年60" in text


def test_saving_a_formula_checks_it_and_keeps_the_history(login_as, figures):
    client = login_as("ph_admin")
    url = f"/plans/{PH}/indicators/PH04/edit/"
    ph04 = Indicator.objects.get(plan=figures, code="PH04")
    form = {"name": ph04.name, "unit": ph04.unit, "kind": ph04.kind, "direction": ph04.direction,
            "frequency": ph04.frequency, "note": ""}
    for formula, words in [("PH03 / GDP * 100", "不存在的指标：GDP"), ("PH03 + PH07", "不能相加减"),
                           ("PH03 * 100", "公式得出“亿元”"), ("PH04 / PH03", "循环引用"), ("PH03 / (PH10", "缺少")]:
        response = client.post(url, {**form, "formula": formula})
        assert response.status_code == 200
        assert words in visible_text(response.content.decode())
        assert Indicator.objects.get(pk=ph04.pk).formula == ""
    response = client.post(url, {**form, "formula": " PH03 / PH10 * 100 "})
    assert response.status_code == 302
    assert Indicator.objects.get(pk=ph04.pk).formula == "PH03 / PH10 * 100"
    assert history_for(ph04).filter(after__formula="PH03 / PH10 * 100").exists()
    # A change of unit that would break another indicator's formula is refused.
    ph10 = Indicator.objects.get(plan=figures, code="PH10")
    response = client.post(f"/plans/{PH}/indicators/PH10/edit/", {
        "name": ph10.name, "unit": "家", "kind": ph10.kind, "direction": ph10.direction,
        "frequency": ph10.frequency, "note": "", "formula": ""})
    assert "不再成立" in visible_text(response.content.decode())
    assert Indicator.objects.get(pk=ph10.pk).unit == "亿元"


def test_only_the_bureau_edits_a_formula(login_as, figures):
    assert login_as("ph_leader").get(f"/plans/{PH}/indicators/PH04/edit/").status_code in (403, 404)
    assert login_as("js_admin").get(f"/plans/{PH}/indicators/PH04/edit/").status_code in (403, 404)
