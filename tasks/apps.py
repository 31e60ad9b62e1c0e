from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

GROUP = _("重点工作")


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("重点工作督办")

    def ready(self):
        from core import navigation
        from core.roles import Role

        workers = {Role.BUREAU_ADMIN, Role.LEADER, Role.UNIT_REPORTER}
        navigation.register(_("督办看板"), "tasks:board-go", {Role.BUREAU_ADMIN, Role.LEADER}, order=34, group=GROUP)
        navigation.register(_("重点工作"), "tasks:task-list", workers, order=35, group=GROUP)
        navigation.register(_("我的任务"), "tasks:my-tasks", {Role.BUREAU_ADMIN, Role.UNIT_REPORTER}, order=36, group=GROUP)
        from django.urls import reverse

        from core import search
        from core.demo import register_demo_step
        from tasks.models import KeyTask

        search.register(search.Provider(_("重点工作"), lambda user: KeyTask.objects.restrict(user),
                                        ("title", "code"), lambda t: reverse("tasks:task-detail", args=[t.code]),
                                        lambda t: f"{t.code} {t.title}"))
        register_demo_step(20, _demo)
        from plans.services import generate
        from tasks.services import generate as task_generate

        generate.register_extension(task_generate.fill, task_generate.clear)
        import tasks.reporting  # noqa: F401 — registers the report job handler
        navigation.register_home(Role.UNIT_REPORTER, "tasks:my-tasks")
        from tasks.registrations import register

        register()
        navigation.register(_("进展报告"), "tasks:reports-go", {Role.BUREAU_ADMIN, Role.LEADER}, order=45, group=GROUP)


def _demo(admin, today) -> str:
    from tasks.services.demo import load_demo_progress
    from tasks.services.seed import load_tasks

    tasks = load_tasks(admin)
    reports = load_demo_progress(admin, today)
    return f"重点任务 {len(tasks)} 项，演示进展 {reports} 条"
