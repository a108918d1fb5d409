"""Pledge registration actions: each move legal and illegal, the refusal grounds, the registration clock over
the 2025 National Day break, release freeing the asset, audit and notifications."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ipfin.accounts.models import AuditEvent
from ipfin.core.testing.world import World
from ipfin.domain.errors import IllegalTransition, InvalidInput, NotFound, PermissionDenied
from ipfin.domain.sla import SlaState
from ipfin.notifications.models import Notification
from ipfin.origination.choices import ApplicationStatus, ContractStatus
from ipfin.pledges import actions
from ipfin.pledges.actions import NotAwaitingPledge, OpenFilingExists, PledgeRefused
from ipfin.pledges.choices import ChangeKind, RefusalGround, RegistrationStatus
from ipfin.pledges.models import PledgeAnnouncement, PledgeChange
from ipfin.pledges.selectors import office_queue, registration_clock
from ipfin.pledges.tests.factories import make_signed_contract, paid_patent
from ipfin.registry import actions as registry_actions
from ipfin.registry.models import Enterprise, IpAsset, LegalStatusEvent
from ipfin.registry.tests.factories import make_enterprise, make_patent
from ipfin.registry.validation import OwnerInput

pytestmark = pytest.mark.usefixtures("calendar_2025_2026")

FILED = date(2025, 9, 30)
REGISTERED = date(2025, 10, 10)
BANK = "bank_a_branch.loan_officer"
CLERK = "ipo_bt.clerk"


def _file(world: World, contract: Any, user: str = BANK, today: date = FILED) -> Any:
    return actions.file_registration(world.users[user], contract.pk, today=today)


def _registered(world: World, **contract_kwargs: Any) -> Any:
    registration = _file(world, make_signed_contract(world, **contract_kwargs))
    return actions.register_pledge(world.users[CLERK], registration.pk, registered_on=REGISTERED)


# --- filing ------------------------------------------------------------------------------------------------


def test_filing_takes_the_contract_and_the_registry_office_of_the_pledgor(world: World) -> None:
    contract = make_signed_contract(world, principal_fen=2_500_000_00, start_on=date(2025, 9, 15), term_months=24)
    registration = _file(world, contract)
    assert registration.status == RegistrationStatus.FILED
    assert registration.filing_number.startswith("ZY20250930")
    assert registration.registry_office == world.orgs["ipo_bt"]
    assert registration.pledgee == world.orgs["bank_a_branch"]
    assert registration.secured_amount_fen == 2_500_000_00
    assert (registration.term_start, registration.term_end) == (date(2025, 9, 15), date(2027, 9, 15))
    assert [a.asset_id for a in registration.assets.all()] == [
        a.asset_id for a in contract.application.assets.all()]
    assert (registration.sla_working_days, registration.sla_clause) == (5, "PZA-2.2.1a")
    event = AuditEvent.objects.get(action="pledges.registration.file", object_id=str(registration.pk))
    assert event.clause == "PZA-2.2.1a"


def test_registration_due_date_spans_the_2025_national_day_break(world: World) -> None:
    # 30 Sep (Tue) + 5 working days: 1–8 Oct off; 9, 10, 11 (Sat, make-up day), 13, 14 Oct.
    assert _file(world, make_signed_contract(world), today=date(2025, 9, 30)).due_on == date(2025, 10, 14)
    # 26 Sep (Fri): 28 Sep (Sun, make-up day), 29, 30 Sep, 9, 10 Oct.
    assert _file(world, make_signed_contract(world), today=date(2025, 9, 26)).due_on == date(2025, 10, 10)


def test_clock_states_and_office_queue(world: World) -> None:
    late = _file(world, make_signed_contract(world), today=date(2025, 9, 26))
    early = _file(world, make_signed_contract(world), today=date(2025, 9, 30))
    assert registration_clock(late, date(2025, 10, 9)).state == SlaState.DUE_SOON
    assert registration_clock(late, date(2025, 10, 13)).state == SlaState.OVERDUE
    assert registration_clock(early, date(2025, 9, 30)).state == SlaState.ON_TIME
    assert [r.pk for r, _clock in office_queue(world.users[CLERK], date(2025, 10, 9))] == [late.pk, early.pk]
    assert office_queue(world.users["ipo_pzh.clerk"], date(2025, 10, 9)) == []
    done = actions.register_pledge(world.users[CLERK], early.pk, registered_on=date(2025, 10, 14))
    assert registration_clock(done, date(2026, 1, 5)).state == SlaState.MET
    missed = actions.register_pledge(world.users[CLERK], late.pk, registered_on=date(2025, 10, 13))
    assert registration_clock(missed, date(2026, 1, 5)).state == SlaState.MISSED


def test_no_clock_when_no_in_force_profile_sets_a_time_limit(world: World) -> None:
    # baotou-2021 is in force 2021–2022 only and sets no registration time limit anyway.
    registration = _file(world, make_signed_contract(world, profiles=["baotou-2021"]))
    assert registration.sla_working_days is None and registration.due_on is None
    assert registration_clock(registration, FILED) is None


def test_filing_in_an_unpublished_year_has_no_due_date_yet(world: World) -> None:
    registration = _file(world, make_signed_contract(world), today=date(2025, 12, 31))
    assert registration.due_on == date(2026, 1, 8)  # 2026 is published: 1 Jan off, 4 Jan (Sun) worked
    # 2027 is not published: the clock says so instead of guessing.
    assert actions.registration_sla(["panzhihua-agreement"], date(2027, 12, 30))[2] is None


def test_only_a_bank_user_of_the_contracts_bank_files(world: World) -> None:
    contract = make_signed_contract(world)
    with pytest.raises(NotFound):
        _file(world, contract, user="bank_b.loan_officer")
    with pytest.raises(PermissionDenied):
        _file(world, contract, user="ent_bt.admin")
    with pytest.raises(PermissionDenied):
        _file(world, contract, user=CLERK)
    assert _file(world, contract, user="bank_a.approver").pledgee == world.orgs["bank_a_branch"]  # head office


def test_filing_needs_a_signed_contract_awaiting_the_pledge(world: World) -> None:
    with pytest.raises(NotAwaitingPledge):
        _file(world, make_signed_contract(world, application_status=ApplicationStatus.APPROVED,
                                          contract_status=ContractStatus.DRAFT))
    with pytest.raises(NotAwaitingPledge):
        _file(world, make_signed_contract(world, application_status=ApplicationStatus.WITHDRAWN))


def test_one_open_filing_per_contract_and_refiling_after_a_refusal(world: World) -> None:
    contract = make_signed_contract(world)
    first = _file(world, contract)
    with pytest.raises(OpenFilingExists):
        _file(world, contract)
    actions.reject_registration(world.users[CLERK], first.pk, ground=RefusalGround.INCOMPLETE_DOCUMENTS,
                                today=date(2025, 10, 9))
    second = _file(world, contract, today=date(2025, 10, 9))
    assert second.pk != first.pk and second.filing_number != first.filing_number


# --- registration ------------------------------------------------------------------------------------------


def test_register_marks_assets_pledged_through_the_registry_and_announces(world: World,
                                                                           django_capture_on_commit_callbacks: Any
                                                                           ) -> None:
    contract = make_signed_contract(world)
    registration = _file(world, contract)
    with django_capture_on_commit_callbacks(execute=True):
        registration = actions.register_pledge(world.users[CLERK], registration.pk, registered_on=REGISTERED,
                                               registration_number="Y2025980000123")
    assert registration.status == RegistrationStatus.REGISTERED
    assert (registration.registration_number, registration.registered_on) == ("Y2025980000123", REGISTERED)
    asset = contract.application.assets.get().asset
    asset.refresh_from_db()
    assert asset.pledged
    event = LegalStatusEvent.objects.get(asset=asset, kind="pledge")
    assert (event.effective_date, event.reference) == (REGISTERED, "Y2025980000123")
    announcement = PledgeAnnouncement.objects.get(registration=registration)
    assert (announcement.asset_number, announcement.pledgor_name, announcement.pledgee_name, announcement.status) \
        == (asset.number, "world-ent_bt", "world-bank_a_branch", "registered")
    assert AuditEvent.objects.get(action="pledges.registration.register").clause == "PZA-2.2.1a"
    notified = set(Notification.objects.filter(verb="pledges.registered").values_list(
        "recipient__organisation__name", flat=True))
    assert notified == {"world-ent_bt", "world-bank_a_branch", "world-ipo_bt"}  # never the acting clerk
    assert not Notification.objects.filter(verb="pledges.registered", recipient=world.users[CLERK]).exists()
    assert Notification.objects.filter(verb="pledges.registered", recipient=world.users["ipo_bt.leader"]).exists()


def test_register_generates_a_unique_registration_number(world: World) -> None:
    one, two = _registered(world), _registered(world)
    assert one.registration_number.startswith("Y2025") and one.registration_number != two.registration_number


def test_only_the_registry_office_registers(world: World) -> None:
    registration = _file(world, make_signed_contract(world))
    with pytest.raises(NotFound):
        actions.register_pledge(world.users["ipo_pzh.clerk"], registration.pk, registered_on=REGISTERED)
    for user in (BANK, "ent_bt.admin", "regulator_bt.supervisor", "fund_bt.officer"):
        with pytest.raises(PermissionDenied):
            actions.register_pledge(world.users[user], registration.pk, registered_on=REGISTERED)
    actions.register_pledge(world.users["ipo_bt.leader"], registration.pk, registered_on=REGISTERED)


def test_illegal_moves(world: World) -> None:
    clerk = world.users[CLERK]
    filed = _file(world, make_signed_contract(world))
    with pytest.raises(IllegalTransition):
        actions.change_registration(clerk, filed.pk, kind=ChangeKind.SECURED_AMOUNT,
                                    after={"secured_amount_fen": 1}, reason="x")
    with pytest.raises(IllegalTransition):
        actions.release_pledge(clerk, filed.pk, released_on=REGISTERED)
    registered = actions.register_pledge(clerk, filed.pk, registered_on=REGISTERED)
    with pytest.raises(IllegalTransition):
        actions.register_pledge(clerk, registered.pk, registered_on=REGISTERED)
    with pytest.raises(IllegalTransition):
        actions.reject_registration(clerk, registered.pk, ground=RefusalGround.OTHER, note="late")
    actions.release_pledge(clerk, registered.pk, released_on=date(2025, 11, 1))
    for move in (lambda: actions.register_pledge(clerk, registered.pk),
                 lambda: actions.release_pledge(clerk, registered.pk),
                 lambda: actions.change_registration(clerk, registered.pk, kind=ChangeKind.OTHER,
                                                     after={"a": "b"}, reason="x")):
        with pytest.raises(IllegalTransition):
            move()
    rejected = _file(world, make_signed_contract(world))
    actions.reject_registration(clerk, rejected.pk, ground=RefusalGround.UNPAID_FEES)
    with pytest.raises(IllegalTransition):
        actions.register_pledge(clerk, rejected.pk, registered_on=REGISTERED)


def _refused_ground(world: World, contract: Any) -> str:
    registration = _file(world, contract)
    with pytest.raises(PledgeRefused) as caught:
        actions.register_pledge(world.users[CLERK], registration.pk, registered_on=REGISTERED)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.FILED  # nothing written
    assert not IpAsset.objects.filter(pk__in=contract.application.assets.values("asset_id"), pledged=True).exists()
    return caught.value.details["ground"]


def _enterprise(world: World, key: str = "ent_bt") -> Enterprise:
    return make_enterprise(world.orgs[key])


def test_refused_for_unpaid_fees(world: World) -> None:
    unpaid = make_patent(_enterprise(world))  # granted 2021, no annual fee paid since
    assert _refused_ground(world, make_signed_contract(world, assets=[unpaid])) == RefusalGround.UNPAID_FEES


def test_refused_when_the_ip_term_ends_before_the_pledge(world: World) -> None:
    # A utility model filed 2019-04-01 ends 2029-03-31; a 5-year loan from 2025-09 runs past it.
    utility = paid_patent(_enterprise(world), kind_digit="2", patent={"fee_paid_through": date(2029, 3, 31)})
    contract = make_signed_contract(world, assets=[utility], term_months=60)
    assert _refused_ground(world, contract) == RefusalGround.TERM_BEYOND_IP_TERM


def test_refused_when_not_in_force_frozen_or_not_the_pledgors(world: World) -> None:
    enterprise = _enterprise(world)
    pending = paid_patent(enterprise, granted=False)
    assert _refused_ground(world, make_signed_contract(world, assets=[pending])) == RefusalGround.NOT_IN_FORCE
    frozen = paid_patent(enterprise)
    registry_actions.record_legal_event(None, frozen.pk, kind="freeze", effective_date=date(2025, 6, 1))
    assert _refused_ground(world, make_signed_contract(world, assets=[frozen])) == RefusalGround.OWNERSHIP_DISPUTE
    others = paid_patent(_enterprise(world, "ent_pzh"))
    assert _refused_ground(world, make_signed_contract(world, assets=[others])) == RefusalGround.PLEDGOR_NOT_OWNER


def test_refused_without_co_owners_consent(world: World) -> None:
    mine, theirs = _enterprise(world), _enterprise(world, "ent_pzh")
    shared = paid_patent(mine)
    registry_actions.update_ip_asset(None, shared.pk, owners=[OwnerInput(share=Decimal(60), enterprise_id=mine.pk),
                                                             OwnerInput(share=Decimal(40), enterprise_id=theirs.pk)])
    assert _refused_ground(world, make_signed_contract(world, assets=[shared])) \
        == RefusalGround.CO_OWNER_CONSENT_MISSING
    registration = _file(world, make_signed_contract(world, assets=[shared], co_owner_consent=True))
    assert actions.register_pledge(world.users[CLERK], registration.pk,
                                   registered_on=REGISTERED).status == RegistrationStatus.REGISTERED


def test_double_pledge_is_impossible(world: World) -> None:
    asset = paid_patent(_enterprise(world))
    first = _file(world, make_signed_contract(world, assets=[asset]))
    second = _file(world, make_signed_contract(world, assets=[asset]))
    actions.register_pledge(world.users[CLERK], first.pk, registered_on=REGISTERED)
    with pytest.raises(PledgeRefused) as caught:
        actions.register_pledge(world.users[CLERK], second.pk, registered_on=REGISTERED)
    assert caught.value.details["ground"] == RefusalGround.ALREADY_PLEDGED
    assert LegalStatusEvent.objects.filter(asset=asset, kind="pledge").count() == 1


def test_reject_needs_a_known_ground(world: World) -> None:
    registration = _file(world, make_signed_contract(world))
    clerk = world.users[CLERK]
    with pytest.raises(InvalidInput):
        actions.reject_registration(clerk, registration.pk, ground="bad_weather")
    with pytest.raises(InvalidInput):
        actions.reject_registration(clerk, registration.pk, ground=RefusalGround.OTHER)
    with pytest.raises(PermissionDenied):
        actions.reject_registration(world.users[BANK], registration.pk, ground=RefusalGround.UNPAID_FEES)
    rejected = actions.reject_registration(clerk, registration.pk, ground=RefusalGround.UNPAID_FEES, note="2024年费",
                                           today=date(2025, 10, 9))
    assert (rejected.status, rejected.refusal_ground, rejected.decided_on) == (
        RegistrationStatus.REJECTED, RefusalGround.UNPAID_FEES, date(2025, 10, 9))
    assert not PledgeAnnouncement.objects.filter(registration=rejected).exists()


# --- change and release ------------------------------------------------------------------------------------


def test_change_of_amount_and_term_updates_registration_and_announcements(world: World) -> None:
    registration = _registered(world)
    clerk = world.users[CLERK]
    changed = actions.change_registration(clerk, registration.pk, kind=ChangeKind.SECURED_AMOUNT,
                                          after={"secured_amount_fen": 2_000_000_00}, reason="部分还款",
                                          changed_on=date(2025, 12, 1))
    assert (changed.status, changed.secured_amount_fen) == (RegistrationStatus.CHANGED, 2_000_000_00)
    changed = actions.change_registration(clerk, registration.pk, kind=ChangeKind.TERM,
                                          after={"term_end": "2027-09-01"}, reason="展期")
    assert changed.term_end == date(2027, 9, 1)
    assert set(PledgeAnnouncement.objects.filter(registration=registration).values_list("term_end", "status")) \
        == {(date(2027, 9, 1), "changed")}
    changes = list(PledgeChange.objects.filter(registration=registration).values_list("kind", "before", "after"))
    assert changes[0] == ("secured_amount", {"secured_amount_fen": 3_000_000_00},
                          {"secured_amount_fen": 2_000_000_00})
    with pytest.raises(PledgeRefused):  # past the patent's term (invention filed 2019: ends 2039-03-31)
        actions.change_registration(clerk, registration.pk, kind=ChangeKind.TERM, after={"term_end": "2040-01-01"},
                                    reason="展期")
    with pytest.raises(InvalidInput):
        actions.change_registration(clerk, registration.pk, kind=ChangeKind.SECURED_AMOUNT,
                                    after={"secured_amount_fen": -5}, reason="x")
    with pytest.raises(PermissionDenied):
        actions.change_registration(world.users[BANK], registration.pk, kind=ChangeKind.OTHER, after={"a": "b"},
                                    reason="x")


def test_release_by_the_bank_frees_the_asset_for_a_new_pledge(world: World) -> None:
    asset = paid_patent(_enterprise(world))
    registration = _registered(world, assets=[asset])
    with pytest.raises(PermissionDenied):
        actions.release_pledge(world.users["ent_bt.admin"], registration.pk)
    with pytest.raises(NotFound):
        actions.release_pledge(world.users["bank_b.loan_officer"], registration.pk)
    released = actions.release_pledge(world.users["bank_a.branch_head"], registration.pk,
                                      released_on=date(2025, 12, 20), reason="贷款结清")
    assert (released.status, released.released_on) == (RegistrationStatus.RELEASED, date(2025, 12, 20))
    asset.refresh_from_db()
    assert not asset.pledged
    assert LegalStatusEvent.objects.filter(asset=asset, kind="pledge_release").count() == 1
    assert set(PledgeAnnouncement.objects.filter(registration=registration).values_list("status", "released_on")) \
        == {("released", date(2025, 12, 20))}
    again = _file(world, make_signed_contract(world, assets=[asset]), today=date(2026, 1, 5))
    again = actions.register_pledge(world.users[CLERK], again.pk, registered_on=date(2026, 1, 6))
    asset.refresh_from_db()
    assert again.status == RegistrationStatus.REGISTERED and asset.pledged


def test_office_may_release_too(world: World) -> None:
    registration = _registered(world)
    assert actions.release_pledge(world.users[CLERK], registration.pk,
                                  released_on=date(2025, 11, 1)).status == RegistrationStatus.RELEASED


def _origination_ready() -> bool:
    try:
        from ipfin.origination import actions as origination_actions
    except ImportError:
        return False
    return hasattr(origination_actions, "on_pledge_registered")


@pytest.mark.skipif(not _origination_ready(), reason="ipfin.origination.actions.on_pledge_registered not written yet")
def test_registration_moves_the_application_to_pledge_registered(world: World) -> None:
    registration = _registered(world)
    application = registration.contract.application
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PLEDGE_REGISTERED


# --- withdrawal of the loan application -----------------------------------------------------------------------


def test_withdrawing_the_application_withdraws_its_open_filing(world: World) -> None:
    """A contract-signed application withdrawn by the enterprise leaves no filing open at the registry office:
    the filing is withdrawn in the same transaction, its clock stops without a verdict, the registry can no
    longer register it and a new filing of another contract over the same assets is not blocked."""
    from ipfin.origination import actions as origination

    contract = make_signed_contract(world)
    filed = _file(world, contract)
    origination.withdraw_application(world.users["ent_bt.admin"], contract.application_id, reason="不再需要",
                                     today=date(2025, 10, 9))
    filed.refresh_from_db()
    contract.refresh_from_db()
    assert filed.status == RegistrationStatus.WITHDRAWN and filed.decided_on == date(2025, 10, 9)
    assert contract.status == ContractStatus.CANCELLED
    assert registration_clock(filed, date(2025, 10, 20)) is None
    assert filed not in [r for r, _clock in office_queue(world.users[CLERK], date(2025, 10, 9))]
    assert AuditEvent.objects.filter(action="pledges.registration.withdraw", object_id=str(filed.pk)).exists()
    with pytest.raises(IllegalTransition):
        actions.register_pledge(world.users[CLERK], filed.pk, registered_on=REGISTERED)


def test_withdrawal_before_the_filing_leaves_nothing_to_close(world: World) -> None:
    from ipfin.origination import actions as origination

    contract = make_signed_contract(world)
    origination.withdraw_application(world.users[BANK], contract.application_id, today=FILED)
    assert not contract.pledge_registrations.exists()
