"""Risk-compensation funds (风险补偿资金) and the institutions cooperating with them.

Issue 5: which funds exist, the policy profile each runs under, and each bank's standing (BT-13b: a suspended
bank's new customers are not covered). Issue 7: the fund's append-only double-entry journal (记账凭证 and their
lines), compensation claims (补偿申请), dated notices to banks (BT-13) and recovery shares owed back (BT-16).
Rows of the journal are only ever inserted, by ``ipfin.fund.ledger``; a correction is a reversal entry.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ipfin.accounts.models import Organisation
from ipfin.fund.choices import ClaimState, CooperationStatus, EntryKind, FilingKind, FundStatus, NoticeKind


class Fund(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    profile_name = models.CharField(_("policy profile"), max_length=60,
                                    help_text=_("The policy profile whose rules this fund applies, e.g. baotou-2021"))
    region_code = models.CharField(_("region code"), max_length=6, db_index=True)
    manager = models.ForeignKey(Organisation, verbose_name=_("fund manager"), on_delete=models.PROTECT,
                                related_name="managed_funds")
    opened_on = models.DateField(_("opened on"))
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=FundStatus.choices, default=FundStatus.OPEN)
    # BT-21, BT-23: closing at expiry or termination — the remaining balance returned to the contributors.
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey("accounts.User", verbose_name=_("closed by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    closing_decision = models.TextField(_("closing decision"), blank=True, default="")

    class Meta:
        verbose_name = _("compensation fund")
        verbose_name_plural = _("compensation funds")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Cooperation(models.Model):
    """One institution's standing with one fund; ``status_since`` is the date of the latest notice."""

    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.CASCADE, related_name="cooperations")
    institution = models.ForeignKey(Organisation, verbose_name=_("institution"), on_delete=models.PROTECT,
                                    related_name="fund_cooperations")
    status = models.CharField(_("status"), max_length=10, choices=CooperationStatus.choices,
                              default=CooperationStatus.ADMITTED)
    admitted_on = models.DateField(_("admitted on"))
    status_since = models.DateField(_("status since"))
    # BT-13: the band of the bank's ratio at the last evaluation (0 below, 1 warning, 2 suspension), so that a
    # notice is issued once per upward crossing (ipfin.domain.fund.thresholds.Band).
    ratio_band = models.PositiveSmallIntegerField(_("ratio band"), default=0)

    class Meta:
        verbose_name = _("cooperating institution")
        verbose_name_plural = _("cooperating institutions")
        constraints = [models.UniqueConstraint(fields=["fund", "institution"], name="fund_cooperation_unique")]

    def __str__(self) -> str:
        return f"{self.fund} · {self.institution}"


