"""Idempotent creates: the same (user, scope, key) returns the object the first request created.

A create action calls :func:`claimed_object_id` first and :func:`remember` after creating, both inside its
transaction. A key reused with a different request body is a conflict, never a silent second object. Two
identical requests racing on PostgreSQL meet at the unique constraint: the loser's transaction fails with
``IntegrityError``, which :func:`run_idempotent` turns into a re-read of the winner's object.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from ipfin.core.models import IdempotencyKey
from ipfin.domain.errors import Conflict, InvalidInput

if TYPE_CHECKING:
    from ipfin.accounts.models import User

M = TypeVar("M", bound=Model)
MAX_KEY_LENGTH = 100


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    message_template = _("This idempotency key was already used for a different request.")


class BadIdempotencyKey(InvalidInput):
    code = "bad_idempotency_key"
    message_template = _("The idempotency key must be 1 to 100 printable characters.")


def request_hash(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _validated(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise BadIdempotencyKey()
    return key


def run_idempotent(user: User, scope: str, key: str | None, payload: Mapping[str, Any], model: type[M],
                   create: Callable[[], M]) -> tuple[M, bool]:
    """Run ``create`` once per (user, scope, key); returns ``(object, created)``.

    Without a key, ``create`` simply runs. ``create`` must do its own work inside ``transaction.atomic``;
    this wraps it in an outer transaction together with the key row.
    """
    if key is None:
        return create(), True
    key = _validated(key)
    digest = request_hash(payload)

    def existing() -> M | None:
        row = IdempotencyKey.objects.filter(user=user, scope=scope, key=key).first()
        if row is None:
            return None
        if row.request_hash != digest:
            raise IdempotencyKeyReused()
        return model._default_manager.get(pk=row.object_id)

    found = existing()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            obj = create()
            IdempotencyKey.objects.create(user=user, scope=scope, key=key, request_hash=digest, object_id=obj.pk)
            return obj, True
    except IntegrityError:
        found = existing()
        if found is None:
            raise
        return found, False
