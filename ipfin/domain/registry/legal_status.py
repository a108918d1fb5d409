"""法律状态 (legal status) of an IP asset, derived from its ordered legal-status events.

Two tables say everything:

- :data:`STATUS_MOVES` — for each event kind, which status it moves to which (an event whose kind has no
  entry for the current status is illegal: a lapse of a pending application, a restoration of a patent
  in force …);
- :data:`FLAG_EFFECTS` — the events that raise or clear one of the encumbrance flags (pledged, frozen,
  invalidation pending, in litigation), and the ones that require a flag to be up first.

The current status is never stored on its own authority: it is recomputed from the events
(PZA-2.2.2, SC-2: the shared legal status that banks check before and after a loan).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from ipfin.domain.errors import IllegalTransition, _


class LegalStatus(StrEnum):
    PENDING = "pending"  # 审查中 (application not yet granted)
    IN_FORCE = "in_force"  # 有效
    LAPSED = "lapsed"  # 未缴年费终止 (restorable)
    INVALIDATED = "invalidated"  # 宣告无效
    EXPIRED = "expired"  # 期限届满


class LegalEventKind(StrEnum):
    GRANT = "grant"  # 授权 / 核准注册
    TRANSFER = "transfer"  # 转让
    LICENCE_RECORDAL = "licence_recordal"  # 许可备案 (open licence too)
    RENEWAL = "renewal"  # 续展 (trademarks)
    PLEDGE = "pledge"  # 质押登记
    PLEDGE_RELEASE = "pledge_release"  # 质押注销
    FREEZE = "freeze"  # 保全 / 冻结
    FREEZE_RELEASE = "freeze_release"  # 解除保全
    INVALIDATION_REQUEST = "invalidation_request"  # 无效宣告请求
    INVALIDATION_UPHELD = "invalidation_upheld"  # 维持有效
    INVALIDATION_PARTIAL = "invalidation_partial"  # 部分无效
    INVALIDATION_INVALIDATED = "invalidation_invalidated"  # 全部无效
    LAPSE = "lapse"  # 未缴年费终止
    RESTORATION = "restoration"  # 权利恢复
    EXPIRY = "expiry"  # 期限届满
    LITIGATION = "litigation"  # 诉讼
    LITIGATION_CLOSED = "litigation_closed"  # 诉讼结案


S = LegalStatus
E = LegalEventKind

# event kind → {status before: status after}. Missing pair = illegal.
STATUS_MOVES: dict[LegalEventKind, dict[LegalStatus, LegalStatus]] = {
    E.GRANT: {S.PENDING: S.IN_FORCE},
    E.TRANSFER: {S.PENDING: S.PENDING, S.IN_FORCE: S.IN_FORCE},
    E.LICENCE_RECORDAL: {S.IN_FORCE: S.IN_FORCE},
    E.RENEWAL: {S.IN_FORCE: S.IN_FORCE, S.EXPIRED: S.IN_FORCE},  # an expired mark renewed in the grace period
    E.PLEDGE: {S.IN_FORCE: S.IN_FORCE},
    E.PLEDGE_RELEASE: {s: s for s in S},
    E.FREEZE: {S.PENDING: S.PENDING, S.IN_FORCE: S.IN_FORCE, S.LAPSED: S.LAPSED},
    E.FREEZE_RELEASE: {s: s for s in S},
    E.INVALIDATION_REQUEST: {S.IN_FORCE: S.IN_FORCE, S.EXPIRED: S.EXPIRED, S.LAPSED: S.LAPSED},
    E.INVALIDATION_UPHELD: {S.IN_FORCE: S.IN_FORCE, S.EXPIRED: S.EXPIRED, S.LAPSED: S.LAPSED},
    E.INVALIDATION_PARTIAL: {S.IN_FORCE: S.IN_FORCE, S.EXPIRED: S.EXPIRED, S.LAPSED: S.LAPSED},
    E.INVALIDATION_INVALIDATED: {S.IN_FORCE: S.INVALIDATED, S.EXPIRED: S.INVALIDATED, S.LAPSED: S.INVALIDATED},
    E.LAPSE: {S.IN_FORCE: S.LAPSED},
    E.RESTORATION: {S.LAPSED: S.IN_FORCE},
    E.EXPIRY: {S.IN_FORCE: S.EXPIRED, S.LAPSED: S.EXPIRED},
    E.LITIGATION: {s: s for s in S},
    E.LITIGATION_CLOSED: {s: s for s in S},
}

# event kind → (flag, value it sets, flag value required before it)
FLAG_EFFECTS: dict[LegalEventKind, tuple[str, bool, bool | None]] = {
    E.PLEDGE: ("pledged", True, False),  # no second pledge of an asset already pledged
    E.PLEDGE_RELEASE: ("pledged", False, True),
    E.FREEZE: ("frozen", True, None),  # several courts may freeze; one release clears the record here
    E.FREEZE_RELEASE: ("frozen", False, True),
    E.INVALIDATION_REQUEST: ("invalidation_pending", True, None),
    E.INVALIDATION_UPHELD: ("invalidation_pending", False, True),
    E.INVALIDATION_PARTIAL: ("invalidation_pending", False, True),
    E.INVALIDATION_INVALIDATED: ("invalidation_pending", False, True),
    E.LITIGATION: ("in_litigation", True, None),
    E.LITIGATION_CLOSED: ("in_litigation", False, True),
}

# Events that cannot be recorded while the asset is frozen (保全): a frozen right cannot change hands.
BLOCKED_WHILE_FROZEN: frozenset[LegalEventKind] = frozenset({E.TRANSFER, E.PLEDGE, E.LICENCE_RECORDAL})

STATUS_LABELS_ZH: dict[LegalStatus, str] = {
    S.PENDING: "审查中", S.IN_FORCE: "有效", S.LAPSED: "未缴年费终止", S.INVALIDATED: "宣告无效", S.EXPIRED: "期限届满",
}
EVENT_LABELS_ZH: dict[LegalEventKind, str] = {
    E.GRANT: "授权", E.TRANSFER: "转让", E.LICENCE_RECORDAL: "许可备案", E.RENEWAL: "续展", E.PLEDGE: "质押登记",
    E.PLEDGE_RELEASE: "质押注销", E.FREEZE: "保全冻结", E.FREEZE_RELEASE: "解除保全", E.INVALIDATION_REQUEST: "无效宣告请求",
    E.INVALIDATION_UPHELD: "无效宣告决定：维持有效", E.INVALIDATION_PARTIAL: "无效宣告决定：部分无效",
    E.INVALIDATION_INVALIDATED: "无效宣告决定：全部无效", E.LAPSE: "未缴年费终止", E.RESTORATION: "权利恢复",
    E.EXPIRY: "期限届满", E.LITIGATION: "诉讼", E.LITIGATION_CLOSED: "诉讼结案",
}


class IllegalLegalEvent(IllegalTransition):
    code = "illegal_legal_event"
    message_template = _("Event {event} cannot be recorded on {effective_date}: {reason}")


@dataclass(frozen=True)
class LegalEvent:
    kind: LegalEventKind
    effective_date: date


@dataclass(frozen=True)
class LegalState:
    status: LegalStatus
    pledged: bool = False
    frozen: bool = False
    invalidation_pending: bool = False
    in_litigation: bool = False
    status_since: date | None = None

    @property
    def encumbered(self) -> bool:
        """Something stands in the way of a new pledge (SC-2: banks check before lending)."""
        return self.pledged or self.frozen or self.invalidation_pending or self.in_litigation


def apply_event(state: LegalState, event: LegalEvent) -> LegalState:
    """The state after ``event``, or :class:`IllegalLegalEvent`."""
    kind = LegalEventKind(event.kind)
    moves = STATUS_MOVES[kind]
    if state.status not in moves:
        raise IllegalLegalEvent(event=kind.value, effective_date=event.effective_date.isoformat(),
                                reason=f"the asset is {state.status.value}", reason_code="status",
                                status=state.status.value)
    if state.frozen and kind in BLOCKED_WHILE_FROZEN:
        raise IllegalLegalEvent(event=kind.value, effective_date=event.effective_date.isoformat(),
                                reason="the asset is frozen", reason_code="frozen", status=state.status.value)
    new = state
    effect = FLAG_EFFECTS.get(kind)
    if effect is not None:
        flag, value, required = effect
        if required is not None and getattr(state, flag) != required:
            reason = f"the asset is {'not ' if required else 'already '}{flag.replace('_', ' ')}"
            raise IllegalLegalEvent(event=kind.value, effective_date=event.effective_date.isoformat(),
                                    reason=reason, reason_code=f"flag_{flag}", status=state.status.value)
        new = replace(new, **{flag: value})
    target = moves[state.status]
    if target is not state.status:
        new = replace(new, status=target, status_since=event.effective_date)
    return new


def sort_events(events: Iterable[LegalEvent]) -> list[LegalEvent]:
    """Events in effective-date order; events of one day keep their given order (stable sort)."""
    return sorted(events, key=lambda event: event.effective_date)


def derive_legal_state(initial: LegalStatus | str, events: Sequence[LegalEvent]) -> LegalState:
    """Replay ``events`` (sorted by effective date, stable) from ``initial``."""
    state = LegalState(status=LegalStatus(initial))
    for event in sort_events(events):
        state = apply_event(state, event)
    return state
