"""Document numbers: consecutive per stem, after rows that existed before the counter, and without collisions
when creates run at the same moment (PostgreSQL, real connections)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from ipfin.core.models import NumberCounter
from ipfin.core.numbering import next_number
from ipfin.origination.models import Application
from ipfin.origination.tests.factories import make_setup


@pytest.mark.django_db
def test_numbers_are_consecutive_per_stem_and_start_after_existing_rows() -> None:
    s = make_setup()
    first = s.draft()
    Application.objects.filter(pk=first.pk).update(number="SQ2030000041")  # a row from before counters
    with transaction.atomic():
        assert next_number(Application, "SQ2030") == "SQ2030000042"
        assert next_number(Application, "SQ2030") == "SQ2030000043"
        assert next_number(Application, "SQ2031") == "SQ2031000001"
    assert NumberCounter.objects.get(stem="SQ2030").last_serial == 43


def test_outside_a_transaction_is_a_programming_error() -> None:
    with pytest.raises(RuntimeError):
        next_number(Application, "SQ2030")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_get_distinct_consecutive_numbers() -> None:
    s = make_setup()
    workers = 8
    barrier = threading.Barrier(workers)
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def create(i: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            application = s.draft(asset_ids=[s.assets[i % 2].pk])
            with lock:
                numbers.append(application.number)
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    serials = sorted(int(n[-6:]) for n in numbers)
    assert serials == list(range(serials[0], serials[0] + workers))
