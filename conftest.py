"""Shared pytest fixtures. Factories live in ipfin/core/testing/factories.py."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _english_off(settings):  # noqa: PT004
    """Tests see the default UI language (Simplified Chinese) unless they switch."""
    settings.LANGUAGE_CODE = "zh-hans"


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE']} ({os.environ.get('DATABASE_URL', 'default SQLite')})"
