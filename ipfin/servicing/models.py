"""Loans (贷款) and what servicing keeps about them: the schedule (还款计划), repayments (还款) and their
allocation, the five-category class (五级分类) and its history, risk warnings (风险预警), close-of-business runs
(日终批处理) and each bank's overall NPL ratio entered quarterly.

A loan row carries its *current* servicing state (days past due, overdue amounts, class, coverage) which close
of business recomputes set-based; there are no per-loan-per-day rows (design §6). History rows are written only
when something changes.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ipfin.accounts.models import Organisation
from ipfin.fund.models import Fund
from ipfin.market.choices import DayCount, PaymentFrequency, RepaymentMethod
from ipfin.market.models import Product
from ipfin.origination.models import Contract
from ipfin.registry.models import Enterprise, IpAsset
from ipfin.servicing.choices import (
    ClassChangeSource,
    CobStatus,
    InstallmentStatus,
    LoanStatus,
    PrepaymentOption,
    RepaymentKind,
    RepaymentStatus,
    RiskClass,
    Severity,
    WarningKind,
    WarningStatus,
)


class Loan(models.Model):
    number = models.CharField(_("loan number"), max_length=30, unique=True)
    contract = models.OneToOneField(Contract, verbose_name=_("contract"), on_delete=models.PROTECT,
                                    related_name="loan")
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("borrower"), on_delete=models.PROTECT,
                                   related_name="loans")
    bank = models.ForeignKey(Organisation, verbose_name=_("bank"), on_delete=models.PROTECT, related_name="loans")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="loans")
    fund = models.ForeignKey(Fund, verbose_name=_("compensation fund"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="loans")
    principal_fen = models.BigIntegerField(_("principal (fen)"))
    # BT-12a: the part of a combined loan secured by the IP pledge, from the contract; empty = the whole principal.
    ip_pledge_portion_fen = models.BigIntegerField(_("IP-pledge portion (fen)"), null=True, blank=True)
    outstanding_principal_fen = models.BigIntegerField(_("outstanding principal (fen)"))
    annual_rate = models.DecimalField(_("annual rate (%)"), max_digits=7, decimal_places=4)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    repayment_method = models.CharField(_("repayment method"), max_length=20, choices=RepaymentMethod.choices)
    payment_frequency = models.CharField(_("payment frequency"), max_length=10, choices=PaymentFrequency.choices)
    day_count = models.CharField(_("day count"), max_length=10, choices=DayCount.choices)
    penalty_rate_uplift = models.DecimalField(_("penalty rate uplift"), max_digits=5, decimal_places=4)
    max_loan_to_value = models.DecimalField(_("maximum loan-to-value"), max_digits=5, decimal_places=4)
    disbursed_on = models.DateField(_("disbursed on"), db_index=True)
    maturity_on = models.DateField(_("maturity date"))
    status = models.CharField(_("status"), max_length=12, choices=LoanStatus.choices, default=LoanStatus.ACTIVE,
                              db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # Servicing state, maintained by the repayment actions and close of business.
    schedule_version = models.PositiveSmallIntegerField(_("schedule version"), default=1)
    oldest_unpaid_due_on = models.DateField(_("oldest unpaid due date"), null=True, blank=True)
    days_past_due = models.PositiveIntegerField(_("days past due"), default=0, db_index=True)
    overdue_principal_fen = models.BigIntegerField(_("overdue principal (fen)"), default=0)
    overdue_interest_fen = models.BigIntegerField(_("overdue interest (fen)"), default=0)
    # Penalty interest accrued and not yet paid, and the business date it has been accrued through (inclusive).
    penalty_fen = models.BigIntegerField(_("penalty interest due (fen)"), default=0)
    penalty_accrued_through = models.DateField(_("penalty accrued through"), null=True, blank=True)
    risk_class = models.CharField(_("risk class"), max_length=16, choices=RiskClass.choices,
                                  default=RiskClass.NORMAL, db_index=True)
    risk_class_since = models.DateField(_("class since"), null=True, blank=True)
    manual_risk_class = models.CharField(_("manual class"), max_length=16, choices=RiskClass.choices, blank=True,
                                         default="")
    manual_class_reason = models.TextField(_("reason for the manual class"), blank=True, default="")
    collateral_value_fen = models.BigIntegerField(_("collateral value (fen)"), null=True, blank=True)
    collateral_valued_on = models.DateField(_("collateral valued on"), null=True, blank=True)
    loan_to_value = models.DecimalField(_("current loan-to-value"), max_digits=9, decimal_places=4, null=True,
                                        blank=True)
    coverage_shortfall_fen = models.BigIntegerField(_("coverage shortfall (fen)"), default=0)
    last_cob_on = models.DateField(_("last close of business"), null=True, blank=True)
    paid_off_on = models.DateField(_("paid off on"), null=True, blank=True)

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["-disbursed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(outstanding_principal_fen__gte=0),
                                   name="loan_outstanding_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number


class Installment(models.Model):
    """One row of a loan's schedule. A prepayment supersedes the unpaid rows and writes a new schedule version;
    superseded rows are kept for the record. Interest runs from ``accrual_start`` (inclusive) to ``due_on``."""

    loan = models.ForeignKey(Loan, verbose_name=_("loan"), on_delete=models.CASCADE, related_name="installments")
    schedule_version = models.PositiveSmallIntegerField(_("schedule version"), default=1)
    period = models.PositiveSmallIntegerField(_("period"))
    accrual_start = models.DateField(_("accrual start"))
    due_on = models.DateField(_("due date"), db_index=True)
    principal_fen = models.BigIntegerField(_("principal (fen)"))
    interest_fen = models.BigIntegerField(_("interest (fen)"))
    principal_paid_fen = models.BigIntegerField(_("principal paid (fen)"), default=0)
    interest_paid_fen = models.BigIntegerField(_("interest paid (fen)"), default=0)
    penalty_paid_fen = models.BigIntegerField(_("penalty paid (fen)"), default=0)
    balance_after_fen = models.BigIntegerField(_("balance after (fen)"))
    status = models.CharField(_("status"), max_length=12, choices=InstallmentStatus.choices,
                              default=InstallmentStatus.SCHEDULED)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("installment")
        verbose_name_plural = _("installments")
        ordering = ["loan", "schedule_version", "period"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "schedule_version", "period"], name="installment_unique_period"),
            models.CheckConstraint(condition=models.Q(principal_paid_fen__gte=0, interest_paid_fen__gte=0,
                                                      penalty_paid_fen__gte=0),
                                   name="installment_paid_not_negative"),
            models.CheckConstraint(condition=models.Q(principal_paid_fen__lte=models.F("principal_fen"),
                                                      interest_paid_fen__lte=models.F("interest_fen")),
                                   name="installment_not_overpaid"),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="installment_status_due")]

    def __str__(self) -> str:
        return f"{self.loan_id}#{self.schedule_version}.{self.period}"


class Repayment(models.Model):
    """Money received for a loan and how it was allocated (penalty → overdue interest → overdue principal →
    current interest → current principal). A mis-posted repayment is reversed, never edited or deleted."""

    loan = models.ForeignKey(Loan, verbose_name=_("loan"), on_delete=models.PROTECT, related_name="repayments")
    number = models.CharField(_("repayment number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=RepaymentKind.choices, default=RepaymentKind.REGULAR)
    prepayment_option = models.CharField(_("prepayment option"), max_length=20, choices=PrepaymentOption.choices,
                                         blank=True, default="")
    received_on = models.DateField(_("value date"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    penalty_fen = models.BigIntegerField(_("to penalty interest (fen)"), default=0)
    overdue_interest_fen = models.BigIntegerField(_("to overdue interest (fen)"), default=0)
    overdue_principal_fen = models.BigIntegerField(_("to overdue principal (fen)"), default=0)
    current_interest_fen = models.BigIntegerField(_("to current interest (fen)"), default=0)
    current_principal_fen = models.BigIntegerField(_("to current principal (fen)"), default=0)
    prepaid_principal_fen = models.BigIntegerField(_("to prepaid principal (fen)"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=RepaymentStatus.choices,
                              default=RepaymentStatus.POSTED)
    # The loan's servicing fields as they were before this posting, so that a reversal restores them exactly.
    loan_state_before = models.JSONField(_("loan state before"), default=dict)
    reversal_reason = models.TextField(_("reversal reason"), blank=True, default="")
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    reversed_by = models.ForeignKey("accounts.User", verbose_name=_("reversed by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    posted_by = models.ForeignKey("accounts.User", verbose_name=_("posted by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="repayment_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.number


class RepaymentAllocation(models.Model):
    repayment = models.ForeignKey(Repayment, verbose_name=_("repayment"), on_delete=models.CASCADE,
                                  related_name="allocations")
    installment = models.ForeignKey(Installment, verbose_name=_("installment"), on_delete=models.PROTECT,
                                    related_name="allocations")
    penalty_fen = models.BigIntegerField(_("penalty (fen)"), default=0)
    interest_fen = models.BigIntegerField(_("interest (fen)"), default=0)
    principal_fen = models.BigIntegerField(_("principal (fen)"), default=0)

    class Meta:
        verbose_name = _("repayment allocation")
        verbose_name_plural = _("repayment allocations")

    def __str__(self) -> str:
        return f"{self.repayment_id}→{self.installment_id}"


class RiskClassChange(models.Model):
    """A row whenever a loan's five-category class changes (from close of business, the borrower-level rule,
    a manual downgrade or a repayment)."""

    loan = models.ForeignKey(Loan, verbose_name=_("loan"), on_delete=models.CASCADE, related_name="class_changes")
    business_date = models.DateField(_("business date"))
    from_class = models.CharField(_("from"), max_length=16, choices=RiskClass.choices)
    to_class = models.CharField(_("to"), max_length=16, choices=RiskClass.choices)
    source = models.CharField(_("source"), max_length=12, choices=ClassChangeSource.choices)
    days_past_due = models.PositiveIntegerField(_("days past due"), default=0)
    rules_version = models.CharField(_("rules version"), max_length=30)
    article = models.CharField(_("article"), max_length=40, blank=True, default="")
    reason = models.TextField(_("reason"), blank=True, default="")
    actor = models.ForeignKey("accounts.User", verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("class change")
        verbose_name_plural = _("class changes")
        ordering = ["-business_date", "-id"]
        indexes = [models.Index(fields=["loan", "business_date"], name="class_change_loan_date")]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.from_class}→{self.to_class}"


class RiskWarning(models.Model):
    """A risk warning (风险预警) on a loan, optionally about one pledged asset; one open warning per (loan, kind,
    asset) — close of business raises it once and updates ``detail`` while it stays open."""

    loan = models.ForeignKey(Loan, verbose_name=_("loan"), on_delete=models.CASCADE, related_name="warnings")
    asset = models.ForeignKey(IpAsset, verbose_name=_("IP asset"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="risk_warnings")
    kind = models.CharField(_("kind"), max_length=24, choices=WarningKind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    raised_on = models.DateField(_("raised on"), db_index=True)
    clause = models.CharField(_("clause"), max_length=30, blank=True, default="")
    detail = models.JSONField(_("detail"), default=dict)  # e.g. {"shortfall_fen": …, "due_on": "…"}
    status = models.CharField(_("status"), max_length=14, choices=WarningStatus.choices,
                              default=WarningStatus.OPEN, db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey("accounts.User", verbose_name=_("acknowledged by"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey("accounts.User", verbose_name=_("closed by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    close_reason = models.TextField(_("close reason"), blank=True, default="")

    class Meta:
        verbose_name = _("risk warning")
        verbose_name_plural = _("risk warnings")
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "kind", "asset"], condition=~models.Q(status="closed"),
                                    name="warning_one_open_per_loan_kind_asset"),
            # NULLs are distinct in a unique index: loan-level warnings (no asset) need their own.
            models.UniqueConstraint(fields=["loan", "kind"],
                                    condition=models.Q(asset__isnull=True) & ~models.Q(status="closed"),
                                    name="warning_one_open_per_loan_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.loan_id}:{self.kind}"


class CobRun(models.Model):
    """One close-of-business run (日终批处理) for a business date: the steps completed (in the fixed order of
    ``COB_STEPS``), counts and seconds per step. A run that dies leaves status ``running``/``failed``; the next
    run of the same date resumes at the first step not completed."""

    business_date = models.DateField(_("business date"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=CobStatus.choices, default=CobStatus.RUNNING)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    steps = models.JSONField(_("steps"), default=dict)  # {"accrue": {"count": n, "seconds": s}, ...}
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True, default="")

    class Meta:
        verbose_name = _("close-of-business run")
        verbose_name_plural = _("close-of-business runs")
        ordering = ["-business_date", "-attempt"]
        constraints = [
            models.UniqueConstraint(fields=["business_date", "attempt"], name="cob_run_unique_attempt"),
        ]

    def __str__(self) -> str:
        return f"COB {self.business_date} #{self.attempt}"


class BankNplReport(models.Model):
    """A bank's overall NPL ratio (不良贷款率) for a quarter, entered by the bank, for the XT-10 / PZA-3.乙2
    tolerance monitors beside the platform's own NPL ratio of IP pledge loans."""

    bank = models.ForeignKey(Organisation, verbose_name=_("bank"), on_delete=models.PROTECT,
                             related_name="npl_reports")
    quarter_end = models.DateField(_("quarter end"))
    overall_npl_ratio = models.DecimalField(_("overall NPL ratio (%)"), max_digits=7, decimal_places=4)
    entered_by = models.ForeignKey("accounts.User", verbose_name=_("entered by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    class Meta:
        verbose_name = _("bank NPL report")
        verbose_name_plural = _("bank NPL reports")
        ordering = ["-quarter_end", "bank"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "quarter_end"], name="npl_report_one_per_bank_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.bank_id} {self.quarter_end}"
