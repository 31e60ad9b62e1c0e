from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("基础")

    def ready(self):
        from core import navigation
        from core.registrations import register
        from core.roles import Role

        register()
        navigation.register(_("接口文档"), "api-docs", {Role.BUREAU_ADMIN}, order=90, group=_("系统管理"))
