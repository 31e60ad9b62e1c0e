from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from core.demo import DEMO_PASSWORD, load_demo_users
from core.models import User
from core.seed import load_reference
from enterprises.services.demo import load_demo_enterprises
from plans.services.demo import load_demo_towns
from plans.services.seed import load_plans
from tasks.services.demo import load_demo_progress
from tasks.services.seed import load_tasks


class Command(BaseCommand):
    help = "载入参考数据、来源文件中的规划与指标，以及演示镇街道数据和演示账号（可重复执行）"

    @transaction.atomic
    def handle(self, *args, **options):
        counts = load_reference()
        load_demo_users()
        admin = User.objects.get(username="admin")
        plans = load_plans(admin)
        demo_values = sum(load_demo_towns(admin, plan) for plan in plans)
        tasks = load_tasks(admin)
        reports = load_demo_progress(admin, timezone.localdate())
        firms = load_demo_enterprises(admin, timezone.localdate())
        self.stdout.write(self.style.SUCCESS(
            f"区划 {counts['regions']} 个，单位 {counts['org_units']} 个，规划 {len(plans)} 个，"
            f"重点任务 {len(tasks)} 项，新增演示数据 {demo_values} 条、演示进展 {reports} 条、演示企业 {firms} 家；"
            f"演示账号密码：{DEMO_PASSWORD}"))
