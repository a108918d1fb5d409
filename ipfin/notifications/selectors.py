"""Who reads notifications: the recipient only — nobody else, the platform administrator included
(a notification may carry another organisation's business; the audit log is the platform's record)."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from ipfin.accounts.models import User
from ipfin.core.scoping import visibility, visible
from ipfin.notifications.models import Notification


@visibility(Notification)
def notifications_visible_to(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user.pk)


def unread_count(user: User) -> int:
    return visible(user, Notification).filter(read_at__isnull=True).count()


def inbox(user: User) -> QuerySet[Notification]:
    """The user's notifications, unread first, newest first within each group."""
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return visible(user, Notification).annotate(unread=unread).order_by("-unread", "-created_at", "-id")
