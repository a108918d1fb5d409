"""Presenting typed errors in the user's language (the domain keeps untranslated msgids)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from ipfin.domain.errors import IpfinError


def localized_message(error: IpfinError) -> str:
    template = gettext(error._message or error.message_template)
    try:
        return template.format(**error.details)
    except (KeyError, IndexError, ValueError):
        return template


def error_payload(error: IpfinError) -> dict[str, Any]:
    return error.as_dict(localized_message(error))
