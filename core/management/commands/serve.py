from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "在 http://127.0.0.1:8000 上运行站点（演示与单机使用；生产环境请用 gunicorn 等 WSGI 服务器）"

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, **options):
        call_command("runserver", options["addrport"], use_reloader=False)
