"""Everything projects registers with core when the app is ready: registry entries, menu, the task page's
立项 card, demo step."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register_all() -> None:
    from core import navigation, sections
    from core.demo import register_demo_step
    from core.roles import Role
    from projects import queries, registrations
    from projects.apps import GROUP

    registrations.register()
    navigation.register(_("项目工作台"), "projects:workbench", {Role.BUREAU_ADMIN, Role.LEADER, Role.ENTERPRISE},
                        order=78, group=GROUP)
    sections.register("task-detail", queries.task_section)

    def demo(admin, today):
        from projects.services.demo import load_demo

        return load_demo(admin, today)

    register_demo_step(55, demo)
