"""Bank products (金融产品) and annual dedicated credit plans (专项信贷计划, PZA-3.乙1)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from ipfin.accounts.models import Organisation
from ipfin.market.choices import DayCount, PaymentFrequency, ProductStatus


class CreditPlan(models.Model):
    """A bank's dedicated IP-pledge credit plan for one year (PZA-3.乙1: plan amount and utilisation)."""

    bank = models.ForeignKey(Organisation, verbose_name=_("bank"), on_delete=models.PROTECT,
                             related_name="credit_plans")
    year = models.PositiveSmallIntegerField(_("year"))
    amount_fen = models.BigIntegerField(_("plan amount (fen)"))
    region_code = models.CharField(_("region code"), max_length=6,
                                   help_text=_("The city or province the plan is committed to"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("credit plan")
        verbose_name_plural = _("credit plans")
        ordering = ["-year", "bank__name"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "year", "region_code"], name="credit_plan_unique"),
            models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="credit_plan_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.bank} {self.year}"


class Product(models.Model):
    """An IP pledge loan product a bank offers (PZA-2.1.2, XT-5, SC-6, SC-7).

    The policy profiles listed in ``policy_profiles`` (most specific first) supply the caps the product is
    checked against: ``max_loan_to_value`` (PZA-2.1.2), ``max_term_months`` (SC-6) and the rest.
    """

    bank = models.ForeignKey(Organisation, verbose_name=_("bank"), on_delete=models.PROTECT, related_name="products")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ProductStatus.choices,
                              default=ProductStatus.DRAFT, db_index=True)
    accepted_kinds = models.JSONField(_("accepted IP kinds"), default=list,
                                      help_text=_("Asset kinds from the registry, e.g. patent, trademark"))
    combined_pledge_allowed = models.BooleanField(_("combined pledge allowed"), default=True)
    max_loan_to_value = models.DecimalField(_("maximum loan-to-value"), max_digits=5, decimal_places=4)
    rate_min = models.DecimalField(_("lowest annual rate (%)"), max_digits=7, decimal_places=4)
    rate_max = models.DecimalField(_("highest annual rate (%)"), max_digits=7, decimal_places=4)
    min_term_months = models.PositiveSmallIntegerField(_("shortest term (months)"), default=1)
    max_term_months = models.PositiveSmallIntegerField(_("longest term (months)"))
    amount_min_fen = models.BigIntegerField(_("smallest amount (fen)"))
    amount_max_fen = models.BigIntegerField(_("largest amount (fen)"))
    repayment_methods = models.JSONField(_("repayment methods"), default=list)
    payment_frequency = models.CharField(_("payment frequency"), max_length=10, choices=PaymentFrequency.choices,
                                         default=PaymentFrequency.MONTHLY)
    day_count = models.CharField(_("day count"), max_length=10, choices=DayCount.choices, default=DayCount.ACT_360)
    penalty_rate_uplift = models.DecimalField(
        _("penalty rate uplift"), max_digits=5, decimal_places=4, default=Decimal("0.50"),
        help_text=_("Overdue principal bears the contract rate raised by this share (0.50 = +50 %)"))
    regions = models.JSONField(_("regions"), default=list, help_text=_("GB/T 2260 codes; a city covers its districts"))
    industries = models.JSONField(_("industries"), default=list, blank=True,
                                  help_text=_("GB/T 4754 code prefixes; empty means every industry"))
    risk_sharing_options = models.JSONField(_("risk-sharing options"), default=list, blank=True)
    policy_profiles = models.JSONField(_("policy profiles"), default=list,
                                       help_text=_("Profile names, most specific first"))
    credit_plan = models.ForeignKey(CreditPlan, verbose_name=_("credit plan"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="products")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("loan product")
        verbose_name_plural = _("loan products")
        ordering = ["bank__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "code"], name="product_code_unique_per_bank"),
            models.CheckConstraint(condition=models.Q(rate_min__lte=models.F("rate_max")),
                                   name="product_rate_range"),
            models.CheckConstraint(condition=models.Q(amount_min_fen__lte=models.F("amount_max_fen")),
                                   name="product_amount_range"),
            models.CheckConstraint(condition=models.Q(min_term_months__lte=models.F("max_term_months")),
                                   name="product_term_range"),
        ]

    def __str__(self) -> str:
        return self.name
