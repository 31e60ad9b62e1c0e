"""Demo accounts, one for each role (demo mode only; passwords are printed in the README)."""

from collections.abc import Callable

from django.db import transaction

from core.models import OrgKind, OrgUnit, Region, User
from core.roles import Role

DEMO_PASSWORD = "Kechuang@2026"

# username, full name, role, org unit code, region code (scope) or None
DEMO_USERS = [
    ("admin", "系统管理员", Role.SYSADMIN, None, "330000"),
    ("ph_admin", "平湖市科技局管理员", Role.BUREAU_ADMIN, "330482-kjj", None),
    ("js_admin", "嘉善县科技局管理员", Role.BUREAU_ADMIN, "330421-kjj", None),
    ("ph_kezhang", "平湖市科技局科室负责人", Role.BUREAU_ADMIN, "330482-kjj", None),
    ("js_kezhang", "嘉善县科技局科室负责人", Role.BUREAU_ADMIN, "330421-kjj", None),
    ("ph_scjg", "平湖市市场监管局填报员", Role.UNIT_REPORTER, "330482-scjg", None),
    ("ph_fgj", "平湖市发改局填报员", Role.UNIT_REPORTER, "330482-fgj", None),
    ("ph_danghu", "当湖街道填报员", Role.TOWN_REPORTER, "330482001", None),
    ("ph_zhongdai", "钟埭街道填报员", Role.TOWN_REPORTER, "330482002", None),
    ("js_weitang", "魏塘街道填报员", Role.TOWN_REPORTER, "330421001", None),
    ("ph_leader", "平湖市领导", Role.LEADER, "330482", None),
    ("jx_leader", "嘉兴市领导", Role.LEADER, "330400", None),
    ("demo_qiye", "演示企业用户", Role.ENTERPRISE, "DEMO-ENT-001", None),
    ("demo_jigou", "演示机构用户", Role.INSTITUTION, "DEMO-INS-001", None),
    ("demo_zhuanjia", "演示评审专家", Role.REVIEWER, None, "330482"),
]

# The bureau admins who take the second look (复审) and sign decisions.
DIVISION_HEADS = {"ph_kezhang", "js_kezhang"}

DEMO_BODIES = [
    ("DEMO-ENT-001", "平湖示范智能装备有限公司（演示）", OrgKind.ENTERPRISE, "330482101"),
    ("DEMO-INS-001", "浙工大平湖新材料研究院（演示）", OrgKind.INSTITUTION, "330482"),
]


@transaction.atomic
def load_demo_users() -> list[User]:
    for code, name, kind, region in DEMO_BODIES:
        OrgUnit.objects.update_or_create(code=code, defaults={
            "name": name, "kind": kind, "region": Region.objects.get(code=region), "is_demo": True})
    users = []
    for username, full_name, role, unit_code, region_code in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        user.full_name = full_name
        user.role = role
        user.org_unit = OrgUnit.objects.get(code=unit_code) if unit_code else None
        user.region = Region.objects.get(code=region_code) if region_code else None
        user.is_superuser = user.is_staff = role == Role.SYSADMIN
        user.is_division_head = username in DIVISION_HEADS
        if created or not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
        user.save()
        users.append(user)
    return users


# Demo steps that apps register (``core`` imports no app): (order, step); a step takes the system admin and
# today's date, loads its records idempotently and returns a phrase for the summary, e.g. "规划 2 个".
_DEMO_STEPS: list[tuple[int, Callable]] = []


def register_demo_step(order: int, step: Callable) -> None:
    _DEMO_STEPS.append((order, step))
    _DEMO_STEPS.sort(key=lambda item: item[0])


def demo_steps() -> list[Callable]:
    return [step for _order, step in _DEMO_STEPS]
