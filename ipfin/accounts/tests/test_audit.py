from __future__ import annotations

import pytest
from django.db import connection, transaction

from ipfin.accounts.audit import GENESIS_HASH, record_event, verify_chain
from ipfin.accounts.models import AuditEvent
from ipfin.cli import run

pytestmark = pytest.mark.django_db


def _events(n: int) -> list[AuditEvent]:
    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(record_event(actor=None, action="test.event", before={"n": i}, after={"n": i + 1},
                                       clause="BT-12"))
    return events


def test_events_are_chained_from_genesis() -> None:
    first, second, third = _events(3)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert verify_chain().ok and verify_chain().checked == 3


@pytest.mark.django_db(transaction=True)
def test_record_event_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError):
        record_event(actor=None, action="test.event")


def test_events_are_append_only_through_the_orm() -> None:
    (event,) = _events(1)
    event.action = "changed"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def _raw(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{table}", AuditEvent._meta.db_table), params)


def test_tampered_content_is_caught_and_named(capsys: pytest.CaptureFixture[str]) -> None:
    events = _events(5)
    # Edit the 'after' of the third event behind the application's back.
    _raw("UPDATE {table} SET action = %s WHERE id = %s", ["test.forged", events[2].pk])
    report = verify_chain()
    assert not report.ok and report.broken_event_id == events[2].pk
    assert run(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"#{events[2].pk}" in out and "altered" in out


def test_deleted_event_is_caught(capsys: pytest.CaptureFixture[str]) -> None:
    events = _events(4)
    _raw("DELETE FROM {table} WHERE id = %s", [events[1].pk])
    report = verify_chain()
    assert report.broken_event_id == events[2].pk and "removed" in report.reason


def test_truncated_tail_is_caught() -> None:
    events = _events(3)
    _raw("DELETE FROM {table} WHERE id = %s", [events[2].pk])
    assert verify_chain().broken_event_id == events[2].pk


def test_intact_chain_verifies_with_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    _events(3)
    assert run(["audit", "verify", "--json"]) == 0
    assert '"ok": true' in capsys.readouterr().out
