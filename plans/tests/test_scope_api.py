"""Scope of what the indicator API shows a town, and where a responsible unit may report."""

import pytest

from plans.models import IndicatorValue, Target
from plans.tests.test_api import DANGHU, PH_AREA, as_user, assert_errors, indicators, report

pytestmark = pytest.mark.django_db


def test_town_reporter_sees_only_its_own_and_county_targets(users, demo):
    found = indicators(as_user(users["ph_danghu"]))
    seen = {t["org_unit"] for ind in found.values() for t in ind["targets"]}
    assert seen <= {DANGHU, PH_AREA}
    assert DANGHU in seen and PH_AREA in seen
    # The bureau still sees every town's targets.
    everything = indicators(as_user(users["ph_admin"]))
    assert len({t["org_unit"] for ind in everything.values() for t in ind["targets"]}) > 2


def test_unit_reporter_sees_county_and_decomposed_targets_only_of_the_county(users, demo):
    found = indicators(as_user(users["ph_scjg"]))
    assert {t["org_unit"] for ind in found.values() for t in ind["targets"]} == {PH_AREA}


def test_unit_reporter_may_not_report_a_town_without_a_target(users, demo):
    ph09_towns = set(Target.objects.filter(indicator__plan__code="PH315-2023", indicator__code="PH09")
                     .values_list("org_unit__code", flat=True))
    assert DANGHU not in ph09_towns
    before = IndicatorValue.objects.count()
    errors = assert_errors(report(as_user(users["ph_scjg"]), "PH09", DANGHU, "2024", "19.2"), 403)
    assert "未分解" in errors[0]["message"]
    assert IndicatorValue.objects.count() == before


def test_unit_reporter_may_report_a_town_with_a_target(users, demo):
    target = (Target.objects.filter(indicator__plan__code="PH315-2023", indicator__code="PH01")
              .exclude(org_unit__code=PH_AREA).select_related("org_unit").first())
    target.indicator.unit_links.get_or_create(org_unit=users["ph_scjg"].org_unit, defaults={"position": 5})
    response = report(as_user(users["ph_scjg"]), "PH01", target.org_unit.code, "2024", "1.5")
    assert response.status_code == 201, response.content