class JournalEntry(models.Model):
    """One balanced entry of a fund's journal, numbered 1, 2, 3 … per fund. Never updated or deleted."""

    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="entries")
    number = models.PositiveIntegerField(_("entry number"))
    entry_date = models.DateField(_("entry date"), db_index=True)
    kind = models.CharField(_("kind"), max_length=24, choices=EntryKind.choices)
    memo = models.CharField(_("memo"), max_length=300, blank=True, default="")
    reference = models.CharField(_("reference"), max_length=60, blank=True, default="")
    reverses = models.OneToOneField("self", verbose_name=_("reverses"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="reversed_by")
    clause = models.CharField(_("clause"), max_length=20, blank=True, default="")
    created_by = models.ForeignKey("accounts.User", verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["fund", "number"]
        constraints = [models.UniqueConstraint(fields=["fund", "number"], name="fund_entry_number_unique")]

    def __str__(self) -> str:
        return f"{self.fund_id}#{self.number}"


class JournalLine(models.Model):
    """A debit or a credit of one account. ``account`` is the full code (``cash:12``), ``account_kind`` its
    kind (ipfin.domain.fund.ledger.AccountKind), ``counterparty`` the bank or contributor it belongs to."""

    entry = models.ForeignKey(JournalEntry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="lines")
    account = models.CharField(_("account"), max_length=60)
    account_kind = models.CharField(_("account kind"), max_length=30, db_index=True)
    counterparty = models.ForeignKey(Organisation, verbose_name=_("counterparty"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    debit_fen = models.BigIntegerField(_("debit (fen)"), default=0)
    credit_fen = models.BigIntegerField(_("credit (fen)"), default=0)

    class Meta:
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")
        ordering = ["entry", "id"]
        indexes = [models.Index(fields=["account"], name="fund_line_account")]
        constraints = [
            models.CheckConstraint(condition=models.Q(debit_fen__gte=0, credit_fen__gte=0),
                                   name="fund_line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.account} {self.debit_fen}/{self.credit_fen}"


class Claim(models.Model):
    """A bank's compensation claim on a covered loan (BT-12, BT-14, BT-15, BT-18)."""

    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="claims")
    loan = models.ForeignKey("servicing.Loan", verbose_name=_("loan"), on_delete=models.PROTECT,
                             related_name="claims")
    bank = models.ForeignKey(Organisation, verbose_name=_("bank"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("claim number"), max_length=30, unique=True)
    state = models.CharField(_("state"), max_length=12, choices=ClaimState.choices, default=ClaimState.FILED,
                             db_index=True)
    filed_on = models.DateField(_("filed on"))
    filed_by = models.ForeignKey("accounts.User", verbose_name=_("filed by"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    days_past_due = models.PositiveIntegerField(_("days past due at filing"), default=0)
    basis = models.CharField(_("basis"), max_length=16, default="overdue")
    principal_loss_fen = models.BigIntegerField(_("principal loss (fen)"))
    ip_pledge_portion_fen = models.BigIntegerField(_("IP-pledge portion (fen)"))
    ratio = models.DecimalField(_("compensation ratio"), max_digits=7, decimal_places=4)
    cap_fen = models.BigIntegerField(_("per-claim cap (fen)"), null=True, blank=True)
    amount_fen = models.BigIntegerField(_("compensation (fen)"))
    clause = models.CharField(_("clause"), max_length=20, blank=True, default="")
    evidence_note = models.TextField(_("evidence"), blank=True, default="")
    deterioration = models.BooleanField(_("serious deterioration"), default=False)
    verified_by = models.ForeignKey("accounts.User", verbose_name=_("verified by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    verification_note = models.TextField(_("verification note"), blank=True, default="")
    dishonest_listed = models.BooleanField(_("able but unwilling (dishonest list)"), default=False)
    approved_by = models.ForeignKey("accounts.User", verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("withdrawal reason"), blank=True, default="")
    # The fund manager's checklist at verification (ipfin.domain.fund.claims.ChecklistItem values).
    checklist = models.JSONField(_("verification checklist"), default=list, blank=True)
    # SC-12 风险补偿前置: on default the fund pays ``advance_ratio`` of the compensation first (``amount_fen`` is
    # then that first share) and settles after the collateral is disposed of.
    front_loaded = models.BooleanField(_("front-loaded (SC-12)"), default=False)
    advance_ratio = models.DecimalField(_("first-share ratio"), max_digits=7, decimal_places=4, null=True,
                                        blank=True)
    disposal_proceeds_fen = models.BigIntegerField(_("disposal proceeds (fen)"), null=True, blank=True)
    final_amount_fen = models.BigIntegerField(_("final compensation (fen)"), null=True, blank=True)
    true_up_fen = models.BigIntegerField(_("true-up (fen)"), null=True, blank=True,
                                         help_text=_("Positive: the fund paid the rest; negative: the bank refunded"))
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    settled_by = models.ForeignKey("accounts.User", verbose_name=_("settled by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("compensation claim")
        verbose_name_plural = _("compensation claims")
        ordering = ["-filed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_fen__gte=0, principal_loss_fen__gte=0),
                                   name="fund_claim_amounts_not_negative"),
            # One standing claim per loan (BT-15): only a withdrawn one may be followed by another.
            models.UniqueConstraint(fields=["loan"], condition=~models.Q(state="withdrawn"),
                                    name="fund_claim_one_standing_per_loan"),
        ]

    def __str__(self) -> str:
        return self.number


class BankNotice(models.Model):
    """A dated notice to a cooperating bank: warning (BT-13a), suspension (BT-13b) or the leadership group's
    decision lifting a suspension."""

    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="notices")
    cooperation = models.ForeignKey(Cooperation, verbose_name=_("cooperation"), on_delete=models.PROTECT,
                                    related_name="notices")
    bank = models.ForeignKey(Organisation, verbose_name=_("bank"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=NoticeKind.choices)
    issued_on = models.DateField(_("issued on"), db_index=True)
    ratio = models.DecimalField(_("ratio"), max_digits=12, decimal_places=8, null=True, blank=True)
    paid_fen = models.BigIntegerField(_("compensation paid (fen)"), default=0)
    issued_fen = models.BigIntegerField(_("loans issued (fen)"), default=0)
    clause = models.CharField(_("clause"), max_length=20)
    decided_by = models.ForeignKey("accounts.User", verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decision = models.TextField(_("decision"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bank notice")
        verbose_name_plural = _("bank notices")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.bank_id} {self.issued_on}"


class RecoveryShare(models.Model):
    """The fund's share of one recovery a bank recorded after a payout (BT-16), due on the 15th working day;
    ``due_on`` empty while the calendar is not published that far."""

    claim = models.ForeignKey(Claim, verbose_name=_("claim"), on_delete=models.PROTECT, related_name="recoveries")
    recovered_fen = models.BigIntegerField(_("recovered (fen)"))
    share_fen = models.BigIntegerField(_("share due (fen)"))
    recorded_on = models.DateField(_("recorded on"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.User", verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("recovery share")
        verbose_name_plural = _("recovery shares")
        ordering = ["-recorded_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(recovered_fen__gt=0, share_fen__gte=0),
                                   name="fund_recovery_amounts"),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.share_fen}"


class BorrowerFiling(models.Model):
    """BT-19: what the fund manager collected from a covered borrower — a quarterly financial statement, the
    annual audit report, or a report on the use of the loan — for the period ending ``period_end``."""

    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="filings")
    loan = models.ForeignKey("servicing.Loan", verbose_name=_("loan"), on_delete=models.PROTECT,
                             related_name="borrower_filings")
    kind = models.CharField(_("kind"), max_length=20, choices=FilingKind.choices)
    period_end = models.DateField(_("period end"))
    received_on = models.DateField(_("received on"))
    document = models.FileField(_("document"), upload_to="fund/filings/%Y/%m/", null=True, blank=True)
    original_name = models.CharField(_("file name"), max_length=200, blank=True, default="")
    size_bytes = models.PositiveIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, default="")
    note = models.CharField(_("note"), max_length=300, blank=True, default="")
    recorded_by = models.ForeignKey("accounts.User", verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("borrower filing")
        verbose_name_plural = _("borrower filings")
        ordering = ["-period_end", "loan", "kind"]
        constraints = [models.UniqueConstraint(fields=["loan", "kind", "period_end"],
                                               name="fund_filing_one_per_period")]
        indexes = [models.Index(fields=["fund", "kind", "period_end"], name="fund_filing_period")]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.kind} {self.period_end}"
