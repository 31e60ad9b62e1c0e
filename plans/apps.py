from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

GROUP = _("规划监测")


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("规划与指标监测")

    def ready(self):
        from core import navigation
        from core.roles import Role

        readers = {Role.BUREAU_ADMIN, Role.LEADER, Role.UNIT_REPORTER, Role.TOWN_REPORTER}
        # The menu links to redirecting addresses; the pages they land on are named so the entry lights up.
        navigation.register(_("驾驶舱"), "plans:go", readers, order=10, group=GROUP,
                            pages={"plans:cockpit", "plans:indicator"})
        navigation.register(_("规划"), "plans:plan-list", readers, order=20, group=GROUP)
        navigation.register(_("数据填报"), "plans:report-go",
                            {Role.BUREAU_ADMIN, Role.UNIT_REPORTER, Role.TOWN_REPORTER}, order=30, group=GROUP,
                            pages={"plans:report", "plans:import"})
        navigation.register(_("审核"), "plans:review-go", {Role.BUREAU_ADMIN}, order=40, group=GROUP,
                            pages={"plans:review"})
        from django.urls import reverse

        from core import search
        from core.demo import register_demo_step
        from plans.models import Indicator, Plan

        search.register(search.Provider(_("规划"), lambda user: Plan.objects.restrict(user), ("name", "code"),
                                        lambda p: reverse("plans:plan-detail", args=[p.code])))
        search.register(search.Provider(
            _("指标"), lambda user: Indicator.objects.restrict(user).select_related("plan"), ("name", "code"),
            lambda i: reverse("plans:indicator", args=[i.plan.code, i.code]), lambda i: f"{i.name}（{i.plan.name}）"))
        register_demo_step(10, _demo)
        import plans.services.feeds  # noqa: F401 — registers the job that feeds bound indicators
        for home_of in (Role.BUREAU_ADMIN, Role.LEADER, Role.SYSADMIN):
            navigation.register_home(home_of, "plans:go")
        navigation.register_home(Role.TOWN_REPORTER, "plans:report-go")
        navigation.register_home_rule(_region_home)
        navigation.register(_("地区比较"), "plans:region-go", {Role.BUREAU_ADMIN, Role.LEADER}, order=15,
                            group=GROUP)
        from plans.registrations import register

        register()
        from plans import caching

        caching.connect()
        navigation.register(_("指标数据"), "plans:value-list", readers, order=50, group=GROUP)


def _region_home(user) -> str | None:
    from plans.region_queries import compares_counties

    return "plans:region-go" if compares_counties(user) else None


def _demo(admin, today) -> str:
    from plans.services.common import load_catalogue, load_demo_figures
    from plans.services.demo import load_demo_towns
    from plans.services.seed import load_plans

    plans = load_plans(admin)
    values = sum(load_demo_towns(admin, plan) for plan in plans)
    catalogue = load_catalogue(admin)
    values += load_demo_figures(admin)
    return f"规划 {len(plans)} 个，通用指标 {len(catalogue)} 项，新增演示数据 {values} 条"
