"""Bulk-writing helpers for benchmark data: generated rows straight into a model's table.

PostgreSQL gets ``COPY … FROM STDIN``; SQLite gets ``executemany``. Fields a row leaves out take the model
field's default, so a generator keeps working when an app adds a column with a default. Rows are plain
dicts keyed by attribute name (``enterprise_id``, not ``enterprise``). Generated data only: nothing here is
validated, audited or fit for real records.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import JSONField, Model

NOW = datetime(2026, 6, 30, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _columns(model: type[Model]) -> list[Any]:
    return [f for f in model._meta.concrete_fields if not (f.primary_key and f.get_internal_type() in
                                                           {"AutoField", "BigAutoField"})]


def _value(field: Any, row: dict[str, Any]) -> Any:
    if field.attname in row:
        value = row[field.attname]
    elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        value = NOW
    elif field.has_default():
        value = field.get_default()
    elif field.null:
        value = None
    elif field.blank and field.empty_strings_allowed:
        value = ""  # what the model itself stores for a blank text field without a default
    else:
        raise KeyError(f"{field.model.__name__}.{field.attname} has no value and no default")
    if isinstance(field, JSONField) and value is not None:
        return json.dumps(value, ensure_ascii=False)
    return value


def insert_rows(model: type[Model], rows: Iterable[dict[str, Any]], *, chunk: int = 50_000) -> int:
    """Write ``rows`` into ``model``'s table; returns the count. Primary keys come from the database
    unless a row gives ``id``."""
    fields = _columns(model)
    table = model._meta.db_table
    count = 0
    buffer: list[tuple[Any, ...]] = []
    first: dict[str, Any] | None = None

    def flush(with_id: bool) -> None:
        nonlocal buffer
        if not buffer:
            return
        names = (["id"] if with_id else []) + [f.column for f in fields]
        quoted = ", ".join(connection.ops.quote_name(n) for n in names)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                    for values in buffer:
                        copy.write_row(values)
            else:
                marks = ", ".join(["%s"] * len(names))
                cursor.executemany(f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})",
                                   buffer)
        buffer = []

    for row in rows:
        if first is None:
            first = row
        with_id = "id" in first
        buffer.append(((row["id"],) if with_id else ()) + tuple(_value(f, row) for f in fields))
        count += 1
        if len(buffer) >= chunk:
            flush(with_id)
    flush(first is not None and "id" in first)
    return count


def reset_sequence(model: type[Model]) -> None:
    """After rows with explicit ids: move the id sequence past them (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                       f"(SELECT COALESCE(MAX(id), 1) FROM {connection.ops.quote_name(table)}))")
