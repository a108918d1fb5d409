"""Loan states (glossary: 贷款). Issue 6 (servicing) extends these."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LoanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAID_OFF = "paid_off", _("Paid off")
    WRITTEN_OFF = "written_off", _("Written off")


LOAN_ALLOWED: dict[str, frozenset[str]] = {
    LoanStatus.ACTIVE: frozenset({LoanStatus.PAID_OFF, LoanStatus.WRITTEN_OFF}),
    LoanStatus.PAID_OFF: frozenset(),
    LoanStatus.WRITTEN_OFF: frozenset(),
}
