"""Everything vouchers registers with core when the app is ready: registry entries, menu, search, demo step."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register_all() -> None:
    from core import navigation
    from core.demo import register_demo_step
    from core.roles import Role
    from vouchers import registrations
    from vouchers.apps import GROUP

    registrations.register()
    navigation.register(_("创新券工作台"), "vouchers:workbench", {Role.BUREAU_ADMIN, Role.LEADER, Role.ENTERPRISE},
                        order=70, group=GROUP)

    def demo(admin, today):
        from vouchers.services.demo import load_demo

        return load_demo(admin, today)

    register_demo_step(50, demo)
