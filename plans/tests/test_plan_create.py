"""新建规划: header plus the indicator table, all or nothing."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook

from core.errors import BusinessError, ImportRejected, NotAllowed
from core.models import Region
from plans.models import Indicator, Plan, Target
from plans.services.plans import create_plan

pytestmark = pytest.mark.django_db


def sheet(rows) -> bytes:
    book = Workbook()
    ws = book.active
    ws.append(["“315”科技创新体系建设工程主要指标进度表"])
    ws.append(["序号", "指 标", "2027年", "2025年", "2023年", "一季度", "二季度", "三季度", "四季度", "责任单位"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD = [[1, "规上工业研发费用(亿元)", 60, 55, 51, 11.34, 25.5, 36, 51, "市科技局"],
        [7, "每年新增高新技术企业数(家)", "累计达800", "累计达650", "新认定80", "年度指标", None, None, None, "市科技局"]]


def test_admin_creates_plan_with_indicator_table(users):
    plan = create_plan(admin=users["ph_admin"], code="PH-NEW", name="新规划", region=Region.objects.get(code="330482"),
                       start_year=2023, end_year=2027, indicator_file=("t.xlsx", sheet(GOOD)))
    assert [i.name for i in Indicator.objects.filter(plan=plan)] == ["规上工业研发费用", "每年新增高新技术企业数"]
    t = Target.objects.get(indicator__plan=plan, indicator__seq=7, period="2027")
    assert (t.value, t.basis, t.text) == (800, "total", "累计达800")
    assert Target.objects.get(indicator__plan=plan, indicator__seq=1, period="2023Q1").value == Decimal("11.34")


def test_bad_sheet_creates_nothing(users):
    bad = [*GOOD, [3, "高新技术产业增加值(亿元)", "很多", 260, 236, 50, 115, 170, 236, "不存在的局"]]
    with pytest.raises(ImportRejected) as caught:
        create_plan(admin=users["ph_admin"], code="PH-BAD", name="坏规划", region=Region.objects.get(code="330482"),
                    start_year=2023, end_year=2027, indicator_file=("t.xlsx", sheet(bad)))
    rows = {(p.row, p.column.split("列")[0]) for p in caught.value.problems}
    assert rows == {(5, "C"), (5, "J")}
    assert not Plan.objects.filter(code="PH-BAD").exists()


def test_other_region_and_bad_header_refused(users):
    with pytest.raises(NotAllowed):
        create_plan(admin=users["js_admin"], code="X1", name="x", region=Region.objects.get(code="330482"),
                    start_year=2023, end_year=2024)
    with pytest.raises(BusinessError) as caught:
        create_plan(admin=users["ph_admin"], code="X2", name="x", region=Region.objects.get(code="330482"),
                    start_year=2025, end_year=2023)
    assert caught.value.problems[0].field == "end_year"
    with pytest.raises(NotAllowed):
        create_plan(admin=users["ph_danghu"], code="X3", name="x", region=Region.objects.get(code="330482"),
                    start_year=2023, end_year=2024)


def test_plan_create_page(client, users):
    client.force_login(users["ph_admin"])
    assert client.get(reverse("plans:plan-create")).status_code == 200
    upload = io.BytesIO(sheet(GOOD))
    upload.name = "附件1.xlsx"
    response = client.post(reverse("plans:plan-create"), {
        "code": "PH-WEB", "name": "网页新建", "region": Region.objects.get(code="330482").pk, "start_year": 2023,
        "end_year": 2027, "indicator_file": upload})
    assert response.status_code == 302
    assert Indicator.objects.filter(plan__code="PH-WEB").count() == 2
    client.force_login(users["ph_leader"])
    assert client.get(reverse("plans:plan-create")).status_code == 403
