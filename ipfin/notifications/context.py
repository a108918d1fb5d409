"""Template context for the navbar bell: ``notifications_unread`` (the signed-in user's unread count).

Settings: add ``"ipfin.notifications.context.unread_notifications"`` to the template context processors.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ipfin.notifications.selectors import unread_count


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": unread_count(user)}  # type: ignore[arg-type]
