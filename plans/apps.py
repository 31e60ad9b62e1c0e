from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("规划与指标监测")

    def ready(self):
        from core import navigation
        from core.roles import Role

        readers = {Role.BUREAU_ADMIN, Role.LEADER, Role.UNIT_REPORTER, Role.TOWN_REPORTER}
        navigation.register(_("驾驶舱"), "plans:go", readers, order=10)
        navigation.register(_("规划"), "plans:plan-list", readers, order=20)
        navigation.register(_("数据填报"), "plans:report-go",
                            {Role.BUREAU_ADMIN, Role.UNIT_REPORTER, Role.TOWN_REPORTER}, order=30)
        navigation.register(_("审核"), "plans:review-go", {Role.BUREAU_ADMIN}, order=40)
        navigation.register(_("指标数据"), "plans:value-list", readers, order=50)
