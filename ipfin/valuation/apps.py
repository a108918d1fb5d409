from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ValuationConfig(AppConfig):
    name = "ipfin.valuation"
    label = "valuation"
    verbose_name = _("Valuation")

    def ready(self) -> None:
        from ipfin.valuation import selectors  # noqa: F401  (registers the visibility functions)
