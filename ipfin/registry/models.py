"""The registry: enterprises (the facts banks check) and their IP assets with legal-status events.

PZA-2.2.2, SC-2, SC-13: the shared record of who the enterprises are and what IP they own.
Money is integer fen (``*_fen``); shares are ``Decimal(7, 4)`` percent.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ipfin.accounts.models import Organisation
from ipfin.registry.choices import (
    AssetKind,
    CreditEventKind,
    CreditSource,
    LegalEventKind,
    LegalStatus,
    MarkType,
    PatentType,
    PeriodKind,
    QualificationKind,
    SizeClass,
)


class Enterprise(models.Model):
    """Registry facts of an enterprise organisation (one-to-one with its :class:`Organisation`).

    The name and region code live on the organisation; the USCC is kept on both (the organisation's
    copy is what accounts shows, this one is validated and unique).
    """

    organisation = models.OneToOneField(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
                                        related_name="enterprise")
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    established_on = models.DateField(_("date of establishment"))
    is_independent_legal_person = models.BooleanField(_("independent legal person"), default=True)
    industry_code = models.CharField(_("industry (GB/T 4754)"), max_length=5, blank=True)
    size_class = models.CharField(_("size class"), max_length=10, choices=SizeClass.choices, blank=True)
    registered_address = models.CharField(_("registered address"), max_length=200, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    legal_rep_id_number = models.CharField(_("legal representative ID number"), max_length=18, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return self.organisation.name

    @property
    def name(self) -> str:
        return self.organisation.name

    @property
    def region_code(self) -> str:
        return self.organisation.region_code


class QualificationTag(models.Model):
    """高新技术企业 / 专精特新 / 科技型中小企业 certificates, with their validity."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="qualifications")
    kind = models.CharField(_("qualification"), max_length=20, choices=QualificationKind.choices)
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["enterprise", "kind", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "kind", "valid_from"],
                                               name="qualification_unique")]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_kind_display()}"

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class CreditEvent(models.Model):
    """A bad credit record (BT-4b: none in the last 3 years), with its date and source."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="credit_events")
    kind = models.CharField(_("kind"), max_length=30, choices=CreditEventKind.choices)
    occurred_on = models.DateField(_("occurred on"), db_index=True)
    source = models.CharField(_("source"), max_length=20, choices=CreditSource.choices)
    description = models.TextField(_("description"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("credit event")
        verbose_name_plural = _("credit events")
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_kind_display()} · {self.occurred_on}"


class DishonestListEntry(models.Model):
    """失信名单 (BT-18): listed by the IP office; removal keeps the history."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="dishonest_entries")
    listed_on = models.DateField(_("listed on"))
    reason = models.TextField(_("reason"))
    source = models.CharField(_("source"), max_length=100, blank=True)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    listed_by = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dishonest list entry")
        verbose_name_plural = _("dishonest list entries")
        ordering = ["-listed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.listed_on}"


class WhitelistEntry(models.Model):
    """白名单 (SC-14): high-growth IP enterprises pushed to the cooperating banks, per year."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="whitelist_entries")
    year = models.PositiveSmallIntegerField(_("year"))
    added_on = models.DateField(_("added on"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    added_by = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("whitelist entry")
        verbose_name_plural = _("whitelist entries")
        ordering = ["-year", "enterprise"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="whitelist_unique_per_year")]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.year}"


class FinancialStatement(models.Model):
    """Periodic figures (BT-19 reporting; valuation's income approach): quarterly or annual, in fen."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="statements")
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    period_end = models.DateField(_("period end"))
    revenue_fen = models.BigIntegerField(_("revenue (fen)"))
    profit_fen = models.BigIntegerField(_("profit (fen)"))
    rd_spend_fen = models.BigIntegerField(_("R&D spend (fen)"))
    tax_fen = models.BigIntegerField(_("tax paid (fen)"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("financial statement")
        verbose_name_plural = _("financial statements")
        ordering = ["enterprise", "-period_end", "period_kind"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "period_kind", "period_end"], name="statement_unique"),
            models.CheckConstraint(condition=models.Q(revenue_fen__gte=0, rd_spend_fen__gte=0, tax_fen__gte=0),
                                   name="statement_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_period_kind_display()} {self.period_end}"


class CustomerRelationship(models.Model):
    """A bank (head office or branch) that has the enterprise as a customer: it sees its registry records."""

    bank = models.ForeignKey(Organisation, verbose_name=_("bank"), on_delete=models.PROTECT,
                             related_name="customer_relationships")
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
                                   related_name="customer_relationships")
    since = models.DateField(_("since"))
    source = models.CharField(_("source"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("customer relationship")
        verbose_name_plural = _("customer relationships")
        ordering = ["bank", "enterprise"]
        constraints = [models.UniqueConstraint(fields=["bank", "enterprise"], name="customer_relationship_unique")]

    def __str__(self) -> str:
        return f"{self.bank} → {self.enterprise}"


class IpAsset(models.Model):
    """The common base of every IP asset; per-kind columns in :class:`Patent` / :class:`Trademark`,
    the smaller kinds (copyright, plant variety, GI, data IP) in ``details``.

    ``status`` and the encumbrance flags are derived from :class:`LegalStatusEvent` rows
    (:mod:`ipfin.domain.registry.legal_status`) and stored for querying only.
    """

    kind = models.CharField(_("kind"), max_length=30, choices=AssetKind.choices)
    number = models.CharField(_("number"), max_length=40, help_text=_("Application or registration number"))
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(_("legal status"), max_length=20, choices=LegalStatus.choices,
                              default=LegalStatus.PENDING, db_index=True)
    status_since = models.DateField(_("status since"), null=True, blank=True)
    pledged = models.BooleanField(_("pledged"), default=False, db_index=True)
    frozen = models.BooleanField(_("frozen"), default=False)
    invalidation_pending = models.BooleanField(_("invalidation pending"), default=False)
    in_litigation = models.BooleanField(_("in litigation"), default=False)
    filing_date = models.DateField(_("filing date"), null=True, blank=True)
    registration_date = models.DateField(_("grant or registration date"), null=True, blank=True)
    expiry_date = models.DateField(_("term end"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("IP asset")
        verbose_name_plural = _("IP assets")
        ordering = ["kind", "number"]
        constraints = [models.UniqueConstraint(fields=["kind", "number"], name="ip_asset_number_unique_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number} {self.title}"


class Patent(models.Model):
    """Patent columns (valuation reads them): kind, IPC, claims, citations, family, fees."""

    asset = models.OneToOneField(IpAsset, primary_key=True, on_delete=models.CASCADE, related_name="patent")
    patent_type = models.CharField(_("patent type"), max_length=20, choices=PatentType.choices)
    is_pct = models.BooleanField(_("PCT national phase"), default=False)
    ipc_main = models.CharField(_("main IPC"), max_length=20, blank=True, db_index=True)
    ipc_codes = models.CharField(_("IPC codes"), max_length=300, blank=True, help_text=_("Separated by ';'"))
    claims_count = models.PositiveIntegerField(_("claims"), default=0)
    independent_claims = models.PositiveIntegerField(_("independent claims"), default=0)
    forward_citations = models.PositiveIntegerField(_("forward citations"), default=0)
    backward_citations = models.PositiveIntegerField(_("backward citations"), default=0)
    family_size = models.PositiveIntegerField(_("family size"), default=1)
    family_countries = models.CharField(_("family countries"), max_length=200, blank=True)
    fee_paid_through = models.DateField(_("annual fees paid through"), null=True, blank=True)
    open_licence = models.BooleanField(_("open licence declared"), default=False)

    class Meta:
        verbose_name = _("patent")
        verbose_name_plural = _("patents")

    def __str__(self) -> str:
        return self.asset.number

    @property
    def filing_date(self) -> date | None:
        return self.asset.filing_date

    @property
    def grant_date(self) -> date | None:
        return self.asset.registration_date

    @property
    def term_end(self) -> date | None:
        return self.asset.expiry_date


class Trademark(models.Model):
    asset = models.OneToOneField(IpAsset, primary_key=True, on_delete=models.CASCADE, related_name="trademark")
    mark_type = models.CharField(_("mark type"), max_length=20, choices=MarkType.choices, default=MarkType.ORDINARY)
    nice_classes = models.CharField(_("Nice classes"), max_length=200, help_text=_("Separated by ';'"))
    is_geographical_indication = models.BooleanField(_("geographical indication"), default=False)

    class Meta:
        verbose_name = _("trademark")
        verbose_name_plural = _("trademarks")

    def __str__(self) -> str:
        return self.asset.number

    @property
    def valid_from(self) -> date | None:
        return self.asset.registration_date

    @property
    def valid_to(self) -> date | None:
        return self.asset.expiry_date


class IpAssetOwner(models.Model):
    """An owner of an asset: an enterprise on the platform or an outside co-owner by name."""

    asset = models.ForeignKey(IpAsset, on_delete=models.CASCADE, related_name="owners")
    enterprise = models.ForeignKey(Enterprise, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="ip_ownerships")
    owner_name = models.CharField(_("owner"), max_length=200)
    share = models.DecimalField(_("share (%)"), max_digits=7, decimal_places=4)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("IP asset owner")
        verbose_name_plural = _("IP asset owners")
        ordering = ["asset", "position"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "position"], name="ip_owner_position_unique"),
            models.CheckConstraint(condition=models.Q(share__gt=0, share__lte=100), name="ip_owner_share_range"),
        ]
        indexes = [models.Index(fields=["enterprise", "asset"])]

    def __str__(self) -> str:
        return f"{self.owner_name} {self.share}%"


class LegalStatusEvent(models.Model):
    """One legal-status event (grant, transfer, licence, pledge, freeze, invalidation, lapse …)."""

    asset = models.ForeignKey(IpAsset, on_delete=models.CASCADE, related_name="legal_events")
    kind = models.CharField(_("event"), max_length=30, choices=LegalEventKind.choices)
    effective_date = models.DateField(_("effective date"))
    reference = models.CharField(_("reference"), max_length=60, blank=True,
                                 help_text=_("Recordal, decision or case number"))
    details = models.JSONField(_("details"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("legal-status event")
        verbose_name_plural = _("legal-status events")
        ordering = ["asset", "effective_date", "id"]
        constraints = [models.UniqueConstraint(fields=["asset", "kind", "effective_date", "reference"],
                                               name="legal_event_unique")]

    def __str__(self) -> str:
        return f"{self.asset.number} {self.get_kind_display()} {self.effective_date}"
