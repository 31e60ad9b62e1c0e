"""Reads of the projects app: a year's projects by tier against the plan's targets, amounts approved and paid,
兑现率 from the ledger and the average subsidy; the workbench's queues; the 立项 and 验收 lists as documents."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.db.models import Count, Q, Sum

from core import funds, roles
from core.list_documents import Column, ListDocument
from core.scoping import region_prefix
from projects.models import ESTABLISHED, Call, Project, Status, Tier, Tranche
from projects.services.steps import PROGRAMME

SEED = Path(__file__).resolve().parent / "seed_data" / "projects.json"
QUEUE_SIZE = 50


def seed() -> dict:
    return json.loads(SEED.read_text(encoding="utf-8"))


def year_figures(user, region_code: str, year: int) -> dict:
    """Projects established in ``year`` by tier (count, approved, paid, average), with the ledger's 兑现率."""
    prefix = region_prefix(region_code) if region_code else (user.scope_prefix or "")
    projects = Project.objects.restrict(user).filter(region__code__startswith=prefix, year=year,
                                                     status__in=ESTABLISHED)
    rows = {r["tier"]: r for r in projects.values("tier").annotate(n=Count("id"), approved=Sum("approved_amount"))}
    paid = dict(Tranche.objects.filter(project__in=projects).values("project__tier")
                .annotate(total=Sum("paid")).values_list("project__tier", "total"))
    tiers = []
    for tier in Tier:
        row = rows.get(tier.value, {"n": 0, "approved": None})
        approved = row["approved"] or Decimal("0")
        tiers.append({"tier": tier.value, "label": tier.label, "count": row["n"], "approved": approved,
                      "paid": paid.get(tier.value) or Decimal("0"),
                      "average": (approved / row["n"]).quantize(Decimal("0.01")) if row["n"] else None})
    total = sum(t["count"] for t in tiers)
    approved = sum((t["approved"] for t in tiers), Decimal("0"))
    ledger = funds.summary(user, year, prefix or None)
    programme = next((p for p in ledger["programmes"] if p["programme"] == PROGRAMME), None)
    # The county's (or city's) own plan: every tier but the provincial 尖兵/领雁 projects it hosts.
    local = sum(t["count"] for t in tiers if t["tier"] != Tier.PROVINCIAL)
    return {"year": year, "region": prefix, "tiers": tiers, "count": total, "local_count": local,
            "approved": approved,
            "paid": sum((t["paid"] for t in tiers), Decimal("0")),
            "average": (approved / total).quantize(Decimal("0.01")) if total else None,
            "rate": programme["rate"] if programme else None, "ledger": ledger,
            "targets": targets(user, prefix, year, {t["tier"]: t["count"] for t in tiers})}


def targets(user, prefix: str, year: int, counts: dict) -> list[dict]:
    """The plan's targets for the year (附件2 task 10) beside the count of projects established."""
    out = []
    for row in seed()["task_targets"]:
        if row["year"] != year or not row["region"].startswith(prefix or row["region"]):
            continue
        for tier, target in row["targets"].items():
            out.append({"task": row["task"], "tier": tier, "label": Tier(tier).label, "target": target,
                        "count": counts.get(tier, 0), "met": counts.get(tier, 0) >= target, "source": row["source"]})
    return out


def task_section(user, task):
    """The task page's 项目立项 card: the programme's counts against the task's own targets."""
    from core.sections import Row, Section

    bound = [r for r in seed()["task_targets"] if r["task"] == task.code]
    if not bound or not roles.reads_region(user):
        return None
    row = bound[0]
    figures = year_figures(user, row["region"], row["year"])
    rows = [Row(f"{t['label']}项目立项 {t['count']} 个（目标 {t['target']} 个以上）",
                "已完成" if t["met"] else f"尚差 {t['target'] - t['count']} 个",
                f"/projects/board/?year={row['year']}") for t in figures["targets"]]
    return Section("科技计划项目立项（项目库实时统计）", rows)


def workbench(user, year: int) -> dict:
    mine = Project.objects.restrict(user).select_related("enterprise", "call").filter(year=year)
    counts = dict(mine.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    statuses = [{"status": s.value, "label": s.label, "count": counts[s.value]} for s in Status if counts.get(s.value)]
    queues = []
    if roles.manages_region(user):
        for status in (Status.SUBMITTED, Status.REVIEWED, Status.PUBLICISED, Status.APPROVED, Status.ACCEPTING):
            rows = list(mine.filter(status=status).order_by("code")[:QUEUE_SIZE])
            if rows:
                queues.append((str(status.label), rows))
    own = list(mine.order_by("-created_at")[:QUEUE_SIZE]) if roles.is_enterprise(user) else []
    calls = list(Call.objects.restrict(user).filter(year=year).order_by("tier", "code"))
    return {"statuses": statuses, "queues": queues, "own": own, "calls": calls,
            "figures": year_figures(user, "", year) if roles.reads_region(user) else None}


def decision_document(call: Call) -> ListDocument:
    rows = list(Project.objects.filter(call=call, status__in=ESTABLISHED).select_related("enterprise")
                .order_by("code"))
    return ListDocument(
        title=f"{call.title}立项清单", columns=(
            Column("code", "项目编号", width=16), Column("title", "项目名称", width=36),
            Column("enterprise", "承担单位", width=30), Column("score", "评审得分", width=10),
            Column("amount", "立项补助（元）", "money", 16), Column("approved_on", "立项日期", "date", 12)),
        rows=[{"code": p.code, "title": p.title, "enterprise": p.enterprise.name,
               "score": f"{p.review_score}" if p.review_score is not None else "备案",
               "amount": p.approved_amount, "approved_on": p.approved_on} for p in rows],
        totals={"amount": sum((p.approved_amount or Decimal("0") for p in rows), Decimal("0"))},
        footer=(f"共立项{len(rows)}项。",), sheet_name="立项清单")


def acceptance_document(call: Call) -> ListDocument:
    done = Q(status__in=(Status.ACCEPTED, Status.CLOSED, Status.FAILED)) | Q(status=Status.RECTIFYING)
    rows = list(Project.objects.filter(done, call=call).select_related("enterprise").order_by("code"))
    return ListDocument(
        title=f"{call.title}验收结果", columns=(
            Column("code", "项目编号", width=16), Column("title", "项目名称", width=36),
            Column("enterprise", "承担单位", width=30), Column("result", "验收结论", width=14)),
        rows=[{"code": p.code, "title": p.title, "enterprise": p.enterprise.name, "result": p.acceptance or "—"}
              for p in rows], footer=(f"共{len(rows)}项。",), sheet_name="验收结果")
