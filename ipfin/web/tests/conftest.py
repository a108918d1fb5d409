from __future__ import annotations

import pytest

from ipfin.web.tests.people import People, make_people


@pytest.fixture
def people(db) -> People:
    return make_people()
