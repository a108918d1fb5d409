"""Typed errors (:class:`ipfin.domain.errors.IpfinError`) shown in the UI as Bootstrap alerts."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ipfin.core.i18n import localized_message
from ipfin.domain.errors import IpfinError

View = Callable[..., HttpResponse]


def render_error(request: HttpRequest, error: IpfinError) -> HttpResponse:
    """The error page: the translated message in an alert, with the error's HTTP status."""
    return render(
        request,
        "web/error.html",
        {"error_message": localized_message(error), "error_code": error.code},
        status=error.http_status,
    )


def shows_ipfin_errors(view: View) -> View:
    """Decorate a view so that an :class:`IpfinError` it raises becomes the error page, not a 500."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except IpfinError as error:
            return render_error(request, error)

    return wrapper
