"""Indicators fed by the platform's own data (core.feeds, plans.services.feeds): bound by settings, run by the
job queue when the source changes, and never written over a figure of another source without a choice."""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from core import feeds
from core.audit import history_for
from core.models import ChangeRecord, Job, OrgUnit, Region
from core.periods import Period
from enterprises.models import Qualification
from enterprises.services.imports import import_qualifications
from enterprises.tests.conftest import (
    HITECH,
    JS_TOWN,
    PH_COUNTY,
    PH_TOWN2,
    SME,
    make_firm,
    rulesets,  # noqa: F401 (a fixture)
)
from plans.models import FeedConflict, Indicator, IndicatorFeed, IndicatorValue, Plan, ValueStatus
from plans.services.feeds import bind_feed, decide_conflict, feed_plan
from plans.services.plan_import import import_indicator_table
from plans.services.values import report_value
from plans.tests.test_plan_import import annex_xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rulesets")]

D = datetime.date
LAST = datetime.date.today().year - 1


def value(plan, code: str, period: str, basis: str) -> IndicatorValue | None:
    return IndicatorValue.objects.filter(indicator__plan=plan, indicator__code=code, period=period, basis=basis,
                                         place__code=plan.region.code).first()


def by_key(outcomes) -> dict:
    return {(o.indicator, o.basis): o for o in outcomes}


def feed_jobs() -> list[Job]:
    return list(Job.objects.filter(kind=feeds.JOB_KIND))


@pytest.fixture
def inline_jobs(settings):
    settings.KECHUANG_JOBS_SYNC = True


def test_the_registry_declares_its_sources_in_chinese_and_no_code_names_an_indicator():
    keys = {s.key for s in feeds.sources()}
    assert {"hitech_new", "hitech_valid", "sme_new", "sme_valid"} <= keys
    assert feeds.get("hitech_new").label == "新认定高新技术企业数" and feeds.get("sme_valid").unit == "家"
    assert all("enterprises.Qualification" in s.stale_on for s in feeds.sources() if s.key.startswith(("hitech", "sme")))
    assert feeds.is_fed(feeds.get("hitech_new").written_as) and not feeds.is_fed("附件1") and not feeds.is_fed("")


def test_the_seed_plans_are_bound_through_their_seed_data(pinghu, plans):
    bound = {(f.indicator.plan.code, f.indicator.code, f.basis, f.source)
             for f in IndicatorFeed.objects.select_related("indicator__plan")}
    assert bound == {
        (pinghu.code, "PH07", "new", "hitech_new"), (pinghu.code, "PH07", "total", "hitech_valid"),
        (pinghu.code, "PH08", "new", "sme_new"), (pinghu.code, "PH08", "total", "sme_valid"),
        ("JS-2025", "JS04", "new", "hitech_new")}


def test_new_recognitions_are_written_as_approved_figures_with_history(pinghu, users):
    make_firm(quals=[(HITECH, D(2024, 11, 20))])
    make_firm(region=PH_TOWN2, quals=[(HITECH, D(2024, 12, 5)), (SME, D(2024, 4, 1))])
    make_firm(quals=[(HITECH, D(2023, 11, 1))])            # recognised in 2023, still valid at the end of 2024
    make_firm(quals=[(HITECH, D(2021, 11, 1))])            # expired 2024-10-31
    make_firm(region=JS_TOWN, quals=[(HITECH, D(2024, 11, 20))])  # another county

    report = by_key(feed_plan(plan=pinghu, year=2024, today=D(2025, 3, 1)))
    assert (report[("PH07", "new")].figure, report[("PH07", "new")].written) == (Decimal(2), True)
    assert (report[("PH07", "total")].figure, report[("PH08", "new")].figure) == (Decimal(3), Decimal(1))
    written = value(pinghu, "PH07", "2024", "new")
    assert (written.approved_value, written.status, written.source) == (
        Decimal(2), ValueStatus.APPROVED, "平台汇总：新认定高新技术企业数")
    assert written.place == OrgUnit.objects.get(code=PH_COUNTY) and written.reporter is None
    record = history_for(written).get()
    assert (record.action, record.actor_name) == (ChangeRecord.Action.CREATE, "系统")

    again = by_key(feed_plan(plan=pinghu, year=2024, today=D(2025, 3, 1)))
    assert again[("PH07", "new")].written is False and again[("PH07", "new")].reason == "无变化"
    make_firm(quals=[(HITECH, D(2024, 12, 20))])  # the feed's own figure is updated without asking
    assert by_key(feed_plan(plan=pinghu, year=2024, today=D(2025, 3, 1)))[("PH07", "new")].written
    written.refresh_from_db()
    assert (written.approved_value, written.revision) == (Decimal(3), 2)
    assert not FeedConflict.objects.exists()


