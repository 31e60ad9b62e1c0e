from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

GROUP = _("企业培育")


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = _("科技企业梯队培育")

    def ready(self):
        from core import navigation
        from core.roles import Role

        bureau = {Role.BUREAU_ADMIN, Role.LEADER}
        navigation.register(_("企业"), "enterprises:enterprise-list", bureau, order=60, group=GROUP)
        navigation.register(_("梯队"), "enterprises:ladder", bureau, order=61, group=GROUP)
        navigation.register(_("培育库"), "enterprises:pool-list", bureau, order=62, group=GROUP)
        navigation.register(_("认定规则"), "enterprises:ruleset-list", {Role.BUREAU_ADMIN}, order=63, group=GROUP)
        from django.urls import reverse

        from core import search
        from core.demo import register_demo_step
        from enterprises.models import Enterprise

        search.register(search.Provider(_("企业"), lambda user: Enterprise.objects.restrict(user),
                                        ("name", "uscc"), lambda e: reverse("enterprises:portrait", args=[e.uscc]),
                                        lambda e: f"{e.name}（{e.uscc}）"))
        register_demo_step(30, _demo)
        import enterprises.services.imports  # noqa: F401 — registers the importers that large uploads queue
        import enterprises.services.screening  # noqa: F401 — registers the screening job handler
        from enterprises import feeds

        feeds.register()
        navigation.register_home(Role.ENTERPRISE, "enterprises:mine")
        from enterprises.registrations import register

        register()
        navigation.register(_("我的企业"), "enterprises:mine", {Role.ENTERPRISE}, order=5)


def _demo(admin, today) -> str:
    from enterprises.services.demo import load_demo_enterprises
    from enterprises.services.demo_review import load_demo_review

    firms = load_demo_enterprises(admin, today)
    assignments = load_demo_review(admin, today)
    return f"演示企业 {firms} 家，演示评审任务 {assignments} 项"
