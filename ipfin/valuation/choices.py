"""Choices of the valuation models (English identifiers from the glossary; Chinese labels in locale/)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ipfin.domain.valuation.route import ValuationSource as DomainSource


class ValuationSource(models.TextChoices):
    INTERNAL_MODEL = DomainSource.INTERNAL_MODEL.value, _("Internal model")
    NEGOTIATED = DomainSource.NEGOTIATED.value, _("Negotiated value")
    THIRD_PARTY_APPRAISAL = DomainSource.THIRD_PARTY_APPRAISAL.value, _("Third-party appraisal")


class ValuationTrigger(models.TextChoices):
    MANUAL = "manual", _("On request")
    LEGAL_STATUS_EVENT = "legal_status_event", _("Legal-status event")
    PERIODIC = "periodic", _("Periodic revaluation")
    APPRAISAL = "appraisal", _("Appraisal report")
    NEGOTIATION = "negotiation", _("Negotiation")


class AdmissionStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ADMITTED = "admitted", _("Admitted")
    SUSPENDED = "suspended", _("Suspended")
    REMOVED = "removed", _("Removed")


class AppraiserRating(models.TextChoices):
    AAA = "AAA", "AAA"
    AA = "AA", "AA"
    A = "A", "A"
    B = "B", "B"
    UNRATED = "unrated", _("Unrated")


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    REPORTED = "reported", _("Report delivered")
    CANCELLED = "cancelled", _("Cancelled")


ADMISSION_ALLOWED: dict[str, frozenset[str]] = {
    AdmissionStatus.APPLIED: frozenset({AdmissionStatus.ADMITTED, AdmissionStatus.REMOVED}),
    AdmissionStatus.ADMITTED: frozenset({AdmissionStatus.SUSPENDED, AdmissionStatus.REMOVED}),
    AdmissionStatus.SUSPENDED: frozenset({AdmissionStatus.ADMITTED, AdmissionStatus.REMOVED}),
    AdmissionStatus.REMOVED: frozenset(),
}

REQUEST_ALLOWED: dict[str, frozenset[str]] = {
    RequestStatus.REQUESTED: frozenset({RequestStatus.ACCEPTED, RequestStatus.DECLINED, RequestStatus.CANCELLED}),
    RequestStatus.ACCEPTED: frozenset({RequestStatus.REPORTED, RequestStatus.CANCELLED}),
    RequestStatus.DECLINED: frozenset(),
    RequestStatus.REPORTED: frozenset(),
    RequestStatus.CANCELLED: frozenset(),
}
