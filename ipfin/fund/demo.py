"""Demo funds: one per city, the city's bank (and the guarantor/insurer of that city) admitted.

Deterministic and idempotent: funds are found by code, cooperations by (fund, institution).
Called from ``ipfin.demo.data.load_demo_data`` with the demo's organisations by key.
"""

from __future__ import annotations

from datetime import date

from ipfin.accounts.models import Organisation
from ipfin.fund import actions
from ipfin.fund.models import Cooperation, Fund

# (code, name, profile, region, manager key, opened on, cooperating institution keys)
FUNDS = [
    ("baotou-ip-fund", "包头市知识产权质押融资风险补偿资金", "baotou-2021", "150200", "fund", date(2021, 1, 1),
     ["bank1", "guarantor", "insurer"]),
    ("panzhihua-ip-fund", "攀枝花市知识产权质押融资风险补偿基金池", "panzhihua-agreement", "510400", "ipo_pzh",
     date(2025, 1, 1), ["bank2"]),
]


def seed_funds(orgs: dict[str, Organisation], as_of: date | None = None) -> dict[str, int]:
    """Create the demo funds and admissions that do not exist yet; returns how many were created."""
    created = {"funds": 0, "cooperations": 0}
    for code, name, profile, region, manager_key, opened_on, members in FUNDS:
        if manager_key not in orgs:
            continue
        fund = Fund.objects.filter(code=code).first()
        if fund is None:
            fund = actions.create_fund(None, code=code, name=name, profile_name=profile, region_code=region,
                                       manager=orgs[manager_key], opened_on=opened_on)
            created["funds"] += 1
        for key in members:
            institution = orgs.get(key)
            if institution is None or Cooperation.objects.filter(fund=fund, institution=institution).exists():
                continue
            actions.admit_institution(None, fund.pk, institution.pk, admitted_on=opened_on)
            created["cooperations"] += 1
    return created
