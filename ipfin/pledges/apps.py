from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "ipfin.pledges"
    label = "pledges"
    verbose_name = _("Pledges")

    def ready(self) -> None:
        import importlib.util

        if importlib.util.find_spec("ipfin.pledges.selectors") is not None:
            from ipfin.pledges import selectors  # noqa: F401  (registers visibility functions)
