"""The annual performance table (一院一表) as the operator and the bureau work it: opened on the template of
the platform's kind and year, filled (numbers only, history kept), evidence attached, submitted, returned or
approved through the engine; the qualitative items scored by experts through a review round."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import review, scoring
from core import workflow as engine
from core.audit import record_change, snapshot
from core.errors import BusinessError, Conflict, FieldProblem, Missing, NotAllowed
from core.models import ChangeRecord
from core.models_review import ReviewAssignment, ReviewRound
from core.uploads import checked_upload
from platforms import performance
from platforms.flow import TABLE_FLOW, fills, is_platform_bureau
from platforms.models import PerformanceTable, PerformanceTemplate, Platform, TableEvidence, TableStatus

PROGRAMME = "创新平台绩效评价"
EDITABLE = (TableStatus.DRAFT, TableStatus.RETURNED)


def template_for(platform: Platform, year: int) -> PerformanceTemplate | None:
    """The newest version for the platform's kind and year: its own region's (nearest up the tree), else shared."""
    code = platform.region.code
    # The platform's own region, its county, city and province (GB/T 2260: 330482 → 330400 → 330000).
    codes = {code, code[:6], code[:4] + "00", code[:2] + "0000"}
    candidates = (PerformanceTemplate.objects.filter(kind=platform.kind, year=year)
                  .filter(Q(region__isnull=True) | Q(region__code__in=codes)).select_related("region"))

    def nearness(template):
        return (len(template.region.code.rstrip("0")) if template.region_id else 0, template.version)
    return max(candidates, key=nearness, default=None)


def visible_table(user, pk: int) -> PerformanceTable:
    table = (PerformanceTable.objects.restrict(user).select_related("platform__region", "platform__operator_unit",
                                                                    "template").filter(pk=pk).first())
    if table is None:
        raise Missing(_("找不到该绩效评价表，或不在您的管辖范围内"))
    return table


@transaction.atomic
def open_table(*, actor, platform_code: str, year: int) -> PerformanceTable:
    """The platform's table for the year, made on the current template the first time it is asked for."""
    platform = (Platform.objects.restrict(actor).select_related("region", "operator_unit")
                .filter(code=platform_code).first())
    if platform is None:
        raise Missing(_("找不到该平台，或不在您的管辖范围内"))
    existing = PerformanceTable.objects.filter(platform=platform, year=year).first()
    if existing is not None:
        return existing
    probe = PerformanceTable(platform=platform, year=year)
    if not fills(actor, probe):
        raise NotAllowed(_("只有平台运营单位或本地区科技局可以填报"))
    template = template_for(platform, year)
    if template is None:
        raise BusinessError(_("%(year)s年度尚无“%(kind)s”的绩效评价模板，请先由科技局设置") % {
            "year": year, "kind": platform.get_kind_display()}, field="year")
    try:
        with transaction.atomic():
            table = PerformanceTable.objects.create(platform=platform, year=year, template=template)
    except IntegrityError:  # opened at the same moment by someone else
        return PerformanceTable.objects.get(platform=platform, year=year)
    record_change(actor=actor, obj=table, action=ChangeRecord.Action.CREATE, before=None, after=snapshot(table))
    return table


def checked_values(indicators: list[dict], given: dict) -> dict[str, str]:
    """The filled numbers of a table, as text; unknown items, expert items and bad numbers refused together."""
    if not isinstance(given, dict):
        raise BusinessError(_("填报数值格式不正确"), field="values")
    known = {item["code"]: item for item in indicators}
    problems, values = [], {}
    for code, raw in given.items():
        item = known.get(str(code))
        if item is None:
            problems.append(FieldProblem(str(code)[:40], _("没有这个指标：%(code)s") % {"code": str(code)[:40]}))
            continue
        if item["rule"]["type"] == "expert":
            problems.append(FieldProblem(code, _("“%(name)s”由专家评分，不能填报") % {"name": item["name"]}))
            continue
        try:
            value = performance.parse_value(raw)
        except ValueError as exc:
            problems.append(FieldProblem(code, f"{item['name']}：{exc}"))
            continue
        if value is not None:
            values[code] = str(value)
    if problems:
        raise BusinessError(problems)
    return values


@transaction.atomic
def save_values(*, actor, table_id: int, values: dict, version: int | None = None) -> PerformanceTable:
    table = visible_table(actor, table_id)
    table = PerformanceTable.objects.select_for_update().select_related("platform__region", "template").get(
        pk=table.pk)
    if version is not None and version != table.version:
        raise Conflict(_("记录已被他人更新，请刷新后重试"))
    if not fills(actor, table):
        raise NotAllowed(_("只有平台运营单位或本地区科技局可以填报"))
    if table.status not in EDITABLE:
        raise Conflict(_("绩效评价表已%(state)s，不能修改") % {"state": table.get_status_display()})
    cleaned = checked_values(table.template.indicators, values)
    before = snapshot(table, ["values"])
    table.values = cleaned
    table.version += 1
    table.save(update_fields=["values", "version"])
    record_change(actor=actor, obj=table, action=ChangeRecord.Action.UPDATE, before=before,
                  after=snapshot(table, ["values"]), note=_("填报数值"))
    return table


