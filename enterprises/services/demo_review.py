"""A demo review round so the demo expert (demo_zhuanjia) has real work: 平湖's 高企培育库 entry applications."""

from __future__ import annotations

import datetime

from core.models import Region, User
from core.models_review import Expert, ReviewRound, ScoringSheet
from core.review import auto_assign, open_round
from enterprises.models import Enterprise

TITLE = "2025年平湖市高企培育库入库评审（演示）"
CRITERIA = [
    {"key": "rd", "label": "研发投入与研发组织", "weight": 30, "min": 0, "max": 10, "comment_required": True},
    {"key": "ip", "label": "知识产权", "weight": 30, "min": 0, "max": 10},
    {"key": "growth", "label": "成长性", "weight": 20, "min": 0, "max": 10},
    {"key": "staff", "label": "科技人员", "weight": 20, "min": 0, "max": 10},
]
DEMO_EXPERTS = [("王教授（演示）", "浙江大学（演示）", "教授"), ("李研究员（演示）", "嘉兴学院（演示）", "研究员"),
                ("赵高工（演示）", "平湖市科技咨询中心（演示）", "正高级工程师"),
                ("陈博士（演示）", "浙江清华长三角研究院（演示）", "副研究员")]


def load_demo_review(admin: User, today: datetime.date) -> int:
    """Idempotent; returns the number of assignments made now (0 when the round exists)."""
    pinghu = Region.objects.get(code="330482")
    if ReviewRound.objects.filter(title=TITLE).exists():
        return 0
    sheet, _ = ScoringSheet.objects.get_or_create(name="高企培育库入库评分表（示例，可调整）", region=pinghu,
                                                  defaults={"criteria": CRITERIA})
    reviewer = User.objects.filter(username="demo_zhuanjia").first()
    Expert.objects.get_or_create(user=reviewer, defaults={
        "name": "演示评审专家", "unit_name": "浙江工业大学（演示）", "title": "教授", "region": pinghu,
        "fields": ["智能制造", "新材料"]})
    for name, unit, title in DEMO_EXPERTS:
        Expert.objects.get_or_create(name=name, region=pinghu, defaults={"unit_name": unit, "title": title,
                                                                        "fields": ["智能制造"]})
    firms = list(Enterprise.objects.filter(region__code__startswith="330482", is_demo=True).order_by("uscc")[:6])
    if not firms:
        return 0
    round_ = open_round(actor=admin, title=TITLE, programme="enterprises", sheet=sheet,
                        due_on=today + datetime.timedelta(days=14), subjects=[
                            (f, {"title": f"{f.name}入库申请", "applicant_name": f.name, "applicant_uscc": f.uscc,
                                 "fields": ["智能制造"]}) for f in firms])
    return auto_assign(actor=admin, round_=round_, per_subject=3)
