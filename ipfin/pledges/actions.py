"""Pledge registration (质押登记) actions: file → registered | rejected → changed → released.

Paperless registration (PZA-2.2.1, XT-14, SC-1) within the registration time limit of the product's policy
profiles (PZA-2.2.1a / XT-14: 5 working days), with the public announcement (质押登记公示, SC-13).

Who acts:
- the pledgee bank (a bank user of the contract's bank, or of its head office) files and releases;
- the registry office (IP office whose jurisdiction covers the pledgor's region; clerk or leader) registers,
  rejects, records changes and may release.

The asset's ``pledged`` flag has one writer, the registry's legal-status machine: registering records a
``pledge`` legal event per asset, releasing a ``pledge_release`` event (``ipfin.registry.actions``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ipfin.accounts.audit import record_event, snapshot
from ipfin.accounts.choices import OrganisationKind, Role
from ipfin.accounts.models import Organisation, User
from ipfin.accounts.permissions import require_role
from ipfin.calendar.services import working_calendar
from ipfin.core.actions import lock, transition
from ipfin.core.dates import business_date
from ipfin.core.numbering import next_number
from ipfin.core.scoping import get_visible
from ipfin.domain.errors import Conflict, InvalidInput, PermissionDenied
from ipfin.domain.regions import is_within, jurisdiction_prefix
from ipfin.domain.registry.annual_fee import fee_position
from ipfin.domain.sla import due_date_or_none
from ipfin.notifications.services import notify
from ipfin.origination.choices import ApplicationStatus, ContractStatus
from ipfin.origination.models import Application, ApplicationAsset, Contract
from ipfin.pledges.choices import (
    ENCUMBERING_STATES,
    REGISTRATION_ALLOWED,
    ChangeKind,
    RefusalGround,
    RegistrationStatus,
)
from ipfin.pledges.models import PledgeAnnouncement, PledgeChange, PledgedAsset, PledgeRegistration
from ipfin.policy.policyset import policy_set
from ipfin.registry import actions as registry_actions
from ipfin.registry.choices import AssetKind, LegalEventKind, LegalStatus
from ipfin.registry.models import IpAsset

BANK_ROLES = (Role.LOAN_OFFICER, Role.APPROVER, Role.BRANCH_HEAD)
OFFICE_ROLES = (Role.CLERK, Role.LEADER)
SLA_KEY = "registration_sla_working_days"
OPEN_STATES = (RegistrationStatus.FILED, *ENCUMBERING_STATES)
REGISTRATION_FIELDS = ["status", "secured_amount_fen", "term_start", "term_end", "due_on", "registration_number",
                       "registered_on", "refusal_ground", "decided_on", "released_on"]
NUMBER_ATTEMPTS = 5  # a number taken by a concurrent filing is retried with the next one
# Fee positions under which the registry accepts a patent (年费已缴): paid up, due today, or no fee left.
FEES_PAID_POSITIONS = frozenset({"paid", "due", "term_over"})


# --- typed errors ------------------------------------------------------------------------------------------


class NotAwaitingPledge(Conflict):
    code = "contract_not_awaiting_pledge"
    message_template = _("Contract {contract} is not signed, or its application is not awaiting pledge "
                         "registration.")


class OpenFilingExists(Conflict):
    code = "pledge_open_filing_exists"
    message_template = _("Contract {contract} already has an open pledge filing ({filing_number}).")


class NoRegistryOffice(Conflict):
    code = "pledge_no_registry_office"
    message_template = _("No IP office has jurisdiction over the pledgor's region {region}.")


class EmptyBundle(InvalidInput):
    code = "pledge_empty_bundle"
    message_template = _("The application of contract {contract} lists no IP assets to pledge.")


class PledgeRefused(Conflict):
    """The registry's verification failed; ``ground`` is a :class:`RefusalGround` value."""

    code = "pledge_refused"
    message_template = _("The pledge cannot be registered: {ground_label} (IP {asset}).")


class DuplicateRegistrationNumber(Conflict):
    code = "pledge_duplicate_registration_number"
    message_template = _("Registration number {number} is already used.")


# --- helpers -----------------------------------------------------------------------------------------------


def _today() -> date:
    return business_date()


