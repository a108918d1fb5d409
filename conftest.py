"""Shared pytest fixtures (the role-matrix world comes from ipfin.core.testing.role_matrix)."""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["ipfin.core.testing.role_matrix"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is the production hasher (tested in accounts); tests that create many users use MD5."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE']} ({os.environ.get('DATABASE_URL', 'default SQLite')})"
