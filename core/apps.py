from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("基础")

    def ready(self):
        from core import navigation
        from core.roles import Role

        navigation.register(_("组织单位"), "orgunit-list", {Role.BUREAU_ADMIN, Role.LEADER}, order=80)
        navigation.register(_("接口文档"), "api-docs", {Role.BUREAU_ADMIN}, order=90)