def add_evidence(*, actor, table_id: int, upload, indicator: str = "") -> TableEvidence:
    table = visible_table(actor, table_id)
    if not fills(actor, table):
        raise NotAllowed(_("只有平台运营单位或本地区科技局可以上传佐证材料"))
    if table.status not in EDITABLE:
        raise Conflict(_("绩效评价表已%(state)s，不能再上传") % {"state": table.get_status_display()})
    codes = {item["code"] for item in table.template.indicators}
    if indicator and indicator not in codes:
        raise BusinessError(_("没有这个指标"), field="indicator")
    name, suffix = checked_upload(upload, field="file")
    evidence = TableEvidence(table=table, indicator=indicator, name=name, uploaded_by=actor)
    evidence.file.save(f"{timezone.now():%Y%m%d%H%M%S%f}{suffix}", upload, save=False)
    evidence.save()
    record_change(actor=actor, obj=table, action=ChangeRecord.Action.UPDATE, before=None,
                  after={"佐证材料": name, "指标": indicator}, note=_("上传佐证材料"))
    return evidence


def step(*, actor, table_id: int, action: str, opinion: str = "", version: int | None = None) -> PerformanceTable:
    """提交 / 退回 / 审核通过 through the engine (row lock, version, log, history, notification)."""
    table = visible_table(actor, table_id)
    return engine.perform(TABLE_FLOW, table, actor, action, opinion=opinion, version=version).obj


# ----------------------------------------------------------------------------------- expert items

def open_expert_round(*, actor, kind: str, year: int, sheet, due_on) -> ReviewRound:
    """A review round over the approved tables of a kind and year in the sheet's region; the sheet's
    criteria keys are the template's expert items."""
    tables = list(PerformanceTable.objects.restrict(actor, "view").filter(
        platform__kind=kind, year=year, status=TableStatus.APPROVED,
        platform__region__code__startswith=sheet.region.prefix).select_related("platform", "template"))
    if not tables:
        raise BusinessError(_("没有审核通过的绩效评价表可供专家评分"))
    expert_codes = {item["code"] for t in tables for item in t.template.indicators if item["rule"]["type"] == "expert"}
    keys = {item.get("key") for item in sheet.criteria}
    if not expert_codes or not expert_codes <= keys:
        raise BusinessError(_("评分表须包含模板中全部专家评分指标：%(codes)s") % {
            "codes": "、".join(sorted(expert_codes)) or "—"}, field="sheet")
    subjects = [(t, {"title": str(t), "applicant_name": t.platform.operator_name or t.platform.name,
                     "applicant_uscc": t.platform.operator_uscc,
                     "fields": [f for f in t.platform.fields.split("、") if f]}) for t in tables]
    return review.open_round(actor=actor, title=_("%(year)s年度%(kind)s绩效评价专家评分") % {
        "year": year, "kind": tables[0].platform.get_kind_display()}, programme=PROGRAMME, sheet=sheet,
        due_on=due_on, subjects=subjects)


def _criterion_mean(criterion: dict, assignments: list[ReviewAssignment]) -> Decimal | None:
    low, high = Decimal(str(criterion["min"])), Decimal(str(criterion["max"]))
    scores = [(Decimal(a.scores[criterion["key"]]) - low) / (high - low) * 100 for a in assignments
              if criterion["key"] in a.scores]
    return scoring.aggregate(scores)


@transaction.atomic
def take_expert_scores(*, actor, round_id: int) -> int:
    """Each table's expert items: per criterion, the experts' scores on 0–100, aggregated as the review does
    (the mean; without the highest and lowest from five experts on). Returns how many tables were updated."""
    round_ = ReviewRound.objects.restrict(actor, "change").filter(pk=round_id, programme=PROGRAMME).first()
    if round_ is None:
        raise NotAllowed(_("您无权使用此轮评审的结果"))
    table_type = ContentType.objects.get_for_model(PerformanceTable)
    updated = 0
    for subject in round_.subjects.filter(content_type=table_type).prefetch_related("assignments"):
        submitted = [a for a in subject.assignments.all() if a.status == ReviewAssignment.Status.SUBMITTED]
        if not submitted:
            continue
        table = PerformanceTable.objects.select_for_update().select_related("platform__region").get(
            pk=int(subject.object_id))
        if not is_platform_bureau(actor, table):
            raise NotAllowed(_("您无权修改%(t)s") % {"t": table})
        before = snapshot(table, ["expert_scores"])
        means = {c["key"]: _criterion_mean(c, submitted) for c in round_.criteria}
        table.expert_scores = {key: str(mean) for key, mean in means.items() if mean is not None}
        table.version += 1
        table.save(update_fields=["expert_scores", "version"])
        record_change(actor=actor, obj=table, action=ChangeRecord.Action.UPDATE, before=before,
                      after=snapshot(table, ["expert_scores"]), note=_("专家评分汇总"))
        updated += 1
    return updated
