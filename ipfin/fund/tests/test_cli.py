"""``ipfin fund status`` and ``ipfin fund simulate``: exit codes with one error line, JSON shape, determinism for
a seed, the human lines. A real covered loan (origination → disbursement, servicing factories) under a fund
switched to the Baotou profile so that every number the simulation needs is in force (BT-12 … BT-16)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from ipfin.cli import run
from ipfin.fund import actions
from ipfin.fund.models import Fund
from ipfin.origination.tests.factories import make_setup
from ipfin.servicing.tests.factories import DISBURSED_ON, make_disbursed_loan

pytestmark = pytest.mark.django_db
AS_OF = "2022-06-30"  # baotou-2021 is in force (2021-01-01 … 2022-12-31)
SIM = ["--default-rate", "0.5", "--recovery-rate", "0.2", "--years", "2", "--runs", "200", "--seed", "1"]


@dataclass
class Covered:
    fund: Fund
    loan: Any
    bank: Any


@pytest.fixture
def covered() -> Covered:
    setup = make_setup(DISBURSED_ON)
    d = make_disbursed_loan(setup, fund_id=setup.fund.pk)
    fund = setup.fund
    assert d.loan.fund_id == fund.pk
    actions.record_contribution(setup.users["fund"], fund.pk, contributor_id=fund.manager_id, amount_fen=500_000_000,
                                on=date(2025, 10, 1))
    Fund.objects.filter(pk=fund.pk).update(profile_name="baotou-2021")
    fund.refresh_from_db()
    return Covered(fund, d.loan, d.loan.bank)


def _run(argv: list[str], capsys: Any) -> tuple[int, str, str]:
    try:
        code = run(argv)
    except SystemExit as exc:  # argparse errors
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("argv", [
    ["fund", "status", "nope"],
    ["fund", "simulate", "nope", *SIM],
])
def test_unknown_fund_exits_2(argv: list[str], capsys: Any) -> None:
    code, out, err = _run(argv, capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("error: ")


@pytest.mark.parametrize("change", [
    ("--default-rate", "1.5"), ("--default-rate", "abc"), ("--recovery-rate", "-0.1"), ("--years", "0"),
    ("--runs", "0"), ("--seed", "-1"), ("--runs", "ten"),
])
def test_bad_simulation_input_exits_2_before_reading_the_fund(change: tuple[str, str], capsys: Any) -> None:
    argv = list(SIM)
    argv[argv.index(change[0]) + 1] = change[1]
    code, out, err = _run(["fund", "simulate", "nope", *argv, "--as-of", AS_OF], capsys)
    assert code == 2 and out == "" and err.strip().splitlines()[-1].startswith("error: ")
    assert "no fund" not in err  # the scenario is refused first


def test_status_json_and_human(covered: Covered, capsys: Any) -> None:
    code, out, _err = _run(["fund", "status", covered.fund.code, "--as-of", AS_OF, "--json"], capsys)
    assert code == 0
    payload = json.loads(out)
    assert set(payload) == {"fund", "as_of", "balance_fen", "exposure_fen", "covered_count", "covered_amount_fen",
                            "claims_by_state", "banks"}
    assert payload["balance_fen"] == 500_000_000 and payload["covered_count"] == 1
    assert payload["covered_amount_fen"] == covered.loan.principal_fen and payload["exposure_fen"] > 0
    (bank,) = payload["banks"]
    assert bank == {"bank": covered.bank.name, "issued_fen": covered.loan.principal_fen, "paid_fen": 0,
                    "ratio": "0", "status": "admitted"}
    code, out, _err = _run(["fund", "status", covered.fund.code, "--as-of", AS_OF], capsys)
    assert code == 0 and "余额 5,000,000.00 元" in out and covered.bank.name in out and "补偿率 0.00%" in out


def test_simulate_json_is_deterministic_for_a_seed(covered: Covered, capsys: Any) -> None:
    argv = ["fund", "simulate", covered.fund.code, *SIM, "--as-of", AS_OF, "--json"]
    code, first, _ = _run(argv, capsys)
    code2, second, _ = _run(argv, capsys)
    assert code == code2 == 0 and first == second
    payload = json.loads(first)
    assert payload["fund"] == covered.fund.code and payload["loans"] == 1
    assert payload["clauses"] == {"warning_ratio": "BT-13a", "suspension_ratio": "BT-13b",
                                  "claim_min_days_past_due": "BT-15", "recovery_share_ratio": "BT-16"}
    assert set(payload["payouts"]) == {"mean_fen", "p50_fen", "p95_fen", "p99_fen", "max_fen"}
    assert payload["scenario"] == {"default_rate": "0.5", "recovery_rate": "0.2", "years": 2, "runs": 200, "seed": 1}
    assert payload["start_on"] == AS_OF and payload["horizon_end"] == "2024-06-30"
    (bank,) = payload["banks"]
    assert bank["bank"] == covered.bank.name and bank["warning"]["clause"] == "BT-13a"
    # one loan: every run pays either nothing or the loan's one claim (BT-12: ratio × loss, capped)
    assert payload["payouts"]["max_fen"] > 0 and payload["payouts"]["p50_fen"] in (0, payload["payouts"]["max_fen"])
    other = _run(["fund", "simulate", covered.fund.code, *SIM[:-1], "2", "--as-of", AS_OF, "--json"], capsys)[1]
    assert json.loads(other)["scenario"]["seed"] == 2
    code, out, _ = _run(["fund", "simulate", covered.fund.code, *SIM, "--as-of", AS_OF], capsys)
    assert code == 0 and "资金耗尽概率" in out and "达到预警线(3.00%)" in out and covered.bank.name in out
    # a date on which the fund's profile sets no BT-13 ratios: bad input, never a default
    code, out, err = _run(["fund", "simulate", covered.fund.code, *SIM, "--as-of", "2026-01-05"], capsys)
    assert code == 2 and out == "" and "warning_ratio" in err
