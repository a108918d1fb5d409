from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Uploaded appraisal reports go to a temporary directory, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
