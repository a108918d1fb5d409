"""State changes of the registry — each atomic, permission-checked and audited.

Who may change what:
- an enterprise (its administrators and staff) keeps its own facts, qualifications, statements and IP;
- the IP office of the enterprise's region keeps credit events, the dishonest list (BT-18) and the
  whitelist (SC-14), and records legal-status events;
- a bank links its customers (its head office may link for its branches);
- the platform operator (and system jobs, ``actor=None``) may do everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction

from ipfin.accounts.actions import create_organisation
from ipfin.accounts.audit import record_event, snapshot
from ipfin.accounts.choices import OrganisationKind, Role
from ipfin.accounts.models import Organisation, User
from ipfin.accounts.permissions import is_platform_admin
from ipfin.core.actions import lock
from ipfin.core.dates import business_date
from ipfin.core.scoping import get_visible
from ipfin.domain.errors import Conflict, InvalidInput, PermissionDenied, _
from ipfin.domain.regions import is_within, validate_region_code
from ipfin.domain.registry.annual_fee import FeeSchedule, load_fee_schedule
from ipfin.domain.registry.assets import (
    normalise_industry_code,
    validate_id_number,
    validate_phone,
)
from ipfin.domain.registry.legal_status import (
    LegalEvent,
    LegalEventKind,
    LegalState,
    LegalStatus,
    derive_legal_state,
)
from ipfin.domain.registry.terms import add_years
from ipfin.domain.registry.uscc import parse_uscc
from ipfin.registry.choices import (
    AssetKind,
    CreditEventKind,
    CreditSource,
    LicenceType,
    PeriodKind,
    QualificationKind,
    SizeClass,
)
from ipfin.registry.models import (
    CreditEvent,
    CustomerRelationship,
    DishonestListEntry,
    Enterprise,
    FinancialStatement,
    IpAsset,
    IpAssetOwner,
    LegalStatusEvent,
    Patent,
    QualificationTag,
    Trademark,
    WhitelistEntry,
)
from ipfin.registry.validation import (
    DateError,
    FieldError,
    OwnerInput,
    clean_asset,
    clean_owners,
    parse_choice,
    quarter_or_year_end,
    require_past,
)

ENTERPRISE_ROLES = (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF)
IP_OFFICE_ROLES = (Role.CLERK, Role.LEADER)
BANK_ROLES = (Role.LOAN_OFFICER, Role.APPROVER, Role.BRANCH_HEAD)
FEE_SCHEDULE_PATH = Path(__file__).resolve().parent / "data" / "annual_fees.toml"

ENTERPRISE_FIELDS = ["uscc", "established_on", "is_independent_legal_person", "industry_code", "size_class",
                     "registered_address", "legal_representative", "legal_rep_id_number", "contact_name",
                     "contact_phone"]
ASSET_FIELDS = ["kind", "number", "title", "status", "pledged", "frozen", "invalidation_pending", "in_litigation",
                "filing_date", "registration_date", "expiry_date", "details"]
PATENT_FIELDS = ["patent_type", "is_pct", "ipc_main", "ipc_codes", "claims_count", "independent_claims",
                 "forward_citations", "backward_citations", "family_size", "family_countries", "fee_paid_through",
                 "open_licence"]
TRADEMARK_FIELDS = ["mark_type", "nice_classes", "is_geographical_indication"]


class DuplicateNumber(Conflict):
    code = "duplicate_number"
    message_template = _("An IP asset of kind {kind} with number {number} is already registered.")


class DuplicateUscc(Conflict):
    code = "duplicate_uscc"
    message_template = _("An enterprise with the unified social credit code {uscc} is already registered.")


@lru_cache(maxsize=1)
def fee_schedule() -> FeeSchedule:
    """The annual-fee schedule (data: ``ipfin/registry/data/annual_fees.toml``)."""
    return load_fee_schedule(FEE_SCHEDULE_PATH)


def _today() -> date:
    return business_date()


# --- permission helpers ---------------------------------------------------------------------------------


def _is_system_or_platform(actor: User | None) -> bool:
    return actor is None or is_platform_admin(actor)


def can_edit_enterprise(actor: User | None, enterprise: Enterprise) -> bool:
    """The enterprise's own administrators and staff, the platform, system jobs."""
    if _is_system_or_platform(actor):
        return True
    assert actor is not None
    return actor.is_active and actor.organisation_id == enterprise.organisation_id and actor.has_role(
        *ENTERPRISE_ROLES)


