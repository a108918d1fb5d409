"""Valuation records, model versions, the appraiser register and appraisal requests.

PZA-2.1.1, PZA-2.1.2, SC-3, SC-4, PZP-3.4.2, PZP-3.7.1, XT-12. The maths is in
:mod:`ipfin.domain.valuation`; these models store its results. A :class:`Valuation` is immutable: a new
value is a new row, so the rows of an asset are its value history (the collateral-coverage check of
servicing reads the latest one on or before its date).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ipfin.accounts.models import Organisation
from ipfin.registry.models import IpAsset
from ipfin.valuation.choices import (
    AdmissionStatus,
    AppraiserRating,
    RequestStatus,
    ValuationSource,
    ValuationTrigger,
)


class ImmutableRecord(Exception):
    pass


class ValuationModelVersion(models.Model):
    """A version of the internal valuation model (its data file as JSON). One active version per asset
    kind; a calibrated version is inactive until an admin activates it explicitly (SC-3, SC-4)."""

    version = models.CharField(_("version"), max_length=60, unique=True)
    asset_kind = models.CharField(_("asset kind"), max_length=30)
    data = models.JSONField(_("model data"))
    digest = models.CharField(_("SHA-256 of the data"), max_length=64)
    is_active = models.BooleanField(_("active"), default=False)
    calibrated_from = models.CharField(_("calibrated from"), max_length=60, blank=True)
    metrics = models.JSONField(_("calibration metrics"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    activated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        verbose_name = _("valuation model version")
        verbose_name_plural = _("valuation model versions")
        ordering = ["asset_kind", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["asset_kind"], condition=models.Q(is_active=True),
                                               name="valuation_one_active_model_per_kind")]

    def __str__(self) -> str:
        return self.version


class Appraiser(models.Model):
    """评估机构 in the register (PZP-3.7.1, XT-12): an organisation of kind appraiser with its
    qualifications, rating, fee schedule and admission status."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="appraiser_profile",
                                        verbose_name=_("organisation"))
    qualifications = models.JSONField(_("qualifications"), default=list, blank=True)
    rating = models.CharField(_("rating"), max_length=10, choices=AppraiserRating.choices,
                              default=AppraiserRating.UNRATED)
    fee_schedule = models.JSONField(_("fee schedule"), default=dict, blank=True,
                                    help_text=_("e.g. {\"base_fen\": 500000, \"per_mille\": \"3\"}"))
    admission_status = models.CharField(_("admission status"), max_length=20, choices=AdmissionStatus.choices,
                                        default=AdmissionStatus.APPLIED, db_index=True)
    admitted_on = models.DateField(_("admitted on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("appraiser")
        verbose_name_plural = _("appraisers")
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return self.organisation.name


def report_upload_path(instance: ValuationRequest, filename: str) -> str:
    return f"valuation/reports/{instance.pk or 'new'}/report.pdf"


class ValuationRequest(models.Model):
    """A bank's request to an appraiser to value an asset by a due date; the report (PDF) and its value;
    a flag when the appraisal and the internal model differ by more than the configured share."""

    asset = models.ForeignKey(IpAsset, on_delete=models.PROTECT, related_name="valuation_requests",
                              verbose_name=_("IP asset"))
    requested_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="valuation_requests_made",
                                     verbose_name=_("requesting bank"))
    requested_by_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+")
    appraiser = models.ForeignKey(Appraiser, on_delete=models.PROTECT, related_name="requests",
                                  verbose_name=_("appraiser"))
    loan_amount_fen = models.BigIntegerField(_("loan amount (fen)"), null=True, blank=True)
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices,
                              default=RequestStatus.REQUESTED, db_index=True)
    note = models.TextField(_("note"), blank=True)
    report = models.FileField(_("report (PDF)"), upload_to=report_upload_path, null=True, blank=True)
    appraised_value_fen = models.BigIntegerField(_("appraised value (fen)"), null=True, blank=True)
    internal_value_fen = models.BigIntegerField(_("internal model value (fen)"), null=True, blank=True)
    deviation_share = models.DecimalField(_("deviation from the internal model"), max_digits=12, decimal_places=4,
                                          null=True, blank=True)
    deviation_flag = models.BooleanField(_("deviation flagged"), default=False)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("valuation request")
        verbose_name_plural = _("valuation requests")
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(appraised_value_fen__isnull=True) | models.Q(appraised_value_fen__gte=0),
                                   name="valuation_request_value_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.asset.number} → {self.appraiser}"


class Valuation(models.Model):
    """One valuation of one asset, immutable: source, method, inputs, scores, weights, model version,
    value and range, date, and the top contributing indicators in words."""

    asset = models.ForeignKey(IpAsset, on_delete=models.PROTECT, related_name="valuations", verbose_name=_("IP asset"))
    source = models.CharField(_("source"), max_length=30, choices=ValuationSource.choices)
    trigger = models.CharField(_("trigger"), max_length=30, choices=ValuationTrigger.choices,
                               default=ValuationTrigger.MANUAL)
    method = models.CharField(_("method"), max_length=100)
    model_version = models.CharField(_("model version"), max_length=60, blank=True)
    model_digest = models.CharField(_("model digest"), max_length=64, blank=True)
    as_of = models.DateField(_("valuation date"), db_index=True)
    value_fen = models.BigIntegerField(_("value (fen)"))
    p10_fen = models.BigIntegerField(_("P10 (fen)"), null=True, blank=True)
    p50_fen = models.BigIntegerField(_("P50 (fen)"), null=True, blank=True)
    p90_fen = models.BigIntegerField(_("P90 (fen)"), null=True, blank=True)
    value_degree = models.DecimalField(_("value degree"), max_digits=6, decimal_places=2, null=True, blank=True)
    dimension_degrees = models.JSONField(_("dimension value degrees"), default=dict, blank=True)
    inputs = models.JSONField(_("inputs"), default=dict, blank=True)
    scores = models.JSONField(_("indicator scores"), default=list, blank=True)
    weights = models.JSONField(_("weights"), default=dict, blank=True)
    approaches = models.JSONField(_("approaches"), default=list, blank=True)
    result = models.JSONField(_("full result"), default=dict, blank=True)
    top_contributors = models.JSONField(_("top contributors"), default=list, blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    request = models.ForeignKey(ValuationRequest, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="valuations")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("valued by"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("valuation")
        verbose_name_plural = _("valuations")
        ordering = ["-as_of", "-id"]
        indexes = [models.Index(fields=["asset", "-as_of", "-id"])]
        constraints = [models.CheckConstraint(condition=models.Q(value_fen__gte=0), name="valuation_value_non_negative")]

    def __str__(self) -> str:
        return f"{self.asset.number} {self.as_of} {self.value_fen}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableRecord("a valuation is immutable; record a new one")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableRecord("a valuation is immutable")
