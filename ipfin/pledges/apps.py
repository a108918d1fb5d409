import importlib.util

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "ipfin.pledges"
    label = "pledges"
    verbose_name = _("Pledges")

    def ready(self) -> None:
        from ipfin.accounts.choices import Role
        from ipfin.pledges import selectors  # noqa: F401  (registers visibility functions)

        parties = [Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF, Role.LOAN_OFFICER, Role.APPROVER, Role.BRANCH_HEAD,
                   Role.FUND_OFFICER, Role.CLERK, Role.LEADER, Role.SUPERVISOR, Role.PLATFORM_ADMIN]
        if importlib.util.find_spec("ipfin.web.context") is not None:
            from ipfin.web.context import register_nav_item

            register_nav_item("pledges.list", _("Pledge registrations"), url_name="pledges:list", roles=parties,
                              order=60)
            register_nav_item("pledges.queue", _("Registration queue"), url_name="pledges:queue",
                              roles=[Role.CLERK, Role.LEADER], order=61)
        if importlib.util.find_spec("ipfin.web.dashboard") is not None:
            from ipfin.pledges.selectors import count_due
            from ipfin.web.dashboard import register_card

            register_card("pledges.registrations_due", _("Pledge registrations awaiting the IP office"),
                          roles=[Role.LOAN_OFFICER, Role.APPROVER, Role.BRANCH_HEAD, Role.CLERK, Role.LEADER,
                                 Role.PLATFORM_ADMIN],
                          count=count_due, url_name="pledges:list", order=300)
