"""Pledge registrations (质押登记) and their public announcements (质押登记公示): PZA-2.2.1, XT-14, SC-1, SC-13."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ipfin.accounts.models import Organisation
from ipfin.origination.models import Contract
from ipfin.pledges.choices import ChangeKind, RefusalGround, RegistrationStatus
from ipfin.registry.models import Enterprise, IpAsset


class PledgeRegistration(models.Model):
    """The registration of one contract's collateral bundle with the IP office (one filing per bundle)."""

    filing_number = models.CharField(_("filing number"), max_length=30, unique=True)
    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.PROTECT,
                                 related_name="pledge_registrations")
    pledgor = models.ForeignKey(Enterprise, verbose_name=_("pledgor"), on_delete=models.PROTECT,
                                related_name="pledges_given")
    pledgee = models.ForeignKey(Organisation, verbose_name=_("pledgee"), on_delete=models.PROTECT,
                                related_name="pledges_taken")
    registry_office = models.ForeignKey(Organisation, verbose_name=_("registration office"),
                                        on_delete=models.PROTECT, related_name="pledges_registered")
    secured_amount_fen = models.BigIntegerField(_("secured amount (fen)"))
    term_start = models.DateField(_("term start"))
    term_end = models.DateField(_("term end"))
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.FILED, db_index=True)
    filed_on = models.DateField(_("filed on"))
    # Registration clock (PZA-2.2.1a, XT-14): from filing to registration, in working days.
    due_on = models.DateField(_("registration due on"), null=True, blank=True, db_index=True)
    # The working days allowed and the clause they come from (policy profile of the product); None when no
    # in-force profile sets a registration time limit (then there is no clock, not a guessed one).
    sla_working_days = models.PositiveSmallIntegerField(_("registration time limit (working days)"), null=True,
                                                        blank=True)
    sla_clause = models.CharField(_("time-limit clause"), max_length=40, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=40, null=True, blank=True,
                                           unique=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    refusal_ground = models.CharField(_("refusal ground"), max_length=30, choices=RefusalGround.choices,
                                      blank=True)
    refusal_note = models.TextField(_("refusal note"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    released_on = models.DateField(_("released on"), null=True, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pledge registration")
        verbose_name_plural = _("pledge registrations")
        ordering = ["-filed_on", "-id"]
        constraints = [
            # One open filing per contract: a rejected or released one may be followed by a new filing.
            models.UniqueConstraint(fields=["contract"], condition=models.Q(status__in=["filed", "registered",
                                                                                         "changed"]),
                                    name="pledge_one_open_filing_per_contract"),
            models.CheckConstraint(condition=models.Q(secured_amount_fen__gt=0), name="pledge_amount_positive"),
            models.CheckConstraint(condition=models.Q(term_end__gte=models.F("term_start")), name="pledge_term_order"),
        ]
        indexes = [models.Index(fields=["registry_office", "status", "due_on"], name="pledge_office_queue")]

    def __str__(self) -> str:
        return self.registration_number or self.filing_number


class PledgedAsset(models.Model):
    registration = models.ForeignKey(PledgeRegistration, on_delete=models.CASCADE, related_name="assets")
    asset = models.ForeignKey(IpAsset, verbose_name=_("IP asset"), on_delete=models.PROTECT,
                              related_name="pledge_links")

    class Meta:
        verbose_name = _("pledged asset")
        verbose_name_plural = _("pledged assets")
        constraints = [models.UniqueConstraint(fields=["registration", "asset"], name="pledged_asset_unique")]

    def __str__(self) -> str:
        return f"{self.registration_id}:{self.asset_id}"


class PledgeChange(models.Model):
    """A registered change (变更登记): what changed, before and after."""

    registration = models.ForeignKey(PledgeRegistration, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("kind"), max_length=20, choices=ChangeKind.choices)
    changed_on = models.DateField(_("changed on"))
    before = models.JSONField(_("before"), default=dict)
    after = models.JSONField(_("after"), default=dict)
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pledge change")
        verbose_name_plural = _("pledge changes")
        ordering = ["changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.kind} {self.changed_on}"


class PledgeAnnouncement(models.Model):
    """The public record (质押登记公示): one row per pledged asset, only public fields, denormalised so the
    public search reads one indexed table. Written by the pledge actions, never by hand."""

    registration = models.ForeignKey(PledgeRegistration, on_delete=models.CASCADE, related_name="announcements")
    registration_number = models.CharField(_("registration number"), max_length=40, db_index=True)
    registered_on = models.DateField(_("registered on"), db_index=True)
    asset_kind = models.CharField(_("IP kind"), max_length=30)
    asset_number = models.CharField(_("IP number"), max_length=40, db_index=True)
    asset_title = models.CharField(_("IP title"), max_length=300)
    pledgor_name = models.CharField(_("pledgor"), max_length=200, db_index=True)
    pledgee_name = models.CharField(_("pledgee"), max_length=200, db_index=True)
    term_start = models.DateField(_("term start"))
    term_end = models.DateField(_("term end"))
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices)
    released_on = models.DateField(_("released on"), null=True, blank=True)

    class Meta:
        verbose_name = _("pledge announcement")
        verbose_name_plural = _("pledge announcements")
        ordering = ["-registered_on", "-id"]
        # The public search (SC-13) reads this table only. On PostgreSQL ``db_index`` on a CharField adds a
        # ``varchar_pattern_ops`` twin, so the IP-number prefix search is an index range scan; the name
        # "contains" searches use pg_trgm GIN indexes made in migration 0003 (PostgreSQL only).
        indexes = [
            models.Index(fields=["-registered_on", "-id"], name="pledge_ann_recent"),
            models.Index(fields=["status", "-registered_on", "-id"], name="pledge_ann_status_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.registration_number} {self.asset_number}"
