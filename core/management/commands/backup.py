from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.backup import backup


class Command(BaseCommand):
    help = "备份数据库全部数据和上传、生成的文件到一个 .zip（含记录数与文件校验清单）"

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="备份文件路径（默认 data/backups/kechuang-时间.zip）")

    def handle(self, *args, **options):
        from django.conf import settings

        default = Path(settings.DATA_DIR) / "backups" / f"kechuang-{timezone.localtime():%Y%m%d-%H%M%S}.zip"
        target = Path(options["path"] or default)
        if target.exists():
            raise CommandError(f"{target} 已存在，不覆盖")
        manifest = backup(target)
        self.stdout.write(self.style.SUCCESS(
            f"已备份到 {target}：{sum(manifest['counts'].values())} 条记录，{len(manifest['files'])} 个文件"))
