"""Marking notifications read: the recipient only (others get NotFound, never a hint that it exists)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ipfin.accounts.models import User
from ipfin.core.scoping import get_visible, visible
from ipfin.domain.errors import NotAuthenticated
from ipfin.notifications.models import Notification


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (idempotent: a read one keeps its first read time)."""
    if not user.is_authenticated:
        raise NotAuthenticated()
    with transaction.atomic():
        notification = get_visible(user, Notification, pk=notification_id)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    if not user.is_authenticated:
        raise NotAuthenticated()
    return visible(user, Notification).filter(read_at__isnull=True).update(read_at=timezone.now())