def test_a_figure_of_another_source_is_held_as_a_conflict_until_the_bureau_picks(pinghu, users):
    document = value(pinghu, "PH07", "2023", "new")  # 90, as the document reports it
    snapshot = (document.value, document.approved_value, document.source, document.revision)
    make_firm(quals=[(HITECH, D(2023, 11, 1))])
    ph07_2023 = IndicatorValue.objects.filter(indicator__plan=pinghu, indicator__code="PH07", period_end=202312)
    values_before = ph07_2023.count()

    report = by_key(feed_plan(plan=pinghu, year=2023, today=D(2024, 3, 1)))
    outcome = report[("PH07", "new")]
    assert outcome.written is False and "待选择" in outcome.reason
    conflict = outcome.conflict
    assert (conflict.existing_value, conflict.fed_value, conflict.existing_source, conflict.decision) == (
        Decimal(90), Decimal(1), document.source, FeedConflict.Decision.OPEN)
    assert conflict.existing == document and (conflict.period, conflict.basis) == ("2023", "new")
    document.refresh_from_db()
    assert (document.value, document.approved_value, document.source, document.revision) == snapshot
    assert ph07_2023.count() == values_before

    # Run again: the same conflict, not a second one, and still nothing written.
    feed_plan(plan=pinghu, year=2023, today=D(2024, 3, 1))
    assert FeedConflict.objects.filter(indicator__code="PH07", period="2023", basis="new").count() == 1

    decided = decide_conflict(admin=users["ph_admin"], conflict_id=conflict.pk, choice="fed")
    assert (decided.decision, decided.decided_by, decided.decided_at is not None) == (
        FeedConflict.Decision.FED, users["ph_admin"], True)
    document.refresh_from_db()
    assert (document.approved_value, document.source, document.revision) == (
        Decimal(1), "平台汇总：新认定高新技术企业数", snapshot[3] + 1)
    changes = list(history_for(document).order_by("at", "id"))
    assert Decimal(changes[-1].before["approved_value"]) == 90 and changes[-1].actor == users["ph_admin"]
    assert [c.note for c in history_for(decided).order_by("at", "id")] == ["汇总数据与已有数据不一致", "采用汇总数据"]


def test_kept_figures_stay_and_the_same_conflict_is_not_raised_again(pinghu, users):
    indicator = Indicator.objects.get(plan=pinghu, code="PH07")
    typed = report_value(reporter=users["ph_admin"], indicator=indicator, place=OrgUnit.objects.get(code=PH_COUNTY),
                         period=Period(2024, "Y", 0), value=Decimal(77), basis="new")
    make_firm(quals=[(HITECH, D(2024, 11, 20))])
    conflict = by_key(feed_plan(plan=pinghu, year=2024, today=D(2025, 3, 1)))[("PH07", "new")].conflict
    assert conflict.existing_source.startswith("人工填报或导入")
    decide_conflict(admin=users["ph_admin"], conflict_id=conflict.pk, choice="kept")
    typed.refresh_from_db()
    assert typed.approved_value == Decimal(77) and typed.revision == 1

    again = by_key(feed_plan(plan=pinghu, year=2024, today=D(2025, 3, 1)))[("PH07", "new")]
    assert again.conflict is None and again.reason == "已选择保留原数据"
    make_firm(quals=[(HITECH, D(2024, 12, 1))])  # a new fed figure: asked again
    assert by_key(feed_plan(plan=pinghu, year=2024, today=D(2025, 3, 1)))[("PH07", "new")].conflict is not None
    assert FeedConflict.objects.filter(decision="open").count() == 1


def test_deciding_is_for_the_plans_bureau_and_once(pinghu, users):
    from core.errors import BusinessError, Conflict, NotAllowed

    make_firm(quals=[(HITECH, D(2023, 11, 1))])
    conflict = by_key(feed_plan(plan=pinghu, year=2023, today=D(2024, 3, 1)))[("PH07", "new")].conflict
    for name in ("js_admin", "ph_leader", "jx_leader", "ph_danghu", "ph_scjg"):
        with pytest.raises(NotAllowed):
            decide_conflict(admin=users[name], conflict_id=conflict.pk, choice="fed")
    with pytest.raises(BusinessError, match="请选择"):
        decide_conflict(admin=users["ph_admin"], conflict_id=conflict.pk, choice="both")
    conflict.refresh_from_db()
    assert conflict.decision == "open"
    decide_conflict(admin=users["ph_admin"], conflict_id=conflict.pk, choice="kept")
    with pytest.raises(Conflict, match="已处理"):
        decide_conflict(admin=users["ph_admin"], conflict_id=conflict.pk, choice="fed")


# ------------------------------------------------------------------------------ the job queue


