"""Fixtures of the enterprises app: the shipped rule sets and pools, and builders of enterprises.

``make_firm`` creates an enterprise with its fiscal years and qualifications in one call; ``passing_year``
gives figures that meet every quantitative condition of the shipped 高新技术企业 rule set, so a test
states only the figure it moves across a boundary.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import OrgUnit, Region
from enterprises import uscc
from enterprises.models import Enterprise, EnterpriseYear, Qualification, default_expiry

# Real, valid 统一社会信用代码 (the check character holds).
REAL_CODES = ("91440300192317458F", "91350900587527783P", "91330000733796106P")
PH_COUNTY, PH_TOWN, PH_TOWN2 = "330482", "330482001", "330482101"  # 平湖市, 当湖街道, 乍浦镇
JS_COUNTY, JS_TOWN = "330421", "330421001"  # 嘉善县, 魏塘街道
ON = datetime.date(2025, 6, 30)  # screening date: the hitech rule reads 2022–2024
YEARS = (2022, 2023, 2024)
HITECH, SME = "高新技术企业", "科技型中小企业"


def code_for(serial: int, region: str = PH_COUNTY) -> str:
    """A valid code that no real enterprise has (body built on the region code, check computed)."""
    body = f"91{region[:6]}MA{serial:07d}"[:17]
    return body + uscc.check_char(body)


def passing_year(year: int, **changes) -> dict:
    """One year that passes every hitech criterion: 6% R&D, all domestic, 70% hi-tech revenue, 20% staff."""
    figures = {"year": year, "revenue": Decimal(1000), "total_cost": Decimal(800), "rd_expense": Decimal(60),
               "domestic_rd": Decimal(60), "hitech_revenue": Decimal(700), "total_assets": Decimal(1500),
               "total_liabilities": Decimal(500), "staff": 100, "tech_staff": 20, "ip1": 1, "ip2": 2,
               "above_scale": False}
    figures.update(changes)
    return figures


def years_of(*years, **changes) -> list[dict]:
    return [passing_year(year, **changes) for year in (years or YEARS)]


_serial = iter(range(9_000_000, 9_999_999))


def make_firm(*, name: str = "", region: str = PH_TOWN, code: str | None = None,
              established: datetime.date | None = datetime.date(2015, 3, 1), years: list[dict] = (),
              quals: list[tuple] = (), org_unit: OrgUnit | None = None) -> Enterprise:
    """An enterprise with years (dicts as ``passing_year`` gives) and qualifications.

    ``quals`` items are (type, issued) or (type, issued, expires); a missing expiry is derived from the type
    the way the import derives it.
    """
    serial = next(_serial)
    code = code or code_for(serial, region)
    firm = Enterprise.objects.create(uscc=code, name=name or f"测试企业{serial}", established=established,
                                     region=Region.objects.get(code=region), org_unit=org_unit)
    for figures in years:
        EnterpriseYear.objects.create(enterprise=firm, **figures)
    for index, item in enumerate(quals):
        kind, issued = item[0], item[1]
        expires = item[2] if len(item) > 2 else default_expiry(kind, issued)
        Qualification.objects.create(enterprise=firm, type=kind, number=f"Q{serial}-{index}", issued=issued,
                                     expires=expires)
    return firm


@pytest.fixture
def rulesets(db, reference):
    """The shipped rule sets (hitech, tech_sme, golden_eagle) and the shipped pools."""
    from enterprises.services import rulesets as service
    from enterprises.services.pools import ensure_pools

    # Compiled rule sets are cached by (code, version); a version saved in a rolled-back test must not
    # leak its compiled form into the next test, which may save a different definition as that version.
    service._compiled.clear()
    found = {r.code: r for r in service.ensure_shipped()}
    ensure_pools()
    yield found
    service._compiled.clear()


@pytest.fixture
def own_firm(users, rulesets):
    """The 平湖 enterprise that the enterprise user demo_qiye (org unit DEMO-ENT-001) belongs to."""
    today = timezone.localdate()
    return make_firm(name="自家科技有限公司", region=PH_TOWN2, org_unit=OrgUnit.objects.get(code="DEMO-ENT-001"),
                     years=years_of(*range(today.year - 3, today.year)))


@pytest.fixture
def api():
    def client_for(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
