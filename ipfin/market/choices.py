"""Choices of bank products and credit plans (glossary: 金融产品 / 专项信贷计划)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProductStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("product status", "Draft")
    ACTIVE = "active", pgettext_lazy("product status", "On offer")
    WITHDRAWN = "withdrawn", pgettext_lazy("product status", "Withdrawn")


PRODUCT_ALLOWED: dict[str, frozenset[str]] = {
    ProductStatus.DRAFT: frozenset({ProductStatus.ACTIVE, ProductStatus.WITHDRAWN}),
    ProductStatus.ACTIVE: frozenset({ProductStatus.WITHDRAWN}),
    ProductStatus.WITHDRAWN: frozenset({ProductStatus.ACTIVE}),
}


class RepaymentMethod(models.TextChoices):
    """The four schedule methods of servicing (issue 6); identifiers match ``ipfin schedule --method``."""

    EQUAL_INSTALLMENT = "equal-installment", _("Equal installments")  # 等额本息
    EQUAL_PRINCIPAL = "equal-principal", _("Equal principal")  # 等额本金
    INTEREST_ONLY = "interest-only", _("Periodic interest, principal at maturity")  # 按期付息、到期还本
    BULLET = "bullet", _("Single payment at maturity")  # 利随本清


class PaymentFrequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class DayCount(models.TextChoices):
    ACT_360 = "act360", _("ACT/360")
    ACT_365 = "act365", _("ACT/365")
    THIRTY_360 = "30_360", _("30/360")


class RiskSharing(models.TextChoices):
    """Optional risk sharers a product accepts besides the pledge (PZP-3.4.2)."""

    GUARANTOR = "guarantor", _("Guarantee")
    INSURER = "insurer", _("Insurance")
    FUND = "fund", _("Risk-compensation fund")


class LoanPurpose(models.TextChoices):
    """Loan purposes; the allowed and prohibited sets come from the policy profile (BT-5)."""

    IP_OPERATION = "ip_operation", _("IP operation")
    RESEARCH_AND_DEVELOPMENT = "research_and_development", _("Research and development")
    TECHNICAL_UPGRADING = "technical_upgrading", _("Technical upgrading")
    INDUSTRIALISATION = "industrialisation", _("Industrialisation of IP")
    WORKING_CAPITAL = "working_capital", _("Working capital")
    EQUITY_INVESTMENT = "equity_investment", _("Equity investment")
    SECURITIES = "securities", _("Securities")
    FUNDS = "funds", _("Funds")
    FUTURES = "futures", _("Futures")
    REGULATOR_PROHIBITED = "regulator_prohibited", _("Other use prohibited by the regulator")
