from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("基础")

    def ready(self):
        from core import navigation, workflow
        from core.demo import register_demo_step
        from core.notify import notify_step
        from core.registrations import register
        from core.roles import Role

        register()
        register_demo_step(5, _demo)
        workflow.subscribe(notify_step)
        navigation.register(_("我的评审"), "review-mine", {Role.REVIEWER}, order=6)
        navigation.register(_("公示公告"), "gongshi-list", None, order=95)
        navigation.register_home(Role.REVIEWER, "review-mine")
        navigation.register(_("接口文档"), "api-docs", {Role.BUREAU_ADMIN}, order=90, group=_("系统管理"))


def _demo(admin, today) -> str:
    from core.funds import load_seed_entries

    load_seed_entries()
    return "资金兑现台账（来源文件汇总数）已载入"
