"""The synthetic data generator used by the scale benchmark."""

import pytest
from django.core.management import call_command

from core.models import OrgUnit, Region
from plans.models import Indicator, IndicatorValue, Plan, Target
from plans.queries import plan_progress, ranking
from plans.services.generate import SCALES, generate

pytestmark = pytest.mark.django_db


def test_county_scale_counts_add_up():
    result = generate("county", progress=lambda _m: None)
    scale = SCALES["county"]
    assert result == {"counties": 1, "towns": scale.towns_per_county, "plans": 2,
                      "values": 30 * 1 * 5 * 12 + 30 * (1 + scale.towns_per_county) * 5 * 12}
    assert IndicatorValue.objects.filter(indicator__plan__code__startswith="SIM-").count() == result["values"]
    assert Target.objects.filter(indicator__plan__code="SIM-990101").count() == 30 * 11 * 5
    assert not Region.objects.filter(is_demo=True).exclude(code__startswith="99").exists()
    assert Indicator.objects.filter(plan__code="SIM-PROV").values("kind").distinct().count() == 3


def test_regenerating_replaces_instead_of_duplicating():
    generate("county", progress=lambda _m: None)
    generate("county", progress=lambda _m: None, seed=1)
    assert Plan.objects.filter(code__startswith="SIM-").count() == 2
    from tasks.models import KeyTask  # added by the extension tasks registers, replaced too

    assert KeyTask.objects.filter(plan__code="SIM-PROV").count() == 3
    assert OrgUnit.objects.filter(code__startswith="9901", kind="town").count() == SCALES["county"].towns_per_county


def test_generated_plans_work_with_progress_and_ranking():
    generate("county", progress=lambda _m: None)
    from core.periods import Period

    province = Plan.objects.get(code="SIM-PROV")
    county = Plan.objects.get(code="SIM-990101")
    report = plan_progress(county, Period.parse("2025-06"))
    assert all(r.status in {"green", "yellow", "red"} for r in report.rows)
    rows = ranking(county, county.indicators.get(code="S01"), Period.parse("2025-06"))
    assert [r.rank for r in rows if r.rank] and rows[0].rank == 1
    assert len(ranking(province, province.indicators.get(code="S01"), Period.parse("2025-06"))) == 1


def test_generate_command_prints_summary(capsys):
    call_command("generate", "--scale", "county")
    assert "个镇街道" in capsys.readouterr().out
