"""Test helpers: registry patents with valuation-relevant facts, appraisers, PDF uploads."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from ipfin.accounts.actions import create_organisation
from ipfin.accounts.models import Organisation
from ipfin.registry import actions as registry_actions
from ipfin.registry.models import Enterprise, IpAsset
from ipfin.registry.tests.factories import make_enterprise, make_patent
from ipfin.valuation.choices import AdmissionStatus
from ipfin.valuation.models import Appraiser

AS_OF = date(2025, 6, 30)


def enterprise_of(org: Organisation) -> Enterprise:
    return make_enterprise(org, industry_code="C39")


def valued_patent(enterprise: Enterprise, **extra: Any) -> IpAsset:
    details = {"attributable_revenue_fen": 3_000_000_000, "appraiser_inputs": {"technical_advancement": 75}}
    details.update(extra.pop("details", {}))
    return make_patent(enterprise, patent={"forward_citations": 8, "family_size": 3, **extra.pop("patent", {})},
                       details=details, **extra)


def admitted_appraiser(org: Organisation | None = None) -> Appraiser:
    org = org or create_organisation(None, name="四川天健资产评估有限公司", kind="appraiser", region_code="510100")
    return Appraiser.objects.create(organisation=org, qualifications=["资产评估资格"], rating="AA",
                                    fee_schedule={"base_fen": 500000}, admission_status=AdmissionStatus.ADMITTED,
                                    admitted_on=date(2024, 1, 1))


def pdf(size: int = 200, name: str = "report.pdf") -> SimpleUploadedFile:
    body = b"%PDF-1.4\n" + b"0" * max(size - 9, 0)
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def link(bank: Organisation, enterprise: Enterprise) -> None:
    registry_actions.link_customer(None, bank=bank, enterprise=enterprise, since=date(2024, 1, 1))
