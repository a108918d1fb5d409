"""Servicing states and kinds (glossary: 贷款, 还款计划, 还款, 五级分类, 风险预警, 日终批处理).

Every stateful model has an explicit ``*_ALLOWED`` transition table; action functions refuse any other move.
"""

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


class RiskClass(models.TextChoices):
    """五级分类 (NFRA 2023, 第六条); values match ``ipfin.domain.classification.RiskClass``, best to worst."""

    NORMAL = "normal", _("Normal")  # 正常
    SPECIAL_MENTION = "special_mention", _("Special mention")  # 关注
    SUBSTANDARD = "substandard", _("Substandard")  # 次级
    DOUBTFUL = "doubtful", _("Doubtful")  # 可疑
    LOSS = "loss", _("Loss")  # 损失


class ClassChangeSource(models.TextChoices):
    COB = "cob", _("Close of business (overdue floor)")
    CONTAGION = "contagion", _("Borrower-level rule")
    MANUAL = "manual", _("Manual downgrade")
    REPAYMENT = "repayment", _("Repayment")


class InstallmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")  # due date not reached
    DUE = "due", _("Due")  # due today (business date)
    OVERDUE = "overdue", _("Overdue")  # due date passed, not fully paid
    PAID = "paid", _("Paid")
    SUPERSEDED = "superseded", _("Superseded")  # replaced by a new schedule after a prepayment


class RepaymentKind(models.TextChoices):
    REGULAR = "regular", _("Regular repayment")
    PREPAYMENT = "prepayment", _("Prepayment")  # 提前还款 (part)
    PAYOFF = "payoff", _("Early pay-off")  # 提前结清


class PrepaymentOption(models.TextChoices):
    KEEP_TERM = "keep_term", _("Keep the term, lower the installment")
    KEEP_INSTALLMENT = "keep_installment", _("Keep the installment, shorten the term")


class RepaymentStatus(models.TextChoices):
    POSTED = "posted", _("Posted")
    REVERSED = "reversed", _("Reversed")


REPAYMENT_ALLOWED: dict[str, frozenset[str]] = {
    RepaymentStatus.POSTED: frozenset({RepaymentStatus.REVERSED}),
    RepaymentStatus.REVERSED: frozenset(),
}


class WarningKind(models.TextChoices):
    """What the close of business watches (PZP-3.4.2, PZP-3.7.2, SC-2, BT-14)."""

    COVERAGE_BREACH = "coverage_breach", _("Collateral coverage below the maximum loan-to-value")
    ANNUAL_FEE_DUE = "annual_fee_due", _("Annual fee due within the notice window")
    FEE_GRACE = "fee_grace", _("Annual fee in the grace period")
    LAPSED = "lapsed", _("Pledged right lapsed")
    INVALIDATION_REQUESTED = "invalidation_requested", _("Invalidation requested")
    INVALIDATED = "invalidated", _("Invalidation decided")
    FROZEN = "frozen", _("Pledged right frozen")
    TRANSFER_ATTEMPT = "transfer_attempt", _("Attempted transfer of a pledged right")
    TRADEMARK_RENEWAL = "trademark_renewal", _("Trademark renewal window open")
    TERM_BEFORE_MATURITY = "term_before_maturity", _("Right expires before the loan matures")
    OVERDUE = "overdue", _("Loan overdue")
    CLAIM_ELIGIBLE = "claim_eligible", _("Compensation claim may be filed")  # BT-15


class Severity(models.TextChoices):
    INFO = "info", _("Info")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


class WarningStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Closed")


WARNING_ALLOWED: dict[str, frozenset[str]] = {
    WarningStatus.OPEN: frozenset({WarningStatus.ACKNOWLEDGED, WarningStatus.CLOSED}),
    WarningStatus.ACKNOWLEDGED: frozenset({WarningStatus.CLOSED}),
    WarningStatus.CLOSED: frozenset(),
}


class CobStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")


# The fixed step order of close of business (design §6); a resumed run starts at the first step not completed.
COB_STEPS: tuple[str, ...] = ("accrue", "overdue", "classify", "coverage", "legal_watch", "fund_triggers",
                              "sla_alerts")