def is_ip_office_for(actor: User | None, region_code: str) -> bool:
    """The platform, system jobs, or a clerk/leader of an IP office whose jurisdiction covers the region."""
    if _is_system_or_platform(actor):
        return True
    assert actor is not None
    org = actor.organisation
    return bool(actor.is_active and org is not None and org.kind == OrganisationKind.IP_OFFICE
                and actor.has_role(*IP_OFFICE_ROLES) and is_within(region_code, org.region_code))


def _enterprise_for_change(actor: User | None, enterprise_id: int) -> Enterprise:
    """Lock the enterprise; an actor who cannot read it gets :class:`NotFound` (no hint it exists)."""
    if actor is not None:
        get_visible(actor, Enterprise, pk=enterprise_id)
    enterprise = lock(Enterprise, enterprise_id)
    return enterprise


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied()


# --- enterprises ----------------------------------------------------------------------------------------


def clean_enterprise_facts(data: dict[str, Any], *, today: date) -> dict[str, Any]:
    """Validate the registry facts of an enterprise (keys of :data:`ENTERPRISE_FIELDS`, all optional)."""
    clean: dict[str, Any] = {}
    if "uscc" in data:
        clean["uscc"] = parse_uscc(data["uscc"]).code
    if "established_on" in data:
        if data["established_on"] is None:
            raise DateError(field="established_on", reason="required", reason_code="required")
        clean["established_on"] = require_past(data["established_on"], field="established_on", today=today)
    if "is_independent_legal_person" in data:
        clean["is_independent_legal_person"] = bool(data["is_independent_legal_person"])
    if data.get("industry_code"):
        clean["industry_code"] = normalise_industry_code(data["industry_code"])
    elif "industry_code" in data:
        clean["industry_code"] = ""
    if "size_class" in data:
        clean["size_class"] = parse_choice(data["size_class"], SizeClass, field="size_class", default="")
    for name in ("registered_address", "legal_representative", "contact_name"):
        if name in data:
            clean[name] = (data[name] or "").strip()
    if "legal_rep_id_number" in data:
        clean["legal_rep_id_number"] = validate_id_number(data["legal_rep_id_number"]) if data[
            "legal_rep_id_number"] else ""
    if "contact_phone" in data:
        clean["contact_phone"] = validate_phone(data["contact_phone"]) if data["contact_phone"] else ""
    return clean


def create_enterprise(
    actor: User | None,
    *,
    name: str = "",
    region_code: str = "",
    uscc: str,
    established_on: date,
    organisation: Organisation | None = None,
    **facts: Any,
) -> Enterprise:
    """Register an enterprise's facts; creates its organisation unless an existing one is given.

    A new organisation is created by the platform (or a system job); an existing enterprise
    organisation may register its own facts.
    """
    today = _today()
    clean = clean_enterprise_facts({"uscc": uscc, "established_on": established_on, **facts}, today=today)
    with transaction.atomic():
        if organisation is None:
            _require(_is_system_or_platform(actor))
            organisation = create_organisation(actor, name=name, kind=OrganisationKind.ENTERPRISE,
                                               region_code=region_code, uscc=clean["uscc"])
        else:
            if organisation.kind != OrganisationKind.ENTERPRISE:
                raise InvalidInput(reason="registry facts belong to an enterprise organisation")
            allowed = _is_system_or_platform(actor) or (
                actor is not None and actor.organisation_id == organisation.pk and actor.has_role(*ENTERPRISE_ROLES))
            _require(allowed)
            if Enterprise.objects.filter(organisation=organisation).exists():
                raise Conflict(_("This organisation already has its registry facts."))
        if Enterprise.objects.filter(uscc=clean["uscc"]).exists():
            raise DuplicateUscc(uscc=clean["uscc"])
        if organisation.uscc != clean["uscc"]:
            organisation.uscc = clean["uscc"]
            organisation.save(update_fields=["uscc"])
        enterprise = Enterprise.objects.create(organisation=organisation, **clean)
        record_event(actor=actor, action="registry.enterprise.create", obj=enterprise, organisation=organisation,
                     after=snapshot(enterprise, ENTERPRISE_FIELDS), clause="PZA-2.2.2")
    return enterprise


