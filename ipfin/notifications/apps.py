from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "ipfin.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        import importlib.util

        if importlib.util.find_spec("ipfin.notifications.selectors") is not None:
            from ipfin.notifications import selectors  # noqa: F401  (registers visibility functions)
