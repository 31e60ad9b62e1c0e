"""Reference data every deployment starts from: regions, places, bureaus and their divisions."""

import json
from pathlib import Path

from django.db import transaction

from core.models import OrgKind, OrgUnit, Region

REFERENCE_FILE = Path(__file__).parent / "seed_data" / "reference.json"
LEVEL_KIND = {"province": OrgKind.PROVINCE, "city": OrgKind.CITY, "county": OrgKind.COUNTY, "town": OrgKind.TOWN}


@transaction.atomic
def load_reference(path: Path = REFERENCE_FILE) -> dict[str, int]:
    """Create or update the regions and org units of the reference file; safe to run again."""
    data = json.loads(path.read_text(encoding="utf-8"))
    regions: dict[str, Region] = {}
    for order, item in enumerate(data["regions"]):
        region, _ = Region.objects.update_or_create(
            code=item["code"],
            defaults={"name": item["name"], "level": item["level"],
                      "parent": regions.get(item["parent"]) if item["parent"] else None},
        )
        regions[region.code] = region
        parent_unit = OrgUnit.objects.filter(code=item["parent"]).first() if item["parent"] else None
        OrgUnit.objects.update_or_create(
            code=region.code,
            defaults={"name": region.name, "kind": LEVEL_KIND[item["level"]], "region": region,
                      "parent": parent_unit, "sort_order": order},
        )
    for order, item in enumerate(data["parks"]):
        OrgUnit.objects.update_or_create(
            code=item["code"],
            defaults={"name": item["name"], "kind": OrgKind.PARK, "region": regions[item["region"]],
                      "parent": OrgUnit.objects.get(code=item["region"]), "sort_order": 500 + order},
        )
    for group in data["bureaus"]:
        region = regions[group["region"]]
        for order, (slug, name, aliases) in enumerate(group["units"]):
            OrgUnit.objects.update_or_create(
                code=f"{region.code}-{slug}",
                defaults={"name": name, "kind": OrgKind.BUREAU, "region": region, "aliases": aliases,
                          "sort_order": 100 + order},
            )
    for region_code, slug in data["division_parents"]:
        bureau = OrgUnit.objects.get(code=f"{region_code}-{slug}")
        for order, name in enumerate(data["divisions"], start=1):
            OrgUnit.objects.update_or_create(
                code=f"{bureau.code}-d{order}",
                defaults={"name": name, "kind": OrgKind.DIVISION, "region": bureau.region, "parent": bureau,
                          "sort_order": 200 + order},
            )
    return {"regions": Region.objects.count(), "org_units": OrgUnit.objects.count()}


def find_unit(name: str, region: Region, kinds=(OrgKind.BUREAU, OrgKind.DIVISION)) -> OrgUnit | None:
    """An org unit of a region by its name or one of its aliases (as the documents print them)."""
    name = name.strip()
    candidates = OrgUnit.objects.filter(region=region, kind__in=kinds)
    for unit in candidates:
        if unit.name == name or name in (unit.aliases or []):
            return unit
    return None


def refresh_statistics(*models) -> None:
    """Let the query planner see freshly bulk-loaded tables (autovacuum would, minutes later): the given
    models' tables, or every table."""
    from django.db import connection

    with connection.cursor() as cursor:
        if not models:
            cursor.execute("ANALYZE")
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
