"""The audit log: append-only events chained by SHA-256 so that any edit, insertion or deletion shows.

``record_event`` must run inside the action's transaction: it locks the chain head, so events are
appended in commit order and the chain never forks. ``verify_chain`` recomputes every hash.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from ipfin.accounts.models import AuditChainHead, AuditEvent, Organisation, User

GENESIS_HASH = "0" * 64


def _canonical(value: Any) -> Any:
    """JSON-safe, deterministic form: Decimals, dates and enums become strings."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False, sort_keys=True))


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def compute_hash(event: AuditEvent) -> str:
    payload = [
        event.prev_hash,
        _utc_iso(event.created_at),
        event.actor_id,
        event.organisation_id,
        event.action,
        event.object_type,
        event.object_id,
        event.before,
        event.after,
        event.clause,
    ]
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of ``obj`` as a JSON-safe dict, for ``before``/``after``."""
    return _canonical({name: getattr(obj, name) for name in fields})


def record_event(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    clause: str = "",
    organisation: Organisation | None = None,
) -> AuditEvent:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event() must run inside the action's transaction")
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(
        id=1, defaults={"last_hash": GENESIS_HASH, "last_event_id": 0}
    )
    if organisation is None and actor is not None:
        organisation = actor.organisation
    event = AuditEvent(
        created_at=timezone.now(),
        actor=actor,
        organisation=organisation,
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        before=_canonical(before) if before is not None else None,
        after=_canonical(after) if after is not None else None,
        clause=clause,
        prev_hash=head.last_hash,
    )
    event.hash = compute_hash(event)
    event.save()
    head.last_hash = event.hash
    head.last_event_id = event.pk
    head.save(update_fields=["last_hash", "last_event_id"])
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_event_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_event_id is None


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Walk the whole chain in id order; report the first event whose link or content is wrong."""
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
        if event.prev_hash != expected_prev:
            return ChainReport(checked, event.pk, "link to the previous event is broken (an event was removed or inserted)")
        if compute_hash(event) != event.hash:
            return ChainReport(checked, event.pk, "content does not match its hash (the event was altered)")
        expected_prev = event.hash
        last_id = event.pk
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_event_id != last_id or head.last_hash != expected_prev):
        return ChainReport(checked, head.last_event_id, "the newest events are missing (the chain was truncated)")
    return ChainReport(checked)