def update_enterprise(actor: User | None, enterprise_id: int, **changes: Any) -> Enterprise:
    """Change an enterprise's facts (and name); the USCC and region are corrected by the platform only."""
    today = _today()
    name = changes.pop("name", None)
    region_code = changes.pop("region_code", None)
    unknown = set(changes) - set(ENTERPRISE_FIELDS)
    if unknown:
        raise InvalidInput(reason=f"unknown fields: {', '.join(sorted(unknown))}")
    clean = clean_enterprise_facts(changes, today=today)
    with transaction.atomic():
        enterprise = _enterprise_for_change(actor, enterprise_id)
        _require(can_edit_enterprise(actor, enterprise))
        if ("uscc" in clean and clean["uscc"] != enterprise.uscc) or region_code is not None:
            _require(_is_system_or_platform(actor))
        org = enterprise.organisation
        before = {**snapshot(enterprise, ENTERPRISE_FIELDS), "name": org.name, "region_code": org.region_code}
        if "uscc" in clean and Enterprise.objects.filter(uscc=clean["uscc"]).exclude(pk=enterprise.pk).exists():
            raise DuplicateUscc(uscc=clean["uscc"])
        for key, value in clean.items():
            setattr(enterprise, key, value)
        enterprise.save()
        org_fields = []
        if name is not None and name.strip() and name.strip() != org.name:
            if Organisation.objects.filter(name=name.strip()).exclude(pk=org.pk).exists():
                raise Conflict(_("An organisation named {name} already exists."), name=name.strip())
            org.name = name.strip()
            org_fields.append("name")
        if region_code is not None and region_code != org.region_code:
            org.region_code = validate_region_code(region_code)
            org_fields.append("region_code")
        if org.uscc != enterprise.uscc:
            org.uscc = enterprise.uscc
            org_fields.append("uscc")
        if org_fields:
            org.save(update_fields=org_fields)
        after = {**snapshot(enterprise, ENTERPRISE_FIELDS), "name": org.name, "region_code": org.region_code}
        record_event(actor=actor, action="registry.enterprise.update", obj=enterprise, organisation=org,
                     before=before, after=after, clause="PZA-2.2.2")
    return enterprise


def add_qualification(actor: User | None, enterprise_id: int, *, kind: str, valid_from: date,
                      valid_to: date | None = None, certificate_number: str = "") -> QualificationTag:
    kind = parse_choice(kind, QualificationKind, field="kind")
    require_past(valid_from, field="valid_from", today=_today())
    if valid_to is not None and valid_to < valid_from:
        raise DateError(field="valid_to", reason="ends before it starts", reason_code="order")
    with transaction.atomic():
        enterprise = _enterprise_for_change(actor, enterprise_id)
        _require(can_edit_enterprise(actor, enterprise))
        try:
            with transaction.atomic():
                tag = QualificationTag.objects.create(enterprise=enterprise, kind=kind, valid_from=valid_from,
                                                      valid_to=valid_to, certificate_number=certificate_number.strip())
        except IntegrityError:
            raise Conflict(_("This qualification is already recorded.")) from None
        record_event(actor=actor, action="registry.qualification.add", obj=tag, organisation=enterprise.organisation,
                     after=snapshot(tag, ["enterprise_id", "kind", "valid_from", "valid_to", "certificate_number"]))
    return tag


