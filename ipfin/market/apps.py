from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    name = "ipfin.market"
    label = "market"
    verbose_name = _("Market")

    def ready(self) -> None:
        import importlib.util

        if importlib.util.find_spec("ipfin.market.selectors") is not None:
            from ipfin.market import selectors  # noqa: F401  (registers visibility functions)
