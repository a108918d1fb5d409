from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ipfin.core.dates import business_date

if TYPE_CHECKING:
    from ipfin.accounts.models import User


def count_overdue_loans(user: User) -> int:
    """Active loans with any day past due that the user may see (the bank's collection list)."""
    from ipfin.core.scoping import visible
    from ipfin.servicing.choices import LoanStatus
    from ipfin.servicing.models import Loan

    return visible(user, Loan).filter(status=LoanStatus.ACTIVE, days_past_due__gt=0).count()


def count_open_warnings(user: User) -> int:
    """Open and acknowledged risk warnings the user may see (read through the scoped selector)."""
    from ipfin.core.scoping import visible
    from ipfin.servicing.models import RiskWarning
    from ipfin.servicing.views import OPEN_WARNING_STATES

    return visible(user, RiskWarning).filter(status__in=OPEN_WARNING_STATES).count()


def count_npl_breaches(user: User) -> int:
    """Banks in the user's scope whose IP pledge NPL ratio breaches XT-10 or PZA-3.乙2 today."""

    from ipfin.servicing import selectors

    return sum(1 for row in selectors.npl_overview(user, business_date()) if row.xt10_breach or row.pza_breach)


class ServicingConfig(AppConfig):
    name = "ipfin.servicing"
    label = "servicing"
    verbose_name = _("Servicing")

    def ready(self) -> None:
        import importlib.util

        if importlib.util.find_spec("ipfin.servicing.selectors") is not None:
            from ipfin.servicing import selectors  # noqa: F401  (registers visibility functions)

        register_cards()
        register_nav_items()


def register_cards() -> None:
    """Dashboard cards of the servicing pages: a bank's overdue loans and open warnings (also a fund manager's),
    the regulator's and IP office's NPL tolerance breaches."""
    from ipfin.servicing.views import AUTHORITY_ROLES, BANK_ROLES, WARNING_HANDLER_ROLES
    from ipfin.web.dashboard import register_card

    register_card("servicing.overdue_loans", _("Loans overdue"), roles=BANK_ROLES, count=count_overdue_loans,
                  url_name="servicing:loans", order=400)
    register_card("servicing.open_warnings", _("Open risk warnings"), roles=WARNING_HANDLER_ROLES,
                  count=count_open_warnings, url_name="servicing:warnings", order=410)
    register_card("servicing.npl_breaches", _("Banks over NPL tolerance"), roles=AUTHORITY_ROLES,
                  count=count_npl_breaches, url_name="servicing:npl", order=420)


def register_nav_items() -> None:
    from ipfin.accounts.choices import Role
    from ipfin.servicing.views import AUTHORITY_ROLES, LOAN_BOOK_ROLES, NPL_ENTRY_ROLES, WARNING_LIST_ROLES
    from ipfin.web.context import register_nav_item

    register_nav_item("servicing.loans", _("Loan book"), url_name="servicing:loans", roles=LOAN_BOOK_ROLES,
                      order=70)
    register_nav_item("servicing.warnings", _("Risk warnings"), url_name="servicing:warnings",
                      roles=WARNING_LIST_ROLES, order=72)
    register_nav_item("servicing.npl", _("NPL monitoring"), url_name="servicing:npl",
                      roles=[*AUTHORITY_ROLES, *NPL_ENTRY_ROLES, Role.PLATFORM_ADMIN], order=74)
