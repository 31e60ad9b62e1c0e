"""Everything platforms registers with core when the app is ready: registry entries, menu, search, feeds,
demo step."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register_all() -> None:
    from django.urls import reverse

    from core import navigation, search, sections
    from core.demo import register_demo_step
    from core.roles import Role
    from platforms import coverage, registrations
    from platforms.apps import GROUP
    from platforms.models import Platform

    registrations.register()
    readers = {Role.BUREAU_ADMIN, Role.LEADER}
    navigation.register(_("平台概览"), "platforms:overview", readers, order=65, group=GROUP)
    navigation.register(_("绩效排名"), "platforms:ranking", readers | {Role.INSTITUTION}, order=66, group=GROUP)
    navigation.register(_("研发中心达标即准"), "platforms:recognition", {Role.BUREAU_ADMIN}, order=69, group=GROUP)
    search.register(search.Provider(_("创新平台"), lambda user: Platform.objects.restrict(user), ("name", "code"),
                                    lambda p: reverse("platforms:platform", args=[p.code]),
                                    lambda p: f"{p.name}（{p.get_kind_display()}）"))
    coverage.register_feeds()
    from platforms import feeds
    from platforms.services.demo import seed

    feeds.register_feeds(seed()["template"]["indicators"])
    sections.register("enterprise-portrait", portrait_section)
    navigation.register_home(Role.INSTITUTION, "registry:platforms-list")

    def demo(admin, today):
        from platforms.services.demo import load_demo

        return load_demo(admin, today)

    register_demo_step(40, demo)


def portrait_section(user, firm):
    """The enterprise portrait's 研发机构 card: the firm's own R&D institutions, as the registry holds them."""
    from django.urls import reverse

    from core.sections import Row, Section
    from platforms.queries import enterprise_institutions

    rows = [Row(p.name, f"{p.get_kind_display()} · {p.get_level_display()}"
                        f"{' · ' + p.recognised_on.isoformat() if p.recognised_on else ''}",
                reverse("platforms:platform", args=[p.code])) for p in enterprise_institutions(firm.uscc)]
    return Section(str(_("研发机构")), rows, empty=str(_("暂无研发机构")))
