"""Typed errors that users can cause, shared by domain, actions, API, UI and CLI.

Each error has a stable ``code``, an HTTP status, a message template and ``details``. Templates are
English msgids marked with :func:`_` so that ``makemessages`` extracts them; they are translated at the
edge (UI, API) with Django's gettext, which keeps this module free of Django imports.
"""

from __future__ import annotations

from typing import Any, ClassVar


def _(message: str) -> str:
    """Mark a message for translation without translating it here (gettext_noop)."""
    return message


class IpfinError(Exception):
    code: ClassVar[str] = "error"
    http_status: ClassVar[int] = 400
    message_template: ClassVar[str] = _("The request could not be completed.")

    def __init__(self, message: str | None = None, /, **details: Any) -> None:
        self.details: dict[str, Any] = details
        self._message = message
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The untranslated message, with ``details`` substituted into the template."""
        template = self._message or self.message_template
        try:
            return template.format(**self.details)
        except (KeyError, IndexError, ValueError):
            return template

    def as_dict(self, message: str | None = None) -> dict[str, Any]:
        return {"code": self.code, "message": message or self.message, "details": _jsonable(self.details)}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


class InvalidInput(IpfinError):
    code = "invalid_input"
    message_template = _("Invalid input: {reason}")


class NotFound(IpfinError):
    code = "not_found"
    http_status = 404
    message_template = _("Not found.")


class PermissionDenied(IpfinError):
    code = "permission_denied"
    http_status = 403
    message_template = _("You are not allowed to do this.")


class Conflict(IpfinError):
    """Someone else changed the record first (lost race, stale state, duplicate)."""

    code = "conflict"
    http_status = 409
    message_template = _("The record was changed by someone else; reload and try again.")


class IllegalTransition(IpfinError):
    code = "illegal_transition"
    http_status = 409
    message_template = _("Cannot move {object} from {current} to {target}.")


class NotAuthenticated(IpfinError):
    code = "not_authenticated"
    http_status = 401
    message_template = _("Authentication required.")