def _is_bank_of(user: User, bank: Organisation) -> bool:
    """A bank user of ``bank`` or of its head office (a head office acts for its branches)."""
    org_id = user.organisation_id
    return bool(org_id is not None and user.has_role(*BANK_ROLES)
                and (bank.pk == org_id or bank.head_office_id == org_id))


def _require_bank_of(user: User, bank: Organisation) -> None:
    require_role(user, *BANK_ROLES)
    if not _is_bank_of(user, bank):
        raise PermissionDenied()


def _is_registry_clerk(user: User, registration: PledgeRegistration) -> bool:
    return bool(user.organisation_id == registration.registry_office_id and user.has_role(*OFFICE_ROLES))


def _require_registry_clerk(user: User, registration: PledgeRegistration) -> None:
    require_role(user, *OFFICE_ROLES)
    if not _is_registry_clerk(user, registration):
        raise PermissionDenied()


def _locked_registration(user: User, registration_id: int) -> PledgeRegistration:
    """Lock the registration; a user who may not read it gets :class:`NotFound` (no hint it exists)."""
    get_visible(user, PledgeRegistration, pk=registration_id)
    return lock(PledgeRegistration, registration_id)


def registry_office_for(region_code: str) -> Organisation | None:
    """The IP office whose jurisdiction contains ``region_code``, the most local one first (a district
    office before the city's, the city's before the province's)."""
    candidates = Organisation.objects.filter(
        kind=OrganisationKind.IP_OFFICE, is_active=True,
        region_code__in={region_code, region_code[:4] + "00", region_code[:2] + "0000"},
    )
    within = [o for o in candidates if is_within(region_code, o.region_code)]
    if not within:
        return None
    return max(within, key=lambda o: (len(jurisdiction_prefix(o.region_code)), -o.pk))


def registration_sla(product_profiles: list[str], filed_on: date) -> tuple[int | None, str, date | None]:
    """(working days allowed, clause, due date) of the registration clock (PZA-2.2.1a, XT-14).

    Working days: the first in-force profile of the product that sets ``registration_sla_working_days``;
    none → no clock. The due date is None when the calendar year it needs is not published yet.
    """
    value = policy_set(product_profiles, on=filed_on).find(SLA_KEY)
    if value is None:
        return None, "", None
    days = int(value.value)
    return days, value.clause, due_date_or_none(working_calendar(), filed_on, days)


def _next_number(prefix: str, model_field: str) -> str:
    return next_number(PledgeRegistration, prefix, field=model_field)


def _parties(registration: PledgeRegistration) -> list[Organisation | int]:
    return [registration.pledgor.organisation_id, registration.pledgee_id, registration.registry_office_id]


def _url(registration: PledgeRegistration) -> str:
    return reverse("pledges:detail", args=[registration.pk])


def _notify(registration: PledgeRegistration, verb: str, title: Any, body: Any = "", *,
            exclude: User | None = None) -> None:
    notify(organisations=_parties(registration), verb=f"pledges.{verb}", title=title, body=body,
           url=_url(registration), exclude=exclude)


def _audit(user: User, action: str, registration: PledgeRegistration, before: dict[str, Any] | None,
           clause: str, **extra: Any) -> None:
    after = {**snapshot(registration, REGISTRATION_FIELDS), **extra}
    record_event(actor=user, action=f"pledges.registration.{action}", obj=registration, before=before,
                 after=after, clause=clause, organisation=user.organisation)


