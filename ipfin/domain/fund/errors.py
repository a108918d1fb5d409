"""Typed errors of the compensation fund's domain (each with a stable ``code`` and a translatable message)."""

from __future__ import annotations

from ipfin.domain.errors import Conflict, InvalidInput, IpfinError, _


class UnbalancedPosting(InvalidInput):
    """A journal entry whose debits and credits differ (复式记账: 借贷必相等)."""

    code = "fund_unbalanced_posting"
    message_template = _("The posting does not balance: debits {debits} fen, credits {credits} fen.")


class InvalidPosting(InvalidInput):
    code = "fund_invalid_posting"
    message_template = _("Invalid posting: {reason}")


class InsufficientBalance(IpfinError):
    """A posting would take an account below zero (e.g. pay out more cash than the dedicated account holds)."""

    code = "fund_insufficient_balance"
    http_status = 409
    message_template = _("Account {account} would go negative: balance {balance} fen, posting {change} fen.")


class ManagementFeeCapExceeded(IpfinError):
    """BT-8.7: the fund manager's fees of one fund year may not exceed the cap."""

    code = "fund_management_fee_cap_exceeded"
    http_status = 409
    message_template = _(
        "Management fees of fund year {year_start}–{year_end} would reach {total} fen, above the cap of {cap} fen "
        "({clause})."
    )


class AlreadyReversed(Conflict):
    code = "fund_entry_already_reversed"
    message_template = _("Journal entry {entry} has already been reversed.")


class ClaimNotAllowed(IpfinError):
    """A compensation claim that the rules do not allow (not covered, not overdue long enough, a duplicate)."""

    code = "fund_claim_not_allowed"
    http_status = 409
    message_template = _("A claim cannot be filed: {reason} ({clause}).")


class InvalidRiskShares(InvalidInput):
    code = "fund_invalid_risk_shares"
    message_template = _("Risk shares must each lie between 0 and 1 and sum to 1 (PZP-3.4.2): {reason}")
