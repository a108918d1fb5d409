from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ValuationConfig(AppConfig):
    name = "ipfin.valuation"
    label = "valuation"
    verbose_name = _("Valuation")

    def ready(self) -> None:
        from ipfin.accounts.choices import Role
        from ipfin.valuation import selectors  # noqa: F401  (registers the visibility functions)
        from ipfin.web.context import register_nav_item

        register_nav_item("valuation.queue", _("Valuation"), url_name="valuation:queue",
                          roles=[Role.APPRAISER, Role.EXPERT, Role.LOAN_OFFICER, Role.APPROVER, Role.BRANCH_HEAD,
                                 Role.PLATFORM_ADMIN], order=50)
