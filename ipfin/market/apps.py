from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    name = "ipfin.market"
    label = "market"
    verbose_name = _("Market")

    def ready(self) -> None:
        from ipfin.accounts.choices import Role
        from ipfin.core.scoping import visible
        from ipfin.market import selectors  # noqa: F401  (registers visibility functions)
        from ipfin.market.choices import ProductStatus
        from ipfin.market.models import CreditPlan, Product
        from ipfin.web.context import register_nav_item
        from ipfin.web.dashboard import register_card

        bank_and_authorities = [Role.LOAN_OFFICER, Role.APPROVER, Role.BRANCH_HEAD, Role.CLERK, Role.LEADER,
                                Role.SUPERVISOR, Role.FUND_OFFICER, Role.PLATFORM_ADMIN]
        register_nav_item("market.offers", _("Loan products on offer"), url_name="market:offers",
                          roles=[Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF], order=45)
        register_nav_item("market.products", _("Loan products"), url_name="market:products",
                          roles=bank_and_authorities, order=46)
        register_card("market.products_on_offer", _("Loan products on offer"),
                      roles=[Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF],
                      count=lambda user: visible(user, Product).filter(status=ProductStatus.ACTIVE).count(),
                      url_name="market:offers", order=300)
        register_card("market.credit_plans", _("Credit plans"), roles=bank_and_authorities,
                      count=lambda user: visible(user, CreditPlan).count(), url_name="market:plans", order=310)
