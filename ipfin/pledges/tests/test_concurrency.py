"""Two registrations of the same asset registered at the same moment on PostgreSQL: one wins, the other is
refused as already pledged (row locks on the assets, in primary-key order)."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from django.db import connection

from ipfin.calendar.reference import seed_calendar
from ipfin.calendar.services import invalidate_calendar_cache
from ipfin.core.testing.world import build_world
from ipfin.domain.errors import IpfinError
from ipfin.pledges import actions
from ipfin.pledges.choices import RefusalGround, RegistrationStatus
from ipfin.pledges.models import PledgeRegistration
from ipfin.pledges.tests.factories import make_signed_contract, paid_patent
from ipfin.registry.models import IpAsset, LegalStatusEvent
from ipfin.registry.tests.factories import make_enterprise

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real connections (PostgreSQL)"),
    pytest.mark.django_db(transaction=True),
]


def test_simultaneous_registrations_of_one_asset_one_wins() -> None:
    invalidate_calendar_cache()
    seed_calendar([2025])
    world = build_world()
    asset = paid_patent(make_enterprise(world.orgs["ent_bt"]))
    filer = world.users["bank_a_branch.loan_officer"]
    ids = [actions.file_registration(filer, make_signed_contract(world, assets=[asset]).pk,
                                     today=date(2025, 9, 30)).pk for _ in range(2)]
    clerks = [world.users["ipo_bt.clerk"], world.users["ipo_bt.leader"]]
    barrier = threading.Barrier(2)
    outcomes: dict[int, Any] = {}

    def register(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = actions.register_pledge(clerks[index], ids[index], registered_on=date(2025, 10, 10))
        except IpfinError as exc:
            outcomes[index] = exc
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=register, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [o for o in outcomes.values() if isinstance(o, IpfinError)]
    assert len(errors) == 1 and errors[0].details["ground"] == RefusalGround.ALREADY_PLEDGED
    assert PledgeRegistration.objects.filter(pk__in=ids, status=RegistrationStatus.REGISTERED).count() == 1
    assert PledgeRegistration.objects.filter(pk__in=ids, status=RegistrationStatus.FILED).count() == 1
    assert IpAsset.objects.get(pk=asset.pk).pledged
    assert LegalStatusEvent.objects.filter(asset=asset, kind="pledge").count() == 1
