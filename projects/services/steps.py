"""What a project's workflow steps check and do (named in ``projects.flow``): an application complete and in
its call's window, review scores before 立项, the call's budget and quota, tranches falling due into the
ledger at 立项, 合同 and 验收, and the refund receivable when a project ends early."""

from __future__ import annotations

import datetime
from decimal import ROUND_DOWN, Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core import funds, publicity
from core.models_notice import PublicNotice
from projects.models import ESTABLISHED, Project, Tier, Tranche

PROGRAMME = "科技计划项目"
RECTIFY_DAYS = 90
CENT = Decimal("0.01")


def keep_opinion(step) -> None:
    step.obj.opinion = step.opinion[:500]


def clear_opinion(step) -> None:
    step.obj.opinion = ""


def application_problems(project: Project, today: datetime.date | None = None) -> list[str]:
    """Why the application may not be submitted as it stands (empty when it may)."""
    today = today or timezone.localdate()
    call, found = project.call, []
    if call.tier == Tier.FILING:
        found.append(_("备案类项目不经申报，由科技局按认定条件直接立项"))
    if not call.opens_on <= today <= call.closes_on:
        found.append(_("申报期为%(a)s至%(b)s，现不在申报期内") % {"a": call.opens_on.isoformat(),
                                                          "b": call.closes_on.isoformat()})
    if not project.kpis:
        found.append(_("请填写至少一项绩效指标"))
    total = sum((Decimal(str(line["amount"])) for line in project.budget_lines), Decimal("0"))
    if total != project.requested + project.own_funds:
        found.append(_("经费预算合计%(t)s元，应等于申请补助与自筹资金之和%(s)s元") % {
            "t": f"{total:.2f}", "s": f"{project.requested + project.own_funds:.2f}"})
    if project.requested > call.budget:
        found.append(_("申请补助不能超过指南预算"))
    return found


def ready_to_submit(step):
    found = application_problems(step.obj)
    return found[0] if found else None


def needs_review(step):
    if step.obj.call.sheet_id is None:
        return _("该指南未设评分表，不能进入专家评审")
    return None


def in_round(step):
    return None if step.obj.review_round_id else _("请在申报指南页组织专家评审")


def _result(project: Project) -> dict | None:
    """This project's subject in its round: experts assigned, totals submitted, the aggregate score (read for
    the one subject, so taking a call's scores costs a query per project, not a whole round each)."""
    if project.review_round_id is None:
        return None
    from django.contrib.contenttypes.models import ContentType

    from core import scoring
    from core.models_review import ReviewAssignment, ReviewSubject

    subject = (ReviewSubject.objects.filter(round_id=project.review_round_id, object_id=str(project.pk),
                                            content_type=ContentType.objects.get_for_model(Project))
               .prefetch_related("assignments").first())
    if subject is None:
        return None
    assignments = list(subject.assignments.all())
    totals = [a.total for a in assignments if a.status == ReviewAssignment.Status.SUBMITTED]
    return {"assigned": len(assignments), "submitted": len(totals), "score": scoring.aggregate(totals)}


def scores_complete(step):
    row = _result(step.obj)
    if row is None or row["assigned"] == 0:
        return _("尚未分配评审专家")
    if row["submitted"] < row["assigned"] or row["score"] is None:
        return _("专家评分尚未全部提交（已提交%(n)s/%(m)s）") % {"n": row["submitted"], "m": row["assigned"]}
    return None


def on_scores(step) -> None:
    step.obj.review_score = Decimal(str(_result(step.obj)["score"])).quantize(CENT)


def notice_open(step):
    notice = step.obj.notice
    if notice is None or notice.status != PublicNotice.Status.OPEN:
        return _("项目尚未列入已发布的拟立项公示")
    return None


def may_approve(step):
    """立项 only after review scores and a clear notice, within the request, the call's budget and quota."""
    project = step.obj
    if project.tier != Tier.FILING and project.review_score is None:
        return _("没有专家评审得分，不能立项")
    why = publicity.notice_cleared(project)
    if why:
        return why
    amount = project.approved_amount
    if amount is None or amount <= 0:
        return _("请填写立项补助金额")
    if amount > project.requested:
        return _("立项补助不能超过申请补助%(r)s元") % {"r": f"{project.requested:.2f}"}
    decided = Project.objects.filter(call=project.call, status__in=ESTABLISHED).exclude(pk=project.pk)
    spent = decided.aggregate(total=Sum("approved_amount"))["total"] or Decimal("0")
    if spent + amount > project.call.budget:
        return _("立项后合计%(t)s元，超过指南预算%(b)s元") % {"t": f"{spent + amount:.2f}",
                                                      "b": f"{project.call.budget:.2f}"}
    if project.call.quota and decided.count() >= project.call.quota:
        return _("该指南立项名额%(n)s个已满") % {"n": project.call.quota}
    return None


