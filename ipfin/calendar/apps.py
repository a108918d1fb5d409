from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarConfig(AppConfig):
    name = "ipfin.calendar"
    label = "ipfin_calendar"
    verbose_name = _("Working-day calendar and LPR")

    def ready(self) -> None:
        from ipfin.calendar import selectors  # noqa: F401  (registers visibility functions)
