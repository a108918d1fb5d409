"""Pledge registration states (glossary: 质押登记) and the registry's refusal grounds."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RegistrationStatus(models.TextChoices):
    FILED = "filed", pgettext_lazy("pledge registration status", "Filed")
    REGISTERED = "registered", pgettext_lazy("pledge registration status", "Registered")
    REJECTED = "rejected", pgettext_lazy("pledge registration status", "Rejected")
    CHANGED = "changed", pgettext_lazy("pledge registration status", "Changed")
    RELEASED = "released", pgettext_lazy("pledge registration status", "Released")
    # The bank's filing closed undecided because the loan application was withdrawn (origination).
    WITHDRAWN = "withdrawn", pgettext_lazy("pledge registration status", "Withdrawn")


R = RegistrationStatus
REGISTRATION_ALLOWED: dict[str, frozenset[str]] = {
    R.FILED: frozenset({R.REGISTERED, R.REJECTED, R.WITHDRAWN}),
    R.REGISTERED: frozenset({R.CHANGED, R.RELEASED}),
    R.CHANGED: frozenset({R.CHANGED, R.RELEASED}),
    R.REJECTED: frozenset(),
    R.RELEASED: frozenset(),
    R.WITHDRAWN: frozenset(),
}
# A pledge in these states encumbers its assets.
ENCUMBERING_STATES: frozenset[str] = frozenset({R.REGISTERED, R.CHANGED})


class RefusalGround(models.TextChoices):
    """Grounds on which the registry refuses a pledge registration (专利权质押登记办法 第十二条 in spirit)."""

    UNPAID_FEES = "unpaid_fees", _("Annual fees unpaid")
    ALREADY_PLEDGED = "already_pledged", _("Already pledged")
    TERM_BEYOND_IP_TERM = "term_beyond_ip_term", _("Loan term beyond the IP's term")
    NOT_IN_FORCE = "not_in_force", _("Right not in force")
    OWNERSHIP_DISPUTE = "ownership_dispute", _("Ownership in dispute or frozen")
    PLEDGOR_NOT_OWNER = "pledgor_not_owner", _("Pledgor is not the right holder")
    CO_OWNER_CONSENT_MISSING = "co_owner_consent_missing", _("Co-owners' consent missing")
    INCOMPLETE_DOCUMENTS = "incomplete_documents", _("Documents incomplete")
    OTHER = "other", _("Other")


class ChangeKind(models.TextChoices):
    SECURED_AMOUNT = "secured_amount", pgettext_lazy("pledge change", "Secured amount")
    TERM = "term", pgettext_lazy("pledge change", "Term")
    PARTY_NAME = "party_name", pgettext_lazy("pledge change", "Party name")
    OTHER = "other", pgettext_lazy("pledge change", "Other")
