"""``ipfin schedule``: the exact JSON contract, the Chinese table, exit 2 with one line on bad input; no database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ipfin.cli import run

ARGS = ["schedule", "--principal", "1000000", "--annual-rate", "3.85", "--months", "12",
        "--method", "equal-installment", "--start", "2026-01-15"]


def test_json_is_exactly_the_documented_shape(capsys) -> None:
    assert run([*ARGS, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"rows", "totals"}
    assert len(data["rows"]) == 12
    assert set(data["rows"][0]) == {"period", "due_date", "principal_fen", "interest_fen", "total_fen",
                                    "balance_fen"}
    assert data["rows"][0]["due_date"] == "2026-02-15"
    assert data["rows"][0]["total_fen"] == 8_508_139  # 85,081.39 元
    assert data["totals"]["principal_fen"] == 100_000_000
    assert data["totals"]["total_fen"] == sum(r["total_fen"] for r in data["rows"])
    assert data["rows"][-1]["balance_fen"] == 0


@pytest.mark.parametrize("extra", [
    ["--frequency", "quarterly", "--day-count", "30_360"],
    ["--first-due", "2026-02-20"],
    ["--day-count", "act365"],
])
def test_options(capsys, extra) -> None:
    assert run([*ARGS, *extra, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["totals"]["principal_fen"] == 100_000_000


def test_bullet_and_equal_principal_by_cli(capsys) -> None:
    assert run([*ARGS[:-4], "--method", "bullet", "--start", "2026-01-15", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["rows"]) == 1


def test_human_output_is_a_chinese_table(capsys) -> None:
    assert run(ARGS) == 0
    out = capsys.readouterr().out
    assert "等额本息" in out and "期数" in out and "剩余本金" in out
    assert "85,081.39" in out
    assert out.splitlines()[-1].startswith("合计")


@pytest.mark.parametrize("argv", [
    ["--principal", "0"],
    ["--principal", "10.001"],
    ["--annual-rate", "-1"],
    ["--months", "7", "--frequency", "quarterly"],
    ["--start", "2026-02-30"],
    ["--method", "balloon"],
    ["--first-due", "2026-01-10"],
])
def test_bad_input_exits_2_with_one_line(capsys, argv) -> None:
    args = list(ARGS)
    for flag, value in zip(argv[::2], argv[1::2], strict=True):
        if flag in args:
            args[args.index(flag) + 1] = value
        else:
            args += [flag, value]
    try:
        code = run(args)
    except SystemExit as exc:  # argparse-level errors (choices, dates)
        code = exc.code
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1


def test_installed_command_runs_without_a_database(tmp_path) -> None:
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run([sys.executable, "-c", "from ipfin.cli import main; main()", *ARGS, "--json"],
                            cwd=root, capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path}/absent/x.db"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["totals"]["principal_fen"] == 100_000_000