def _assets_locked(registration: PledgeRegistration) -> list[IpAsset]:
    """The registration's assets under row locks, in primary-key order (a fixed order: no deadlock between
    two registrations sharing an asset; the second waits and then sees the first one's pledge)."""
    ids = list(registration.assets.values_list("asset_id", flat=True))
    return list(IpAsset.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def refusal_ground(asset: IpAsset, registration: PledgeRegistration, *, on: date,
                   co_owner_consent: bool) -> str | None:
    """The first ground on which the registry refuses ``asset`` for this pledge on ``on``, or None.

    Checked: the right is in force; annual fees are paid (patents); it is not pledged, frozen or in
    dispute; the pledgor holds it (and co-owners consented); its term covers the pledge term.
    """
    if asset.status != LegalStatus.IN_FORCE:
        return RefusalGround.NOT_IN_FORCE
    if asset.pledged:
        return RefusalGround.ALREADY_PLEDGED
    if asset.frozen or asset.in_litigation:
        return RefusalGround.OWNERSHIP_DISPUTE
    owners = list(asset.owners.values_list("enterprise_id", flat=True))
    if registration.pledgor_id not in owners:
        return RefusalGround.PLEDGOR_NOT_OWNER
    if len(owners) > 1 and not co_owner_consent:
        return RefusalGround.CO_OWNER_CONSENT_MISSING
    if asset.kind == AssetKind.PATENT and hasattr(asset, "patent") and asset.filing_date and asset.registration_date:
        position = fee_position(registry_actions.fee_schedule(), asset.patent.patent_type, asset.filing_date,
                                asset.registration_date, asset.patent.fee_paid_through, on)
        if position.state not in FEES_PAID_POSITIONS:
            return RefusalGround.UNPAID_FEES
    if asset.expiry_date is not None and asset.expiry_date < registration.term_end:
        return RefusalGround.TERM_BEYOND_IP_TERM
    return None


def _refuse(ground: str, asset: IpAsset) -> PledgeRefused:
    return PledgeRefused(ground=ground, ground_label=RefusalGround(ground).label, asset=asset.number,
                         asset_id=asset.pk)


def _write_announcements(registration: PledgeRegistration) -> None:
    """The public record: one row per asset, public fields only (never amounts, USCC or persons; SC-13)."""
    registration.announcements.all().delete()
    assets = IpAsset.objects.filter(pledge_links__registration=registration).order_by("pk")
    PledgeAnnouncement.objects.bulk_create(
        PledgeAnnouncement(
            registration=registration, registration_number=registration.registration_number or "",
            registered_on=registration.registered_on, asset_kind=asset.kind, asset_number=asset.number,
            asset_title=asset.title[:300], pledgor_name=registration.pledgor.organisation.name,
            pledgee_name=registration.pledgee.name, term_start=registration.term_start,
            term_end=registration.term_end, status=registration.status, released_on=registration.released_on,
        )
        for asset in assets
    )


def _advance_application(application_id: int, *, registered_on: date, actor: User) -> None:
    """contract_signed → pledge_registered in this same transaction (origination contract)."""
    from ipfin.origination.actions import on_pledge_registered  # origination imports nothing of pledges

    on_pledge_registered(application_id, registered_on=registered_on, actor=actor)


# --- actions -----------------------------------------------------------------------------------------------


def file_registration(user: User, contract_id: int, *, today: date | None = None) -> PledgeRegistration:
    """The pledgee bank files the registration of a signed contract's collateral bundle (PZA-2.2.1a, SC-1).

    The registration clock starts on the filing date (working days from the product's policy profiles).
    """
    today = today or _today()
    require_role(user, *BANK_ROLES)
    with transaction.atomic():
        get_visible(user, Contract, pk=contract_id)  # NotFound for a contract the user may not read
        contract = lock(Contract, contract_id)
        application = Application.objects.select_related("enterprise__organisation", "bank", "product").get(
            pk=contract.application_id)
        if not _is_bank_of(user, application.bank):
            raise PermissionDenied()
        if contract.status != ContractStatus.SIGNED or application.status != ApplicationStatus.CONTRACT_SIGNED:
            raise NotAwaitingPledge(contract=contract.number)
        if contract.start_on is None or contract.maturity_on is None:
            raise NotAwaitingPledge(contract=contract.number)
        open_filing = contract.pledge_registrations.filter(status__in=OPEN_STATES).first()
        if open_filing is not None:
            raise OpenFilingExists(contract=contract.number, filing_number=open_filing.filing_number)
        asset_ids = list(ApplicationAsset.objects.filter(application=application).order_by("asset_id")
                         .values_list("asset_id", flat=True))
        if not asset_ids:
            raise EmptyBundle(contract=contract.number)
        pledgor = application.enterprise
        office = registry_office_for(pledgor.organisation.region_code)
        if office is None:
            raise NoRegistryOffice(region=pledgor.organisation.region_code)
        days, clause, due_on = registration_sla(list(application.product.policy_profiles), today)
        registration = None
        for _attempt in range(NUMBER_ATTEMPTS):
            try:
                with transaction.atomic():
                    registration = PledgeRegistration.objects.create(
                        filing_number=_next_number(f"ZY{today:%Y%m%d}", "filing_number"), contract=contract,
                        pledgor=pledgor, pledgee=application.bank, registry_office=office,
                        secured_amount_fen=contract.principal_fen, term_start=contract.start_on,
                        term_end=contract.maturity_on, filed_on=today, due_on=due_on, sla_working_days=days,
                        sla_clause=clause, filed_by=user)
                break
            except IntegrityError:
                if contract.pledge_registrations.filter(status__in=OPEN_STATES).exists():
                    raise OpenFilingExists(contract=contract.number, filing_number="") from None
        if registration is None:
            raise Conflict()
        PledgedAsset.objects.bulk_create(PledgedAsset(registration=registration, asset_id=a) for a in asset_ids)
        _audit(user, "file", registration, None, clause or "PZA-2.2.1a", filing_number=registration.filing_number,
               assets=asset_ids, contract=contract.number, sla_working_days=days)
        _notify(registration, "filed",
                format_lazy(_("Pledge registration {number} filed"), number=registration.filing_number),
                format_lazy(_("{bank} filed the pledge registration of contract {contract}; due on {due}."),
                            bank=application.bank.name, contract=contract.number,
                            due=due_on.isoformat() if due_on else "—"),
                exclude=user)
    return registration


def register_pledge(user: User, registration_id: int, *, registration_number: str | None = None,
                    registered_on: date | None = None) -> PledgeRegistration:
    """The registry office registers the pledge after re-verifying every asset (PZA-2.2.1a, XT-14, SC-1).

    Each asset is marked pledged through the registry's legal-status event; the announcements are
    published (SC-13) and the application moves to ``pledge_registered`` in the same transaction.
    """
    registered_on = registered_on or _today()
    with transaction.atomic():
        registration = _locked_registration(user, registration_id)
        _require_registry_clerk(user, registration)
        before = snapshot(registration, REGISTRATION_FIELDS)
        transition(registration, "status", RegistrationStatus.REGISTERED, REGISTRATION_ALLOWED)
        if registered_on < registration.filed_on:
            raise InvalidInput(reason="the registration date is before the filing date")
        application = registration.contract.application
        assets = _assets_locked(registration)
        for asset in assets:
            ground = refusal_ground(asset, registration, on=registered_on,
                                    co_owner_consent=application.co_owner_consent)
            if ground is not None:
                raise _refuse(ground, asset)
        number = (registration_number or "").strip() or _next_number(f"Y{registered_on:%Y}", "registration_number")
        if PledgeRegistration.objects.filter(registration_number=number).exclude(pk=registration.pk).exists():
            raise DuplicateRegistrationNumber(number=number)
        registration.registration_number = number
        registration.registered_on = registration.decided_on = registered_on
        registration.save(update_fields=["status", "registration_number", "registered_on", "decided_on"])
        for asset in assets:
            registry_actions.record_legal_event(None, asset.pk, kind=LegalEventKind.PLEDGE,
                                                effective_date=registered_on, reference=number, source="pledges",
                                                details={"registration_id": registration.pk,
                                                         "pledgee": registration.pledgee.name})
        _write_announcements(registration)
        _audit(user, "register", registration, before, registration.sla_clause or "PZA-2.2.1a",
               assets=[a.number for a in assets])
        _advance_application(application.pk, registered_on=registered_on, actor=user)
        _notify(registration, "registered",
                format_lazy(_("Pledge registered: {number}"), number=number),
                format_lazy(_("Filing {filing} was registered on {on}."), filing=registration.filing_number,
                            on=registered_on.isoformat()),
                exclude=user)
    return registration


def reject_registration(user: User, registration_id: int, *, ground: str, note: str = "",
                        today: date | None = None) -> PledgeRegistration:
    """The registry office refuses the filing on one of the registry's grounds (filed → rejected)."""
    if ground not in RefusalGround.values:
        raise InvalidInput(reason=f"unknown refusal ground {ground!r}")
    if ground == RefusalGround.OTHER and not note.strip():
        raise InvalidInput(reason="a refusal on another ground needs a note")
    today = today or _today()
    with transaction.atomic():
        registration = _locked_registration(user, registration_id)
        _require_registry_clerk(user, registration)
        before = snapshot(registration, REGISTRATION_FIELDS)
        transition(registration, "status", RegistrationStatus.REJECTED, REGISTRATION_ALLOWED)
        registration.refusal_ground, registration.refusal_note = ground, note.strip()
        registration.decided_on = max(today, registration.filed_on)
        registration.save(update_fields=["status", "refusal_ground", "refusal_note", "decided_on"])
        _audit(user, "reject", registration, before, registration.sla_clause or "PZA-2.2.1a", note=note.strip())
        _notify(registration, "rejected",
                format_lazy(_("Pledge registration {number} refused"), number=registration.filing_number),
                format_lazy(_("Ground: {ground}. {note}"), ground=RefusalGround(ground).label, note=note.strip()),
                exclude=user)
    return registration


def _parse_change(kind: str, after: dict[str, Any], registration: PledgeRegistration
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(before, clean after) of a change; validates the new values."""
    if kind == ChangeKind.SECURED_AMOUNT:
        value = after.get("secured_amount_fen")
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise InvalidInput(reason="secured_amount_fen must be a positive whole number of fen")
        return {"secured_amount_fen": registration.secured_amount_fen}, {"secured_amount_fen": value}
    if kind == ChangeKind.TERM:
        try:
            start = date.fromisoformat(str(after.get("term_start") or registration.term_start.isoformat()))
            end = date.fromisoformat(str(after["term_end"]))
        except (KeyError, ValueError):
            raise InvalidInput(reason="term_end (and optionally term_start) must be ISO dates") from None
        if end < start:
            raise InvalidInput(reason="the term ends before it starts")
        return ({"term_start": registration.term_start.isoformat(), "term_end": registration.term_end.isoformat()},
                {"term_start": start.isoformat(), "term_end": end.isoformat()})
    if kind == ChangeKind.PARTY_NAME:
        names = {k: str(v).strip() for k, v in after.items() if k in ("pledgor_name", "pledgee_name") and str(v).strip()}
        if not names:
            raise InvalidInput(reason="give pledgor_name or pledgee_name")
        return {}, names
    if kind == ChangeKind.OTHER:
        if not after:
            raise InvalidInput(reason="describe the change")
        return {}, {str(k): str(v) for k, v in after.items()}
    raise InvalidInput(reason=f"unknown change kind {kind!r}")


def change_registration(user: User, registration_id: int, *, kind: str, after: dict[str, Any], reason: str,
                        changed_on: date | None = None) -> PledgeRegistration:
    """The registry office records a change (变更登记): registered|changed → changed (SC-1).

    A new secured amount or term updates the registration and its announcements; a longer term is
    re-verified against each asset's IP term.
    """
    changed_on = changed_on or _today()
    if not (reason or "").strip():
        raise InvalidInput(reason="a change needs its reason")
    with transaction.atomic():
        registration = _locked_registration(user, registration_id)
        _require_registry_clerk(user, registration)
        before_row = snapshot(registration, REGISTRATION_FIELDS)
        transition(registration, "status", RegistrationStatus.CHANGED, REGISTRATION_ALLOWED)
        before, clean = _parse_change(kind, after, registration)
        if kind == ChangeKind.SECURED_AMOUNT:
            registration.secured_amount_fen = clean["secured_amount_fen"]
        elif kind == ChangeKind.TERM:
            registration.term_start = date.fromisoformat(clean["term_start"])
            registration.term_end = date.fromisoformat(clean["term_end"])
            for asset in IpAsset.objects.filter(pledge_links__registration=registration).order_by("pk"):
                if asset.expiry_date is not None and asset.expiry_date < registration.term_end:
                    raise _refuse(RefusalGround.TERM_BEYOND_IP_TERM, asset)
        registration.save(update_fields=["status", "secured_amount_fen", "term_start", "term_end"])
        PledgeChange.objects.create(registration=registration, kind=kind, changed_on=changed_on, before=before,
                                    after=clean, reason=reason.strip(), recorded_by=user)
        announcements = registration.announcements.all()
        if kind == ChangeKind.PARTY_NAME:
            announcements.update(**clean)
        else:
            announcements.update(status=registration.status, term_start=registration.term_start,
                                 term_end=registration.term_end)
        _audit(user, "change", registration, before_row, "SC-1", kind=kind, change=clean, reason=reason.strip())
        _notify(registration, "changed",
                format_lazy(_("Pledge registration {number} changed"), number=registration.registration_number),
                format_lazy(_("{kind} changed: {reason}"), kind=ChangeKind(kind).label, reason=reason.strip()),
                exclude=user)
    return registration


def release_pledge(user: User, registration_id: int, *, released_on: date | None = None,
                   reason: str = "") -> PledgeRegistration:
    """Release the pledge (质押注销, e.g. on pay-off): the pledgee bank or the registry office.

    Each asset gets a ``pledge_release`` legal event and is free to be pledged again; the announcements
    show the release (SC-13).
    """
    released_on = released_on or _today()
    with transaction.atomic():
        registration = _locked_registration(user, registration_id)
        pledgee = registration.pledgee
        if not (_is_bank_of(user, pledgee) or _is_registry_clerk(user, registration)):
            raise PermissionDenied()
        before = snapshot(registration, REGISTRATION_FIELDS)
        transition(registration, "status", RegistrationStatus.RELEASED, REGISTRATION_ALLOWED)
        if registration.registered_on and released_on < registration.registered_on:
            raise InvalidInput(reason="the release date is before the registration date")
        registration.released_on = released_on
        registration.save(update_fields=["status", "released_on"])
        assets = _assets_locked(registration)
        for asset in assets:
            if asset.pledged:
                registry_actions.record_legal_event(
                    None, asset.pk, kind=LegalEventKind.PLEDGE_RELEASE, effective_date=released_on,
                    reference=registration.registration_number or "", source="pledges",
                    details={"registration_id": registration.pk, "reason": reason.strip()})
        registration.announcements.update(status=RegistrationStatus.RELEASED, released_on=released_on)
        _audit(user, "release", registration, before, "SC-1", reason=reason.strip())
        _notify(registration, "released",
                format_lazy(_("Pledge released: {number}"), number=registration.registration_number),
                format_lazy(_("Released on {on}. {reason}"), on=released_on.isoformat(), reason=reason.strip()),
                exclude=user)
    return registration


def withdraw_open_filing(application: Application, *, actor: User, on: date, reason: str = "") -> None:
    """filed → withdrawn. INTERNAL: called by ``origination.actions.withdraw_application`` inside its own
    transaction, so that a withdrawn loan application leaves no filing open at the registry office. The
    registration clock stops without a verdict (the filing counts neither as met nor as missed); ``decided_on``
    records the day it was closed."""
    contract = Contract.objects.filter(application=application).first()
    if contract is None:
        return
    for registration in (PledgeRegistration.objects.select_for_update()
                         .filter(contract=contract, status=RegistrationStatus.FILED).order_by("pk")):
        before = snapshot(registration, REGISTRATION_FIELDS)
        transition(registration, "status", RegistrationStatus.WITHDRAWN, REGISTRATION_ALLOWED)
        registration.decided_on = max(on, registration.filed_on)
        registration.save(update_fields=["status", "decided_on"])
        _audit(actor, "withdraw", registration, before, "PZA-2.2.1a", application=application.number,
               reason=reason.strip())
        _notify(registration, "withdrawn",
                format_lazy(_("Pledge registration {number} withdrawn"), number=registration.filing_number),
                format_lazy(_("The loan application {application} was withdrawn; the filing is closed."),
                            application=application.number),
                exclude=actor)


def can_file(user: User, contract: Contract) -> bool:
    return _is_bank_of(user, contract.application.bank)


def allowed_moves(user: User, registration: PledgeRegistration) -> set[str]:
    """The buttons the detail page shows: the moves this user may make from the current state."""
    moves: set[str] = set()
    nexts = REGISTRATION_ALLOWED.get(registration.status, frozenset())
    if _is_registry_clerk(user, registration):
        if RegistrationStatus.REGISTERED in nexts:
            moves |= {"register", "reject"}
        if RegistrationStatus.CHANGED in nexts:
            moves.add("change")
    if RegistrationStatus.RELEASED in nexts and (
            _is_registry_clerk(user, registration) or _is_bank_of(user, registration.pledgee)):
        moves.add("release")
    return moves


__all__ = [
    "file_registration", "register_pledge", "reject_registration", "change_registration", "release_pledge",
    "withdraw_open_filing",
    "registry_office_for", "registration_sla", "refusal_ground", "allowed_moves", "can_file",
]
