"""API of the notifications app, mounted at `/api/v1/notifications/`: the caller's own notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from ipfin.api.schemas import ERROR_RESPONSES
from ipfin.notifications import actions
from ipfin.notifications.selectors import inbox, unread_count

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    verb: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


@router.get("/", response=list[NotificationOut], summary="My notifications, unread first")
@paginate(PageNumberPagination, page_size=50)
def list_notifications(request: HttpRequest, unread: bool | None = None) -> Any:
    rows = inbox(request.user)  # type: ignore[arg-type]
    if unread is not None:
        rows = rows.filter(read_at__isnull=unread)
    return rows


@router.get("/unread-count", response={200: UnreadOut, **ERROR_RESPONSES})
def unread(request: HttpRequest) -> Any:
    return {"unread": unread_count(request.user)}  # type: ignore[arg-type]


@router.post("/{notification_id}/read", response={200: NotificationOut, **ERROR_RESPONSES},
             summary="Mark one of my notifications read")
def mark_read(request: HttpRequest, notification_id: int) -> Any:
    return actions.mark_read(request.user, notification_id)  # type: ignore[arg-type]


@router.post("/read-all", response={200: MarkedOut, **ERROR_RESPONSES}, summary="Mark all my notifications read")
def mark_all_read(request: HttpRequest) -> Any:
    return {"marked": actions.mark_all_read(request.user)}  # type: ignore[arg-type]