def record_financial_statement(actor: User | None, enterprise_id: int, *, period_kind: str, period_end: date,
                               revenue_fen: int, profit_fen: int, rd_spend_fen: int, tax_fen: int
                               ) -> FinancialStatement:
    """Create or correct one period's figures (BT-19 statistics; valuation's income approach)."""
    period_kind = parse_choice(period_kind, PeriodKind, field="period_kind")
    quarter_or_year_end(period_kind, period_end)
    require_past(period_end, field="period_end", today=_today())
    figures = {"revenue_fen": revenue_fen, "profit_fen": profit_fen, "rd_spend_fen": rd_spend_fen, "tax_fen": tax_fen}
    for key, value in figures.items():
        if not isinstance(value, int) or isinstance(value, bool):
            raise FieldError(field=key, reason="an amount in fen must be an integer", reason_code="integer")
        if key != "profit_fen" and value < 0:
            raise FieldError(field=key, reason="must not be negative", reason_code="negative")
    with transaction.atomic():
        enterprise = _enterprise_for_change(actor, enterprise_id)
        _require(can_edit_enterprise(actor, enterprise))
        statement = FinancialStatement.objects.filter(enterprise=enterprise, period_kind=period_kind,
                                                      period_end=period_end).select_for_update().first()
        fields = ["period_kind", "period_end", *figures]
        before = snapshot(statement, fields) if statement else None
        if statement is None:
            statement = FinancialStatement.objects.create(enterprise=enterprise, period_kind=period_kind,
                                                          period_end=period_end, **figures)
        else:
            for key, value in figures.items():
                setattr(statement, key, value)
            statement.save(update_fields=list(figures))
        record_event(actor=actor, action="registry.statement.record", obj=statement,
                     organisation=enterprise.organisation, before=before, after=snapshot(statement, fields),
                     clause="BT-19")
    return statement


def add_credit_event(actor: User | None, enterprise_id: int, *, kind: str, occurred_on: date, source: str,
                     description: str = "", resolved_on: date | None = None) -> CreditEvent:
    """Record a bad credit record (BT-4b checks "none in the last 3 years"). IP office of the region."""
    kind = parse_choice(kind, CreditEventKind, field="kind")
    source = parse_choice(source, CreditSource, field="source")
    require_past(occurred_on, field="occurred_on", today=_today())
    if resolved_on is not None and resolved_on < occurred_on:
        raise DateError(field="resolved_on", reason="resolved before it occurred", reason_code="order")
    with transaction.atomic():
        enterprise = _enterprise_for_change(actor, enterprise_id)
        _require(is_ip_office_for(actor, enterprise.organisation.region_code))
        event = CreditEvent.objects.create(enterprise=enterprise, kind=kind, occurred_on=occurred_on, source=source,
                                           description=description.strip(), resolved_on=resolved_on,
                                           recorded_by=actor)
        record_event(actor=actor, action="registry.credit_event.add", obj=event,
                     after=snapshot(event, ["enterprise_id", "kind", "occurred_on", "source", "resolved_on"]),
                     clause="BT-4")
    return event


def add_dishonest_entry(actor: User | None, enterprise_id: int, *, listed_on: date, reason: str,
                        source: str = "") -> DishonestListEntry:
    """Put an enterprise on the dishonest list (BT-18). IP office of the region only."""
    require_past(listed_on, field="listed_on", today=_today())
    if not reason.strip():
        raise FieldError(field="reason", reason="required", reason_code="required")
    with transaction.atomic():
        enterprise = _enterprise_for_change(actor, enterprise_id)
        _require(is_ip_office_for(actor, enterprise.organisation.region_code))
        if DishonestListEntry.objects.filter(enterprise=enterprise, removed_on__isnull=True).exists():
            raise Conflict(_("The enterprise is already on the dishonest list."))
        entry = DishonestListEntry.objects.create(enterprise=enterprise, listed_on=listed_on, reason=reason.strip(),
                                                  source=source.strip(),
                                                  listed_by=actor.organisation if actor else None)
        record_event(actor=actor, action="registry.dishonest.add", obj=entry,
                     after=snapshot(entry, ["enterprise_id", "listed_on", "reason", "source"]), clause="BT-18")
    return entry


