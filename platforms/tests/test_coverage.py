"""研发机构设置率: 规上 enterprises holding an R&D institution of any level ÷ all 规上 enterprises, by region
and year, in one query; and the feed source a plan indicator binds to."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal as D

import pytest
from django.db.models import signals
from django.utils import timezone

from core import feeds
from core.models import Region
from enterprises import uscc
from enterprises.models import Enterprise, EnterpriseYear
from platforms.coverage import KEY, platform_touches, rd_coverage, register_feeds, year_touches
from platforms.models import Kind, Level, Platform, Status

pytestmark = pytest.mark.django_db

JS, JS_TOWN, PH_TOWN = "330421", "330421001", "330482001"
YEAR = 2024
_serial = itertools.count(8_200_000)


def firm(region: str = JS_TOWN, above_scale: bool | None = True, year: int = YEAR) -> Enterprise:
    serial = next(_serial)
    body = f"91{region[:6]}MA{serial:07d}"[:17]
    made = Enterprise.objects.create(uscc=body + uscc.check_char(body), name=f"企业{serial}",
                                     region=Region.objects.get(code=region))
    EnterpriseYear.objects.create(enterprise=made, year=year, above_scale=above_scale, revenue=D(3000))
    return made


def platform(operator: Enterprise, kind: str = Kind.ENT_CENTRE, level: str = Level.COUNTY,
             recognised_on: datetime.date | None = datetime.date(2023, 6, 1), **fields) -> Platform:
    return Platform.objects.create(code=f"C{next(_serial)}", name="研发机构", kind=kind, level=level,
                                   region=operator.region, operator_uscc=operator.uscc,
                                   recognised_on=recognised_on, **fields)


@pytest.fixture
def county(reference):
    """嘉善 in 2024: four 规上 enterprises, three of them with an R&D institution, plus the ones that never count."""
    above = [firm() for _ in range(4)]
    platform(above[0])  # 县级研发中心
    platform(above[1], kind=Kind.ENT_INSTITUTE, level=Level.PROVINCE)
    platform(above[2], kind=Kind.KEY_LAB, level=Level.NONE, recognised_on=None)  # no date: on the register
    platform(above[2])  # a second one does not count twice
    platform(above[3], status=Status.REVOKED)
    platform(above[3], recognised_on=datetime.date(YEAR + 1, 1, 1))  # recognised after the year's end
    platform(above[3], kind=Kind.INCUBATOR)  # not an enterprise's own R&D institution
    platform(firm(above_scale=False))  # holders outside 规上 are in neither count
    platform(firm(above_scale=None))
    platform(firm(region=PH_TOWN))  # another county
    return above


def test_three_of_four_above_scale_enterprises_is_75_per_cent(county):
    assert rd_coverage("330421", YEAR) == {"enterprises": 4, "with_institution": 3, "rate": D("75.0")}
    assert rd_coverage(JS_TOWN, YEAR) == {"enterprises": 4, "with_institution": 3, "rate": D("75.0")}
    assert rd_coverage("3304", YEAR)["enterprises"] == 5  # the city: 平湖's one as well
    assert rd_coverage("3304", YEAR)["with_institution"] == 4


def test_the_year_matters_for_scale_and_recognition(county):
    # The platform recognised in 2025 counts from 2025 on, but the firms were not recorded 规上 for 2025.
    assert rd_coverage("330421", YEAR + 1)["enterprises"] == 0
    for firm_ in county:
        EnterpriseYear.objects.create(enterprise=firm_, year=YEAR + 1, above_scale=True)
    assert rd_coverage("330421", YEAR + 1) == {"enterprises": 4, "with_institution": 4, "rate": D("100.0")}


def test_the_rate_has_one_decimal_and_none_without_any_above_scale_enterprise(reference):
    assert rd_coverage("330421", YEAR) == {"enterprises": 0, "with_institution": 0, "rate": None}
    firms = [firm() for _ in range(3)]
    platform(firms[0])
    platform(firms[1])
    assert rd_coverage("330421", YEAR)["rate"] == D("66.7")


def test_one_query_whatever_the_data(county, django_assert_num_queries):
    with django_assert_num_queries(1):
        rd_coverage("330421", YEAR)
    for _ in range(5):
        platform(firm())
    with django_assert_num_queries(1):
        assert rd_coverage("330421", YEAR)["enterprises"] == 9


@pytest.fixture
def registered():
    """The source as setup registers it; undone after unless the app had registered it already."""
    already = feeds.get(KEY) is not None
    if not already:
        register_feeds()
    yield feeds.get(KEY)
    if not already:
        feeds._SOURCES.pop(KEY, None)
        for model in (Platform, EnterpriseYear):
            for name, signal in (("pre_save", signals.pre_save), ("post_save", signals.post_save),
                                 ("pre_delete", signals.pre_delete)):
                signal.disconnect(sender=model, dispatch_uid=f"feeds:{model._meta.label}:{name}")


def test_the_feed_source_gives_the_rate_and_says_what_makes_it_stale(county, registered):
    assert (registered.label, registered.unit) == ("规上工业企业研发机构设置率", "%")
    assert set(registered.stale_on) == {"platforms.Platform", "enterprises.EnterpriseYear"}
    assert registered.compute("330421", YEAR, timezone.localdate()) == D("75.0")
    assert registered.compute("330421", 2010, timezone.localdate()) is None  # no 规上 firm: no rate, not 0%


def test_a_platform_touches_its_operators_region_from_its_year(county):
    this_year = timezone.localdate().year
    made = platform(county[0], recognised_on=datetime.date(YEAR, 3, 1))
    assert platform_touches(made) == [(JS_TOWN, year) for year in range(YEAR, this_year + 1)]
    undated = platform(county[0], recognised_on=None)
    assert platform_touches(undated) == [(JS_TOWN, YEAR)]  # the years it is 规上
    assert platform_touches(platform(county[0], kind=Kind.INCUBATOR)) == []
    record = EnterpriseYear.objects.get(enterprise=county[0], year=YEAR)
    assert year_touches(record) == [(JS_TOWN, YEAR)]


def test_a_plan_indicator_fed_from_the_rate_gets_it_and_no_figure_without_any_firm(users, plans):
    from plans.models import IndicatorValue
    from plans.services.feeds import bind_feed, feed_plan

    plan = plans["JS-2025"]
    indicator = plan.indicators.order_by("pk").first()
    IndicatorValue.objects.filter(indicator=indicator).delete()
    with_firms = [firm() for _ in range(3)]
    platform(with_firms[0])
    bind_feed(admin=users["js_admin"], indicator=indicator, basis="", source="rd_coverage")
    outcome = next(o for o in feed_plan(plan=plan, year=YEAR, today=datetime.date(2025, 12, 1))
                   if o.indicator == indicator.code)
    assert outcome.figure == D("33.3") and outcome.written
    EnterpriseYear.objects.filter(enterprise__in=with_firms).update(above_scale=False)
    before = IndicatorValue.objects.filter(indicator=indicator).count()
    outcome = next(o for o in feed_plan(plan=plan, year=YEAR, today=datetime.date(2025, 12, 1))
                   if o.indicator == indicator.code)
    assert outcome.figure is None and not outcome.written and "无可汇总" in outcome.reason
    assert IndicatorValue.objects.filter(indicator=indicator).count() == before
