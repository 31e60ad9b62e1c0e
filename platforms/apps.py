from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

GROUP = _("创新平台")


class PlatformsConfig(AppConfig):
    name = "platforms"
    verbose_name = _("创新平台与绩效评价")

    def ready(self):
        from platforms import setup

        setup.register_all()
