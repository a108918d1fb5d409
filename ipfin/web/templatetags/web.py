"""Template filters of the UI shell: ``{% load web %}``."""

from __future__ import annotations

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def total_minutes(value: timedelta | None) -> int:
    """A duration in whole minutes, rounded up (a 90-second lockout reads "2 minutes", not "1")."""
    if value is None:
        return 0
    seconds = int(value.total_seconds())
    return max(0, -(-seconds // 60))
