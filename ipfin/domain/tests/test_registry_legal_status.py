"""Legal status derived from legal-status events."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipfin.domain.registry.legal_status import (
    STATUS_MOVES,
    IllegalLegalEvent,
    LegalEvent,
    LegalEventKind,
    LegalStatus,
    apply_event,
    derive_legal_state,
)

E = LegalEventKind
D0 = date(2020, 1, 1)


def events(*kinds: LegalEventKind) -> list[LegalEvent]:
    return [LegalEvent(kind, D0 + timedelta(days=10 * i)) for i, kind in enumerate(kinds)]


def test_grant_then_pledge_and_release() -> None:
    state = derive_legal_state(LegalStatus.PENDING, events(E.GRANT, E.PLEDGE))
    assert state.status is LegalStatus.IN_FORCE and state.pledged and state.encumbered
    state = derive_legal_state(LegalStatus.PENDING, events(E.GRANT, E.PLEDGE, E.PLEDGE_RELEASE))
    assert not state.pledged and not state.encumbered


def test_lapse_and_restoration() -> None:
    state = derive_legal_state(LegalStatus.IN_FORCE, events(E.LAPSE))
    assert state.status is LegalStatus.LAPSED and state.status_since == D0
    assert derive_legal_state(LegalStatus.IN_FORCE, events(E.LAPSE, E.RESTORATION)).status is LegalStatus.IN_FORCE


def test_invalidation_request_and_decisions() -> None:
    pending = derive_legal_state(LegalStatus.IN_FORCE, events(E.INVALIDATION_REQUEST))
    assert pending.invalidation_pending and pending.status is LegalStatus.IN_FORCE
    upheld = derive_legal_state(LegalStatus.IN_FORCE, events(E.INVALIDATION_REQUEST, E.INVALIDATION_UPHELD))
    assert not upheld.invalidation_pending and upheld.status is LegalStatus.IN_FORCE
    gone = derive_legal_state(LegalStatus.IN_FORCE, events(E.INVALIDATION_REQUEST, E.INVALIDATION_INVALIDATED))
    assert gone.status is LegalStatus.INVALIDATED


def test_events_are_replayed_in_date_order() -> None:
    later, earlier = LegalEvent(E.PLEDGE, date(2021, 1, 1)), LegalEvent(E.GRANT, date(2020, 1, 1))
    assert derive_legal_state(LegalStatus.PENDING, [later, earlier]).pledged


@pytest.mark.parametrize(
    ("initial", "kinds", "reason_code"),
    [
        (LegalStatus.PENDING, (E.LAPSE,), "status"),
        (LegalStatus.IN_FORCE, (E.GRANT,), "status"),
        (LegalStatus.IN_FORCE, (E.RESTORATION,), "status"),
        (LegalStatus.IN_FORCE, (E.PLEDGE, E.PLEDGE), "flag_pledged"),
        (LegalStatus.IN_FORCE, (E.PLEDGE_RELEASE,), "flag_pledged"),
        (LegalStatus.IN_FORCE, (E.INVALIDATION_UPHELD,), "flag_invalidation_pending"),
        (LegalStatus.IN_FORCE, (E.FREEZE, E.TRANSFER), "frozen"),
        (LegalStatus.IN_FORCE, (E.EXPIRY, E.PLEDGE), "status"),
    ],
)
def test_illegal_events(initial: LegalStatus, kinds: tuple[LegalEventKind, ...], reason_code: str) -> None:
    with pytest.raises(IllegalLegalEvent) as info:
        derive_legal_state(initial, events(*kinds))
    assert info.value.details["reason_code"] == reason_code


def test_table_covers_every_event_kind() -> None:
    assert set(STATUS_MOVES) == set(LegalEventKind)


@given(st.lists(st.sampled_from(list(LegalEventKind)), max_size=12), st.sampled_from(list(LegalStatus)))
def test_replay_is_deterministic_and_only_uses_the_table(kinds: list[LegalEventKind], initial: LegalStatus) -> None:
    state_status = initial
    try:
        state = derive_legal_state(initial, events(*kinds))
    except IllegalLegalEvent:
        return
    # replaying step by step gives the same result, and each step is a move the table allows
    from ipfin.domain.registry.legal_status import LegalState

    step = LegalState(status=initial)
    for event in events(*kinds):
        assert step.status in STATUS_MOVES[event.kind]
        step = apply_event(step, event)
        state_status = step.status
    assert state.status is state_status
