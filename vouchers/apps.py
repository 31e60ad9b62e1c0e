from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

GROUP = _("创新券")


class VouchersConfig(AppConfig):
    name = "vouchers"
    verbose_name = _("创新券")

    def ready(self):
        from vouchers import setup

        setup.register_all()
