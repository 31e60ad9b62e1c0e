from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = _("科技企业梯队培育")

    def ready(self):
        from core import navigation
        from core.roles import Role

        bureau = {Role.BUREAU_ADMIN, Role.LEADER}
        navigation.register(_("企业"), "enterprises:enterprise-list", bureau, order=60)
        navigation.register(_("梯队"), "enterprises:ladder", bureau, order=61)
        navigation.register(_("培育库"), "enterprises:pool-list", bureau, order=62)
        navigation.register(_("认定规则"), "enterprises:ruleset-list", {Role.BUREAU_ADMIN}, order=63)
        navigation.register(_("我的企业"), "enterprises:mine", {Role.ENTERPRISE}, order=5)
