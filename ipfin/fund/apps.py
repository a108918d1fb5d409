from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundConfig(AppConfig):
    name = "ipfin.fund"
    label = "fund"
    verbose_name = _("Fund")

    def ready(self) -> None:
        import importlib.util

        if importlib.util.find_spec("ipfin.fund.selectors") is not None:
            from ipfin.fund import selectors  # noqa: F401  (registers visibility functions)
