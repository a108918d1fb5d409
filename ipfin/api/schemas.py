from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    """The one error shape of the API: a stable ``code``, a translated ``message`` and ``details``."""

    code: str
    message: str
    details: dict[str, Any] = {}


# Declared on every operation so that clients see the error shape in the OpenAPI document.
ERROR_RESPONSES: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                                             409: ErrorOut, 422: ErrorOut}
