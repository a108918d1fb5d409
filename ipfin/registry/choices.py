"""Choices of the registry models (English identifiers from the glossary; Chinese labels in locale/)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ipfin.domain.registry.legal_status import LegalEventKind as DomainEventKind
from ipfin.domain.registry.legal_status import LegalStatus as DomainStatus


class SizeClass(models.TextChoices):
    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


class QualificationKind(models.TextChoices):
    HIGH_TECH = "high_tech", _("High-tech enterprise")  # 高新技术企业
    SPECIALISED = "specialised", _("Specialised and sophisticated SME")  # 专精特新
    LITTLE_GIANT = "little_giant", _("Specialised 'little giant'")  # 专精特新“小巨人”
    TECH_SME = "tech_sme", _("Technology-based SME")  # 科技型中小企业


class CreditEventKind(models.TextChoices):
    OVERDUE = "overdue", _("Loan overdue")
    DEFAULT = "default", _("Default")
    COURT_ENFORCEMENT = "court_enforcement", _("Court enforcement")
    TAX_VIOLATION = "tax_violation", _("Tax violation")
    ADMINISTRATIVE_PENALTY = "administrative_penalty", _("Administrative penalty")
    OTHER = "other", _("Other")


class CreditSource(models.TextChoices):
    PBOC = "pboc", _("PBoC credit reference centre")
    COURT = "court", _("Court")
    TAX = "tax", _("Tax authority")
    BANK = "bank", _("Bank")
    MARKET_REGULATOR = "market_regulator", _("Market regulator")
    OTHER = "other", _("Other")


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class AssetKind(models.TextChoices):
    PATENT = "patent", _("Patent")
    TRADEMARK = "trademark", _("Trademark")
    COPYRIGHT = "copyright", _("Copyright")
    PLANT_VARIETY = "plant_variety", _("Plant variety right")
    GEOGRAPHICAL_INDICATION = "geographical_indication", _("Geographical indication")
    DATA_IP = "data_ip", _("Data intellectual property")


class PatentType(models.TextChoices):
    INVENTION = "invention", _("Invention")
    UTILITY_MODEL = "utility_model", _("Utility model")
    DESIGN = "design", _("Design")


class MarkType(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary mark")
    COLLECTIVE = "collective_mark", _("Collective mark")
    CERTIFICATION = "certification_mark", _("Certification mark")


class LegalStatus(models.TextChoices):
    PENDING = DomainStatus.PENDING.value, _("Pending")
    IN_FORCE = DomainStatus.IN_FORCE.value, _("In force")
    LAPSED = DomainStatus.LAPSED.value, _("Lapsed (fees unpaid)")
    INVALIDATED = DomainStatus.INVALIDATED.value, _("Invalidated")
    EXPIRED = DomainStatus.EXPIRED.value, _("Expired")


class LegalEventKind(models.TextChoices):
    GRANT = DomainEventKind.GRANT.value, _("Grant")
    TRANSFER = DomainEventKind.TRANSFER.value, _("Transfer")
    LICENCE_RECORDAL = DomainEventKind.LICENCE_RECORDAL.value, _("Licence recordal")
    RENEWAL = DomainEventKind.RENEWAL.value, _("Renewal")
    PLEDGE = DomainEventKind.PLEDGE.value, _("Pledge")
    PLEDGE_RELEASE = DomainEventKind.PLEDGE_RELEASE.value, _("Pledge release")
    FREEZE = DomainEventKind.FREEZE.value, _("Freeze")
    FREEZE_RELEASE = DomainEventKind.FREEZE_RELEASE.value, _("Freeze release")
    INVALIDATION_REQUEST = DomainEventKind.INVALIDATION_REQUEST.value, _("Invalidation request")
    INVALIDATION_UPHELD = DomainEventKind.INVALIDATION_UPHELD.value, _("Invalidation decision: upheld")
    INVALIDATION_PARTIAL = DomainEventKind.INVALIDATION_PARTIAL.value, _("Invalidation decision: partly invalid")
    INVALIDATION_INVALIDATED = DomainEventKind.INVALIDATION_INVALIDATED.value, _("Invalidation decision: invalid")
    LAPSE = DomainEventKind.LAPSE.value, _("Lapse for unpaid fees")
    RESTORATION = DomainEventKind.RESTORATION.value, _("Restoration")
    EXPIRY = DomainEventKind.EXPIRY.value, _("Expiry")
    LITIGATION = DomainEventKind.LITIGATION.value, _("Litigation")
    LITIGATION_CLOSED = DomainEventKind.LITIGATION_CLOSED.value, _("Litigation closed")


class LicenceType(models.TextChoices):
    EXCLUSIVE = "exclusive", _("Exclusive licence")
    SOLE = "sole", _("Sole licence")
    ORDINARY = "ordinary", _("Ordinary licence")
    OPEN = "open_licence", _("Open licence")


class CopyrightWorkType(models.TextChoices):
    SOFTWARE = "software", _("Computer software")
    LITERARY = "literary", _("Literary work")
    ART = "art", _("Work of fine art")
    AUDIOVISUAL = "audiovisual", _("Audiovisual work")
    ENGINEERING_DRAWING = "drawing", _("Engineering or product design drawing")
    OTHER = "other", _("Other work")
