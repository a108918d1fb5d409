from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import pytest

from ipfin.accounts.actions import create_organisation
from ipfin.registry.models import Enterprise
from ipfin.registry.tests.factories import make_enterprise


def csv_bytes(rows: Sequence[Sequence[Any]]) -> io.BytesIO:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return io.BytesIO(buffer.getvalue().encode("utf-8-sig"))


def xlsx_bytes(rows: Sequence[Sequence[Any]]) -> io.BytesIO:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


@pytest.fixture
def baotou_enterprise(db: Any) -> Enterprise:
    org = create_organisation(None, name="包头稀土新材料有限公司", kind="enterprise", region_code="150203")
    return make_enterprise(org)


@pytest.fixture
def panzhihua_enterprise(db: Any) -> Enterprise:
    org = create_organisation(None, name="攀枝花钒钛科技有限公司", kind="enterprise", region_code="510402")
    return make_enterprise(org)
