from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, restore


class Command(BaseCommand):
    help = "从 kechuang backup 生成的 .zip 恢复：清空当前数据库后载入全部数据，并恢复上传、生成的文件"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--yes", action="store_true", help="确认清空当前数据")

    def handle(self, *args, **options):
        if not options["yes"]:
            raise CommandError("恢复会清空当前数据库，请确认后加 --yes 再执行")
        try:
            manifest = restore(Path(options["path"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"已恢复：{sum(manifest['counts'].values())} 条记录，{len(manifest['files'])} 个文件，记录数与备份一致"))
