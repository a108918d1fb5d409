from __future__ import annotations

import pytest

from ipfin.accounts.choices import ROLES_BY_KIND, OrganisationKind
from ipfin.accounts.models import Organisation, RoleAssignment, User
from ipfin.cli import run
from ipfin.demo.data import load_demo_data

pytestmark = pytest.mark.django_db


def _snapshot() -> list[tuple[str, str, str]]:
    return list(Organisation.objects.order_by("name").values_list("name", "kind", "region_code"))


def test_demo_data_has_every_kind_and_every_role() -> None:
    result = load_demo_data(seed=42)
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert kinds == set(OrganisationKind.values)
    assert result.enterprises == 50
    assert Organisation.objects.filter(kind="enterprise", region_code__startswith="1502").count() == 30
    assert Organisation.objects.filter(kind="enterprise", region_code__startswith="5104").count() == 20
    assert Organisation.objects.filter(kind="bank", head_office__isnull=True).count() == 2
    assert Organisation.objects.filter(kind="bank", head_office__isnull=False).count() == 4
    all_roles = set().union(*ROLES_BY_KIND.values())
    assert set(RoleAssignment.objects.values_list("role", flat=True)) == all_roles
    assert User.objects.get(username="bank.approver").check_password("ipfin-demo-2026")


def test_rerun_creates_nothing_and_same_seed_gives_same_data() -> None:
    load_demo_data(seed=42)
    first = _snapshot()
    users = User.objects.count()
    again = load_demo_data(seed=42)
    assert again.organisations_created == 0 and again.users_created == 0
    assert _snapshot() == first and User.objects.count() == users


def test_other_seed_gives_other_enterprises() -> None:
    import random

    from ipfin.demo.data import _enterprise_names

    assert _enterprise_names(random.Random(42), "150200", 30) == _enterprise_names(random.Random(42), "150200", 30)
    assert _enterprise_names(random.Random(42), "150200", 30) != _enterprise_names(random.Random(7), "150200", 30)


def test_cli_prints_logins(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["demo-data", "--seed", "42"]) == 0
    assert run(["demo-data", "--logins"]) == 0
    out = capsys.readouterr().out
    assert "bank.approver" in out and "ipfin-demo-2026" in out


def test_demo_has_files_at_every_stage_and_public_announcements() -> None:
    from ipfin.origination.models import Application
    from ipfin.pledges.models import PledgeAnnouncement
    from ipfin.servicing.models import Loan

    result = load_demo_data(seed=42)
    assert result.market and result.market["products"] == 5 and result.funds and result.funds["funds"] == 2
    statuses = set(Application.objects.values_list("status", flat=True))
    assert {"draft", "submitted", "returned", "under_review", "contract_signed", "disbursed"} <= statuses
    assert Loan.objects.count() == 2 and PledgeAnnouncement.objects.filter(status="registered").count() >= 2
    # Every demo file was driven through the actions: each has its audit trail.
    from ipfin.accounts.models import AuditEvent

    assert AuditEvent.objects.filter(action="origination.application.disburse").count() == 2
    # Servicing: the older loan is current, the newer one missed its first installment; COB ran for the day.
    from ipfin.servicing.models import CobRun

    assert result.servicing and result.servicing["cob_runs"] == 1
    assert CobRun.objects.filter(status="completed").count() == 1
    assert Loan.objects.filter(days_past_due__gt=0, risk_class="special_mention").count() == 1


def test_demo_baotou_fund_carries_its_two_years_in_the_ledger() -> None:
    from datetime import date

    from ipfin.fund import ledger, selectors
    from ipfin.fund.models import Fund, JournalEntry

    result = load_demo_data(seed=42)
    fund = Fund.objects.get(code="baotou-ip-fund")
    assert fund.closes_on == date(2022, 12, 31)  # BT-23: the rules' two years
    assert result.funds and result.funds["entries"] == 7
    kinds = list(JournalEntry.objects.filter(fund=fund).order_by("number").values_list("kind", flat=True))
    assert kinds[:2] == ["contribution", "transfer"] and kinds.count("interest") == 3
    # 10,000,000 元 (BT-3) + interest 75,500 元 − fees 240,000 元
    assert selectors.fund_balance_fen(fund) == 1_000_000_000 + 7_550_000 - 24_000_000
    assert ledger.fee_used_fen(fund, date(2022, 6, 1)) == 12_000_000
    assert load_demo_data(seed=42).funds["entries"] == 0  # type: ignore[index]  # rerun writes nothing