def remove_dishonest_entry(actor: User | None, entry_id: int, *, removed_on: date) -> DishonestListEntry:
    with transaction.atomic():
        if actor is not None:
            get_visible(actor, DishonestListEntry, pk=entry_id)
        entry = lock(DishonestListEntry, entry_id)
        _require(is_ip_office_for(actor, entry.enterprise.organisation.region_code))
        if entry.removed_on is not None:
            raise Conflict(_("This entry was already removed."))
        if removed_on < entry.listed_on:
            raise DateError(field="removed_on", reason="before the listing", reason_code="order")
        entry.removed_on = removed_on
        entry.save(update_fields=["removed_on"])
        record_event(actor=actor, action="registry.dishonest.remove", obj=entry, before={"removed_on": None},
                     after={"removed_on": removed_on}, clause="BT-18")
    return entry


def add_whitelist_entry(actor: User | None, enterprise_id: int, *, year: int, added_on: date,
                        reason: str = "") -> WhitelistEntry:
    """Put an enterprise on the year's whitelist pushed to the banks (SC-14). IP office of the region."""
    require_past(added_on, field="added_on", today=_today())
    with transaction.atomic():
        enterprise = _enterprise_for_change(actor, enterprise_id)
        _require(is_ip_office_for(actor, enterprise.organisation.region_code))
        if WhitelistEntry.objects.filter(enterprise=enterprise, year=year).exists():
            raise Conflict(_("The enterprise is already on the whitelist of {year}."), year=year)
        entry = WhitelistEntry.objects.create(enterprise=enterprise, year=year, added_on=added_on,
                                              reason=reason.strip(), added_by=actor.organisation if actor else None)
        record_event(actor=actor, action="registry.whitelist.add", obj=entry,
                     after=snapshot(entry, ["enterprise_id", "year", "added_on", "reason"]), clause="SC-14")
    return entry


def remove_whitelist_entry(actor: User | None, entry_id: int, *, removed_on: date) -> WhitelistEntry:
    with transaction.atomic():
        if actor is not None:
            get_visible(actor, WhitelistEntry, pk=entry_id)
        entry = lock(WhitelistEntry, entry_id)
        _require(is_ip_office_for(actor, entry.enterprise.organisation.region_code))
        if entry.removed_on is not None:
            raise Conflict(_("This entry was already removed."))
        entry.removed_on = removed_on
        entry.save(update_fields=["removed_on"])
        record_event(actor=actor, action="registry.whitelist.remove", obj=entry, before={"removed_on": None},
                     after={"removed_on": removed_on}, clause="SC-14")
    return entry


def link_customer(actor: User | None, *, bank: Organisation, enterprise: Enterprise, since: date,
                  source: str = "manual") -> CustomerRelationship:
    """Record that ``enterprise`` is a customer of ``bank`` (origination will call this for each borrower).

    A bank user may link customers of its own bank, a head-office user those of its branches too.
    Linking again updates ``since``/``source`` (idempotent).
    """
    if bank.kind != OrganisationKind.BANK:
        raise InvalidInput(reason="customers are linked to a bank")
    if not _is_system_or_platform(actor):
        assert actor is not None
        own = actor.organisation_id
        _require(actor.is_active and actor.has_role(*BANK_ROLES) and own is not None
                 and (bank.pk == own or bank.head_office_id == own))
    with transaction.atomic():
        relationship = CustomerRelationship.objects.select_for_update().filter(bank=bank,
                                                                               enterprise=enterprise).first()
        before = snapshot(relationship, ["since", "source"]) if relationship else None
        if relationship is None:
            relationship = CustomerRelationship.objects.create(bank=bank, enterprise=enterprise, since=since,
                                                               source=source)
        else:
            relationship.since, relationship.source = since, source
            relationship.save(update_fields=["since", "source"])
        record_event(actor=actor, action="registry.customer.link", obj=relationship, before=before,
                     after=snapshot(relationship, ["bank_id", "enterprise_id", "since", "source"]))
    return relationship


# --- IP assets ------------------------------------------------------------------------------------------


def initial_status(kind: str) -> LegalStatus:
    """Patents and trademarks start as applications; the other kinds exist once registered."""
    return LegalStatus.PENDING if kind in (AssetKind.PATENT, AssetKind.TRADEMARK) else LegalStatus.IN_FORCE


