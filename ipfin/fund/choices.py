"""Choices of the compensation-fund models (glossary: 风险补偿资金 / 合作机构)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FundStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class CooperationStatus(models.TextChoices):
    """A cooperating institution's standing with one fund (BT-9, BT-13, BT-22)."""

    ADMITTED = "admitted", _("Admitted")
    WARNED = "warned", _("Warned")
    SUSPENDED = "suspended", _("Suspended")
    REMOVED = "removed", _("Removed")


COOPERATION_ALLOWED: dict[str, frozenset[str]] = {
    CooperationStatus.ADMITTED: frozenset({CooperationStatus.WARNED, CooperationStatus.SUSPENDED,
                                           CooperationStatus.REMOVED}),
    CooperationStatus.WARNED: frozenset({CooperationStatus.ADMITTED, CooperationStatus.SUSPENDED,
                                         CooperationStatus.REMOVED}),
    CooperationStatus.SUSPENDED: frozenset({CooperationStatus.ADMITTED, CooperationStatus.WARNED,
                                            CooperationStatus.REMOVED}),
    CooperationStatus.REMOVED: frozenset(),
}
