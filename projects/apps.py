from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

GROUP = _("科技计划项目")


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("科技计划项目")

    def ready(self):
        from projects import setup

        setup.register_all()
