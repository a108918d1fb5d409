"""Document numbers (申请编号 SQ…, 合同编号 HT…, 贷款编号 DK…, 登记编号 …): a stem plus a zero-padded serial.

The serial comes from a ``NumberCounter`` row locked for the rest of the caller's transaction, so two requests
creating applications at the same moment get consecutive numbers (the second waits a few milliseconds for the
first to commit) rather than colliding on the unique number and failing. A counter created for a stem that
already has rows (data loaded before counters existed) starts after the highest existing serial.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from ipfin.core.models import NumberCounter


def _highest_serial(model: Any, field: str, stem: str) -> int:
    last = (model.objects.filter(**{f"{field}__startswith": stem}).order_by(f"-{field}")
            .values_list(field, flat=True).first())
    tail = last[len(stem):] if last else ""
    return int(tail) if tail.isdigit() else 0


def next_number(model: Any, stem: str, *, field: str = "number", width: int = 6) -> str:
    """The next ``stem`` + serial for ``model.field``; call inside the transaction that creates the row."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside the transaction that uses the number")
    counter = NumberCounter.objects.select_for_update().filter(stem=stem).first()
    if counter is None:
        try:
            with transaction.atomic():
                counter = NumberCounter.objects.create(stem=stem, last_serial=_highest_serial(model, field, stem))
        except IntegrityError:  # another transaction created it first: wait for its lock
            counter = NumberCounter.objects.select_for_update().get(stem=stem)
    counter.last_serial += 1
    counter.save(update_fields=["last_serial"])
    return f"{stem}{counter.last_serial:0{width}d}"
