"""Screening (批量评测): a rule set over every enterprise of a region, streamed in chunks, every result kept.

Memory stays bounded: enterprises are read, assessed and written a chunk at a time. The same data and rule
version give the same results (the engine is pure and the inputs are read in a fixed order).
"""

import datetime
import json
from collections import defaultdict
from collections.abc import Iterator

from django.db import transaction
from django.utils.translation import gettext as _

from core import jobs
from core.bulk import insert_rows
from core.errors import BusinessError, NotAllowed
from core.models import Job, Region
from core.seed import refresh_statistics
from enterprises import engine
from enterprises.models import Enterprise, EnterpriseYear, Qualification, RuleSet, Screening, ScreeningResult
from enterprises.services.rulesets import active, compiled

CHUNK = 5000
YEAR_COLUMNS = ("enterprise_id", "year", "revenue", "total_cost", "rd_expense", "domestic_rd", "hitech_revenue",
                "total_assets", "total_liabilities", "staff", "tech_staff", "ip1", "ip2", "rd_staff", "rd_area")


def facts_for(ids: list[int]) -> dict[int, engine.EnterpriseFacts]:
    """The engine's inputs for some enterprises, in three queries."""
    years: dict[int, list[engine.YearFigures]] = defaultdict(list)
    for row in EnterpriseYear.objects.filter(enterprise_id__in=ids).values_list(*YEAR_COLUMNS):
        years[row[0]].append(engine.YearFigures(*row[1:]))
    quals: dict[int, list[engine.Qualification]] = defaultdict(list)
    for enterprise_id, kind, issued, expires in (Qualification.objects.filter(enterprise_id__in=ids)
                                                 .values_list("enterprise_id", "type", "issued", "expires")):
        quals[enterprise_id].append(engine.Qualification(kind, issued, expires))
    established = dict(Enterprise.objects.filter(pk__in=ids).values_list("pk", "established"))
    return {i: engine.EnterpriseFacts(established.get(i), tuple(years[i]), tuple(quals[i])) for i in ids}


def assess(enterprise: Enterprise, ruleset: RuleSet, on: datetime.date,
           override: engine.YearFigures | None = None) -> engine.Assessment:
    """One enterprise's assessment; ``override`` replaces a year's figures for a what-if self-check."""
    facts = facts_for([enterprise.pk])[enterprise.pk]
    if override is not None:
        others = tuple(y for y in facts.years if y.year != override.year)
        facts = engine.EnterpriseFacts(facts.established, (*others, override), facts.qualifications)
    return compiled(ruleset).assess(facts, on)


def pack(assessment: engine.Assessment) -> list:
    """Criteria as compact lists: a screening of a province stores hundreds of thousands of them."""
    return [[c.code, c.passed, c.actual, c.required, c.gap, str(c.score) if c.score is not None else None]
            for c in assessment.criteria]


def unpack(criteria: list, names: dict[str, str]) -> list[dict]:
    return [{"code": c[0], "name": names.get(c[0], c[0]), "passed": c[1], "actual": c[2], "required": c[3],
             "gap": c[4], "score": c[5]} for c in criteria]


def criterion_names(ruleset: RuleSet) -> dict[str, str]:
    return {c.get("code"): c.get("name", c.get("code")) for c in ruleset.definition.get("criteria", [])}


def _region_filter(region: Region) -> dict:
    return {"region__code__startswith": region.code if region.level == "town" else region.prefix}


def stream_facts(region: Region, batch: int = 20000) -> Iterator[tuple[int, engine.EnterpriseFacts]]:
    """Every enterprise of a region with its years and qualifications, in id order.

    Three ordered streams (enterprises, years, qualifications) are merged by enterprise id: sequential reads
    in large batches instead of a query per chunk of ids, and memory bounded by the batch size.
    """
    firms = (Enterprise.objects.filter(**_region_filter(region)).order_by("pk")
             .values_list("pk", "established").iterator(chunk_size=batch))
    scope = {f"enterprise__{key}": value for key, value in _region_filter(region).items()}
    years = (EnterpriseYear.objects.filter(**scope).order_by("enterprise_id", "year")
             .values_list(*YEAR_COLUMNS).iterator(chunk_size=batch))
    quals = (Qualification.objects.filter(**scope).order_by("enterprise_id", "issued")
             .values_list("enterprise_id", "type", "issued", "expires").iterator(chunk_size=batch))
    year_row = next(years, None)
    qual_row = next(quals, None)
    for enterprise_id, established in firms:
        own_years = []
        while year_row is not None and year_row[0] <= enterprise_id:
            if year_row[0] == enterprise_id:
                own_years.append(engine.YearFigures(*year_row[1:]))
            year_row = next(years, None)
        own_quals = []
        while qual_row is not None and qual_row[0] <= enterprise_id:
            if qual_row[0] == enterprise_id:
                own_quals.append(engine.Qualification(*qual_row[1:]))
            qual_row = next(quals, None)
        yield enterprise_id, engine.EnterpriseFacts(established, tuple(own_years), tuple(own_quals))


