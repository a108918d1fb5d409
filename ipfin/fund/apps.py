from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundConfig(AppConfig):
    name = "ipfin.fund"
    label = "fund"
    verbose_name = _("Fund")

    def ready(self) -> None:
        from ipfin.accounts.choices import Role
        from ipfin.fund import filings, selectors  # noqa: F401  (register visibility functions)
        from ipfin.web.context import register_nav_item

        register_nav_item("fund.funds", _("Compensation funds"), url_name="fund:funds",
                          roles=[Role.LOAN_OFFICER, Role.APPROVER, Role.BRANCH_HEAD, Role.GUARANTOR_OFFICER,
                                 Role.INSURER_OFFICER, Role.FUND_OFFICER, Role.CLERK, Role.LEADER, Role.SUPERVISOR,
                                 Role.PLATFORM_ADMIN], order=70)
        register_nav_item("fund.claims", _("Compensation claims"), url_name="fund:claims",
                          roles=[Role.LOAN_OFFICER, Role.APPROVER, Role.BRANCH_HEAD, Role.FUND_OFFICER, Role.CLERK,
                                 Role.LEADER, Role.SUPERVISOR, Role.PLATFORM_ADMIN], order=71)
        register_nav_item("fund.filings", _("Borrower filings"), url_name="fund:filings",
                          roles=[Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF, Role.LOAN_OFFICER, Role.APPROVER,
                                 Role.BRANCH_HEAD, Role.FUND_OFFICER, Role.LEADER, Role.PLATFORM_ADMIN], order=72)
