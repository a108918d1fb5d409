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
