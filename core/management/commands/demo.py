from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from core import jobs
from core.demo import DEMO_PASSWORD, demo_steps, load_demo_users
from core.models import Notification, User
from core.seed import load_reference


class Command(BaseCommand):
    help = "载入参考数据、来源文件中的规划与指标，以及演示镇街道数据和演示账号（可重复执行）"

    def handle(self, *args, **options):
        # The demo's enterprises make the indicator feeds stale: their jobs run before the command ends.
        with jobs.threaded_jobs_inline():
            self._load()

    @transaction.atomic
    def _load(self):
        counts = load_reference()
        load_demo_users()
        admin = User.objects.get(username="admin")
        today = timezone.localdate()
        # Each app registered its own step in its AppConfig.ready (plans, then tasks, then enterprises …).
        started = timezone.now()
        phrases = [step(admin, today) for step in demo_steps()]
        # The demo's own history (progress reported, reviews assigned) is not news to anyone: read already.
        Notification.objects.filter(created_at__gte=started, read_at__isnull=True).update(read_at=timezone.now())
        self.stdout.write(self.style.SUCCESS(
            f"区划 {counts['regions']} 个，单位 {counts['org_units']} 个，{'，'.join(p for p in phrases if p)}；"
            f"演示账号密码：{DEMO_PASSWORD}"))
