"""Loans (贷款): created at disbursement from a signed contract with a registered pledge. Servicing (issue 6)
adds schedules, repayments, classification and close of business on top of this record."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ipfin.accounts.models import Organisation
from ipfin.fund.models import Fund
from ipfin.market.choices import DayCount, PaymentFrequency, RepaymentMethod
from ipfin.market.models import Product
from ipfin.origination.models import Contract
from ipfin.registry.models import Enterprise
from ipfin.servicing.choices import LoanStatus


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
