import time

from django.core.management.base import BaseCommand

from core.seed import refresh_statistics
from plans.services.generate import SCALES, generate


class Command(BaseCommand):
    help = ("生成用于负载与规模测试的模拟省份数据（县、镇街道、指标、目标与五年逐月数据），编码以99开头；"
            "也可生成模拟企业与模拟创新平台")

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default=None,
                            help="模拟省份规模（不带 --enterprises / --platforms 时默认 province）")
        parser.add_argument("--enterprises", type=int, default=None, help="生成该数量的模拟企业（每家三年数据）")
        parser.add_argument("--platforms", type=int, default=None,
                            help="生成该数量的模拟创新平台（每个平台五年绩效评价表，并逐年评定）")
        parser.add_argument("--vouchers", type=int, default=None, help="生成该数量的模拟创新券申请（五年，分批兑付）")
        parser.add_argument("--projects", type=int, default=None, help="生成该数量的模拟科技计划项目（五年，含拨付）")
        parser.add_argument("--seed", type=int, default=2027)

    def handle(self, *args, **options):
        from core import jobs

        with jobs.threaded_jobs_inline():  # the feeds of generated certificates run before the command ends
            self._generate(options)

    def _generate(self, options):
        started = time.perf_counter()
        if options["enterprises"]:
            from enterprises.services.generate import generate_enterprises

            made = generate_enterprises(options["enterprises"], seed=options["seed"], progress=self.stdout.write)
            self.stdout.write(self.style.SUCCESS(
                f"已生成 {made} 家模拟企业（{made * 3} 条年度数据），用时 {time.perf_counter() - started:.0f} 秒"))
        if options["platforms"]:
            from platforms.services.generate import generate_platforms

            made = generate_platforms(options["platforms"], seed=options["seed"], progress=self.stdout.write)
            self.stdout.write(self.style.SUCCESS(
                f"已生成 {made['platforms']} 个模拟平台（{made['tables']} 张评价表），"
                f"用时 {time.perf_counter() - started:.0f} 秒"))
        if options["vouchers"]:
            from vouchers.services.generate import generate_vouchers

            made = generate_vouchers(options["vouchers"], seed_value=options["seed"], progress=self.stdout.write)
            self.stdout.write(self.style.SUCCESS(
                f"已生成 {made['claims']} 项模拟创新券申请（{made['batches']} 个批次），"
                f"用时 {time.perf_counter() - started:.0f} 秒"))
        if options["projects"]:
            from projects.services.generate import generate_projects

            made = generate_projects(options["projects"], seed_value=options["seed"], progress=self.stdout.write)
            self.stdout.write(self.style.SUCCESS(
                f"已生成 {made['projects']} 个模拟科技计划项目（{made['calls']} 个指南），"
                f"用时 {time.perf_counter() - started:.0f} 秒"))
        if any(options[k] for k in ("enterprises", "platforms", "vouchers", "projects")) and not options["scale"]:
            return
        result = generate(options["scale"] or "province", seed=options["seed"], progress=self.stdout.write)
        refresh_statistics()
        self.stdout.write(self.style.SUCCESS(
            f"已生成：{result['plans']} 个规划，{result['counties']} 个县，{result['towns']} 个镇街道，"
            f"{result['values']} 条指标数据，用时 {time.perf_counter() - started:.0f} 秒"))
