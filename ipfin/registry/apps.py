import importlib.util

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "ipfin.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from ipfin.registry import selectors  # noqa: F401  (registers visibility functions)

        # Dashboard cards, when the web app provides the registry of cards.
        if importlib.util.find_spec("ipfin.web.dashboard") is not None:
            from ipfin.registry.dashboard import register_cards

            register_cards()
