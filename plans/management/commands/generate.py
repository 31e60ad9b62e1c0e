import time

from django.core.management.base import BaseCommand

from plans.services.generate import SCALES, generate


class Command(BaseCommand):
    help = "生成用于负载与规模测试的模拟省份数据（县、镇街道、指标、目标与五年逐月数据），编码以99开头"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="province")
        parser.add_argument("--seed", type=int, default=2027)

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = generate(options["scale"], seed=options["seed"], progress=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(
            f"已生成：{result['plans']} 个规划，{result['counties']} 个县，{result['towns']} 个镇街道，"
            f"{result['values']} 条指标数据，用时 {time.perf_counter() - started:.0f} 秒"))
