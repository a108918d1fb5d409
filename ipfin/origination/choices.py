"""Application and contract states (glossary: 贷款申请 / 借款合同) with their transition tables."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("application status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("application status", "Submitted")
    COMPLETE = "complete", pgettext_lazy("application status", "Complete")
    UNDER_REVIEW = "under_review", pgettext_lazy("application status", "Under review")
    RETURNED = "returned", pgettext_lazy("application status", "Returned for more documents")
    APPROVED = "approved", pgettext_lazy("application status", "Approved")
    REJECTED = "rejected", pgettext_lazy("application status", "Rejected")
    CONTRACT_SIGNED = "contract_signed", pgettext_lazy("application status", "Contract signed")
    PLEDGE_REGISTERED = "pledge_registered", pgettext_lazy("application status", "Pledge registered")
    DISBURSED = "disbursed", pgettext_lazy("application status", "Disbursed")
    WITHDRAWN = "withdrawn", pgettext_lazy("application status", "Withdrawn")
    EXPIRED = "expired", pgettext_lazy("application status", "Expired")


S = ApplicationStatus
APPLICATION_ALLOWED: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.COMPLETE, S.RETURNED, S.WITHDRAWN}),
    S.COMPLETE: frozenset({S.UNDER_REVIEW, S.RETURNED, S.WITHDRAWN}),
    S.UNDER_REVIEW: frozenset({S.APPROVED, S.REJECTED, S.RETURNED, S.WITHDRAWN}),
    S.RETURNED: frozenset({S.SUBMITTED, S.WITHDRAWN, S.EXPIRED}),
    S.APPROVED: frozenset({S.CONTRACT_SIGNED, S.WITHDRAWN, S.EXPIRED}),
    S.CONTRACT_SIGNED: frozenset({S.PLEDGE_REGISTERED, S.WITHDRAWN}),
    S.PLEDGE_REGISTERED: frozenset({S.DISBURSED}),
    S.DISBURSED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.EXPIRED: frozenset(),
}

# States in which the applicant's bundle is reserved (cannot be offered in another application).
OPEN_STATES: frozenset[str] = frozenset({S.SUBMITTED, S.COMPLETE, S.UNDER_REVIEW, S.RETURNED, S.APPROVED,
                                         S.CONTRACT_SIGNED, S.PLEDGE_REGISTERED})
# States in which the decision clock (PZA-2.2.1b) runs.
DECISION_CLOCK_STATES: frozenset[str] = frozenset({S.COMPLETE, S.UNDER_REVIEW})


class CheckStage(models.TextChoices):
    SUBMIT = "submit", _("On submission")
    APPROVE = "approve", _("On approval")


class CheckOutcome(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class SlaState(models.TextChoices):
    ON_TIME = "on_time", _("On time")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")
    CALENDAR_NOT_PUBLISHED = "calendar_not_published", _("Calendar not published")


class DocumentKind(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", _("Business licence")
    FINANCIAL_STATEMENT = "financial_statement", _("Financial statements")
    IP_CERTIFICATE = "ip_certificate", _("IP certificate")
    CO_OWNER_CONSENT = "co_owner_consent", _("Co-owners' consent")
    VALUATION_REPORT = "valuation_report", _("Valuation report")
    OTHER = "other", _("Other")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    CANCELLED = "cancelled", _("Cancelled")


CONTRACT_ALLOWED: dict[str, frozenset[str]] = {
    ContractStatus.DRAFT: frozenset({ContractStatus.SIGNED, ContractStatus.CANCELLED}),
    ContractStatus.SIGNED: frozenset({ContractStatus.CANCELLED}),
    ContractStatus.CANCELLED: frozenset(),
}
