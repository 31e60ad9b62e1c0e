from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("重点工作督办")

    def ready(self):
        from core import navigation
        from core.roles import Role

        workers = {Role.BUREAU_ADMIN, Role.LEADER, Role.UNIT_REPORTER}
        navigation.register(_("督办看板"), "tasks:board-go", {Role.BUREAU_ADMIN, Role.LEADER}, order=34)
        navigation.register(_("重点工作"), "tasks:task-list", workers, order=35)
        navigation.register(_("我的任务"), "tasks:my-tasks", {Role.BUREAU_ADMIN, Role.UNIT_REPORTER}, order=36)
        navigation.register(_("进展报告"), "tasks:reports-go", {Role.BUREAU_ADMIN, Role.LEADER}, order=45)
