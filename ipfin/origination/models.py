"""Loan applications (贷款申请), their policy checks and documents, and loan contracts (借款合同)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ipfin.accounts.models import Organisation
from ipfin.fund.models import Fund
from ipfin.market.choices import DayCount, LoanPurpose, PaymentFrequency, RepaymentMethod
from ipfin.market.models import Product
from ipfin.origination.choices import (
    ApplicationStatus,
    CheckOutcome,
    CheckStage,
    ContractStatus,
    DocumentKind,
)
from ipfin.registry.models import Enterprise, IpAsset
from ipfin.valuation.models import Valuation


class Application(models.Model):
    """One enterprise's application to one bank product for a loan secured by a bundle of its IP."""

    number = models.CharField(_("application number"), max_length=20, unique=True)
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="applications")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="applications")
    bank = models.ForeignKey(Organisation, verbose_name=_("bank"), on_delete=models.PROTECT,
                             related_name="applications_received")
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    purpose = models.CharField(_("purpose"), max_length=30, choices=LoanPurpose.choices)
    purpose_detail = models.TextField(_("purpose in detail"), blank=True)
    repayment_method = models.CharField(_("repayment method"), max_length=20, choices=RepaymentMethod.choices)
    proposed_rate = models.DecimalField(_("proposed annual rate (%)"), max_digits=7, decimal_places=4,
                                        null=True, blank=True)
    fund = models.ForeignKey(Fund, verbose_name=_("fund coverage requested from"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="applications")
    guarantor = models.ForeignKey(Organisation, verbose_name=_("guarantor"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="guaranteed_applications")
    insurer = models.ForeignKey(Organisation, verbose_name=_("insurer"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="insured_applications")
    co_owner_consent = models.BooleanField(_("co-owners have consented"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.DRAFT, db_index=True)
    status_since = models.DateField(_("status since"))
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    # Decision clock (PZA-2.2.1b): starts when complete, pauses while returned, stops at the decision.
    complete_on = models.DateField(_("complete on"), null=True, blank=True)
    decision_due_on = models.DateField(_("decision due on"), null=True, blank=True, db_index=True)
    sla_working_days_used = models.PositiveSmallIntegerField(_("working days used before a return"), default=0)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    approved_amount_fen = models.BigIntegerField(_("approved amount (fen)"), null=True, blank=True)
    approved_rate = models.DecimalField(_("approved annual rate (%)"), max_digits=7, decimal_places=4,
                                        null=True, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("loan application")
        verbose_name_plural = _("loan applications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["bank", "status", "decision_due_on"], name="application_queue")]
        constraints = [models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="application_amount_positive")]

    def __str__(self) -> str:
        return self.number


class ApplicationAsset(models.Model):
    """One IP asset of the bundle, with the valuation it was checked against."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assets")
    asset = models.ForeignKey(IpAsset, verbose_name=_("IP asset"), on_delete=models.PROTECT,
                              related_name="application_links")
    valuation = models.ForeignKey(Valuation, verbose_name=_("valuation"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    value_fen = models.BigIntegerField(_("value (fen)"), null=True, blank=True)

    class Meta:
        verbose_name = _("pledged asset")
        verbose_name_plural = _("pledged assets")
        constraints = [models.UniqueConstraint(fields=["application", "asset"], name="application_asset_unique")]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.asset_id}"


class ApplicationCheck(models.Model):
    """The outcome of one policy check in one run; each run keeps its rows, so the history stays."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="checks")
    stage = models.CharField(_("stage"), max_length=10, choices=CheckStage.choices)
    run = models.PositiveSmallIntegerField(_("run"))
    code = models.CharField(_("check"), max_length=40)
    clause = models.CharField(_("clause"), max_length=40, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CheckOutcome.choices)
    message = models.TextField(_("message"))
    details = models.JSONField(_("details"), default=dict, blank=True)
    checked_on = models.DateField(_("business date"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("policy check")
        verbose_name_plural = _("policy checks")
        ordering = ["application", "run", "id"]
        indexes = [models.Index(fields=["application", "run"], name="application_check_run")]

    def __str__(self) -> str:
        return f"{self.code}: {self.outcome}"


class ApplicationDocument(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to="applications/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    size_bytes = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class Contract(models.Model):
    """The loan contract produced by an approval (principal, rate, term, method, dates, collateral, shares)."""

    application = models.OneToOneField(Application, verbose_name=_("application"), on_delete=models.PROTECT,
                                       related_name="contract")
    number = models.CharField(_("contract number"), max_length=30, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=ContractStatus.choices,
                              default=ContractStatus.DRAFT)
    principal_fen = models.BigIntegerField(_("principal (fen)"))
    annual_rate = models.DecimalField(_("annual rate (%)"), max_digits=7, decimal_places=4)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    repayment_method = models.CharField(_("repayment method"), max_length=20, choices=RepaymentMethod.choices)
    payment_frequency = models.CharField(_("payment frequency"), max_length=10, choices=PaymentFrequency.choices)
    day_count = models.CharField(_("day count"), max_length=10, choices=DayCount.choices)
    penalty_rate_uplift = models.DecimalField(_("penalty rate uplift"), max_digits=5, decimal_places=4)
    max_loan_to_value = models.DecimalField(_("maximum loan-to-value"), max_digits=5, decimal_places=4)
    collateral_value_fen = models.BigIntegerField(_("collateral value (fen)"))
    # The LPR the rate cap was checked against (PZA-2.3.1b): fixing date, tenor and rate.
    lpr_fixing_date = models.DateField(_("LPR fixing date"), null=True, blank=True)
    lpr_tenor = models.CharField(_("LPR tenor"), max_length=4, blank=True)
    lpr_rate = models.DecimalField(_("LPR (%)"), max_digits=7, decimal_places=4, null=True, blank=True)
    # Risk shares of principal loss (PZP-3.4.2): {"bank": "0.60", "fund": "0.40", ...}, summing to 1.
    risk_shares = models.JSONField(_("risk shares"), default=dict)
    # BT-12a: the part of a combined loan secured by the IP pledge; empty = the whole principal.
    ip_pledge_portion_fen = models.BigIntegerField(_("IP-pledge portion (fen)"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    start_on = models.DateField(_("start date"), null=True, blank=True)
    maturity_on = models.DateField(_("maturity date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("loan contract")
        verbose_name_plural = _("loan contracts")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number
