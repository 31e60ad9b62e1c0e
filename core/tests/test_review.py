"""Expert review: conflicts of interest, automatic assignment, an expert sees and scores only its own,
aggregation, progress, reminders; bad input refused; two submissions at once give one."""

import datetime

import pytest
from rest_framework.test import APIClient

from core.errors import BusinessError, Conflict, NotAllowed
from core.models import Notification, OrgUnit, Region
from core.models_review import Expert, ReviewAssignment, ScoringSheet
from core.review import (
    assign,
    auto_assign,
    conflict,
    open_round,
    remind_unsubmitted,
    round_results,
    submit_scores,
)
from core.testing import race

CRITERIA = [{"key": "innovation", "label": "创新性", "weight": 60, "min": 0, "max": 10, "comment_required": True},
            {"key": "benefit", "label": "效益", "weight": 40, "min": 0, "max": 10}]
GOOD = {"innovation": "8", "benefit": "5"}


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def setup(users):
    pinghu = Region.objects.get(code="330482")
    sheet = ScoringSheet.objects.create(name="创新券评分表", region=pinghu, criteria=CRITERIA)
    experts = [Expert.objects.create(name="专家甲", unit_name="浙江大学", fields=["智能制造"], region=pinghu,
                                     user=users["demo_zhuanjia"]),
               Expert.objects.create(name="专家乙", unit_name="嘉兴学院", fields=["新材料"], region=pinghu,
                                     relations=["平湖乙公司"]),
               Expert.objects.create(name="专家丙", unit_name="平湖甲公司", fields=["智能制造"], region=pinghu)]
    units = list(OrgUnit.objects.filter(code__startswith="330482-")[:2])
    round_ = open_round(actor=users["ph_admin"], title="2025年创新券评审", programme="vouchers", sheet=sheet,
                        due_on=datetime.date(2025, 6, 30), subjects=[
                            (units[0], {"title": "甲公司检测服务", "applicant_name": "平湖甲公司", "fields": ["智能制造"]}),
                            (units[1], {"title": "乙公司研发服务", "applicant_name": "平湖乙公司", "fields": ["新材料"]})])
    return round_, experts


@pytest.mark.django_db
def test_conflicts_of_interest_are_excluded(setup):
    round_, (jia, yi, bing) = setup
    first, second = round_.subjects.all()
    assert conflict(bing, first) == "与申报单位为同一单位"
    assert conflict(yi, second) == "本人声明与申报单位有关联，需回避"
    assert conflict(jia, first) is None


@pytest.mark.django_db
def test_auto_assignment_by_field_never_picks_a_conflicted_expert(users, setup):
    round_, (jia, yi, bing) = setup
    assert auto_assign(actor=users["ph_admin"], round_=round_, per_subject=2) == 4
    first, second = round_.subjects.all()
    assert {a.expert.name for a in first.assignments.all()} == {"专家甲", "专家乙"}
    assert {a.expert.name for a in second.assignments.all()} == {"专家甲", "专家丙"}
    assert Notification.objects.filter(recipient=users["demo_zhuanjia"], kind="review_assigned").exists()
    with pytest.raises(BusinessError, match="需回避"):
        assign(actor=users["ph_admin"], subject=first, expert=bing)
    with pytest.raises(NotAllowed):
        auto_assign(actor=users["js_admin"], round_=round_)


@pytest.mark.django_db
def test_an_expert_sees_and_scores_only_what_is_assigned(users, setup, login_as):
    round_, (jia, yi, bing) = setup
    first, second = round_.subjects.all()
    mine = assign(actor=users["ph_admin"], subject=first, expert=jia)
    other = assign(actor=users["ph_admin"], subject=second, expert=bing)
    client = api(users["demo_zhuanjia"])
    assert [a["id"] for a in client.get("/api/review/assignments/").json()["results"]] == [mine.pk]
    assert login_as("demo_zhuanjia").get(f"/review/{other.pk}/").status_code == 404
    assert client.post(f"/api/review/assignments/{other.pk}/scores/", {"scores": GOOD},
                       format="json").status_code == 403
    for bad in ({"innovation": "11", "benefit": "5"}, {"innovation": "1e309", "benefit": "5"},
                {"innovation": "8"}, {"innovation": "8\x00", "benefit": "5"}):
        response = client.post(f"/api/review/assignments/{mine.pk}/scores/", {"scores": bad}, format="json")
        assert response.status_code == 400, bad
    response = client.post(f"/api/review/assignments/{mine.pk}/scores/", {"scores": GOOD}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["message"] == "“创新性”须填写评语"
    response = client.post(f"/api/review/assignments/{mine.pk}/scores/",
                           {"scores": GOOD, "comments": {"innovation": "技术先进"}}, format="json")
    assert response.json() == {"id": mine.pk, "total": 68.0}
    again = client.post(f"/api/review/assignments/{mine.pk}/scores/",
                        {"scores": GOOD, "comments": {"innovation": "再评"}}, format="json")
    assert again.status_code == 409
    assert api(users["ph_admin"]).post(f"/api/review/assignments/{other.pk}/scores/", {"scores": GOOD},
                                       format="json").status_code == 403  # staff do not score for experts


@pytest.mark.django_db
def test_results_progress_and_reminders(users, setup, login_as):
    round_, (jia, yi, bing) = setup
    first = round_.subjects.first()
    a = assign(actor=users["ph_admin"], subject=first, expert=jia)
    assign(actor=users["ph_admin"], subject=first, expert=yi)
    submit_scores(user=users["demo_zhuanjia"], assignment_id=a.pk, scores=GOOD, comments={"innovation": "好"})
    results = {r["subject"].title: r for r in round_results(round_)}
    assert results["甲公司检测服务"]["score"] == 68 and results["甲公司检测服务"]["submitted"] == 1
    html = login_as("ph_leader").get(f"/review/rounds/{round_.pk}/").content.decode()
    assert "已提交 1 / 已分配 2" in html and "自动分配" not in html  # leaders read, do not manage
    assert login_as("js_admin").get(f"/review/rounds/{round_.pk}/").status_code == 404
    assert remind_unsubmitted(actor=users["ph_admin"], round_=round_) == 0  # 专家乙 has no account


@pytest.mark.django_db
def test_scoring_sheet_weights_must_sum_to_100(users):
    client = api(users["ph_admin"])
    bad = [{**CRITERIA[0], "weight": 70}, CRITERIA[1]]
    response = client.post("/api/scoring-sheets/", {"name": "x", "region": "330482", "criteria": bad}, format="json")
    assert response.status_code == 400 and "权重之和应为100" in response.json()["errors"][0]["message"]
    ok = client.post("/api/scoring-sheets/", {"name": "x", "region": "330482", "criteria": CRITERIA}, format="json")
    assert ok.status_code == 201, ok.content


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_give_one(reference, users, setup):
    round_, (jia, yi, bing) = setup
    a = assign(actor=users["ph_admin"], subject=round_.subjects.first(), expert=jia)

    def go():
        submit_scores(user=users["demo_zhuanjia"], assignment_id=a.pk, scores=GOOD, comments={"innovation": "好"})

    assert race(go, go, refused=(Conflict,)) == ["Conflict", "ok"]
    assert ReviewAssignment.objects.get(pk=a.pk).status == "submitted"