def test_a_qualification_change_queues_one_job_that_writes_the_figure(pinghu, users, inline_jobs,
                                                                      django_capture_on_commit_callbacks):
    firms = [make_firm(region=PH_TOWN2 if n % 2 else "330482001", quals=[]) for n in range(6)]
    assert not feed_jobs()
    with django_capture_on_commit_callbacks(execute=True):
        for n, firm in enumerate(firms):
            Qualification.objects.create(enterprise=firm, type=HITECH, number=f"J{n}", issued=D(LAST, 5, 1),
                                         expires=D(LAST + 3, 4, 30))
    jobs = feed_jobs()
    assert len(jobs) == 1
    job = jobs[0]
    assert job.status == Job.Status.DONE and job.params["region"] == PH_COUNTY and LAST in job.params["years"]
    if LAST in pinghu.years:
        assert value(pinghu, "PH07", str(LAST), "new").approved_value == Decimal(6)

    with django_capture_on_commit_callbacks(execute=True):
        Qualification.objects.filter(number="J0").get().delete()
    assert len(feed_jobs()) == 2
    if LAST in pinghu.years:
        assert value(pinghu, "PH07", str(LAST), "new").approved_value == Decimal(5)


def qualification_xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "资质类型", "证书编号", "发证日期", "有效期至"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_import_of_many_certificates_queues_one_job(pinghu, users, inline_jobs,
                                                       django_capture_on_commit_callbacks):
    firms = [make_firm(region=PH_TOWN2 if n % 2 else "330482001") for n in range(200)]
    rows = [[f.uscc, SME if n % 3 else HITECH, f"IMP{n}", f"{LAST - n % 2}-06-01", ""] for n, f in enumerate(firms)]
    with django_capture_on_commit_callbacks(execute=True):
        result = import_qualifications(user=users["ph_admin"], name="资质.xlsx", data=qualification_xlsx(rows))
    assert result["created"] == 200
    jobs = feed_jobs()
    assert len(jobs) == 1 and jobs[0].status == Job.Status.DONE
    assert {LAST - 1, LAST} <= set(jobs[0].params["years"])


def test_a_waiting_job_of_the_county_takes_the_new_years_instead_of_a_second_job(pinghu, settings):
    settings.KECHUANG_JOBS_SYNC = False
    settings.KECHUANG_JOBS = "celery-never-sent"  # left waiting: the dispatch is not reached in a test
    first = feeds.queue(PH_COUNTY, {2024})
    second = feeds.queue(PH_COUNTY, {2023, 2024})
    other = feeds.queue("330421", {2024})
    assert first.pk == second.pk != other.pk
    first.refresh_from_db()
    assert first.params == {"region": PH_COUNTY, "years": [2023, 2024]}


# ------------------------------------------------------------------------------ binding by settings


def test_binding_an_imported_plan_by_its_settings_feeds_it(plans, users, inline_jobs,
                                                           django_capture_on_commit_callbacks):
    plan = Plan.objects.create(code="PH-IMPORT", name="平湖市导入测试规划", region=Region.objects.get(code="330482"),
                               start_year=2023, end_year=2027)
    import_indicator_table(actor=users["ph_admin"], plan=plan, name="附件1.xlsx", data=annex_xlsx())
    indicator = Indicator.objects.get(plan=plan, name="每年新增科技型中小企业数")
    with django_capture_on_commit_callbacks(execute=True):  # fed nowhere yet: the indicator is not bound
        make_firm(quals=[(SME, D(2024, 4, 1))])
        make_firm(region=PH_TOWN2, quals=[(SME, D(2024, 5, 1))])
    assert not IndicatorFeed.objects.filter(indicator__plan=plan).exists()
    assert value(plan, indicator.code, "2024", "new") is None

    with django_capture_on_commit_callbacks(execute=True):
        bind_feed(admin=users["ph_admin"], indicator=indicator, basis="new", source="sme_new",
                  today=D(2025, 3, 1))
    assert IndicatorFeed.objects.get(indicator=indicator).source == "sme_new"
    fed = value(plan, indicator.code, "2024", "new")
    assert fed.approved_value == Decimal(2) and fed.source == "平台汇总：新认定科技型中小企业数"
    assert [job.status for job in feed_jobs()] == [Job.Status.DONE, Job.Status.DONE]


def test_binding_refuses_bad_input_and_other_bureaus(pinghu, users):
    from core.errors import BusinessError, NotAllowed

    indicator = Indicator.objects.get(plan=pinghu, code="PH01")
    with pytest.raises(NotAllowed):
        bind_feed(admin=users["js_admin"], indicator=indicator, basis="new", source="sme_new")
    with pytest.raises(NotAllowed):
        bind_feed(admin=users["ph_leader"], indicator=indicator, basis="new", source="sme_new")
    with pytest.raises(BusinessError, match="未知的数据来源"):
        bind_feed(admin=users["ph_admin"], indicator=indicator, basis="new", source="contracts")
    with pytest.raises(BusinessError, match="口径"):
        bind_feed(admin=users["ph_admin"], indicator=indicator, basis="some", source="sme_new")
    assert not IndicatorFeed.objects.filter(indicator=indicator).exists()