def split_tranches(plan: list[dict], amount: Decimal) -> list[tuple[str, str, Decimal]]:
    """The approved amount by the call's plan, to the fen, the last tranche taking the rounding."""
    plan = plan or [{"name": "一次性拨付", "share": "1", "on": "contract"}]
    parts, left = [], amount
    for index, item in enumerate(plan):
        last = index == len(plan) - 1
        value = left if last else (amount * Decimal(str(item["share"]))).quantize(CENT, rounding=ROUND_DOWN)
        parts.append((str(item["name"]), str(item["on"]), value))
        left -= value
    return parts


def _fall_due(step, event: str) -> None:
    """Tranches paid on ``event`` fall due today: each enters the ledger as its own approved amount."""
    project, today = step.obj, timezone.localdate()
    for tranche in Tranche.objects.filter(project=project, on=event, fund_entry__isnull=True).order_by("seq"):
        if tranche.amount <= 0:
            continue
        tranche.due_on = today
        tranche.fund_entry = funds.open_entry(
            actor=step.user, obj=project, programme=PROGRAMME, policy_item=f"{project.call.title}（{tranche.name}）",
            region=project.region, recipient_name=project.enterprise.name, recipient_uscc=project.enterprise.uscc,
            recipient_unit=project.enterprise.org_unit, fiscal_year=today.year, approved=tranche.amount,
            approved_on=today, due_on=today, note=project.code, is_demo=project.is_demo)
        tranche.save(update_fields=["due_on", "fund_entry"])


def on_approved(step) -> None:
    project = step.obj
    project.approved_on = timezone.localdate()
    plan = project.call.tranches if project.tier != Tier.FILING else [{"name": "后补助", "share": "1",
                                                                        "on": "approved"}]
    Tranche.objects.filter(project=project).delete()
    Tranche.objects.bulk_create([Tranche(project=project, seq=i, name=name, on=on, amount=value)
                                 for i, (name, on, value) in enumerate(split_tranches(plan, project.approved_amount),
                                                                       start=1)])
    _fall_due(step, "approved")


def contract_given(step):
    return None if step.obj.contract_no.strip() else _("请填写合同编号")


def on_signed(step) -> None:
    step.obj.contract_on = timezone.localdate()
    _fall_due(step, "contract")


def midterm_applies(step):
    return None if step.obj.call.midterm else _("该类项目无需中期检查")


def midterm_done(step):
    if step.obj.call.midterm and step.obj.status != "checked":
        return _("重大、重点项目须先通过中期检查")
    return None


def on_rectify(step) -> None:
    keep_opinion(step)
    step.obj.rectify_until = step.obj.rectify_until or timezone.localdate() + datetime.timedelta(days=RECTIFY_DAYS)
    step.obj.acceptance = "整改中"


def within_rectification(step):
    until = step.obj.rectify_until
    if until and timezone.localdate() > until:
        return _("整改期限%(d)s已过") % {"d": until.isoformat()}
    return None


def on_accepted(step) -> None:
    step.obj.acceptance = "整改后通过" if step.obj.rectify_until else "通过"
    _fall_due(step, "accepted")


def on_failed(step) -> None:
    keep_opinion(step)
    step.obj.acceptance = "不通过"


def closable(step):
    if step.obj.status == "approved" and step.obj.tier != Tier.FILING:
        return _("须验收通过后方可结题")
    return None


def all_paid(step):
    rows = list(Tranche.objects.filter(project=step.obj))
    unpaid = [t for t in rows if t.paid < t.amount]
    if unpaid:
        return _("尚有%(n)s期拨款未拨付，不能结题") % {"n": len(unpaid)}
    return None


def on_ended(step) -> None:
    """终止 or 撤销: what was paid becomes a refund receivable on each tranche's entry."""
    keep_opinion(step)
    for tranche in Tranche.objects.filter(project=step.obj, paid__gt=0).exclude(fund_entry=None):
        funds.claim_refund(actor=step.user, entry_id=tranche.fund_entry_id, amount=tranche.paid,
                           reason=_("项目%(what)s：%(why)s") % {"what": step.transition.label, "why": step.opinion})


def filing_rule_met(step):
    from enterprises.models import Qualification
    from enterprises.queries import valid_filter

    project = step.obj
    if project.call.tier != Tier.FILING:
        return _("只有备案类指南可以认定即立项")
    wanted = project.call.qualifications()
    held = set(Qualification.objects.filter(valid_filter(timezone.localdate()), enterprise=project.enterprise)
               .values_list("type", flat=True))
    if not held & set(wanted):
        return _("该企业不具备认定条件（须为：%(q)s）") % {"q": "、".join(wanted) or "—"}
    if not project.call.filing_amount:
        return _("该指南未设备案后补助金额")
    return None


def on_filed(step) -> None:
    step.obj.approved_amount = step.obj.call.filing_amount
    step.obj.requested = step.obj.requested or step.obj.call.filing_amount
    on_approved(step)
