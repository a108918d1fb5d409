from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicingConfig(AppConfig):
    name = "ipfin.servicing"
    label = "servicing"
    verbose_name = _("Servicing")

    def ready(self) -> None:
        import importlib.util

        if importlib.util.find_spec("ipfin.servicing.selectors") is not None:
            from ipfin.servicing import selectors  # noqa: F401  (registers visibility functions)
