import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from core.errors import BusinessError
from core.models import Region
from enterprises.services.screening import screen_now


class Command(BaseCommand):
    help = "用认定规则对区域内全部企业做批量评测并保存每家企业的结果，随后更新培育库"

    def add_arguments(self, parser):
        parser.add_argument("--ruleset", required=True, help="规则编码，如 hitech、tech_sme")
        parser.add_argument("--date", required=True, help="评测日期 YYYY-MM-DD")
        parser.add_argument("--region", default=None, help="区划代码（默认：全部企业所在的最高级区划）")

    def handle(self, *args, **options):
        try:
            on = datetime.date.fromisoformat(options["date"])
        except ValueError as exc:
            raise CommandError("日期应写作YYYY-MM-DD") from exc
        region = (Region.objects.filter(code=options["region"]).first() if options["region"]
                  else Region.objects.filter(parent__isnull=True, enterprises__isnull=True).order_by("code").first())
        if options["region"] and region is None:
            raise CommandError("未知区划")
        region = region or Region.objects.filter(parent__isnull=True).order_by("code").first()
        started = time.perf_counter()
        last = [0.0]

        def progress(done, total):
            if time.perf_counter() - last[0] > 2 or done == total:
                last[0] = time.perf_counter()
                self.stdout.write(f"{done}/{total}")

        try:
            screening = screen_now(user=None, ruleset=options["ruleset"], on=on, region=region, progress=progress)
        except BusinessError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"{screening.ruleset.name}：评测 {screening.total} 家，达标 {screening.eligible} 家，资料不全 "
            f"{screening.incomplete} 家，用时 {time.perf_counter() - started:.1f} 秒（评测编号 {screening.pk}）"))
