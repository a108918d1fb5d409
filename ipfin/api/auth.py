from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from ipfin.accounts.actions import authenticate_api_token


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ipf_…`` — tokens are issued per user and stored hashed."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_api_token(token)
        if user is not None:
            request.user = user
        return user


class BrowserSessionAuth(SessionAuth):
    """The logged-in browser session (CSRF-checked on unsafe methods)."""


AUTH = [TokenAuth(), BrowserSessionAuth()]
