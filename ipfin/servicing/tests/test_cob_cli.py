"""``ipfin cob``: exit codes and one error line; JSON shape; crash-resume in a real subprocess killed with
``os._exit(137)`` after the classify step, compared with an uninterrupted run on an identical copy."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from ipfin.cli import run
from ipfin.servicing.cob import CRASH_ENV
from ipfin.servicing.tests.factories import make_disbursed_loan
from ipfin.valuation.choices import ValuationSource, ValuationTrigger
from ipfin.valuation.models import Valuation

IPFIN = str(Path(sys.executable).with_name("ipfin"))
TABLES = ["servicing_loan", "servicing_installment", "servicing_riskclasschange", "servicing_riskwarning",
          "notifications_notification"]
CLOCK_COLUMNS = {"created_at", "updated_at", "started_at", "finished_at", "acknowledged_at", "read_at"}


@pytest.mark.parametrize("argv", [
    ["cob", "--business-date", "2025-02-30"],
    ["cob", "--business-date", "tomorrow"],
    ["cob"],
    ["cob", "--business-date", "2025-01-01", "--from", "2025-01-01", "--to", "2025-01-02"],
    ["cob", "--from", "2025-01-01"],
])
def test_bad_dates_exit_2_with_one_line(argv: list[str], capsys: Any) -> None:
    with pytest.raises(SystemExit) as exit_info:
        code = run(argv)
        raise SystemExit(code)
    assert exit_info.value.code == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(err) == 1


@pytest.mark.django_db
def test_out_of_order_dates_exit_2_and_json_shape(capsys: Any) -> None:
    make_disbursed_loan()
    assert run(["cob", "--business-date", "2025-11-10", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["step"] for s in data["steps"]] == ["accrue", "overdue", "classify", "coverage", "legal_watch",
                                                  "fund_triggers", "sla_alerts"]
    assert set(data) >= {"business_date", "attempt", "status", "steps", "totals", "loans", "loans_per_second"}
    assert data["loans"] == 1 and data["status"] == "completed"
    assert run(["cob", "--from", "2025-11-11", "--to", "2025-11-12", "--json"]) == 0
    assert [r["business_date"] for r in json.loads(capsys.readouterr().out)["runs"]] == ["2025-11-11",
                                                                                         "2025-11-12"]
    assert run(["cob", "--business-date", "2025-11-01"]) == 2
    assert run(["cob", "--business-date", "2025-11-20"]) == 2
    assert run(["cob", "--from", "2025-11-14", "--to", "2025-11-13"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("error: ") for line in err)
    assert "--from 2025-11-13 --to 2025-11-20" in err[1]
    assert run(["cob", "--business-date", "2025-11-12"]) == 0  # the last completed day may be rerun
    assert "日终批处理 2025-11-12" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------------------
# Crash and resume


def _copy_database(tmp_path: Path) -> tuple[str, Any]:
    """A copy of the test database (with its committed data) for a subprocess: (DATABASE_URL, dropper)."""
    if connection.vendor == "sqlite":
        path = tmp_path / f"copy-{uuid.uuid4().hex[:8]}.sqlite3"
        target = sqlite3.connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}", lambda: None
    import psycopg

    settings = connection.settings_dict
    source, name = settings["NAME"], f"cobcopy_{uuid.uuid4().hex[:10]}"
    connection.close()
    admin = dict(host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432, user=settings["USER"],
                 password=settings["PASSWORD"] or None, dbname="postgres", autocommit=True)
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')

    def drop() -> None:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')

    port = settings["PORT"] or 5432
    return f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{port}/{name}", drop


def _query(url: str, sql: str) -> list[tuple[Any, ...]]:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return [tuple(r) for r in conn.execute(sql).fetchall()]
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
        return [tuple(r) for r in conn.execute(sql).fetchall()]


def _snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for table in TABLES:
        if url.startswith("sqlite"):
            columns = [r[1] for r in _query(url, f"PRAGMA table_info({table})")]
        else:
            columns = [r[0] for r in _query(url, "SELECT column_name FROM information_schema.columns WHERE "
                                                 f"table_name = '{table}' ORDER BY ordinal_position")]
        keep = ", ".join(c for c in columns if c not in CLOCK_COLUMNS)
        out[table] = _query(url, f"SELECT {keep} FROM {table} ORDER BY id")
    return out


def _cob(url: str, day: date, crash_after: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"IPFIN_DATABASE_URL", CRASH_ENV}}
    env["DATABASE_URL"] = url
    if crash_after:
        env[CRASH_ENV] = crash_after
    return subprocess.run([IPFIN, "cob", "--business-date", day.isoformat(), "--json"], env=env, text=True,
                          capture_output=True, timeout=120, cwd=Path(__file__).resolve().parents[3])


@pytest.mark.django_db(transaction=True)
def test_a_run_killed_after_classify_is_finished_by_the_next_with_nothing_lost_or_doubled(tmp_path: Path) -> None:
    d = make_disbursed_loan()
    first = d.schedule()[0].due_on
    for asset, value in zip(d.setup.assets, [100_000_000, 150_000_000], strict=True):  # a coverage breach too
        Valuation.objects.create(asset=asset, source=ValuationSource.NEGOTIATED, trigger=ValuationTrigger.MANUAL,
                                 method="test", as_of=first, value_fen=value)
    on = first + timedelta(days=95)
    crashed, drop_crashed = _copy_database(tmp_path)
    reference, drop_reference = _copy_database(tmp_path)
    try:
        killed = _cob(crashed, on, crash_after="classify")
        assert killed.returncode == 137, killed.stderr
        runs = _query(crashed, "SELECT attempt, status, steps FROM servicing_cobrun ORDER BY attempt")
        assert len(runs) == 1 and runs[0][1] == "running"
        steps = runs[0][2] if isinstance(runs[0][2], dict) else json.loads(runs[0][2])
        assert list(steps) == ["accrue", "overdue", "classify"]

        resumed = _cob(crashed, on)
        assert resumed.returncode == 0, resumed.stderr
        result = json.loads(resumed.stdout)
        assert (result["attempt"], result["resumed_at"]) == (2, "coverage")
        assert [s["step"] for s in result["steps"] if s.get("resumed")] == ["accrue", "overdue", "classify"]

        whole = _cob(reference, on)
        assert whole.returncode == 0, whole.stderr
        assert _snapshot(crashed) == _snapshot(reference)
        loan = _query(crashed, f"SELECT days_past_due, risk_class, coverage_shortfall_fen FROM servicing_loan "
                               f"WHERE id = {d.loan.pk}")
        assert loan[0][0] == 95 and loan[0][1] == "substandard" and loan[0][2] > 0
        assert _query(crashed, "SELECT attempt, status FROM servicing_cobrun ORDER BY attempt") == [
            (1, "failed"), (2, "completed")]
    finally:
        drop_crashed()
        drop_reference()