def legal_events_for(asset_kind: str, registration_date: date | None,
                     recorded: Iterable[tuple[str, date]]) -> list[LegalEvent]:
    """The events to replay: the recorded ones, preceded by the grant the registration date implies."""
    events = [LegalEvent(LegalEventKind(kind), day) for kind, day in recorded]
    if (registration_date is not None and initial_status(asset_kind) is LegalStatus.PENDING
            and not any(e.kind is LegalEventKind.GRANT for e in events)):
        events.insert(0, LegalEvent(LegalEventKind.GRANT, registration_date))
    return events


def derive_asset_state(asset_kind: str, registration_date: date | None,
                       recorded: Iterable[tuple[str, date]]) -> LegalState:
    return derive_legal_state(initial_status(asset_kind), legal_events_for(asset_kind, registration_date, recorded))


def _apply_state(asset: IpAsset, state: LegalState) -> None:
    asset.status = state.status.value
    asset.status_since = state.status_since
    asset.pledged, asset.frozen = state.pledged, state.frozen
    asset.invalidation_pending, asset.in_litigation = state.invalidation_pending, state.in_litigation


def _resolve_owners(owners: list[OwnerInput]) -> list[tuple[OwnerInput, Enterprise | None]]:
    clean_owners(owners)
    ids = [o.enterprise_id for o in owners if o.enterprise_id]
    found = Enterprise.objects.select_related("organisation").in_bulk(ids)
    missing = [i for i in ids if i not in found]
    if missing:
        raise FieldError(field="owners", reason=f"unknown enterprise {missing[0]}", reason_code="unknown_enterprise")
    return [(o, found[o.enterprise_id] if o.enterprise_id else None) for o in owners]


def _write_owners(asset: IpAsset, resolved: list[tuple[OwnerInput, Enterprise | None]]) -> None:
    asset.owners.all().delete()
    IpAssetOwner.objects.bulk_create(
        IpAssetOwner(asset=asset, enterprise=enterprise, owner_name=enterprise.name if enterprise else owner.name.strip(),
                     share=owner.share, position=index)
        for index, (owner, enterprise) in enumerate(resolved)
    )


def _asset_snapshot(asset: IpAsset) -> dict[str, Any]:
    data = snapshot(asset, ASSET_FIELDS)
    if asset.kind == AssetKind.PATENT and hasattr(asset, "patent"):
        data["patent"] = snapshot(asset.patent, PATENT_FIELDS)
    if asset.kind == AssetKind.TRADEMARK and hasattr(asset, "trademark"):
        data["trademark"] = snapshot(asset.trademark, TRADEMARK_FIELDS)
    data["owners"] = [[o.enterprise_id, o.owner_name, str(o.share)] for o in asset.owners.all()]
    return data


def _actor_enterprise_id(actor: User | None) -> int | None:
    if actor is None or actor.organisation is None:
        return None
    enterprise = Enterprise.objects.filter(organisation_id=actor.organisation_id).values_list("pk", flat=True).first()
    return enterprise


