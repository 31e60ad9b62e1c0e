from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动后台任务进程（Celery worker），执行报告生成、批量评测、大文件导入等任务"

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=1, help="并行任务数（默认1）")
        parser.add_argument("--queues", default="celery", help="监听的队列，逗号分隔")

    def handle(self, *args, **options):
        from kechuang.celery import app

        app.worker_main(["worker", "--loglevel=INFO", f"--concurrency={options['concurrency']}",
                         f"--queues={options['queues']}", "--without-gossip", "--without-mingle"])
