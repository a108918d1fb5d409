from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OriginationConfig(AppConfig):
    name = "ipfin.origination"
    label = "origination"
    verbose_name = _("Origination")

    def ready(self) -> None:
        import importlib.util

        if importlib.util.find_spec("ipfin.origination.selectors") is not None:
            from ipfin.origination import selectors  # noqa: F401  (registers visibility functions)

        # Navigation entries and dashboard cards of the origination pages.
        from ipfin.origination.dashboard import register_cards, register_nav_items

        register_cards()
        register_nav_items()
