"""The UI language: Simplified Chinese unless the user chose otherwise (design §5 "Languages").

Django's ``LocaleMiddleware`` follows the browser's ``Accept-Language`` header, so a bank clerk whose
browser happens to be set to English would get an English UI without asking for it. This middleware
keeps Django's behaviour for the language *chosen* with the switch (the ``django_language`` cookie set
by ``set_language``) and ignores ``Accept-Language`` on UI pages; API clients (``/api/``) still
negotiate with ``Accept-Language``, the HTTP way for a machine to ask for a language.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

API_PREFIX = "/api/"


def _supported(language: str | None) -> str | None:
    if not language:
        return None
    try:
        return translation.get_supported_language_variant(language)
    except LookupError:
        return None


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        language = _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        if language is None and request.path.startswith(API_PREFIX):
            language = translation.get_language_from_request(request)
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
