"""Test helpers: registry records with valid identifiers, made through the actions (system actor)."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from ipfin.accounts.models import Organisation
from ipfin.domain.registry.patent_number import build_patent_number
from ipfin.domain.registry.uscc import build_uscc
from ipfin.registry import actions
from ipfin.registry.models import Enterprise, IpAsset
from ipfin.registry.validation import OwnerInput

_serial = itertools.count(1)


def next_uscc(region_code: str = "150203") -> str:
    return build_uscc("9", "1", region_code, f"MA{next(_serial):06d}")


def make_enterprise(organisation: Organisation, **facts: Any) -> Enterprise:
    existing = Enterprise.objects.filter(organisation=organisation).first()
    if existing is not None:
        return existing
    defaults: dict[str, Any] = {
        "uscc": next_uscc(organisation.region_code), "established_on": date(2015, 3, 1),
        "industry_code": "C3240", "size_class": "small", "contact_name": "张三", "contact_phone": "13812345678",
        "legal_representative": "李四", "legal_rep_id_number": "11010519491231002X",
    }
    defaults.update(facts)
    return actions.create_enterprise(None, organisation=organisation, **defaults)


def make_patent(enterprise: Enterprise, *, year: int = 2019, kind_digit: str = "1", granted: bool = True,
                **extra: Any) -> IpAsset:
    number = build_patent_number(year, kind_digit, next(_serial))
    return actions.add_ip_asset(
        None, kind="patent", number=number, title=extra.pop("title", "一种稀土永磁材料的制备方法"),
        owners=[OwnerInput(share=Decimal(100), enterprise_id=enterprise.pk)],
        filing_date=date(year, 4, 1), registration_date=date(year + 2, 5, 10) if granted else None,
        patent={"ipc_main": "H01F", "claims_count": 10, "independent_claims": 2, **extra.pop("patent", {})},
        **extra,
    )