RESULT_COLUMNS = ("screening_id", "enterprise_id", "status", "eligible", "direct", "score", "failed", "criteria")


def _write_results(rows: list[tuple]) -> None:
    # The rows are already as the columns take them (criteria encoded once, as they are made).
    insert_rows(ScreeningResult, RESULT_COLUMNS, rows, prepared=True)


def screen(screening: Screening, report=lambda done, total: None, batch: int = CHUNK) -> Screening:
    """Assess every enterprise of the screening's region and store each result (re-running replaces them)."""
    rules = compiled(screening.ruleset)
    total = Enterprise.objects.filter(**_region_filter(screening.region)).count()
    ScreeningResult.objects.filter(screening=screening).delete()
    done = eligible = incomplete = 0
    report(0, total)
    rows: list[tuple] = []
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for enterprise_id, facts in stream_facts(screening.region):
        result = rules.assess(facts, screening.date)
        eligible += result.eligible is True
        incomplete += result.status == "incomplete"
        rows.append((screening.pk, enterprise_id, result.status, result.eligible, result.direct, result.score,
                     result.failed_count, dumps(pack(result))))
        if len(rows) >= batch:
            with transaction.atomic():
                _write_results(rows)
            done += len(rows)
            rows = []
            report(done, total)
    if rows:
        with transaction.atomic():
            _write_results(rows)
        done += len(rows)
    report(done, total)
    # The pool refresh that follows queries these rows at once; the planner should know how many there are.
    refresh_statistics(ScreeningResult)
    Screening.objects.filter(pk=screening.pk).update(total=done, eligible=eligible, incomplete=incomplete)
    screening.refresh_from_db()
    return screening


def start_screening(*, user, ruleset: str, on: datetime.date, region: Region | None = None) -> Screening:
    """Create a screening and run it as a background job; pools fed by the rule set are refreshed after."""

    if user is not None and not user.is_bureau_admin:
        raise NotAllowed(_("只有科技局管理员可以发起批量评测"))
    if region is None:
        region = user.scope_region if user is not None and not user.is_sysadmin else None
        region = region or Region.objects.filter(parent__isnull=True).order_by("code").first()
    if region is None:
        raise BusinessError(_("没有可评测的区域"), field="region")
    rules = active(ruleset, region)  # the region's own copy when it has one, else the shared one
    screening = Screening.objects.create(ruleset=rules, date=on, region=region,
                                         created_by=user if user is not None and user.pk else None)

    job = jobs.start(kind="screening", title=_("%(name)s批量评测（%(date)s）") % {
        "name": rules.name, "date": on.isoformat()}, user=user, region=region,
        params={"ruleset": ruleset, "date": on.isoformat(), "screening": screening.pk})
    Screening.objects.filter(pk=screening.pk).update(job=job)
    screening.job = job
    return screening


def screen_now(*, user, ruleset: str, on: datetime.date, region: Region, progress=None) -> Screening:
    """Screen in the calling process (the command line and the demo), then refresh the pools."""
    from enterprises.services.pools import refresh_pools

    screening = Screening.objects.create(ruleset=active(ruleset, region), date=on, region=region,
                                         created_by=user if user is not None and user.pk else None)
    screen(screening, progress or (lambda done, total: None))
    refresh_pools(screening, user)
    return screening


@jobs.handler("screening")
def _screening_job(job: Job, report) -> dict:
    from enterprises.services.pools import refresh_pools

    screening = Screening.objects.select_related("ruleset", "region").get(pk=job.params["screening"])
    done = screen(screening, report)
    refreshed = refresh_pools(done, job.created_by)
    return {"screening": done.pk, "total": done.total, "eligible": done.eligible, "pools": refreshed}
