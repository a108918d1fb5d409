"""Choices of the compensation-fund models (glossary: 风险补偿资金 / 合作机构)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class FundStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("fund status", "Open")
    CLOSED = "closed", pgettext_lazy("fund status", "Closed")


class CooperationStatus(models.TextChoices):
    """A cooperating institution's standing with one fund (BT-9, BT-13, BT-22)."""

    ADMITTED = "admitted", pgettext_lazy("fund cooperation", "Admitted")
    WARNED = "warned", pgettext_lazy("fund cooperation", "Warned")
    SUSPENDED = "suspended", pgettext_lazy("fund cooperation", "Suspended")
    REMOVED = "removed", pgettext_lazy("fund cooperation", "Removed")


COOPERATION_ALLOWED: dict[str, frozenset[str]] = {
    CooperationStatus.ADMITTED: frozenset({CooperationStatus.WARNED, CooperationStatus.SUSPENDED,
                                           CooperationStatus.REMOVED}),
    CooperationStatus.WARNED: frozenset({CooperationStatus.ADMITTED, CooperationStatus.SUSPENDED,
                                         CooperationStatus.REMOVED}),
    CooperationStatus.SUSPENDED: frozenset({CooperationStatus.ADMITTED, CooperationStatus.WARNED,
                                            CooperationStatus.REMOVED}),
    CooperationStatus.REMOVED: frozenset(),
}


class EntryKind(models.TextChoices):
    """What a journal entry (记账凭证) records; mirrors :class:`ipfin.domain.fund.ledger.Event`."""

    CONTRIBUTION = "contribution", pgettext_lazy("journal entry", "Contribution")
    INTEREST = "interest", pgettext_lazy("journal entry", "Interest income")
    CLAIM_APPROVED = "claim_approved", pgettext_lazy("journal entry", "Compensation approved")
    PAYOUT = "payout", pgettext_lazy("journal entry", "Compensation paid")
    COMPENSATION_REFUND = "compensation_refund", pgettext_lazy("journal entry", "Compensation refunded")
    RECOVERY_SHARE_DUE = "recovery_share_due", pgettext_lazy("journal entry", "Recovery share due")
    RECOVERY_SHARE_RECEIVED = "recovery_share_received", pgettext_lazy("journal entry", "Recovery share received")
    MANAGEMENT_FEE = "management_fee", pgettext_lazy("journal entry", "Management fee")
    TRANSFER = "transfer", pgettext_lazy("journal entry", "Transfer")
    CLOSING_RETURN = "closing_return", pgettext_lazy("journal entry", "Return to contributors")
    REVERSAL = "reversal", pgettext_lazy("journal entry", "Reversal")


# Entries a user may reverse directly; the others belong to a claim or a recovery and change with it.
REVERSIBLE_KINDS = frozenset({EntryKind.CONTRIBUTION, EntryKind.INTEREST, EntryKind.MANAGEMENT_FEE,
                              EntryKind.TRANSFER})


class ClaimState(models.TextChoices):
    """A compensation claim (补偿申请); the table is :data:`ipfin.domain.fund.claims.ALLOWED`."""

    FILED = "filed", pgettext_lazy("claim state", "Filed")
    VERIFIED = "verified", pgettext_lazy("claim state", "Verified")
    APPROVED = "approved", pgettext_lazy("claim state", "Approved")
    PAID = "paid", pgettext_lazy("claim state", "Paid")
    SETTLED = "settled", pgettext_lazy("claim state", "Settled")
    REJECTED = "rejected", pgettext_lazy("claim state", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("claim state", "Withdrawn")


class FilingKind(models.TextChoices):
    """BT-19: what the fund manager collects from a covered borrower."""

    QUARTERLY_STATEMENT = "quarterly_statement", pgettext_lazy("borrower filing", "Quarterly financial statement")
    ANNUAL_AUDIT = "annual_audit", pgettext_lazy("borrower filing", "Annual audit report")
    FUND_USE = "fund_use", pgettext_lazy("borrower filing", "Use of loan proceeds")


class NoticeKind(models.TextChoices):
    """A dated notice to a cooperating bank (BT-13): warning, suspension, or the leadership's lifting."""

    WARNING = "warning", pgettext_lazy("bank notice", "Warning")
    SUSPENSION = "suspension", pgettext_lazy("bank notice", "Suspension")
    LIFT = "lift", pgettext_lazy("bank notice", "Suspension lifted")
    REMOVAL = "removal", pgettext_lazy("bank notice", "Cooperation ended")
    REINSTATED = "reinstated", pgettext_lazy("bank notice", "Reinstated")
