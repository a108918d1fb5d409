"""Who reads which pledge registrations, the registration clock, the IP-office queue, the public search.

- the pledgor enterprise sees its own registrations;
- the pledgee bank sees the ones it holds (a head office those of its branches too);
- the registry office sees what it registers; IP offices, regulators and fund managers see their region;
- the platform sees everything; everyone else nothing.
The public announcements (SC-13) are not scoped: they carry public fields only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from ipfin.accounts.choices import REGIONAL_KINDS, OrganisationKind, Role
from ipfin.accounts.models import User
from ipfin.accounts.permissions import is_platform_admin, org_scope
from ipfin.calendar.services import working_calendar
from ipfin.core.scoping import visibility, visible
from ipfin.domain.errors import InvalidInput
from ipfin.domain.registry.patent_number import parse_patent_number
from ipfin.domain.sla import SlaClock, SlaState, clock_state, due_date_or_none
from ipfin.pledges.choices import RegistrationStatus
from ipfin.pledges.models import PledgeAnnouncement, PledgeRegistration

NOTHING = Q(pk__in=[])


@visibility(PledgeRegistration)
def registrations_visible_to(user: User) -> QuerySet[PledgeRegistration]:
    queryset = PledgeRegistration.objects.select_related("pledgor__organisation", "pledgee", "registry_office",
                                                         "contract")
    if is_platform_admin(user):
        return queryset.all()
    org = user.organisation
    if org is None:
        return queryset.none()
    if org.kind == OrganisationKind.ENTERPRISE:
        scope = Q(pledgor__organisation=org)
    elif org.kind == OrganisationKind.BANK:
        scope = org_scope(user, "pledgee")
    elif org.kind in REGIONAL_KINDS:
        scope = org_scope(user, "pledgor__organisation") | Q(registry_office=org)
    else:
        scope = NOTHING
    return queryset.filter(scope)


def registration_clock(registration: PledgeRegistration, today: date) -> SlaClock | None:
    """The registration clock (PZA-2.2.1a, XT-14): from filing to the registry's decision, in working days.

    None when no in-force profile set a time limit. A due date that could not be computed at filing (the
    calendar year was not published) is computed now if the year has been published since.
    """
    if registration.sla_working_days is None or registration.status == RegistrationStatus.WITHDRAWN:
        return None  # no limit set, or the filing was withdrawn undecided
    calendar = working_calendar()
    due_on = registration.due_on or due_date_or_none(calendar, registration.filed_on, registration.sla_working_days)
    stopped = registration.decided_on if registration.status != RegistrationStatus.FILED else None
    return clock_state(calendar, due_on=due_on, today=today, stopped_on=stopped)


def office_queue(user: User, today: date) -> list[tuple[PledgeRegistration, SlaClock | None]]:
    """Filings waiting for this IP office user's registry office, earliest due first (no due date last)."""
    if user.organisation is None or not user.has_role(Role.CLERK, Role.LEADER):
        return []
    rows = (visible(user, PledgeRegistration)
            .filter(registry_office=user.organisation, status=RegistrationStatus.FILED)
            .order_by("due_on", "filed_on", "id"))
    ordered = sorted(rows, key=lambda r: (r.due_on is None, r.due_on or date.max, r.filed_on, r.pk))
    return [(r, registration_clock(r, today)) for r in ordered]


def count_due(user: User) -> int:
    """Dashboard: filings waiting for a decision that the user's organisation acts on (IP office: to
    register; bank: its own filings)."""
    return visible(user, PledgeRegistration).filter(status=RegistrationStatus.FILED).count()


CLOCK_BADGES: dict[str, str] = {
    SlaState.ON_TIME: "success", SlaState.DUE_SOON: "warning", SlaState.OVERDUE: "danger",
    SlaState.MET: "success", SlaState.MISSED: "danger", SlaState.PAUSED: "secondary",
    SlaState.CALENDAR_NOT_PUBLISHED: "secondary",
}


# --- public search (SC-13) ---------------------------------------------------------------------------------

PUBLIC_FIELDS = ["registration_number", "registered_on", "asset_kind", "asset_number", "asset_title",
                 "pledgor_name", "pledgee_name", "term_start", "term_end", "status", "released_on"]
PUBLIC_STATUSES = (RegistrationStatus.REGISTERED, RegistrationStatus.CHANGED, RegistrationStatus.RELEASED)


def normalise_ip_number(query: str) -> tuple[str, bool]:
    """(normal form, exact?) of an IP number typed in the search box.

    A complete patent number in any accepted spelling (``ZL2023 1012 3456.7``, ``CN202310123456.7``) is
    normalised as the registry stores it and matched exactly; anything else (a prefix, a trademark or
    copyright number) is stripped of spaces, ``ZL``/``CN`` and ``第…号`` and matched as a prefix.
    """
    text = "".join((query or "").split()).upper()
    if not text:
        return "", False
    try:
        return parse_patent_number(text).number, True
    except InvalidInput:
        pass
    for prefix in ("ZL", "CN"):
        if text.startswith(prefix):
            text = text[len(prefix):]
            break
    return text.removeprefix("第").removesuffix("号"), False


@dataclass(frozen=True)
class PublicPage:
    rows: list[dict[str, object]]
    page: int
    page_size: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def public_search(*, number: str = "", pledgor: str = "", pledgee: str = "", status: str = "", page: int = 1,
                  page_size: int = 20) -> PublicPage:
    """Announcements matching the filters, newest first; only public fields.

    No total count (a ``COUNT(*)`` over a million rows is the slow part of a paginated search): the page
    fetches one row more than it shows to know whether there is a next page.
    """
    queryset = PledgeAnnouncement.objects.filter(status__in=PUBLIC_STATUSES)
    normal, exact = normalise_ip_number(number)
    if normal:
        queryset = queryset.filter(asset_number=normal) if exact else queryset.filter(asset_number__startswith=normal)
    # ``contains`` (LIKE '%…%'), not ``icontains``: Chinese names have no case, and on PostgreSQL the
    # pg_trgm GIN index serves LIKE on the bare column (it would not serve UPPER(column)).
    if pledgor.strip():
        queryset = queryset.filter(pledgor_name__contains=pledgor.strip())
    if pledgee.strip():
        queryset = queryset.filter(pledgee_name__contains=pledgee.strip())
    if status:
        queryset = queryset.filter(status=status) if status in PUBLIC_STATUSES else queryset.none()
    page = max(1, page)
    start = (page - 1) * page_size
    rows = list(queryset.order_by("-registered_on", "-id").values(*PUBLIC_FIELDS)[start:start + page_size + 1])
    return PublicPage(rows[:page_size], page, page_size, len(rows) > page_size)
