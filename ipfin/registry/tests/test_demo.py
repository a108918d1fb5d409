"""The demo-data hook: deterministic for the seed, idempotent, valid identifiers."""

from __future__ import annotations

import random
from datetime import date

import pytest

from ipfin.accounts.actions import create_organisation
from ipfin.domain.registry.patent_number import parse_patent_number
from ipfin.domain.registry.uscc import validate_uscc
from ipfin.registry.demo import seed_registry
from ipfin.registry.models import CustomerRelationship, Enterprise, IpAsset, LegalStatusEvent


@pytest.mark.django_db
def test_seed_registry_is_valid_deterministic_and_idempotent() -> None:
    enterprises = [create_organisation(None, name=f"演示企业{i}", kind="enterprise",
                                       region_code=["150203", "510402"][i % 2]) for i in range(8)]
    banks = [create_organisation(None, name="演示银行包头", kind="bank", region_code="150200"),
             create_organisation(None, name="演示银行攀枝花", kind="bank", region_code="510400")]
    counts = seed_registry(random.Random(42), enterprises, banks, date(2025, 6, 30))
    assert counts["enterprises"] == 8 and counts["patents"] >= 16
    assert all(validate_uscc(code) == code for code in Enterprise.objects.values_list("uscc", flat=True))
    for number in IpAsset.objects.filter(kind="patent").values_list("number", flat=True):
        assert parse_patent_number(number).number == number
    assert CustomerRelationship.objects.filter(bank=banks[1], enterprise__organisation__region_code="510402").exists()
    snapshot = sorted(IpAsset.objects.values_list("number", "status", "pledged"))
    events = LegalStatusEvent.objects.count()
    assert seed_registry(random.Random(42), enterprises, banks, date(2025, 6, 30))["patents"] == 0
    assert sorted(IpAsset.objects.values_list("number", "status", "pledged")) == snapshot
    assert LegalStatusEvent.objects.count() == events
