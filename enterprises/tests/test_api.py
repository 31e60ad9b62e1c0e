"""The enterprise JSON API: an enterprise's record and assessment, screenings as jobs with an Excel of
results, pools, and who reaches what."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.models import Job, Region
from enterprises.models import PoolMember, Screening
from enterprises.services.pools import remove_member
from enterprises.services.screening import screen_now
from enterprises.tests.conftest import (
    HITECH,
    JS_COUNTY,
    JS_TOWN,
    ON,
    PH_COUNTY,
    REAL_CODES,
    SME,
    chinese,
    make_firm,
    years_of,
)

pytestmark = pytest.mark.django_db

HITECH_CODES = ["age", "ip", "tech_staff_ratio", "rd_ratio", "domestic_rd_ratio", "hitech_revenue_ratio"]
SME_CODES = ["staff_limit", "revenue_limit", "assets_limit", "tech_staff_score", "rd_score", "ip_score",
             "total_score"]
ASSESSMENT_KEYS = {"ruleset", "date", "eligible", "direct", "score", "status", "criteria"}
CRITERION_KEYS = {"code", "name", "passed", "actual", "required", "unit", "comparison", "actual_text",
                  "required_text", "gap"}


@pytest.fixture
def firms(rulesets):
    """A 平湖 firm with two qualifications (one expired), a 嘉善 firm."""
    pinghu = make_firm(code=REAL_CODES[0], name="平湖甲科技有限公司", established=datetime.date(2015, 6, 1),
                       years=years_of(2023, 2024, tech_staff=9),
                       quals=[(SME, datetime.date(2020, 5, 1)), (HITECH, datetime.date(2023, 10, 15))])
    jiashan = make_firm(code=REAL_CODES[1], name="嘉善乙新材料有限公司", region=JS_TOWN, years=years_of(2024))
    return {"pinghu": pinghu, "jiashan": jiashan}


def errors(response, status: int) -> list[dict]:
    assert response.status_code == status, response.content
    found = response.json()["errors"]
    assert found and all(chinese(e["message"]) for e in found), found
    return found


# ------------------------------------------------------------------------------------- enterprise


def test_enterprise_detail(firms, users, api):
    response = api(users["ph_admin"]).get(f"/api/enterprises/{REAL_CODES[0].lower()}/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert {k: body[k] for k in ("uscc", "name", "region", "established")} == {
        "uscc": REAL_CODES[0], "name": "平湖甲科技有限公司", "region": "330482001", "established": "2015-06-01"}
    assert [y["year"] for y in body["years"]] == [2023, 2024]
    latest = body["years"][1]
    assert (latest["revenue"], latest["rd_expense"], latest["staff"], latest["tech_staff"], latest["ip1"]) == (
        1000, 60, 100, 9, 1)
    numbers = dict(firms["pinghu"].qualifications.values_list("type", "number"))
    still_valid = timezone.localdate() <= datetime.date(2026, 10, 14)
    assert body["qualifications"] == [
        {"type": SME, "number": numbers[SME], "issued": "2020-05-01", "expires": "2021-04-30", "valid": False},
        {"type": HITECH, "number": numbers[HITECH], "issued": "2023-10-15", "expires": "2026-10-14",
         "valid": still_valid},
    ]


@pytest.mark.parametrize("username, pinghu, jiashan", [
    ("admin", 200, 200),
    ("ph_admin", 200, 404),
    ("js_admin", 404, 200),
    ("ph_leader", 200, 404),
    ("jx_leader", 200, 200),
    ("ph_danghu", 404, 404),
    ("js_weitang", 404, 404),
    ("ph_scjg", 404, 404),
    ("demo_qiye", 404, 404),
    ("demo_jigou", 404, 404),
    ("demo_zhuanjia", 404, 404),
])
def test_who_reaches_which_enterprise(firms, users, api, username, pinghu, jiashan):
    client = api(users[username])
    for firm, status in ((firms["pinghu"], pinghu), (firms["jiashan"], jiashan)):
        assert client.get(f"/api/enterprises/{firm.uscc}/").status_code == status
        assessed = client.get(f"/api/enterprises/{firm.uscc}/assessment/", {"ruleset": "hitech"})
        assert assessed.status_code == status
    listed = {row["uscc"] for row in client.get("/api/enterprises/").json()}
    assert listed == {f.uscc for f, s in ((firms["pinghu"], pinghu), (firms["jiashan"], jiashan)) if s == 200}


def test_enterprise_user_reaches_only_its_own(firms, own_firm, users, api):
    client = api(users["demo_qiye"])
    assert client.get(f"/api/enterprises/{own_firm.uscc}/").json()["name"] == "自家科技有限公司"
    assert client.get(f"/api/enterprises/{own_firm.uscc}/assessment/", {"ruleset": "tech_sme"}).status_code == 200
    assert client.get(f"/api/enterprises/{firms['pinghu'].uscc}/").status_code == 404
    assert [row["uscc"] for row in client.get("/api/enterprises/").json()] == [own_firm.uscc]


def test_anonymous_gets_nothing(firms):
    assert APIClient().get(f"/api/enterprises/{firms['pinghu'].uscc}/").status_code == 401


# ------------------------------------------------------------------------------------- assessment


def test_hitech_assessment_with_gaps(firms, users, api):
    response = api(users["ph_admin"]).get(f"/api/enterprises/{firms['pinghu'].uscc}/assessment/",
                                          {"ruleset": "hitech", "date": "2025-06-30"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) >= ASSESSMENT_KEYS
    assert (body["ruleset"], body["date"], body["eligible"], body["direct"], body["score"], body["status"]) == (
        "hitech", "2025-06-30", False, False, None, "not_eligible")
    assert [c["code"] for c in body["criteria"]] == HITECH_CODES
    assert all(set(c) >= CRITERION_KEYS for c in body["criteria"])
    by_code = {c["code"]: c for c in body["criteria"]}
    staff = by_code["tech_staff_ratio"]
    assert (staff["name"], staff["passed"], staff["actual_text"], staff["required_text"], staff["gap"]) == (
        "科技人员占比", False, "9.0%", "≥10%", "科技人员占比还差1个百分点")
    # The same figures as numbers, so a client need not parse "9.0%".
    assert (staff["actual"], staff["required"], staff["unit"], staff["comparison"]) == (9, 10, "%", ">=")
    assert body["ruleset_name"] == "高新技术企业（量化条件预评）"
    assert all(by_code[code]["passed"] is True and by_code[code]["gap"] is None
               for code in HITECH_CODES if code != "tech_staff_ratio")


def test_unknown_inputs_are_null_not_failed(rulesets, users, api):
    firm = make_firm(years=years_of(hitech_revenue=None))
    body = api(users["ph_admin"]).get(f"/api/enterprises/{firm.uscc}/assessment/",
                                      {"ruleset": "hitech", "date": "2025-06-30"}).json()
    by_code = {c["code"]: c for c in body["criteria"]}
    assert by_code["hitech_revenue_ratio"]["passed"] is None
    assert by_code["hitech_revenue_ratio"]["gap"] is None
    assert (body["status"], body["eligible"]) == ("incomplete", None)


def test_tech_sme_assessment_direct_through_a_valid_hitech_certificate(rulesets, users, api):
    firm = make_firm(years=years_of(tech_staff=1, ip1=0, ip2=0, rd_expense=Decimal(5)),
                     quals=[(HITECH, datetime.date(2023, 10, 15))])
    client = api(users["ph_admin"])
    body = client.get(f"/api/enterprises/{firm.uscc}/assessment/", {"ruleset": "tech_sme", "date": "2025-06-30"}
                      ).json()
    assert (body["eligible"], body["direct"], body["status"], body["score"]) == (True, True, "eligible", 0)
    codes = [c["code"] for c in body["criteria"]]
    assert codes[:len(SME_CODES)] == SME_CODES and set(codes) <= set(SME_CODES) | {"hitech_valid"}
    # After the certificate has expired there is no direct route and the score of 0 fails.
    expired = client.get(f"/api/enterprises/{firm.uscc}/assessment/", {"ruleset": "tech_sme",
                                                                        "date": "2026-10-15"}).json()
    assert (expired["eligible"], expired["direct"], expired["status"]) == (False, False, "not_eligible")
    assert {c["code"]: c["passed"] for c in expired["criteria"]}["total_score"] is False


def test_assessment_date_defaults_to_today(firms, users, api):
    body = api(users["ph_admin"]).get(f"/api/enterprises/{firms['pinghu'].uscc}/assessment/",
                                      {"ruleset": "golden_eagle"}).json()
    assert body["date"] == timezone.localdate().isoformat()
    assert body["ruleset"] == "golden_eagle" and isinstance(body["score"], int | float)


@pytest.mark.parametrize("params, field", [
    ({"ruleset": "nosuch", "date": "2025-06-30"}, "ruleset"),
    ({"ruleset": "hitech", "date": "2025-13-01"}, "date"),
    ({"ruleset": "hitech", "date": "30/06/2025"}, "date"),
    ({"date": "2025-06-30"}, "ruleset"),
])
def test_assessment_refusals(firms, users, api, params, field):
    response = api(users["ph_admin"]).get(f"/api/enterprises/{firms['pinghu'].uscc}/assessment/", params)
    assert field in [e["field"] for e in errors(response, 400)]


# -------------------------------------------------------------------------------------- screenings


def test_screening_job_progress_and_results_workbook(firms, users, api, django_capture_on_commit_callbacks):
    passing = make_firm(name="平湖丙达标有限公司", years=years_of())
    client = api(users["ph_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/screenings/", {"ruleset": "hitech", "date": "2025-06-30"}, format="json")
    assert response.status_code == 202, response.content
    assert set(response.json()) == {"id"}
    screening = Screening.objects.get(pk=response.json()["id"])
    assert (screening.region.code, screening.ruleset.code, screening.date) == (PH_COUNTY, "hitech", ON)
    assert screening.job.kind == "screening" and screening.job.status == Job.Status.DONE

    status = client.get(f"/api/screenings/{screening.pk}/").json()
    assert {k: status[k] for k in ("status", "progress", "total", "eligible")} == {
        "status": "done", "progress": 2, "total": 2, "eligible": 1}
    assert (status["ruleset"], status["ruleset_name"]) == ("hitech", "高新技术企业（量化条件预评）")

    download = client.get(f"/api/screenings/{screening.pk}/results.xlsx")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(download.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == ("统一社会信用代码", "企业名称", "所属区域", "结果", "直接认定", "得分", "未通过项数")
    assert rows[0][-1] == "差距" and "科技人员占比" in rows[0]
    by_code = {row[0]: row for row in rows[1:]}
    assert set(by_code) == {firms["pinghu"].uscc, passing.uscc}  # 嘉善's firm is not in 平湖's screening
    failing = by_code[firms["pinghu"].uscc]
    assert failing[1:4] == ("平湖甲科技有限公司", "当湖街道", "未达标")
    assert failing[6] == 1
    assert failing[rows[0].index("科技人员占比")] == "9.0%"
    assert failing[-1] == "科技人员占比还差1个百分点"
    assert by_code[passing.uscc][3] == "达标" and by_code[passing.uscc][6] == 0


def test_screening_in_another_region_of_the_scope(firms, users, api, django_capture_on_commit_callbacks):
    client = api(users["jx_leader"])
    refused = client.post("/api/screenings/", {"ruleset": "hitech", "date": "2025-06-30"}, format="json")
    errors(refused, 403)
    with django_capture_on_commit_callbacks(execute=True):
        made = api(users["admin"]).post("/api/screenings/", {"ruleset": "tech_sme", "date": "2025-06-30",
                                                             "region": JS_COUNTY}, format="json")
    assert made.status_code == 202, made.content
    body = client.get(f"/api/screenings/{made.json()['id']}/").json()
    assert (body["total"], body["region"], body["ruleset"]) == (1, JS_COUNTY, "tech_sme")
    out_of_scope = api(users["ph_admin"]).post("/api/screenings/", {"ruleset": "hitech", "date": "2025-06-30",
                                                                    "region": JS_COUNTY}, format="json")
    assert "region" in [e["field"] for e in errors(out_of_scope, 400)]


@pytest.mark.parametrize("body, field", [
    ({"ruleset": "nosuch", "date": "2025-06-30"}, "ruleset"),
    ({"ruleset": "hitech", "date": "2025-02-30"}, "date"),
    ({"ruleset": "hitech"}, "date"),
])
def test_screening_refusals_start_nothing(firms, users, api, body, field):
    response = api(users["ph_admin"]).post("/api/screenings/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Screening.objects.exists() and not Job.objects.filter(kind="screening").exists()


@pytest.mark.parametrize("username", ["ph_leader", "ph_danghu", "ph_scjg", "demo_qiye", "demo_zhuanjia"])
def test_only_bureau_admins_start_screenings(firms, users, api, username):
    errors(api(users[username]).post("/api/screenings/", {"ruleset": "hitech", "date": "2025-06-30"},
                                     format="json"), 403)
    assert not Screening.objects.exists()


@pytest.mark.parametrize("username, status", [
    ("ph_admin", 200), ("ph_leader", 200), ("jx_leader", 200), ("js_admin", 403), ("ph_danghu", 403),
    ("demo_qiye", 403),
])
def test_who_reads_a_screening(firms, users, api, username, status):
    screening = screen_now(user=users["ph_admin"], ruleset="hitech", on=ON, region=Region.objects.get(code=PH_COUNTY))
    client = api(users[username])
    assert client.get(f"/api/screenings/{screening.pk}/").status_code == status
    assert client.get(f"/api/screenings/{screening.pk}/results.xlsx").status_code == status


# ------------------------------------------------------------------------------------------- pools


@pytest.fixture
def pooled(firms, users):
    """高企培育库 after both counties' screenings: one 平湖 candidate, one 嘉善 candidate (its firm passes all),
    and a 平湖 firm that entered and was removed by hand. The 平湖 firm of ``firms`` holds 高企: not a candidate."""
    ph_candidate = make_firm(name="平湖丁培育有限公司", years=years_of(tech_staff=9))
    ph_leaver = make_firm(name="平湖戊出库有限公司", years=years_of(tech_staff=9))
    for county in (PH_COUNTY, JS_COUNTY):
        screen_now(user=users["admin"], ruleset="hitech", on=ON, region=Region.objects.get(code=county))
    member = PoolMember.objects.get(enterprise=ph_leaver, pool__code="hitech_incubation")
    remove_member(user=users["ph_admin"], member=member, reason="企业已迁出", on=datetime.date(2025, 7, 1))
    return {"ph": ph_candidate, "leaver": ph_leaver, "js": firms["jiashan"]}


def test_pool_list_counts_only_the_users_firms(pooled, users, api):
    counts = {}
    for username in ("ph_admin", "js_admin", "jx_leader", "admin"):
        response = api(users[username]).get("/api/pools/")
        assert response.status_code == 200, response.content
        counts[username] = {p["code"]: p["members"] for p in response.json()}
    assert counts["ph_admin"]["hitech_incubation"] == 1
    assert counts["js_admin"]["hitech_incubation"] == 1
    assert counts["jx_leader"]["hitech_incubation"] == 2
    assert counts["admin"]["hitech_incubation"] == 2
    assert set(counts["ph_admin"]) == {"hitech_incubation", "hitech_reserve", "golden_eagle_seed",
                                       "golden_eagle_incubating", "golden_eagle_growth"}
    first = api(users["ph_admin"]).get("/api/pools/").json()[0]
    assert (first["code"], first["name"], first["rule"]["ruleset"]) == ("hitech_incubation", "高企培育库", "hitech")


def test_pool_members_scoped_to_the_county(pooled, users, api):
    ph = api(users["ph_admin"]).get("/api/pools/hitech_incubation/members/")
    assert ph.status_code == 200, ph.content
    assert [m["uscc"] for m in ph.json()] == [pooled["ph"].uscc]
    member = ph.json()[0]
    assert (member["region"], member["entered_on"], member["source"], member["exited_on"]) == (
        "330482001", "2025-06-30", "screening", None)
    assert "科技人员占比还差1个百分点" in member["reason"]

    everyone = api(users["ph_admin"]).get("/api/pools/hitech_incubation/members/", {"all": "1"}).json()
    left = next(m for m in everyone if m["uscc"] == pooled["leaver"].uscc)
    assert (left["exited_on"], left["exit_reason"]) == ("2025-07-01", "企业已迁出")
    assert pooled["js"].uscc not in {m["uscc"] for m in everyone}

    js = api(users["js_admin"]).get("/api/pools/hitech_incubation/members/").json()
    assert [m["uscc"] for m in js] == [pooled["js"].uscc]
    both = api(users["jx_leader"]).get("/api/pools/hitech_incubation/members/").json()
    assert {m["uscc"] for m in both} == {pooled["ph"].uscc, pooled["js"].uscc}
    assert api(users["ph_admin"]).get("/api/pools/nosuch/members/").status_code == 404


@pytest.mark.parametrize("username", ["ph_danghu", "js_weitang", "ph_scjg", "demo_qiye", "demo_jigou",
                                      "demo_zhuanjia"])
def test_reporters_and_enterprises_cannot_read_pools(pooled, users, api, username):
    client = api(users[username])
    errors(client.get("/api/pools/"), 403)
    errors(client.get("/api/pools/hitech_incubation/members/"), 403)


def test_assessment_figures_are_numbers_with_a_unit_beside_their_texts(rulesets, users, api):
    firm = make_firm(years=years_of(tech_staff=9))
    client = api(users["ph_admin"])
    for code in ("hitech", "tech_sme", "golden_eagle"):
        body = client.get(f"/api/enterprises/{firm.uscc}/assessment/", {"ruleset": code, "date": "2025-06-30"}).json()
        assert body["ruleset_name"] == rulesets[code].name
        for c in body["criteria"]:
            assert c["actual"] is None or isinstance(c["actual"], int | float), c
            assert c["required"] is None or isinstance(c["required"], int | float), c
            assert (c["comparison"] == "") == (c["required"] is None), c
            if c["unit"] not in ("", "分") and c["actual"] is not None:
                # A threshold's text is its number and unit: the two never disagree.
                assert Decimal(c["actual_text"].removesuffix(c["unit"])) == Decimal(str(c["actual"])), c
    hitech = {c["code"]: c for c in client.get(f"/api/enterprises/{firm.uscc}/assessment/",
                                               {"ruleset": "hitech", "date": "2025-06-30"}).json()["criteria"]}
    assert [hitech["tech_staff_ratio"][k] for k in ("actual", "required", "unit", "comparison", "actual_text")] == [
        9, 10, "%", ">=", "9.0%"]
    assert [hitech["ip"][k] for k in ("actual", "required", "unit", "comparison")] == [3, 1, "项", ">="]
    sme = {c["code"]: c for c in client.get(f"/api/enterprises/{firm.uscc}/assessment/",
                                            {"ruleset": "tech_sme", "date": "2025-06-30"}).json()["criteria"]}
    assert [sme["staff_limit"][k] for k in ("actual", "required", "unit", "comparison")] == [100, 500, "人", "<="]
    assert [sme["revenue_limit"][k] for k in ("actual", "required", "unit")] == [1000, 20000, "万元"]
    total = sme["total_score"]
    assert (total["unit"], total["required"], total["comparison"]) == ("分", 60, ">=")
    assert total["actual_text"] == f"{total['actual']}分"
    assert (sme["tech_staff_score"]["required"], sme["tech_staff_score"]["comparison"]) == (0, ">")
    assert (sme["rd_score"]["required"], sme["rd_score"]["comparison"]) == (None, "")  # 计分项: no floor
    qualification = sme.get("hitech_valid")
    if qualification is not None:
        assert (qualification["actual"], qualification["required"], qualification["unit"]) == (None, None, "")


def test_screening_and_pool_answers_name_their_rule_set(pooled, users, api):
    client = api(users["ph_admin"])
    pools = {p["code"]: p for p in client.get("/api/pools/").json()}
    assert pools["golden_eagle_seed"]["ruleset_name"] == "“金鹰”企业培育评价（示例，由科技局按本地办法修改）"
    assert pools["hitech_incubation"]["ruleset_name"] == "高新技术企业（量化条件预评）"


def test_the_schema_describes_the_assessment_answer(rulesets, users, api):
    """The served schema's AssessmentOut validates real answers (numbers, nulls, units, comparisons)."""
    from jsonschema import Draft202012Validator

    client = api(users["ph_admin"])
    schema = client.get("/api/schema/", {"format": "json"}).json()
    ok = schema["paths"]["/api/enterprises/{uscc}/assessment/"]["get"]["responses"]["200"]
    body_schema = ok["content"]["application/json"]["schema"]
    assert body_schema["$ref"].endswith("/AssessmentOut")
    criterion = schema["components"]["schemas"]["CriterionOut"]["properties"]
    assert criterion["actual"]["type"] == "number" and criterion["actual"].get("nullable") is True
    validator = Draft202012Validator({"$ref": "#/components/schemas/AssessmentOut",
                                      "components": _json_schema(schema["components"])})
    firm = make_firm(years=years_of(tech_staff=9, hitech_revenue=None))
    for code in ("hitech", "tech_sme", "golden_eagle"):
        body = client.get(f"/api/enterprises/{firm.uscc}/assessment/", {"ruleset": code, "date": "2025-06-30"}).json()
        errors = [e.message for e in validator.iter_errors(body)]
        assert errors == [], (code, errors)


def _json_schema(node):
    """OpenAPI 3.0's ``nullable: true`` as JSON Schema's null type, which jsonschema reads."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") is True and "type" in node:
        out["type"] = [node["type"], "null"]
    if node.get("nullable") is True and "enum" in node:
        out["enum"] = [*node["enum"], None]
    return out
