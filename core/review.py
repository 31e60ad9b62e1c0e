"""Review rounds on any record: assignment with conflict-of-interest exclusions, scoring, aggregation.

A programme opens a round with its subjects (records, with the applicant's name and code and the fields
they are in); experts are assigned by hand or automatically by field; each expert scores only what is
assigned to them, on the sheet frozen when the round opened.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import roles, scoring
from core.audit import record_change, snapshot
from core.errors import BusinessError, Conflict, FieldProblem, NotAllowed
from core.models import ChangeRecord
from core.models_review import Expert, ReviewAssignment, ReviewRound, ReviewSubject, ScoringSheet
from core.notify import notify


def conflict(expert: Expert, subject: ReviewSubject) -> str | None:
    """Why ``expert`` may not review ``subject`` (same unit, a declared relation, their own firm), or None."""
    codes = {c for c in (subject.applicant_uscc,) if c}
    if expert.unit_uscc and expert.unit_uscc in codes or expert.unit_name == subject.applicant_name:
        return _("与申报单位为同一单位")
    own = expert.user.org_unit if expert.user_id and expert.user.org_unit_id else None
    if own is not None and own.name == subject.applicant_name:
        return _("申报单位为专家本人所在企业")
    declared = {str(r).strip() for r in expert.relations}
    if declared & (codes | {subject.applicant_name}):
        return _("本人声明与申报单位有关联，需回避")
    return None


def open_round(*, actor, title: str, programme: str, sheet: ScoringSheet, due_on: datetime.date,
               subjects: list[tuple[models.Model, dict]]) -> ReviewRound:
    """``subjects``: (record, {"title", "applicant_name", "applicant_uscc", "fields"})."""
    if not ScoringSheet.objects.restrict(actor, "change").filter(pk=sheet.pk).exists():
        raise NotAllowed(_("只有本地区科技局管理员可以组织评审"))
    problems = scoring.sheet_problems(sheet.criteria)
    if problems:
        raise BusinessError("；".join(problems), field="sheet")
    with transaction.atomic():
        round_ = ReviewRound.objects.create(title=title, programme=programme, region=sheet.region, sheet=sheet,
                                            criteria=sheet.criteria, due_on=due_on, created_by=actor)
        ReviewSubject.objects.bulk_create([ReviewSubject(
            round=round_, content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk),
            title=info["title"][:200], applicant_name=info["applicant_name"][:200],
            applicant_uscc=info.get("applicant_uscc", ""), fields=list(info.get("fields", [])))
            for obj, info in subjects])
        record_change(actor=actor, obj=round_, action=ChangeRecord.Action.CREATE, before=None,
                      after=snapshot(round_), note=_("组织评审，%(n)s个对象") % {"n": len(subjects)})
    return round_


def _notify_assigned(experts: list[Expert], round_: ReviewRound) -> None:
    users = [e.user for e in experts if e.user_id]
    notify(kind="review_assigned", title=_("评审任务：%(t)s") % {"t": round_.title}, users=users,
           body=_("请于%(d)s前完成评分") % {"d": round_.due_on.isoformat()}, url="/review/")


def assign(*, actor, subject: ReviewSubject, expert: Expert) -> ReviewAssignment:
    if not ReviewRound.objects.restrict(actor, "change").filter(pk=subject.round_id).exists():
        raise NotAllowed(_("您无权分配此轮评审"))
    if not expert.is_active:
        raise BusinessError(_("该专家已不在库"))
    reason = conflict(expert, subject)
    if reason:
        raise BusinessError(_("%(expert)s需回避：%(reason)s") % {"expert": expert.name, "reason": reason})
    try:
        with transaction.atomic():
            assignment = ReviewAssignment.objects.create(subject=subject, expert=expert, assigned_by=actor)
    except IntegrityError:
        raise Conflict(_("该专家已分配到此对象")) from None
    _notify_assigned([expert], subject.round)
    return assignment


def auto_assign(*, actor, round_: ReviewRound, per_subject: int = 3) -> int:
    """Give each subject ``per_subject`` experts of its fields (any field when none match), least loaded
    first, never one in conflict; returns how many assignments were made."""
    if not ReviewRound.objects.restrict(actor, "change").filter(pk=round_.pk).exists():
        raise NotAllowed(_("您无权分配此轮评审"))
    experts = list(Expert.objects.filter(is_active=True, region__code__startswith=round_.region.prefix)
                   .select_related("user"))
    load = Counter(ReviewAssignment.objects.filter(subject__round=round_).values_list("expert_id", flat=True))
    made, told = 0, {}
    with transaction.atomic():
        for subject in round_.subjects.prefetch_related("assignments"):
            have = {a.expert_id for a in subject.assignments.all()}
            wanted = set(subject.fields)
            candidates = [e for e in experts if e.pk not in have and conflict(e, subject) is None]
            candidates.sort(key=lambda e: (not (wanted & set(e.fields)), load[e.pk], e.pk))
            for expert in candidates[:max(0, per_subject - len(have))]:
                ReviewAssignment.objects.create(subject=subject, expert=expert, assigned_by=actor)
                load[expert.pk] += 1
                told[expert.pk] = expert
                made += 1
    _notify_assigned(list(told.values()), round_)
    return made


def submit_scores(*, user, assignment_id: int, scores: dict, comments: dict | None = None) -> ReviewAssignment:
    """An expert submits their scores once; out-of-range or missing scores and comments are refused."""
    comments = comments or {}
    with transaction.atomic():
        assignment = (ReviewAssignment.objects.restrict(user, "change").select_for_update()
                      .filter(pk=assignment_id).first())
        if assignment is None or not roles.is_expert(user):
            raise NotAllowed(_("这不是分配给您的评审任务"))
        round_ = assignment.subject.round
        if assignment.status == ReviewAssignment.Status.SUBMITTED:
            raise Conflict(_("评分已提交，不能重复提交"))
        if round_.status != ReviewRound.Status.OPEN:
            raise BusinessError(_("评审已结束"))
        if not isinstance(scores, dict) or not isinstance(comments, dict):
            raise BusinessError(_("评分格式不正确"))
        problems = scoring.score_problems(round_.criteria, scores, comments)
        if problems:
            raise BusinessError([FieldProblem(k, m) for k, m in problems.items()])
        assignment.scores = {k: str(v).strip() for k, v in scores.items()}
        assignment.comments = {k: str(v).strip()[:2000] for k, v in comments.items()}
        assignment.total = scoring.weighted_total(round_.criteria, scores)
        assignment.status, assignment.submitted_at = ReviewAssignment.Status.SUBMITTED, timezone.now()
        assignment.save()
        record_change(actor=user, obj=assignment, action=ChangeRecord.Action.UPDATE, before=None,
                      after=snapshot(assignment, ["status", "total"]), note=_("提交评分"))
    return assignment


def round_results(round_: ReviewRound) -> list[dict]:
    """Each subject's experts, submitted totals and final score; plus the round's progress."""
    out = []
    for subject in round_.subjects.prefetch_related("assignments__expert"):
        totals = [a.total for a in subject.assignments.all() if a.status == ReviewAssignment.Status.SUBMITTED]
        out.append({"subject": subject, "assigned": len(subject.assignments.all()), "submitted": len(totals),
                    "totals": totals, "score": scoring.aggregate(totals)})
    return sorted(out, key=lambda r: (r["score"] is None, -(r["score"] or 0)))


def remind_unsubmitted(*, actor, round_: ReviewRound) -> int:
    if not ReviewRound.objects.restrict(actor, "change").filter(pk=round_.pk).exists():
        raise NotAllowed(_("您无权催办此轮评审"))
    pending = (ReviewAssignment.objects.filter(subject__round=round_, status=ReviewAssignment.Status.ASSIGNED)
               .select_related("expert__user"))
    users = {a.expert.user_id: a.expert.user for a in pending if a.expert.user_id}
    notify(kind="review_remind", title=_("催办：%(t)s尚有评分未提交") % {"t": round_.title},
           body=_("评审截止%(d)s") % {"d": round_.due_on.isoformat()}, users=list(users.values()), url="/review/")
    return len(users)
