"""Helpers every action function uses: row locks and transition checks.

An action function (``do_*`` in Zulip's sense; here named for the verb, e.g. ``register_pledge``) runs in
one transaction, locks the row it changes, checks the transition table, writes an audit event and defers
notifications with ``transaction.on_commit``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model

from ipfin.domain.errors import NotFound
from ipfin.domain.statemachine import check_transition

M = TypeVar("M", bound=Model)


def lock(model: type[M], pk: Any) -> M:
    """Re-read ``model`` row ``pk`` under ``SELECT … FOR UPDATE``; must run inside a transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock() outside a transaction")
    try:
        return model._default_manager.select_for_update().get(pk=pk)
    except model.DoesNotExist:  # type: ignore[attr-defined]
        raise NotFound() from None


def transition(obj: Model, field: str, target: Any, allowed: Mapping[Any, frozenset[Any]]) -> Any:
    """Check and apply one state move on a locked ``obj``; returns the previous state."""
    current = getattr(obj, field)
    check_transition(allowed, current, target, object_name=obj._meta.verbose_name)
    setattr(obj, field, target)
    return current
