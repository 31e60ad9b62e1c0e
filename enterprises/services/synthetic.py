"""Synthetic enterprises: the demo's few hundred and the scale test's hundreds of thousands.

Codes are valid 统一社会信用代码 built on the region's code, so they pass the same checks as real ones.
Figures are drawn so that screenings give a realistic mix of passes, near misses and gaps.
"""

import datetime
import random
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction

from core import feeds
from core.models import Region
from enterprises import uscc
from enterprises.feeds import years_counted
from enterprises.models import Enterprise, EnterpriseYear, Qualification, default_expiry

INDUSTRIES = ["新材料", "智能装备", "电子信息", "汽车零部件", "生物医药", "新能源", "精细化工", "光机电一体化"]
NAME_PARTS = ["华", "创", "科", "精", "达", "远", "恒", "新", "智", "联", "鑫", "瑞", "博", "微", "光", "泰"]
SUFFIX = ["科技有限公司", "智能装备有限公司", "新材料有限公司", "电子有限公司", "精密机械有限公司"]


def make_code(region_code: str, serial: int) -> str:
    body = f"91{region_code[:6]}MA{serial:07d}"[:17]
    return body + uscc.check_char(body)


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def figures(rng: random.Random, years: list[int]) -> tuple[list[dict], str]:
    """Three years of one firm's figures and the profile they follow."""
    profile = rng.choices(["leader", "strong", "near", "small", "gappy"], weights=[5, 25, 30, 30, 10])[0]
    revenue = _money(rng, 800, 60000 if profile == "leader" else 15000)
    staff = rng.randint(20, 900 if profile == "leader" else 400)
    rows = []
    for index, year in enumerate(years):
        growth = Decimal(1) + Decimal(rng.randint(-5, 25)) / 100
        revenue = (revenue * growth).quantize(Decimal("0.01"))
        rd_rate = {"leader": 6, "strong": 5.5, "near": 4.5, "small": 3, "gappy": 4}[profile]
        rd = (revenue * Decimal(str(rd_rate + rng.uniform(-1.5, 1.5))) / 100).quantize(Decimal("0.01"))
        tech_share = {"leader": 0.2, "strong": 0.18, "near": 0.12, "small": 0.08, "gappy": 0.15}[profile]
        row = {
            "year": year, "revenue": revenue, "total_cost": (revenue * Decimal("0.88")).quantize(Decimal("0.01")),
            "rd_expense": rd, "domestic_rd": (rd * Decimal(rng.randint(55, 100)) / 100).quantize(Decimal("0.01")),
            "hitech_revenue": (revenue * Decimal(rng.randint(45, 90)) / 100).quantize(Decimal("0.01")),
            "total_assets": (revenue * Decimal(rng.randint(60, 140)) / 100).quantize(Decimal("0.01")),
            "total_liabilities": (revenue * Decimal(rng.randint(20, 70)) / 100).quantize(Decimal("0.01")),
            "staff": staff, "tech_staff": max(1, int(staff * (tech_share + rng.uniform(-0.05, 0.08)))),
            "ip1": rng.choice([0, 0, 0, 1, 2, 3]) if profile != "small" else 0,
            "ip2": rng.randint(0, 8), "above_scale": revenue >= 2000,
        }
        if profile == "gappy" and index == len(years) - 1:
            row[rng.choice(["domestic_rd", "hitech_revenue", "tech_staff"])] = None
        rows.append(row)
    return rows, profile


def qualifications(rng: random.Random, profile: str, years: list[int]) -> list[tuple[str, datetime.date]]:
    out = []
    if profile in ("small", "near", "gappy", "strong") and rng.random() < 0.7:
        out.append(("科技型中小企业", datetime.date(years[-1] + 1, rng.randint(3, 9), rng.randint(1, 28))))
    if profile in ("strong", "leader") and rng.random() < 0.6:
        out.append(("高新技术企业", datetime.date(rng.choice(years), rng.randint(10, 12), rng.randint(1, 28))))
    if profile == "leader" and rng.random() < 0.4:
        out.append(("省科技小巨人企业", datetime.date(years[-1], 12, rng.randint(1, 28))))
    if profile in ("strong", "leader") and rng.random() < 0.3:
        out.append(("省级企业研发中心", datetime.date(rng.choice(years), 11, rng.randint(1, 28))))
    return out


def certificate_number(kind: str, region_code: str, year: int, serial: int) -> str:
    """A demo certificate number in the form its issuer uses.

    高新技术企业 证书编号: GR + year + province (2 digits) + 0 + five digits (GR202333012345).
    科技型中小企业 入库登记编号: year + county (6 digits) + A0 + five digits (2023330482A012345).
    Other qualifications carry a plain year + county + serial, so none looks like either of those.
    """
    tail = f"{serial % 100_000:05d}"
    if kind == "高新技术企业":
        return f"GR{year}{region_code[:2]}0{tail}"
    if kind == "科技型中小企业":
        return f"{year}{region_code[:6]}A0{tail}"
    return f"{year}-{region_code[:6]}-{tail}"


@transaction.atomic
def create(regions: list[Region], count: int, *, years: list[int], seed: int, start_serial: int = 1,
           is_demo: bool = True, progress: Callable[[int, int], None] | None = None, batch: int = 5000) -> int:
    rng = random.Random(seed)
    made = 0
    while made < count:
        size = min(batch, count - made)
        firms, pending_years, pending_quals = [], [], []
        for offset in range(size):
            serial = start_serial + made + offset
            region = regions[serial % len(regions)]
            name = "".join(rng.choice(NAME_PARTS) for _ in range(2)) + region.name[:2] + rng.choice(SUFFIX)
            established = datetime.date(rng.randint(1998, years[-1] - 1), rng.randint(1, 12), rng.randint(1, 28))
            firms.append(Enterprise(uscc=make_code(region.code, serial), name=name, region=region,
                                    established=established, industry=rng.choice(INDUSTRIES), is_demo=is_demo))
            rows, profile = figures(rng, years)
            pending_years.append(rows)
            pending_quals.append(qualifications(rng, profile, years))
        Enterprise.objects.bulk_create(firms, batch_size=2000)
        EnterpriseYear.objects.bulk_create([EnterpriseYear(enterprise=firm, **row) for firm, rows in
                                            zip(firms, pending_years, strict=True) for row in rows], batch_size=5000)
        certificates = Qualification.objects.bulk_create([
            Qualification(enterprise=firm, type=kind, issued=issued, expires=default_expiry(kind, issued),
                          number=certificate_number(kind, firm.region.code, issued.year, firm.pk * 4 + i))
            for firm, quals in zip(firms, pending_quals, strict=True) for i, (kind, issued) in enumerate(quals)],
            batch_size=5000)
        # A bulk insert sends no signals: the indicator feeds are told which counties and years changed.
        stale: dict[str, set[int]] = {}
        for certificate in certificates:
            stale.setdefault(certificate.enterprise.region.code, set()).update(
                years_counted(certificate.issued, certificate.expires))
        for code, changed_years in stale.items():
            feeds.changed(code, changed_years)
        for firm in firms:
            firm.above_scale = False
        made += size
        if progress:
            progress(made, count)
    return made
