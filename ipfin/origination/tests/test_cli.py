"""``ipfin application show|checks NUMBER [--json]``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ipfin.cli import run

from .factories import make_setup

pytestmark = pytest.mark.django_db


def test_show_and_checks(capsys: Any) -> None:
    s = make_setup()
    application = s.to(s.draft(), "complete")
    assert run(["application", "show", application.number, "--as-of", "2025-10-13", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "complete" and shown["clock"]["state"] == "due_soon"
    assert shown["clock"]["due_on"] == "2025-10-14"
    assert run(["application", "checks", application.number]) == 0
    out = capsys.readouterr().out
    assert "loan_to_value" in out and "PZA-2.1.2" in out
    assert run(["application", "checks", application.number, "--json"]) == 0
    assert {c["code"] for c in json.loads(capsys.readouterr().out)["checks"]} >= {"asset_in_force"}


def test_unknown_number_exits_2(capsys: Any) -> None:
    assert run(["application", "show", "SQ2099000001"]) == 2
    assert "no application" in capsys.readouterr().err
