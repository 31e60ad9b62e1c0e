"""The words of a report: period phrases and the sentence of each indicator (no database)."""

import django.conf

if not django.conf.settings.configured:
    django.conf.settings.configure(USE_I18N=False)

from decimal import Decimal as D  # noqa: E402

import pytest  # noqa: E402

from core.periods import Period  # noqa: E402
from tasks.report_lines import IndicatorLine  # noqa: E402
from tasks.report_text import fmt_figure, indicator_sentence, period_phrase  # noqa: E402


def line(name="规上工业研发费用", unit="亿元", actual=D("33.77"), *, decimals=2, phrase="1—8月", yoy=None,
         annual_target=D("51"), annual_completion=None, status="green", rank="", at_year_end=False):
    return IndicatorLine(seq=1, name=name, unit=unit, actual=actual, target=None, completion=None, status=status,
                         yoy_growth=yoy, annual_target=annual_target, annual_completion=annual_completion,
                         decimals=decimals, period_phrase=phrase, rank_phrase=rank, at_year_end=at_year_end)


@pytest.mark.parametrize(("report", "figure", "kind", "words"), [
    ("2025-08", "2025-08", "cumulative", "1—8月"),
    ("2025-01", "2025-01", "cumulative", "1月"),
    ("2023Q3", "2023Q3", "cumulative", "前三季度"),
    ("2023Q2", "2023Q2", "cumulative", "上半年"),
    ("2023Q4", "2023Q4", "cumulative", "2023年"),
    ("2023", "2023", "cumulative", "2023年"),
    ("2023Q4", "2023Q4", "rate", "截至2023年末"),
    ("2026-11", "2026-11", "stock", "截至11月末"),
    ("2026-11", "2026Q3", "cumulative", "截至三季度"),
    ("2023Q4", "2023-11", "cumulative", "截至11月"),
    ("2026-11", "2023", "cumulative", "2023年"),
    ("2026-11", "2025-09", "rate", "截至2025年9月末"),
    ("2026-11", "2025-09", "cumulative", "2025年1—9月"),
])
def test_period_phrase(report, figure, kind, words):
    assert period_phrase(Period.parse(report), Period.parse(figure), kind) == words


def test_sentence_in_the_documents_style():
    text = indicator_sentence(line(yoy=D("0.058"), annual_completion=D("0.6141"), rank="增速列全市第3位"))
    assert text == "1—8月规上工业研发费用33.77亿元，同比增长5.8%，完成年度目标（51.00亿元）的61.4%，增速列全市第3位。"


def test_sentence_of_a_fallback_figure_and_of_a_share():
    text = indicator_sentence(line(name="技术交易总额", actual=D("80.61"), phrase="截至11月", annual_target=D(30),
                                   annual_completion=D("2.687")))
    assert text == "截至11月，技术交易总额80.61亿元，完成年度目标（30.00亿元）的268.7%。"
    share = indicator_sentence(line(name="研发费用占营业收入比重", unit="%", actual=D("2.4"), decimals=1,
                                    phrase="截至2023年末", yoy=D("0.1"), annual_target=D("2.5"),
                                    annual_completion=D("0.96"), status="yellow", at_year_end=True))
    # The growth of a share is not a percentage of a percentage: left out.
    assert share == "截至2023年末，研发费用占营业收入比重2.4%，完成年度目标（2.5%）的96.0%，尚未完成年度目标。"


def test_sentence_of_a_decline_behind_schedule_and_of_no_figure():
    text = indicator_sentence(line(yoy=D("-0.057"), annual_completion=D("0.5"), status="red", phrase="前三季度"))
    assert text == "前三季度规上工业研发费用33.77亿元，同比下降5.7%，完成年度目标（51.00亿元）的50.0%，进度滞后。"
    assert indicator_sentence(line(actual=None)) == "规上工业研发费用本期暂无已审核数据。"


def test_figures_at_their_decimals():
    assert fmt_figure(D("52.70833333333333333333333333"), 2) == "52.71"
    assert fmt_figure(D("1825"), 0) == "1,825"
    assert fmt_figure(D("-0.001"), 2) == "0.00"
    assert fmt_figure(D("2.25"), None) == "2.25"
    assert fmt_figure(None, 2) == "—"


def test_forecast_words_inside_the_year_at_the_indicators_decimals_and_none_at_its_end():
    line = IndicatorLine(seq=5, name="技术交易总额", unit="亿元", actual=D("28.09"), target=D("26.25"),
                         completion=D("0.803"), status="yellow", yoy_growth=None, annual_target=D("35"),
                         annual_completion=D("0.803"), decimals=2, period_phrase="前三季度",
                         forecast=D("32.3"), forecast_target=D("35"), forecast_misses=True)
    assert indicator_sentence(line).endswith("预计全年32.30亿元，目标35.00亿元，预计未完成。")
    at_end = IndicatorLine(**{**line.__dict__, "at_year_end": True, "period_phrase": "2025年"})
    assert "预计全年" not in indicator_sentence(at_end)
