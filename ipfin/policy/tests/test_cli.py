"""``ipfin policy list|show|validate``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ipfin.cli import run


def test_policy_list_human_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["policy", "list"]) == 0
    out = capsys.readouterr().out
    assert "baotou-2021" in out and "包头市知识产权质押融资风险补偿资金管理办法（试行）" in out
    assert run(["policy", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["name"] for row in rows] == ["baotou-2021", "panzhihua-agreement", "panzhihua-pilot-2016",
                                             "sichuan-2025", "xiangtan-2020"]
    baotou = rows[0]
    assert baotou == {"name": "baotou-2021", "title": "包头市知识产权质押融资风险补偿资金管理办法（试行）",
                      "jurisdiction": "150200", "jurisdiction_name": "包头市", "effective_from": "2021-01-01",
                      "effective_to": "2022-12-31", "parameter_count": baotou["parameter_count"]}
    assert baotou["parameter_count"] >= 18


def test_policy_show_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["policy", "show", "baotou-2021", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["name"] == "baotou-2021"
    assert data["jurisdiction"] == "150200"
    assert data["parameters"]["compensation_ratio"] == {"value": "0.30", "unit": "ratio", "clause": "BT-12a"}
    assert data["parameters"]["claim_cap_fen"] == {"value": 150000000, "unit": "fen", "clause": "BT-12b"}
    assert data["parameters"]["recovery_share_due_working_days"] == {"value": 15, "unit": "working_days",
                                                                     "clause": "BT-16"}
    for parameter in data["parameters"].values():
        assert set(parameter) == {"value", "unit", "clause"}


def test_policy_show_human_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["policy", "show", "xiangtan-2020"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "xiangtan-2020: 关于进一步促进知识产权质押融资工作的若干措施"
    assert any(line.split() == ["npl_tolerance_spread_pp", "percentage_points", "XT-10", "3"] for line in lines)
    assert any("premium_subsidy_ratio" in line and "(not stated)" in line for line in lines)


def test_unknown_profile_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["policy", "show", "ordos-2024"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("error: Unknown policy profile 'ordos-2024'; known profiles: baotou-2021")


def test_policy_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["policy", "validate"]) == 0
    assert "5 profiles valid" in capsys.readouterr().out
    bad = tmp_path / "bad-city.toml"
    bad.write_text('[profile]\nname = "bad-city"\n', encoding="utf-8")
    assert run(["policy", "validate", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: bad-city.toml: profile.title: Field required")


def test_policy_commands_need_no_django() -> None:
    from ipfin.policy import cli

    for command in (cli.cmd_policy_list, cli.cmd_policy_show, cli.cmd_policy_validate):
        assert command.needs_django is False  # type: ignore[attr-defined]
