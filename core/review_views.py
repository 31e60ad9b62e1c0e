"""Pages and API of expert review: an expert's assignments and scoring, a round's progress and results."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import BusinessError
from core.models_review import ReviewAssignment, ReviewRound
from core.review import auto_assign, remind_unsubmitted, round_results, submit_scores


def _assignments(user):
    return ReviewAssignment.objects.restrict(user).select_related("subject__round", "expert")


@login_required
def my_reviews(request):
    return render(request, "core/review_list.html", {"title": "我的评审", "assignments": _assignments(request.user)})


@login_required
def score(request, pk):
    assignment = get_object_or_404(_assignments(request.user), pk=pk)
    criteria = assignment.subject.round.criteria
    errors, status = {}, 200
    if request.method == "POST":
        scores = {c["key"]: request.POST.get(f"score_{c['key']}", "") for c in criteria}
        comments = {c["key"]: request.POST.get(f"comment_{c['key']}", "") for c in criteria}
        try:
            submit_scores(user=request.user, assignment_id=assignment.pk, scores=scores, comments=comments)
        except BusinessError as exc:
            errors = {p.field: p.message for p in exc.problems}
            status = 400
        else:
            messages.success(request, "评分已提交")
            return redirect("review-mine")
    rows = [{**c, "value": request.POST.get(f"score_{c['key']}", assignment.scores.get(c["key"], "")),
             "comment": request.POST.get(f"comment_{c['key']}", assignment.comments.get(c["key"], "")),
             "error": errors.get(c["key"], "")} for c in criteria]
    return render(request, "core/review_score.html", {
        "title": f"评分：{assignment.subject}", "assignment": assignment, "rows": rows,
        "error": errors.get(None, "")}, status=status)


@login_required
def round_page(request, pk):
    round_ = get_object_or_404(ReviewRound.objects.restrict(request.user), pk=pk)
    results = round_results(round_)
    assigned = sum(r["assigned"] for r in results)
    submitted = sum(r["submitted"] for r in results)
    can_manage = ReviewRound.objects.restrict(request.user, "change").filter(pk=pk).exists()
    return render(request, "core/review_round.html", {
        "title": round_.title, "round": round_, "results": results, "assigned": assigned,
        "submitted": submitted, "can_manage": can_manage})


@require_POST
@login_required
def round_action(request, pk, action):
    round_ = get_object_or_404(ReviewRound.objects.restrict(request.user), pk=pk)
    try:
        if action == "assign":
            made = auto_assign(actor=request.user, round_=round_, per_subject=int(request.POST.get("n", "3")[:2] or 3))
            messages.success(request, f"已自动分配 {made} 项评审任务（已排除需回避的专家）")
        else:
            told = remind_unsubmitted(actor=request.user, round_=round_)
            messages.success(request, f"已催办 {told} 位专家")
    except (BusinessError, ValueError) as exc:
        messages.error(request, str(exc) or "参数不正确")
    return redirect("review-round", pk)


class AssignmentSerializer(serializers.ModelSerializer):
    round = serializers.CharField(source="subject.round.title")
    subject = serializers.CharField(source="subject.title")
    applicant = serializers.CharField(source="subject.applicant_name")
    criteria = serializers.JSONField(source="subject.round.criteria")

    class Meta:
        model = ReviewAssignment
        fields = ["id", "round", "subject", "applicant", "criteria", "status", "scores", "comments", "total",
                  "submitted_at"]


class AssignmentList(generics.ListAPIView):
    """What the signed-in expert is to score (a bureau sees its region's rounds)."""

    serializer_class = AssignmentSerializer

    def get_queryset(self):
        return _assignments(self.request.user)


class ScoreRequest(serializers.Serializer):
    scores = serializers.DictField(child=serializers.CharField(max_length=30, allow_blank=True))
    comments = serializers.DictField(child=serializers.CharField(max_length=2000, allow_blank=True),
                                     required=False)


class AssignmentScores(APIView):
    @extend_schema(request=ScoreRequest, responses={200: inline_serializer(
        "Scored", {"id": serializers.IntegerField(), "total": serializers.FloatField()})})
    def post(self, request, pk):
        body = ScoreRequest(data=request.data)
        body.is_valid(raise_exception=True)
        assignment = submit_scores(user=request.user, assignment_id=pk, **body.validated_data)
        return Response({"id": assignment.pk, "total": float(assignment.total)})
