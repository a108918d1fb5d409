"""Risk-compensation funds (风险补偿资金) and the institutions cooperating with them.

Issue 5 needs only what origination checks: which funds exist, the policy profile each runs under, and
each bank's standing (BT-13b: a suspended bank's new customers are not covered). The ledger, claims and
notices arrive with the fund issue and extend these tables.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ipfin.accounts.models import Organisation
from ipfin.fund.choices import CooperationStatus, FundStatus


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

    class Meta:
        verbose_name = _("cooperating institution")
        verbose_name_plural = _("cooperating institutions")
        constraints = [models.UniqueConstraint(fields=["fund", "institution"], name="fund_cooperation_unique")]

    def __str__(self) -> str:
        return f"{self.fund} · {self.institution}"
