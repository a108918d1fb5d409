"""Demo funds: one per city, the city's bank (and the guarantor/insurer of that city) admitted.

The Baotou fund runs under baotou-2021, in force 2021-01-01 … 2022-12-31 (BT-23), so it opens on the first day and
expires (``closes_on``) on the profile's last; its ledger carries the two years: the initial contribution
(``fund_initial_size_fen``, BT-3) raised by the city through its IP office, money moved to the cooperating bank's
dedicated account (BT-9), interest (BT-11) and the manager's fees within the cap (BT-8.7). Amounts other than the
initial size are the demo's own. After expiry the leadership group may close it (BT-21) from its closing page.

Deterministic and idempotent: funds are found by code, cooperations by (fund, institution), and the ledger
history is written only into an empty journal. Called from ``ipfin.demo.data.load_demo_data``.
"""

from __future__ import annotations

from datetime import date

from ipfin.accounts.models import Organisation, User
from ipfin.fund import actions
from ipfin.fund.models import Cooperation, Fund, JournalEntry
from ipfin.policy.loader import get_profile

# (code, name, profile, region, manager key, opened on, cooperating institution keys); a fund expires with its
# profile where the profile has an end (BT-23).
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
            closes_on = get_profile(profile).effective_to if profile == "baotou-2021" else None
            fund = actions.create_fund(None, code=code, name=name, profile_name=profile, region_code=region,
                                       manager=orgs[manager_key], opened_on=opened_on, closes_on=closes_on)
            created["funds"] += 1
        for key in members:
            institution = orgs.get(key)
            if institution is None or Cooperation.objects.filter(fund=fund, institution=institution).exists():
                continue
            actions.admit_institution(None, fund.pk, institution.pk, admitted_on=opened_on)
            created["cooperations"] += 1
    baotou = Fund.objects.filter(code="baotou-ip-fund").first()
    officer = User.objects.filter(username="fund").first()
    if baotou is not None and officer is not None and "ipo_bt" in orgs and "bank1" in orgs:
        created["entries"] = _baotou_history(baotou, officer, orgs["ipo_bt"], orgs["bank1"])
    return created


def _baotou_history(fund: Fund, officer: User, contributor: Organisation, bank: Organisation) -> int:
    """The Baotou fund's two years in its journal, through the fund officer's actions (only into an empty one)."""
    if JournalEntry.objects.filter(fund=fund).exists():
        return 0
    initial = int(get_profile(fund.profile_name).param("fund_initial_size_fen"))
    steps = [
        lambda: actions.record_contribution(officer, fund.pk, contributor_id=contributor.pk, amount_fen=initial,
                                            on=date(2021, 1, 4), reference="包财预〔2021〕1号"),
        lambda: actions.transfer_between_accounts(officer, fund.pk, from_bank_id=None, to_bank_id=bank.pk,
                                                  amount_fen=300_000_000, on=date(2021, 1, 5),
                                                  reference="鹿城银行专户"),
        lambda: actions.record_interest(officer, fund.pk, amount_fen=2_187_500, on=date(2021, 6, 21),
                                        reference="2021Q2 结息"),
        lambda: actions.record_interest(officer, fund.pk, amount_fen=1_050_000, on=date(2021, 6, 21),
                                        bank_id=bank.pk, reference="2021Q2 结息"),
        lambda: actions.post_management_fee(officer, fund.pk, amount_fen=12_000_000, on=date(2021, 12, 31),
                                            reference="2021 年度管理费"),
        lambda: actions.record_interest(officer, fund.pk, amount_fen=4_312_500, on=date(2021, 12, 21),
                                        reference="2021 年结息"),
        lambda: actions.post_management_fee(officer, fund.pk, amount_fen=12_000_000, on=date(2022, 12, 30),
                                            reference="2022 年度管理费"),
    ]
    for step in steps:
        step()
    return len(steps)
