"""ChineseFirstLocaleMiddleware: Chinese unless chosen; Accept-Language only for the API."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation

from ipfin.web.middleware import ChineseFirstLocaleMiddleware


def language_for(path: str, *, accept: str | None = None, cookie: str | None = None) -> str:
    factory = RequestFactory()
    headers = {"Accept-Language": accept} if accept else {}
    request = factory.get(path, headers=headers)
    if cookie is not None:
        request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = cookie
    seen: list[str] = []

    def view(req):
        seen.append(req.LANGUAGE_CODE)
        return HttpResponse("ok")

    with translation.override(None):
        ChineseFirstLocaleMiddleware(view)(request)
    return seen[0]


@pytest.mark.parametrize(("path", "accept", "cookie", "expected"), [
    ("/", None, None, "zh-hans"),
    ("/", "en-US,en;q=0.9", None, "zh-hans"),  # a browser set to English still gets the default
    ("/", "en-US", "en", "en"),  # … until the user switches
    ("/", None, "zh-hans", "zh-hans"),
    ("/", None, "xx-garbage", "zh-hans"),  # an unknown cookie value falls back, no error
    ("/api/v1/openapi.json", "en-US", None, "en"),  # machines negotiate
    ("/api/v1/openapi.json", None, None, "zh-hans"),
])
def test_language_choice(path, accept, cookie, expected):
    assert language_for(path, accept=accept, cookie=cookie) == expected
