from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "ipfin.web"
    label = "web"
    verbose_name = _("Web UI")

    def ready(self) -> None:
        from ipfin.web import cards

        cards.register()
