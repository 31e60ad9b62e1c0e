"""Rule sets belong to a region: the shipped ones are shared, a county bureau's edit is its own copy.

嘉善's bureau admin editing 高新技术企业 must not move 平湖's screening; no county reads or edits another's copy
(pages and API); the system admin edits the shared one.
"""

import copy
import json

import pytest

from core.models import ChangeRecord, Region
from enterprises.models import RuleSet
from enterprises.services.rulesets import active, save_ruleset
from enterprises.services.screening import screen_now
from enterprises.tests.conftest import JS_COUNTY, JS_TOWN, ON, PH_COUNTY, PH_TOWN, make_firm, years_of

pytestmark = pytest.mark.django_db

STAFF_11 = {"tech_staff": 11}  # 11%: passes the shared ≥10%, fails an edited ≥12%


def shared_hitech() -> RuleSet:
    return RuleSet.objects.get(code="hitech", region__isnull=True, is_active=True)


def stricter(minimum: str = "0.12", name: str | None = None) -> dict:
    definition = copy.deepcopy(RuleSet.objects.get(code="hitech", version=1, region__isnull=True).definition)
    next(c for c in definition["criteria"] if c["code"] == "tech_staff_ratio")["min"] = minimum
    if name:
        definition["name"] = name
    return definition


def local_only() -> dict:
    return {"code": "ph_local", "name": "平湖本地规则", "eligible": "age",
            "criteria": [{"code": "age", "name": "成立满一年", "kind": "age_days", "min": 365}]}


def screen(county: str, user) -> dict[int, bool | None]:
    screening = screen_now(user=user, ruleset="hitech", on=ON, region=Region.objects.get(code=county))
    return screening, {r.enterprise_id: r.eligible for r in screening.results.all()}


def test_a_county_edit_changes_only_that_countys_screening(client, rulesets, users):
    ph_firm = make_firm(region=PH_TOWN, years=years_of(**STAFF_11))
    js_firm = make_firm(region=JS_TOWN, years=years_of(**STAFF_11))
    shared_before = copy.deepcopy(shared_hitech().definition)

    client.force_login(users["js_admin"])
    response = client.post("/enterprises/rulesets/hitech/", {"definition": json.dumps(stricter(), ensure_ascii=False)})
    assert response.status_code == 302

    ph_screening, ph_results = screen(PH_COUNTY, users["ph_admin"])
    assert ph_results == {ph_firm.pk: True}
    assert ph_screening.ruleset == shared_hitech() and ph_screening.ruleset.region is None
    assert shared_hitech().definition == shared_before  # the shared definition is untouched

    js_screening, js_results = screen(JS_COUNTY, users["js_admin"])
    assert js_results == {js_firm.pk: False}
    assert (js_screening.ruleset.region.code, js_screening.ruleset.version) == (JS_COUNTY, 2)


def test_a_county_copy_has_its_own_versions_and_history(rulesets, users):
    first = save_ruleset(user=users["ph_admin"], definition=stricter("0.12"))
    second = save_ruleset(user=users["ph_admin"], definition=stricter("0.15"))
    assert [(r.version, r.is_active) for r in RuleSet.objects.filter(code="hitech", region__code=PH_COUNTY)
            .order_by("version")] == [(2, False), (3, True)]
    assert active("hitech", Region.objects.get(code=PH_TOWN)) == second  # a town uses its county's copy
    assert active("hitech", Region.objects.get(code=JS_COUNTY)) == shared_hitech()
    made = ChangeRecord.objects.get(content_type__model="ruleset", object_id=str(first.pk))
    assert (made.before["region"], made.after["region"], made.actor) == (None, PH_COUNTY, users["ph_admin"])
    changed = ChangeRecord.objects.get(content_type__model="ruleset", object_id=str(second.pk))
    assert (changed.before["version"], changed.after["version"]) == (2, 3)
    assert shared_hitech().version == 1


def test_a_county_cannot_read_or_edit_another_countys_copy(client, api, rulesets, users):
    ph_copy = save_ruleset(user=users["ph_admin"], definition=stricter(name="平湖版高企规则"))
    ph_local = save_ruleset(user=users["ph_admin"], definition=local_only())

    client.force_login(users["js_admin"])
    assert client.get("/enterprises/rulesets/ph_local/").status_code == 404
    listing = client.get("/enterprises/rulesets/").content.decode()
    assert "平湖版高企规则" not in listing and "平湖本地规则" not in listing
    page = client.get("/enterprises/rulesets/hitech/").content.decode()
    assert "平湖版高企规则" not in page and "0.12" not in page and "保存后生成本地区的副本" in page

    js_api = api(users["js_admin"])
    assert js_api.get("/api/rulesets/ph_local/").status_code == 404
    shown = js_api.get("/api/rulesets/hitech/").json()
    assert (shown["region"], shown["version"]) == (None, 1)
    assert {(r["code"], r["region"]) for r in js_api.get("/api/rulesets/").json()} == {
        ("hitech", None), ("tech_sme", None), ("golden_eagle", None), ("county_rd_centre", None)}
    # Saving under 平湖's code makes 嘉善's own rule set; 平湖's copy is not touched.
    response = js_api.put("/api/rulesets/ph_local/", {"definition": {**local_only(), "name": "嘉善改"}}, format="json")
    assert response.status_code == 200 and response.json()["region"] == JS_COUNTY
    for mine in (ph_copy, ph_local):
        stored = RuleSet.objects.get(pk=mine.pk)
        assert (stored.is_active, stored.definition, stored.region.code) == (True, mine.definition, PH_COUNTY)
    # 平湖's own admin sees its copy.
    ph_api = api(users["ph_admin"])
    assert ph_api.get("/api/rulesets/hitech/").json()["region"] == PH_COUNTY


def test_the_system_admin_edits_the_shared_rule_set(client, rulesets, users):
    ph_firm = make_firm(region=PH_TOWN, years=years_of(**STAFF_11))
    client.force_login(users["admin"])
    response = client.post("/enterprises/rulesets/hitech/", {"definition": json.dumps(stricter(), ensure_ascii=False)})
    assert response.status_code == 302
    shared = shared_hitech()
    assert (shared.version, shared.region) == (2, None)
    assert RuleSet.objects.filter(code="hitech", region__isnull=False).count() == 0
    _screening, results = screen(PH_COUNTY, users["ph_admin"])
    assert results == {ph_firm.pk: False}


def test_rule_set_api_refusals(api, rulesets, users):
    assert api(users["ph_leader"]).get("/api/rulesets/").status_code == 403
    assert api(users["ph_leader"]).put("/api/rulesets/hitech/", {"definition": stricter()}, format="json") \
        .status_code == 403
    ph_api = api(users["ph_admin"])
    count = RuleSet.objects.count()
    for body in ({}, {"definition": "x"}, {"definition": {**stricter(), "code": "tech_sme"}},
                 {"definition": {**stricter(), "eligible": "nope"}}):
        response = ph_api.put("/api/rulesets/hitech/", body, format="json")
        assert response.status_code == 400
        assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["errors"][0]["message"])
    assert RuleSet.objects.count() == count