def add_ip_asset(
    actor: User | None,
    *,
    kind: str,
    number: str,
    title: str,
    owners: list[OwnerInput],
    filing_date: date | None = None,
    registration_date: date | None = None,
    expiry_date: date | None = None,
    patent: dict[str, Any] | None = None,
    trademark: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> IpAsset:
    """Register an IP asset with its owners; an enterprise registers assets it (co-)owns."""
    clean = clean_asset(kind=kind, number=number, filing_date=filing_date, registration_date=registration_date,
                        expiry_date=expiry_date, today=_today(), patent=patent, trademark=trademark, details=details)
    title = (title or "").strip()
    if not title:
        raise FieldError(field="title", reason="required", reason_code="required")
    with transaction.atomic():
        resolved = _resolve_owners(owners)
        if not _is_system_or_platform(actor):
            assert actor is not None
            own = _actor_enterprise_id(actor)
            _require(actor.has_role(*ENTERPRISE_ROLES) and own is not None
                     and any(o.enterprise_id == own for o in owners))
        if IpAsset.objects.filter(kind=clean.kind, number=clean.number).exists():
            raise DuplicateNumber(kind=clean.kind, number=clean.number)
        asset = IpAsset(kind=clean.kind, number=clean.number, title=title, filing_date=clean.filing_date,
                        registration_date=clean.registration_date, expiry_date=clean.expiry_date,
                        details=clean.details)
        _apply_state(asset, derive_asset_state(asset.kind, asset.registration_date, []))
        asset.save()
        if clean.kind == AssetKind.PATENT:
            Patent.objects.create(asset=asset, **clean.patent)
        elif clean.kind == AssetKind.TRADEMARK:
            Trademark.objects.create(asset=asset, **clean.trademark)
        _write_owners(asset, resolved)
        record_event(actor=actor, action="registry.ip_asset.create", obj=asset, after=_asset_snapshot(asset),
                     clause="SC-7")
    return asset


def _asset_for_change(actor: User | None, asset_id: int) -> IpAsset:
    if actor is not None:
        get_visible(actor, IpAsset, pk=asset_id)
    return lock(IpAsset, asset_id)


def _owner_enterprises(asset: IpAsset) -> list[Enterprise]:
    return [o.enterprise for o in asset.owners.select_related("enterprise__organisation") if o.enterprise]


def can_edit_asset(actor: User | None, asset: IpAsset) -> bool:
    return _is_system_or_platform(actor) or any(can_edit_enterprise(actor, e) for e in _owner_enterprises(asset))


def update_ip_asset(
    actor: User | None,
    asset_id: int,
    *,
    title: str | None = None,
    owners: list[OwnerInput] | None = None,
    filing_date: date | None = None,
    registration_date: date | None = None,
    expiry_date: date | None = None,
    patent: dict[str, Any] | None = None,
    trademark: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> IpAsset:
    """Correct an asset's facts or owners (the number and kind never change: register a new asset)."""
    with transaction.atomic():
        asset = _asset_for_change(actor, asset_id)
        _require(can_edit_asset(actor, asset))
        before = _asset_snapshot(asset)
        patent_data = {**snapshot(asset.patent, PATENT_FIELDS), **(patent or {})} if asset.kind == AssetKind.PATENT \
            else None
        if patent_data is not None and isinstance(patent_data.get("fee_paid_through"), str):
            patent_data["fee_paid_through"] = date.fromisoformat(patent_data["fee_paid_through"])
        trademark_data = {**snapshot(asset.trademark, TRADEMARK_FIELDS), **(trademark or {})} \
            if asset.kind == AssetKind.TRADEMARK else None
        clean = clean_asset(
            kind=asset.kind, number=asset.number,
            filing_date=filing_date if filing_date is not None else asset.filing_date,
            registration_date=registration_date if registration_date is not None else asset.registration_date,
            expiry_date=expiry_date if expiry_date is not None else (
                None if asset.kind == AssetKind.PATENT else asset.expiry_date),
            today=_today(), patent=patent_data, trademark=trademark_data,
            details={**asset.details, **(details or {})},
        )
        if title is not None:
            if not title.strip():
                raise FieldError(field="title", reason="required", reason_code="required")
            asset.title = title.strip()
        asset.filing_date, asset.registration_date = clean.filing_date, clean.registration_date
        asset.expiry_date, asset.details = clean.expiry_date, clean.details
        recorded = list(asset.legal_events.values_list("kind", "effective_date"))
        _apply_state(asset, derive_asset_state(asset.kind, asset.registration_date, recorded))
        asset.save()
        if clean.kind == AssetKind.PATENT:
            Patent.objects.filter(asset=asset).update(**clean.patent)
        elif clean.kind == AssetKind.TRADEMARK:
            Trademark.objects.filter(asset=asset).update(**clean.trademark)
        if owners is not None:
            resolved = _resolve_owners(owners)
            if not _is_system_or_platform(actor):
                own = _actor_enterprise_id(actor)
                _require(any(o.enterprise_id == own for o in owners))  # an owner cannot give the asset away alone
            _write_owners(asset, resolved)
        asset.refresh_from_db()
        record_event(actor=actor, action="registry.ip_asset.update", obj=asset, before=before,
                     after=_asset_snapshot(asset), clause="SC-7")
    return asset


def record_legal_event(
    actor: User | None,
    asset_id: int,
    *,
    kind: str,
    effective_date: date,
    reference: str = "",
    details: dict[str, Any] | None = None,
    source: str = "",
) -> LegalStatusEvent:
    """Record one legal-status event and re-derive the asset's status from all its events (PZA-2.2.2, SC-2).

    The owning enterprise, the IP office of an owner's region and the platform may record events.
    A grant sets the grant/registration date; a trademark renewal extends validity by 10 years;
    an open-licence recordal marks the patent as openly licensed (开放许可).
    """
    from ipfin.registry.choices import LegalEventKind as EventChoices

    kind = parse_choice(kind, EventChoices, field="kind")
    require_past(effective_date, field="effective_date", today=_today())
    details = dict(details or {})
    if kind == EventChoices.LICENCE_RECORDAL and details.get("licence_type"):
        details["licence_type"] = parse_choice(details["licence_type"], LicenceType, field="licence_type")
    with transaction.atomic():
        asset = _asset_for_change(actor, asset_id)
        owners = _owner_enterprises(asset)
        allowed = _is_system_or_platform(actor) or any(
            can_edit_enterprise(actor, e) or is_ip_office_for(actor, e.organisation.region_code) for e in owners)
        _require(allowed)
        if asset.filing_date and effective_date < asset.filing_date:
            raise DateError(field="effective_date", reason="before the filing date", reason_code="before_filing")
        if LegalStatusEvent.objects.filter(asset=asset, kind=kind, effective_date=effective_date,
                                           reference=reference.strip()).exists():
            raise Conflict(_("This event is already recorded."))
        before = snapshot(asset, ["status", "pledged", "frozen", "invalidation_pending", "in_litigation",
                                  "registration_date", "expiry_date"])
        registration_date = asset.registration_date
        if kind == EventChoices.GRANT:
            if registration_date is not None and registration_date != effective_date:
                raise DateError(field="effective_date", reason=f"the asset was granted on {registration_date}",
                                reason_code="grant_mismatch")
            registration_date = effective_date
        recorded = list(asset.legal_events.values_list("kind", "effective_date")) + [(kind, effective_date)]
        state = derive_asset_state(asset.kind, registration_date, recorded)
        event = LegalStatusEvent.objects.create(asset=asset, kind=kind, effective_date=effective_date,
                                                reference=reference.strip(), details=details, source=source.strip(),
                                                recorded_by=actor)
        if kind == EventChoices.GRANT and asset.registration_date is None:
            asset.registration_date = effective_date
            if asset.kind == AssetKind.TRADEMARK and asset.expiry_date is None:
                from ipfin.domain.registry.terms import trademark_valid_to

                asset.expiry_date = trademark_valid_to(effective_date)
        if kind == EventChoices.RENEWAL and asset.kind == AssetKind.TRADEMARK and asset.expiry_date:
            asset.expiry_date = add_years(asset.expiry_date, 10)
        if (kind == EventChoices.LICENCE_RECORDAL and asset.kind == AssetKind.PATENT
                and details.get("licence_type") == LicenceType.OPEN):
            Patent.objects.filter(asset=asset).update(open_licence=True)
        _apply_state(asset, state)
        asset.save()
        record_event(actor=actor, action="registry.legal_event.record", obj=event, before=before,
                     after={**snapshot(asset, ["status", "pledged", "frozen", "invalidation_pending", "in_litigation",
                                               "registration_date", "expiry_date"]),
                            "event": kind, "effective_date": effective_date, "reference": reference},
                     clause="PZA-2.2.2")
    return event


def get_enterprise_for_user(user: User) -> Enterprise | None:
    """The enterprise record of the user's own organisation, if any."""
    if user.organisation_id is None:
        return None
    return Enterprise.objects.filter(organisation_id=user.organisation_id).first()

